"""File stamps: each content file hashed once while its generator reads.

Adds to the build: Pelican tells whether a file changed since its cached reading
by its stamp (CHECK_MODIFIED_METHOD: the SHA-256 of its bytes, pelicanconf.py),
and works a file's stamp out four times per build: its generator's own cache
looks it up and stores it (that cache stays empty: the reader cache is the one
used), the reader cache looks it up, and parallel_build asks whether the file is
cached. While a generator reads its files, each file's first stamp is kept and
given again. That stamp is taken before the file is read, so a file changed
during the build is stored with its older stamp and read again by the next one.
A stamp that could not be taken (Pelican warns) is not kept: it is tried again.
When the generator has read everything, Pelican's own stamping is back (the
preview server later reads a changed file with the same generator). Keep this
plugin before parallel_build, which stamps the files when a generator starts.
"""

from __future__ import annotations

from collections.abc import Callable

from pelican import signals

__all__ = ["KeptStamps", "keep_stamps_while_reading", "register"]


class KeptStamps:
    """A stamp function that works each file's stamp out once."""

    def __init__(self, stamp: Callable[[str], object]):
        self.stamp = stamp
        self.kept: dict[str, object] = {}

    def __call__(self, filename: str) -> object:
        try:
            return self.kept[filename]
        except KeyError:
            value = self.kept[filename] = self.stamp(filename)  # may raise: not kept
            return value


def keep_stamps_while_reading(generator) -> None:
    """article/page_generator_init: the generator and its reader cache share kept
    stamps until the generator's `generate_context` returns or raises."""
    readers = generator.readers
    # Both functions come from the one CHECK_MODIFIED_METHOD setting (Pelican's
    # FileStampDataCacher); None when Pelican could not make one.
    if readers._filestamp_func is None or generator._filestamp_func is None:
        return
    owners = {"readers": readers._filestamp_func, "generator": generator._filestamp_func}
    readers._filestamp_func = generator._filestamp_func = KeptStamps(readers._filestamp_func)
    generate_context = generator.generate_context

    def generate_context_keeping_stamps():
        try:
            return generate_context()
        finally:
            readers._filestamp_func = owners["readers"]
            generator._filestamp_func = owners["generator"]
            del generator.generate_context  # Pelican's own method again

    generator.generate_context = generate_context_keeping_stamps


def register() -> None:
    signals.article_generator_init.connect(keep_stamps_while_reading)
    signals.page_generator_init.connect(keep_stamps_while_reading)
