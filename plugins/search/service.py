"""Pagefind fed page by page while the site is written, instead of run over it afterwards.

`pagefind --service` reads requests on its stdin (each JSON, base64-encoded,
ended by a comma) and answers on its stdout the same way. `PageFeed` sends
every page as soon as the build has written it and reads no answer until the
end: Pagefind parses the pages beside Pelican while Pelican writes the rest
of the site, and the build waits only for what Pagefind has left to do. (The
`pagefind` Python package waits for the answer to each page, which keeps
Pagefind idle between pages: 165 s for 1,000.) The index's files come back in
Pagefind's last answer and are written here: asked to write them itself, the
service answers before its background writes are done.

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
        self.asked = False  # for the index's files
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
        from `complete` then, and the caller reads the written pages again."""
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
        try:
            self._service.stdin.write(data)
            # Now, not when a buffer fills: Pagefind parses while the build goes
            # on, and a forked worker must inherit no half-sent request.
            self._service.stdin.flush()
        except (OSError, ValueError) as stopped:  # ValueError: closed already
            self.close()
            raise SearchIndexError(
                f"Pagefind stopped reading the pages: {self._stderr()}"
            ) from stopped

    def start_writing(self) -> None:
        """Ask for the index (once every page was sent), without waiting:
        Pagefind assembles it while the build goes on."""
        if not self.complete:
            raise SearchIndexError("the search index was asked for before every page was written")
        if not self.asked:
            self.asked = True
            self._send({"type": "GetFiles", "index_id": 0})

    def write(self, bundle: str, keep=lambda name: True) -> None:
        """Write the index's files (those whose name `keep` keeps) into the
        folder `bundle`. Pages with no word give an index of no language.

        The files come in Pagefind's answer, and this process writes them: the
        service writes its files in the background and may answer before they
        are all on disk."""
        self.start_writing()
        answers, files = 0, None
        for answer in self._answers():
            answers += 1
            payload = answer.get("payload", {})
            if payload.get("type") == "Error" or answer.get("message_id") is None:
                self.close()
                raise SearchIndexError(
                    f"Pagefind could not index the pages of {self.output}: {payload}. Fix: run "
                    "`python3 -m pip install -r requirements.txt` (pagefind-bin), then build again"
                )
            if payload.get("type") == "GetFiles":
                files = payload["files"]
                break
        self.close()
        if files is None or answers != self._requests:
            raise SearchIndexError(f"Pagefind stopped before it made the index: {self._stderr()}")
        for file in files:
            name = file["path"]
            if os.path.isabs(name) or os.path.normpath(name) != name or name.startswith(".."):
                raise SearchIndexError(f"Pagefind named a file outside its folder: {name!r}")
            if not keep(name):
                continue
            path = os.path.join(bundle, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(base64.b64decode(file["content"]))

    def _answers(self):
        """Pagefind's answers, as they come. The last one holds the whole index
        (megabytes): its pieces are kept apart until its end arrives."""
        pieces: list[bytes] = []
        while True:
            chunk = self._service.stdout.read1(1 << 16)
            if not chunk:
                return
            if b"," not in chunk:
                pieces.append(chunk)
                continue
            *whole, rest = (b"".join(pieces) + chunk).split(b",")
            pieces = [rest]
            for encoded in whole:
                yield json.loads(base64.b64decode(encoded))

    def _stderr(self) -> str:
        try:
            self._errors.seek(0)
            return self._errors.read().decode(errors="replace").strip() or "no message"
        except ValueError:  # closed
            return "no message"

    def close(self) -> None:
        """Stop the service (at once: what it was asked for is done or not needed)."""
        if self._service.poll() is None:
            self._service.kill()
        self._service.wait()
        # (What Pagefind said on stderr stays readable: a temporary file, gone with this object.)
        for stream in (self._service.stdin, self._service.stdout):
            try:
                stream.close()
            except OSError:  # a request Pagefind never read: nothing to keep
                pass
