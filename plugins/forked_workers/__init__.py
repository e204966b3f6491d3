"""A job run by forked processes, and how many processes a build uses.

Used by the speed layer's parallel build (plugins/speed/parallel_build: reading
and rendering) and by the sharing cards (drawing). A job is any function of
an index; the forked workers inherit it (nothing is pickled on the way in) and
send their results back through pipes. A worker gives back None for an index
whose job raised or logged anything at WARNING or above, so that the parent
does that one again itself and the build reports it exactly as a serial build
does.

`BUILD_WORKERS` (the setting, or the environment variable pelicanconf.py
reads; default: the cores this process may use) sets the number of processes.
"""

from __future__ import annotations

import gc
import logging
import mmap
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import wait

# Indices a worker takes at a time (and sends the results of in one message).
CHUNK = 16
# Workers run at this lower priority (a weight of about a third of the parent's).
NICENESS = 5

# What the forked workers inherit while a pool runs: the job.
_job: Callable[[int], object] | None = None
_logged: list[logging.LogRecord] = []


def build_workers(settings: dict) -> int:
    """The BUILD_WORKERS setting, checked; the usable cores when it is unset.
    From the environment it comes as text ("2")."""
    value = settings.get("BUILD_WORKERS")
    if value is None or value == "":
        return usable_cores()
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SystemExit(
            f"BUILD_WORKERS is {value!r}, which is not a number of processes. "
            "Fix: set it to a whole number of 1 or more (1 builds serially), "
            "or remove it to use every core."
        )
    return value


def usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def serial_reason(workers: int, files: int | None = None, minimum: int = 0) -> str | None:
    """Why the work (of `files` files, when known; fewer than `minimum` are not
    worth the workers) stays in this process, or None to fork workers for it."""
    if workers == 1:
        return "BUILD_WORKERS is 1"
    if not hasattr(os, "fork") or "fork" not in multiprocessing.get_all_start_methods():
        return "this platform cannot fork processes"
    if _other_threads():
        return "other threads are running (forking them is unsafe)"
    if files is not None and files < minimum:
        return f"only {files} files (fewer than {minimum})"
    return None


def _other_threads() -> list[threading.Thread]:
    """Threads a fork could catch holding a lock the workers need. Pelican's
    "Generating..." spinner (rich.live) only repaints the terminal, which the
    workers never write to."""
    return [
        thread
        for thread in threading.enumerate()
        if thread is not threading.main_thread() and type(thread).__module__ != "rich.live"
    ]


class Forked:
    """job(0) ... job(count - 1) run by `workers` forked processes, started at
    once; `results()` collects them. The workers take the next CHUNK indices in
    turn, from the first (the parent wants the first results first), until none
    is left, so they finish together however unequal the jobs or the
    processors; each sends its results back through a pipe as it goes."""

    def __init__(self, job: Callable[[int], object], count: int, workers: int):
        global _job
        self.count = count
        self._answered: set[int] = set()
        self._pending: dict = {}  # the receiving end of each worker's pipe -> its process id
        _job = job
        # Frozen objects are left alone by the workers' garbage collector, so the
        # workers do not copy every page of the parent's memory.
        gc.freeze()
        # The first index no worker has taken, in memory shared with this pool's
        # workers alone (a multiprocessing.Value's block can be handed to the next
        # pool once this object is gone, while these workers still count in it).
        taken = (mmap.mmap(-1, 8), multiprocessing.Lock())
        try:
            for _ in range(workers):
                receiving, sending = multiprocessing.Pipe(duplex=False)
                pid = os.fork()
                if pid == 0:
                    _work(taken, count, sending)  # never returns
                sending.close()
                self._pending[receiving] = pid
        finally:
            gc.unfreeze()
            _job = None

    @property
    def done(self) -> bool:
        return not self._pending

    def take(self, block: bool = True) -> list[tuple[int, object]]:
        """The results the workers have sent so far, (index, result or None);
        waits for some when `block`. Once every worker has finished, an index
        no worker answered (it died) is given as None too, so the parent does
        that one itself."""
        taken = []
        for receiving in wait(list(self._pending), None if block else 0) if self._pending else ():
            try:
                taken += receiving.recv()
            except EOFError:  # the worker has finished
                os.waitpid(self._pending.pop(receiving), 0)
                receiving.close()
        self._answered.update(index for index, _ in taken)
        if self.done:
            taken += [(i, None) for i in range(self.count) if i not in self._answered]
            self._answered.update(range(self.count))
        return taken

    def results(self) -> Iterator[tuple[int, object]]:
        """Every (index, result or None), in any order, as they come."""
        while not self.done:
            yield from self.take()


def _work(taken, count: int, sending) -> None:
    """A forked worker: runs chunks of the job until none is left, and leaves
    without running anything of the parent's (no exit handlers, no buffered output)."""
    status = 1
    try:
        _start_worker()
        counter, lock = taken
        while True:
            with lock:
                start = int.from_bytes(counter[:8], "little")
                counter[:8] = (start + CHUNK).to_bytes(8, "little")
            if start >= count:
                break
            sending.send(_run_chunk(range(start, min(start + CHUNK, count))))
        status = 0
    finally:
        os._exit(status)


class _Recorder(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        _logged.append(record)


def _start_worker() -> None:
    """A worker keeps what it would log: the parent does that job again, so its
    messages appear once, from the parent. It yields the processor to the
    parent and to Pagefind (plugins/search), which wait on nobody else: the
    build ends when they do."""
    os.nice(NICENESS)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(_Recorder(logging.WARNING))
    logging.lastResort = None
    logging.captureWarnings(True)


def _run_chunk(indices: range) -> list[tuple[int, object]]:
    results = []
    for index in indices:
        _logged.clear()
        try:
            result = _job(index)
        except Exception:
            result = None
        results.append((index, None if _logged else result))
    return results
