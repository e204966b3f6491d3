"""Writing in parallel: pages rendered by forked workers, everything else as Pelican does.

Stands in for: Pelican 4.12's `Writer.write_file`, rendering one page after
another (6.0 s of a 20.9 s profiled plain cold build at 1,000 articles). Its
saving is parallel_build's (see there).

`ParallelWriter` is Pelican's own Writer; only the two steps of a page's write
that cost time and have no effect on the rest of the build are handed on:
rendering its template and putting the text in the file. Everything else runs
in the parent, in Pelican's order: pagination, the local context, the check
that no file is written twice (Pelican's rules and messages), the
`content_written` signal. The pages recorded that way are rendered by forked
workers in batches, each while this process records the next one, and the
last when the build finishes (`finalized`), before any other plugin's
`finalized` step. A page whose rendering raised or logged is rendered again in
the parent, which reports it.

Every file this writer puts out (parallel or serial) is written only when its
bytes differ from what the output folder already holds: comparing costs a tenth of
rewriting, and most pages of a rebuild are unchanged. An unchanged file keeps
its modification time, so deploy tools that compare times skip it too.

A plugin that reads a written page must do so at `finalized` (after this
plugin) or later: at `content_written` the page may not be rendered yet.
"""

from __future__ import annotations

import io
import logging
import os
import time

from blinker import signal
from pelican.writers import FileOverwriteFailedError, Writer

from forked_workers import Forked, build_workers, serial_reason

from .limits import MIN_PAGES

logger = logging.getLogger(__name__)

# Pages recorded before the workers render them: bounds the local contexts
# held in memory at once. The first batch is as small as workers are worth
# (MIN_PAGES), so the first pages are finished (and Pagefind starts on them) at once.
BATCH = 500
# Sent (in this process, in Pelican's writing order) with the path of each file
# once it holds its final text: the search plugin feeds Pagefind as pages come.
file_finished = signal("parallel_build.file_finished")


class ParallelWriter(Writer):
    # The writers that still hold recorded pages (one per build).
    open_writers: list[ParallelWriter] = []

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self.workers = build_workers(self.settings)
        reason = serial_reason(self.workers)
        self.deferring = reason is None
        self._recorded: dict[str, tuple] = {}  # output path -> (template, context, localcontext)
        self._rendering: tuple | None = None
        self._running: tuple | None = None  # (jobs, Forked or None, start time)
        # The running batch's results taken so far (index -> result or None), and
        # how many of its first pages were announced finished (file_finished).
        self._taken: dict[int, object] = {}
        self._announced = 0
        self._handed_over = False
        # One writer a build: a writer left from a build that stopped half-way
        # holds that build's pages, which must never be written (whatever this
        # build's mode: `invoke serve` builds in parallel first, serially after).
        ParallelWriter.open_writers[:] = [self] if self.deferring else []
        if not self.deferring:
            logger.info("Writing serially: %s", reason)

    def write_file(self, name, template, context, *args, **kwargs):
        if self.deferring:
            template = _Recorded(self, template, context)
        return super().write_file(name, template, context, *args, **kwargs)

    def _open_w(self, filename, encoding, override=False):
        if self._rendering is None:  # a feed, or any file of a serial build: written here
            if not self._claim(filename, override):
                return _Discard()
            return _WrittenIfChanged(filename, encoding)
        if self._claim(filename, override):
            # The same file again (an allowed overwrite): the last one wins, as in Pelican.
            self._recorded.pop(filename, None)
            self._recorded[filename] = self._rendering
        self._rendering = None
        if len(self._recorded) >= (BATCH if self._handed_over else min(BATCH, MIN_PAGES)):
            self.hand_over()
        elif len(self._recorded) % 16 == 0:
            self.announce_rendered()
        return _Discard()

    def _claim(self, filename: str, override: bool) -> bool:
        """Pelican's rules for writing one file twice (`Writer._open_w`, same
        messages), without opening it: the worker that renders it does. False
        when Pelican would keep the earlier file."""
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" a second time (was previously overwritten)'
                )
            logger.info('Skipping "%s", not overwriting', filename)
            return False
        if filename in self._written_files:
            if not override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" as Pelican has already '
                    "written to it previously (set `override=True` if intended)"
                )
            logger.info('Overwriting "%s"', filename)
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        return True

    def hand_over(self) -> None:
        """Give the recorded pages to workers, which render them while this
        process records the next ones. One batch at a time: the batch before
        is finished first, so a page written twice is written in Pelican's order."""
        jobs = list(self._recorded.items())
        self._recorded.clear()
        self._handed_over = True
        self.finish_batch()
        if len(jobs) >= MIN_PAGES:
            workers = min(self.workers, len(jobs))
            forked = Forked(lambda i: _render(*jobs[i]), len(jobs), workers)
            self._running = (jobs, forked, time.perf_counter())
        elif jobs:
            self._running = (jobs, None, time.perf_counter())
        self._taken, self._announced = {}, 0

    def announce_rendered(self) -> None:
        """Announce (file_finished) the running batch's pages the workers have
        rendered by now, in order, up to the first one not rendered yet. Costs
        no wait: pages are announced while the next ones are recorded."""
        if self._running is None or self._running[1] is None:
            return
        jobs, forked, _ = self._running
        self._taken.update(forked.take(block=False))
        while self._announced < len(jobs) and self._taken.get(self._announced):
            file_finished.send(jobs[self._announced][0])
            self._announced += 1

    def finish_batch(self) -> None:
        """Wait for the batch the workers render; render what they could not."""
        if self._running is None:
            return
        jobs, forked, started = self._running
        self._running = None
        if forked is None:
            redo = range(len(jobs))
        else:
            self._taken.update(forked.results())
            redo = sorted(index for index, done in self._taken.items() if done is None)
        for index in redo:
            _render(*jobs[index])
        for path, _ in jobs[self._announced :]:
            file_finished.send(path)
        logger.info(
            "Rendered %d pages in %.2f s (%d in this process)",
            len(jobs),
            time.perf_counter() - started,
            len(redo),
        )


class _Recorded:
    """Stands in for the template: remembers what Pelican would render."""

    def __init__(self, writer: ParallelWriter, template, context: dict):
        self.writer, self.template, self.context = writer, template, context

    def render(self, localcontext: dict) -> str:
        self.writer._rendering = (self.template, self.context, localcontext)
        return ""


class _WrittenIfChanged(io.StringIO):
    """Collects what Pelican writes; on closing without an error, puts it in the file."""

    def __init__(self, path: str, encoding: str):
        super().__init__()
        self._path, self._encoding = path, encoding

    def __exit__(self, error_type, *exc) -> None:
        if error_type is None:
            write_if_changed(self._path, self.getvalue(), self._encoding)
            file_finished.send(self._path)
        super().__exit__(error_type, *exc)


def write_if_changed(path: str, text: str, encoding: str = "utf-8") -> bool:
    """Put `text` in the file at `path`, as `open(path, "w")` would, unless the
    file already holds exactly those bytes. True when it was written."""
    if os.linesep != "\n":  # the newlines text mode writes (Windows)
        text = text.replace("\n", os.linesep)
    data = text.encode(encoding)
    try:
        with open(path, "rb") as handle:
            if handle.read(len(data) + 1) == data:
                return False
    except OSError:  # no such file yet (or unreadable: writing says why)
        pass
    with open(path, "wb") as handle:
        handle.write(data)
    return True


class _Discard:
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def write(self, text: str) -> int:
        return len(text)


def _render(path: str, job: tuple) -> bool:
    template, context, localcontext = job
    # As Pelican's writer does before rendering: content links follow the page's
    # place. Put back afterwards: this process has moved on to later pages.
    now = context.get("localsiteurl")
    if localcontext["localsiteurl"]:
        context["localsiteurl"] = localcontext["localsiteurl"]
    try:
        output = template.render(localcontext)
    finally:
        context["localsiteurl"] = now
    write_if_changed(path, output)
    return True


def finish_writing(pelican) -> None:
    while ParallelWriter.open_writers:
        writer = ParallelWriter.open_writers.pop()
        writer.hand_over()
        writer.finish_batch()


def writer_class(pelican) -> type[Writer]:
    return ParallelWriter
