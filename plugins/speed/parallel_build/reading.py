"""Reading ahead: Pelican's reader cache filled by forked workers.

Stands in for: Pelican 4.12's `Readers.read_file`, called one file after
another by the generators (9.1 s of a 20.9 s profiled plain cold build at
1,000 articles). Its saving is parallel_build's (see there).

Each worker calls the reader exactly as `Readers.read_file` does
(`reader.read(path)`, then Pelican's filter of discarded values), so it runs
the code a serial build runs. The results go into the generator's own reader
cache, keyed and stamped as `Readers.read_file` looks them up; Pelican's serial
pass then finds them there. A file a worker could not read cleanly is not put
there: the serial pass reads it and reports it as usual.

Tags, categories and authors hold the whole settings dict; they travel by
class and name and are rebuilt in the parent with the parent's settings
(content_cache.wrappers).
"""

from __future__ import annotations

import logging
import os
import time

from blinker import signal
from pelican.readers import _filter_discardable_metadata
from pelican.utils import file_suffix

from forked_workers import Forked, build_workers, serial_reason
from speed.content_cache.wrappers import dumps_by_name, loads_with_settings

from .limits import MIN_FILES

logger = logging.getLogger(__name__)

# Sent in the worker that has just read a file (path; metadata=, settings=):
# what receivers return travels back with the file, and is sent in the build's
# process with `file_read_results` (path; results=[...]), in receiver order. The
# content check checks each file where it is read this way.
file_read = signal("parallel_build.file_read")
file_read_results = signal("parallel_build.file_read_results")


def read_ahead(generator, paths: list[str], excludes: list[str]) -> None:
    """Fill the generator's reader cache with every file it is about to read."""
    readers = generator.readers
    unread = [  # in the order Pelican's serial pass will ask for them
        path
        for path in (
            os.path.abspath(os.path.join(generator.path, f))
            for f in generator.get_files(paths, exclude=excludes)
        )
        if file_suffix(path) in readers.readers and not _cached(generator, path)
    ]
    workers = build_workers(generator.settings)
    reason = serial_reason(workers, len(unread), MIN_FILES)
    if reason:
        logger.info("Reading %d files serially: %s", len(unread), reason)
        return
    workers = min(workers, len(unread))
    forked = Forked(_reader_job(readers, unread), len(unread), workers)
    readers._cache = _Arriving(readers, unread, forked, workers)


def finish_reading(generator) -> None:
    """Take the workers' last results (Pelican has asked for every file by now)."""
    cache = generator.readers._cache
    if isinstance(cache, _Arriving):
        cache.take_all()


class _Arriving(dict):
    """Pelican's reader cache while the workers read: the serial pass starts at
    once, and asking for a file the workers have not sent yet waits for it.
    Each result is stamped as `Readers.cache_data` would stamp it. Pickled
    (Pelican saves the cache) as the plain dict it is."""

    def __init__(self, readers, unread: list[str], forked: Forked, workers: int):
        super().__init__(readers._cache)
        self._readers, self._unread, self._forked = readers, unread, forked
        self._waiting = set(unread)
        self._workers, self._read, self._started = workers, 0, time.perf_counter()

    def get(self, key, default=None):
        while key in self._waiting:
            self._take(block=True)
        if self._waiting:
            self._take(block=False)  # keeps the workers' pipes from filling up
        return super().get(key, default)

    def take_all(self) -> None:
        while self._waiting:
            self._take(block=True)

    def _take(self, block: bool) -> None:
        for index, data in self._forked.take(block):
            path = self._unread[index]
            self._waiting.discard(path)
            if data is not None:
                data, extras = data
                file_read_results.send(path, results=extras)
                result = loads_with_settings(data, self._readers.settings)
                self[path] = (self._readers._get_file_stamp(path), result)
                self._read += 1
        if not self._waiting:
            logger.info(
                "Read %d files on %d processes in %.2f s; %d left to the serial pass",
                self._read,
                self._workers,
                time.perf_counter() - self._started,
                len(self._unread) - self._read,
            )

    def __reduce__(self):
        return (dict, (dict(self),))


def _cached(generator, path: str) -> bool:
    if generator.settings["CONTENT_CACHING_LAYER"] == "generator":
        relative = os.path.relpath(path, generator.path)
        return generator.get_cached_data(relative, None) is not None
    return generator.readers.get_cached_data(path, None) is not None


def _reader_job(readers, paths: list[str]):
    def read(index: int) -> tuple[bytes, list]:
        path = paths[index]
        content, metadata = readers.readers[file_suffix(path)].read(path)
        metadata = _filter_discardable_metadata(metadata)
        sent = file_read.send(path, metadata=metadata, settings=readers.settings)
        extras = [result for _, result in sent if result is not None]
        return dumps_by_name((content, metadata)), extras

    return read
