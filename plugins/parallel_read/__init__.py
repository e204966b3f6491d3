"""Parallel reading: the Markdown of a large site converted on every core.

Adds to the build: as soon as the articles' (and then the pages') generator is
set up, the files that Pelican's reader cache does not hold yet are read in a
pool of forked processes (pool.py), and their results are put into that cache,
keyed as `Readers.read_file` looks them up. Pelican's serial pass then finds
every file already read: it still runs every signal, every plugin and every
check, in its own order, so a parallel build writes the same bytes as a
serial one. A file a worker could not read cleanly is left to the serial pass,
which reports it as usual.

`BUILD_WORKERS` (default: the cores this process may use) sets the number of
processes; `-e BUILD_WORKERS=1` reads serially. Reading stays serial, and says
why with `-v`, when other threads run (`invoke serve`: forking a threaded
process is unsafe), where the platform cannot fork, and for fewer files than
`MIN_FILES` (a pool costs more than it saves there).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time

from pelican import signals
from pelican.utils import file_suffix

from .pool import read_in_workers, usable_cores

__all__ = ["MIN_FILES", "build_workers", "read_ahead", "register", "serial_reason"]

logger = logging.getLogger(__name__)

# Below this many unread files a serial read is as fast (bench/run.py --small).
MIN_FILES = 40


def build_workers(settings: dict) -> int:
    """The BUILD_WORKERS setting, checked; the usable cores when it is unset."""
    value = settings.get("BUILD_WORKERS")
    if value is None:
        return usable_cores()
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SystemExit(
            f"BUILD_WORKERS is {value!r}, which is not a number of processes. "
            "Fix: set it to a whole number of 1 or more (1 builds serially), "
            "or remove it to use every core."
        )
    return value


def serial_reason(workers: int, files: int) -> str | None:
    """Why these files are read in this process, or None to read them in a pool."""
    if workers == 1:
        return "BUILD_WORKERS is 1"
    if "fork" not in multiprocessing.get_all_start_methods():
        return "this platform cannot fork processes"
    if _other_threads():
        return "other threads are running (forking them is unsafe)"
    if files < MIN_FILES:
        return f"only {files} files to read (fewer than {MIN_FILES})"
    return None


def _other_threads() -> list[threading.Thread]:
    """Threads that a fork could catch holding a lock the workers need. Pelican's
    "Generating..." spinner (rich.live) only repaints the terminal, which the
    workers never write to."""
    return [
        thread
        for thread in threading.enumerate()
        if thread is not threading.main_thread() and type(thread).__module__ != "rich.live"
    ]


def read_ahead(generator, paths: list[str], excludes: list[str]) -> None:
    """Fill the generator's reader cache with every file it is about to read."""
    readers = generator.readers
    workers = build_workers(generator.settings)
    unread = sorted(  # Pelican's order comes from a set; workers get a stable one
        path
        for path in (
            os.path.abspath(os.path.join(generator.path, f))
            for f in generator.get_files(paths, exclude=excludes)
        )
        if file_suffix(path) in readers.readers and not _cached(generator, path)
    )
    reason = serial_reason(workers, len(unread))
    if reason:
        logger.info("Reading %d files serially: %s", len(unread), reason)
        return
    started = time.perf_counter()
    workers = min(workers, len(unread))
    read = read_in_workers(readers, unread, workers)
    for path, result in read.items():
        # Readers.get_cached_data compares this stamp, then returns the result.
        readers._cache[path] = (readers._get_file_stamp(path), result)
    logger.info(
        "Read %d files on %d processes in %.2f s; %d left to the serial pass",
        len(read),
        workers,
        time.perf_counter() - started,
        len(unread) - len(read),
    )


def _cached(generator, path: str) -> bool:
    if generator.settings["CONTENT_CACHING_LAYER"] == "generator":
        relative = os.path.relpath(path, generator.path)
        return generator.get_cached_data(relative, None) is not None
    return generator.readers.get_cached_data(path, None) is not None


def read_articles_ahead(generator) -> None:
    settings = generator.settings
    read_ahead(generator, settings["ARTICLE_PATHS"], settings["ARTICLE_EXCLUDES"])


def read_pages_ahead(generator) -> None:
    settings = generator.settings
    read_ahead(generator, settings["PAGE_PATHS"], settings["PAGE_EXCLUDES"])


def check_setting(pelican) -> None:
    build_workers(pelican.settings)


def register() -> None:
    signals.initialized.connect(check_setting)
    signals.article_generator_init.connect(read_articles_ahead)
    signals.page_generator_init.connect(read_pages_ahead)
