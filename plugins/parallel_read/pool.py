"""Reading files in forked worker processes with Pelican's own reader objects.

Each worker calls the reader exactly as `Readers.read_file` does
(`reader.read(path)`, then Pelican's filter of discarded values), so a worker
runs the same code as a serial build. A file whose reading raised or logged
anything at WARNING or above is given back as unread: the serial pass reads it
again and reports it exactly as a serial build does.

Tags, categories and authors hold the whole settings dict; they travel by
class and name and are rebuilt in the parent with the parent's settings.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import pickle
from collections.abc import Iterable

from pelican.readers import _filter_discardable_metadata
from pelican.urlwrappers import URLWrapper
from pelican.utils import file_suffix

# What the forked workers inherit: (Readers object, absolute paths). Set only
# while a pool runs.
_job: tuple | None = None
_warnings: list[logging.LogRecord] = []


class _ByName(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, URLWrapper):
            return (type(obj), obj.name)
        return None


class _WithSettings(pickle.Unpickler):
    def __init__(self, data: bytes, settings: dict):
        super().__init__(io.BytesIO(data))
        self.settings = settings

    def persistent_load(self, pid):
        cls, name = pid
        return cls(name, self.settings)


class _Recorder(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        _warnings.append(record)


def _start_worker() -> None:
    """Workers keep what they would log: a file that logs is read again serially,
    so its messages appear once, from the parent, in a serial build's order."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(_Recorder(logging.WARNING))
    logging.lastResort = None
    logging.captureWarnings(True)


def _read_chunk(indices: list[int]) -> list[tuple[int, bytes | None]]:
    readers, paths = _job
    results = []
    for index in indices:
        path = paths[index]
        _warnings.clear()
        try:
            reader = readers.readers[file_suffix(path)]
            content, metadata = reader.read(path)
            result = (content, _filter_discardable_metadata(metadata))
        except Exception:
            results.append((index, None))
            continue
        if _warnings:
            results.append((index, None))
            continue
        buffer = io.BytesIO()
        _ByName(buffer, pickle.HIGHEST_PROTOCOL).dump(result)
        results.append((index, buffer.getvalue()))
    return results


def read_in_workers(readers, paths: list[str], workers: int) -> dict[str, tuple]:
    """{absolute path: (content, metadata)} for every file the workers read
    cleanly; files that failed or logged are left out."""
    global _job
    _job = (readers, paths)
    chunks = _chunks(len(paths), workers)
    read: dict[str, tuple] = {}
    try:
        with multiprocessing.get_context("fork").Pool(workers, _start_worker) as pool:
            for results in pool.imap_unordered(_read_chunk, chunks):
                for index, data in results:
                    if data is not None:
                        read[paths[index]] = _WithSettings(data, readers.settings).load()
    finally:
        _job = None
    return read


def _chunks(count: int, workers: int) -> Iterable[list[int]]:
    """Small chunks so that a slow file does not leave a core idle at the end."""
    size = max(1, min(16, count // (workers * 8)))
    return [list(range(start, min(start + size, count))) for start in range(0, count, size)]


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
