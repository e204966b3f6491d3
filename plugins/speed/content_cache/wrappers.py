"""Tags, categories and authors (Pelican's URLWrappers) with the settings of the
build that uses them.

Stands in for: the pickling of Pelican 4.12's `URLWrapper` (each tag,
category and author pickled with the whole settings dict). No saving of its
own: it keeps content_cache's and parallel_build's readings right.

Each one holds the whole settings dict of the build that made it, and its
address comes from that dict. A reading sent by a parallel_build worker is
therefore pickled with them as class and name only, and unpickled with the
current build's settings; a reading kept in the reader cache has its own given
the current settings in place (`give_settings`), which keeps what they worked
out (their slug) unless the settings it is made from changed.
"""

from __future__ import annotations

import io
import pickle

from pelican.urlwrappers import URLWrapper

__all__ = ["dumps_by_name", "give_settings", "loads_with_settings"]

# What a URLWrapper's slug is made with besides its name (Pelican 4.12's
# URLWrapper.slug), with CLASS_REGEX_SUBSTITUTIONS.
SLUG_SETTINGS = ["SLUG_REGEX_SUBSTITUTIONS", "SLUGIFY_PRESERVE_CASE", "SLUGIFY_USE_UNICODE"]


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


def dumps_by_name(obj: object) -> bytes:
    """`obj` pickled, each URLWrapper in it as its class and name."""
    buffer = io.BytesIO()
    _ByName(buffer, pickle.HIGHEST_PROTOCOL).dump(obj)
    return buffer.getvalue()


def loads_with_settings(data: bytes, settings: dict) -> object:
    """What `dumps_by_name` pickled, each URLWrapper made again with `settings`."""
    return _WithSettings(data, settings).load()


def give_settings(value: object, settings: dict) -> None:
    """Each URLWrapper in `value` (one, or a list) takes `settings`, in place; its
    slug is made again when what it is made with differs."""
    for wrapper in value if isinstance(value, list) else [value]:
        if isinstance(wrapper, URLWrapper) and wrapper.settings is not settings:
            keys = [f"{type(wrapper).__name__.upper()}_REGEX_SUBSTITUTIONS", *SLUG_SETTINGS]
            same_slug = all(wrapper.settings.get(key) == settings.get(key) for key in keys)
            wrapper.settings = settings
            if not same_slug:
                wrapper.name = wrapper.name  # Pelican's setter: the slug is made again
