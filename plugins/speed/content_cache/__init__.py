"""Content cache: Pelican's reader cache, checked and saved at less cost.

Stands in for: Pelican 4.12's `FileStampDataCacher._get_file_stamp` (a
file's SHA-256 worked out up to four times a build) and `Readers.save_cache`
(the whole cache written again when nothing changed). Saves: 0.04 to 0.06 s
of a warm build at 1,000 articles, 2.1 to 2.7% of it; 0.05 s, 0.5 to 0.7%, of
a cold one (bench/shortcut_parts.py, docs/speed.md). Also mends a Pelican bug, not a
speed matter: cached tags, categories and authors take this build's settings.

Adds to the build two things, for the articles' and the pages' generator:

- Each file is hashed once while its generator reads. Pelican tells whether a
  file changed since its cached reading by its stamp (CHECK_MODIFIED_METHOD:
  the SHA-256 of its bytes, pelicanconf.py), and works it out four times per
  file: its generator's own cache looks it up and stores it (that cache stays
  empty: the reader cache is the one used), the reader cache looks it up, and
  parallel_build asks whether the file is cached. Each file's first stamp is
  kept and given again. It is taken before the file is read, so a file changed
  during the build is stored with its older stamp and read again by the next
  build. A stamp that could not be taken (Pelican warns) is not kept: it is
  tried again. Once the generator has read everything, Pelican's own stamping
  is back (the preview server later reads a changed file with the same
  generator).
- Each cached reading's tags, categories and authors take this build's
  settings when the generator starts (wrappers.py). Pickled with the
  reading, they hold the settings of the build that read the file, and their
  addresses come from those: a preview after a writing build, or a build after
  one with `-e TAG_URL=...`, would link the other build's addresses.
- The reader cache is not written again when nothing was put in it (a warm
  build): its file already holds it (36 MB at 5,000 articles). A file read, or
  a cache that was empty or not loaded, saves it as usual. This changes a
  Pelican method (Readers.save_cache: Pelican puts entries in the cache only
  through `cache_data`, and `save_cache` writes it whole), so it is only done
  for the Pelican version it was checked against (pelican_shortcuts).

Keep this plugin before parallel_build, which stamps the files and may fill
the cache when a generator starts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from pelican import signals
from pelican.readers import Readers

from speed.pelican_shortcuts import take_shortcut

from .wrappers import give_settings

__all__ = [
    "KeptStamps",
    "keep_stamps_while_reading",
    "register",
    "use_build_settings",
    "watch_cache",
]

logger = logging.getLogger(__name__)


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
    """The generator and its reader cache share kept stamps until the
    generator's `generate_context` returns or raises."""
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
            if vars(generator).get("generate_context") is generate_context_keeping_stamps:
                del generator.generate_context  # Pelican's own method again

    generator.generate_context = generate_context_keeping_stamps


def use_build_settings(readers) -> None:
    """The cached readings' URLWrappers take the readers' settings, in place (the
    cache stays the one loaded, and each reading the very objects it holds: the
    reading time counted with its HTML is known by that string's identity)."""
    for _, (_, metadata) in readers._cache.values():
        for value in metadata.values():
            give_settings(value, readers.settings)


def watch_cache(generator) -> None:
    """Note the reader cache as loaded (an empty one as not loaded);
    `cache_data` forgets that."""
    readers = generator.readers
    loaded = readers._cache
    readers.cache_as_loaded = (loaded, len(loaded)) if loaded else None
    cache_data = readers.cache_data

    def cache_data_changing_the_cache(filename, data):
        readers.cache_as_loaded = None
        return cache_data(filename, data)

    readers.cache_data = cache_data_changing_the_cache


def _unchanged(readers) -> bool:
    """The cache is the very one loaded from its file, with nothing put in it."""
    loaded = getattr(readers, "cache_as_loaded", None)
    return loaded is not None and loaded[0] is readers._cache and loaded[1] == len(loaded[0])


def save_unless_unchanged() -> bool:
    """Readers.save_cache skips an unchanged cache (pelican_shortcuts: only
    with the Pelican version this was checked against)."""

    def saving_unless_unchanged(save_cache):
        def save_cache_if_changed(self):
            if _unchanged(self):
                logger.debug("Reader cache unchanged, not written again: %s", self._cache_path)
                return None
            return save_cache(self)

        return save_cache_if_changed

    return take_shortcut(Readers, "save_cache", saving_unless_unchanged)


def start_generator(generator) -> None:
    """article/page_generator_init."""
    keep_stamps_while_reading(generator)
    use_build_settings(generator.readers)
    watch_cache(generator)


def register() -> None:
    save_unless_unchanged()
    signals.article_generator_init.connect(start_generator)
    signals.page_generator_init.connect(start_generator)
