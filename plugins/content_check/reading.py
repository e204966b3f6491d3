"""What happened while Pelican read the content, kept for the check.

Each of Pelican's `Readers` (one per generator) gets two changes when it is
created:
- every exception raised while reading a file is kept, by absolute path, so the
  check can say why Pelican could not read it;
- its content cache is saved only when the check has found nothing: a run in
  which a file failed may have produced wrong HTML, and a cache would keep it.
"""

from __future__ import annotations

import os


def watch_readers(readers) -> None:
    """readers_init: keep failures, hold back the cache until the check passes."""
    if getattr(readers, "failures", None) is not None:
        return
    readers.failures = {}
    read_file, readers.save_cache_now = readers.read_file, readers.save_cache

    def read_file_keeping_failures(base_path, path, *args, **kwargs):
        try:
            return read_file(base_path, path, *args, **kwargs)
        except Exception as error:
            readers.failures[os.path.abspath(os.path.join(base_path, path))] = error
            raise

    readers.read_file = read_file_keeping_failures
    readers.save_cache = _not_yet


def _not_yet() -> None:
    """Pelican saves the cache right after reading; `save_read_cache` does it later."""


def read_failures(generators: list) -> dict[str, Exception]:
    failures = {}
    for generator in generators:
        failures.update(getattr(getattr(generator, "readers", None), "failures", None) or {})
    return failures


def save_read_cache(generators: list) -> None:
    for generator in generators:
        save = getattr(getattr(generator, "readers", None), "save_cache_now", None)
        if save is not None:
            save()


def reason_in_words(error: BaseException) -> str:
    """Why Pelican could not read a file, as a sentence for the coach."""
    if isinstance(error, RecursionError):
        return (
            "its Markdown is nested too deeply to read (lists or quotes inside one "
            "another, hundreds of levels)"
        )
    if isinstance(error, MemoryError):
        return "it is too large to read"
    text = " ".join(str(error).split()) or type(error).__name__
    return f"Pelican said: {text[:300]}"
