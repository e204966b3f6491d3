"""Pagefind fed page by page while the site is written, instead of run over it afterwards.

`pagefind --service` reads requests on its stdin (each JSON, base64-encoded,
ended by a comma) and answers on its stdout the same way. `PageFeed` sends
every page as soon as the build has written it and reads no answer until the
end: Pagefind parses the pages on its own core while Pelican writes the rest
of the site, and the build waits only for Pagefind to assemble the index and
write its files. (The `pagefind` Python package waits for the answer to each
page, which keeps Pagefind idle between pages: 165 s for 1,000.)

Pagefind numbers the pages in the order it receives them, and those numbers
are in the index's bytes; Pagefind over a folder takes them in the order the
file system lists them, which differs between file systems (a copy of the same
pages elsewhere gets other bytes). Here the order is the one given when the
feed starts (Pelican's lists: articles, then pages), whatever order the files
are finished in, so the same pages give the same bytes on any machine.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import tempfile

from .errors import SearchIndexError


class PageFeed:
    """An index of `pages` (paths relative to `output`), in that order, made by
    one Pagefind service. `finished(page)` as each page's file is complete (in
    any order, once each); `write()` once all are."""

    def __init__(self, program: str, output: str, pages: list[str], language: str | None):
        self.output, self.pages = output, list(dict.fromkeys(pages))
        self._place = {page: number for number, page in enumerate(self.pages)}
        self._ready: set[int] = set()
        self._next = 0  # the first page not sent yet: pages go in order
        self._requests = 0
        self.bundle: str | None = None  # where the index was asked for
        self._errors = tempfile.TemporaryFile()
        self._service = subprocess.Popen(
            [program, "--service"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            # Pagefind's own settings come from the request below only.
            cwd=tempfile.gettempdir(),
        )
        config = {"force_language": language} if language else {}
        self._send({"type": "NewIndex", "config": config})

    @property
    def complete(self) -> bool:
        return self._next == len(self.pages)

    @property
    def sent(self) -> int:
        """How many pages Pagefind was given so far."""
        return max(self._next, 0)

    def wants(self, page: str) -> bool:
        return page in self._place

    def finished(self, page: str) -> None:
        """`page` holds its final text; send it, and every later page that
        waited for it. A page finished twice (rewritten) breaks the order: False
        from `complete` then, and the caller indexes the folder instead."""
        number = self._place[page]
        if number < self._next or number in self._ready:
            self._next = -1  # never complete
            return
        self._ready.add(number)
        while self._next in self._ready:
            self._ready.discard(self._next)
            self._add(self.pages[self._next])
            self._next += 1

    def _add(self, page: str) -> None:
        with open(os.path.join(self.output, page), encoding="utf-8") as handle:
            html = handle.read()
        request = {"type": "AddFile", "index_id": 0, "file_path": page, "url": None}
        self._send({**request, "file_contents": html})

    def _send(self, payload: dict) -> None:
        message = {"message_id": self._requests, "payload": payload}
        self._requests += 1
        data = base64.b64encode(json.dumps(message).encode()) + b","
        self._service.stdin.write(data)
        # Now, not when a buffer fills: Pagefind parses while the build goes on,
        # and a forked worker must inherit no half-sent request.
        self._service.stdin.flush()

    def start_writing(self, bundle: str) -> None:
        """Ask for the index in the folder `bundle` (once every page was sent),
        without waiting: Pagefind assembles it while the build goes on."""
        if not self.complete:
            raise SearchIndexError("the search index was asked for before every page was written")
        if self.bundle is None:
            self.bundle = os.path.abspath(bundle)
            self._send({"type": "WriteFiles", "index_id": 0, "output_path": self.bundle})

    def write(self, bundle: str) -> int:
        """Write the index into the folder `bundle` (or wait for the one asked
        for already); the number of words found in the pages (0: Pagefind
        wrote an empty index)."""
        self.start_writing(bundle)
        if os.path.realpath(self.bundle) != os.path.realpath(bundle):
            raise SearchIndexError(f"the search index went to {self.bundle}, not {bundle}")
        words, answers = 0, 0
        for answer in self._answers():
            answers += 1
            payload = answer.get("payload", {})
            if payload.get("type") == "Error" or answer.get("message_id") is None:
                self.close()
                raise SearchIndexError(f"Pagefind could not index the pages: {payload}")
            words += payload.get("page_word_count", 0)
            if payload.get("type") == "WriteFiles":
                break
        self.close()
        if answers != self._requests:
            raise SearchIndexError(f"Pagefind stopped before it wrote the index: {self._stderr()}")
        return words

    def _answers(self):
        pending = b""
        while True:
            chunk = self._service.stdout.read1(1 << 16)
            if not chunk:
                return
            pending += chunk
            *whole, pending = pending.split(b",")
            for encoded in whole:
                yield json.loads(base64.b64decode(encoded))

    def _stderr(self) -> str:
        self._errors.seek(0)
        return self._errors.read().decode(errors="replace").strip() or "no message"

    def close(self) -> None:
        """Stop the service (at once: what it was asked for is done or not needed)."""
        if self._service.poll() is None:
            self._service.kill()
        self._service.wait()
        for stream in (self._service.stdin, self._service.stdout, self._errors):
            try:
                stream.close()
            except OSError:  # a request Pagefind never read: nothing to keep
                pass
