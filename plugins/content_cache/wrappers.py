"""Tags, categories and authors (Pelican's URLWrappers) with the settings of the
build that uses them.

Each one holds the whole settings dict of the build that made it, and its
address comes from that dict. A reading kept in the reader cache, or sent by a
parallel_build worker, is therefore pickled with them as class and name only,
and unpickled with the current build's settings.
"""

from __future__ import annotations

import io
import pickle

from pelican.urlwrappers import URLWrapper

__all__ = ["dumps_by_name", "loads_with_settings", "with_settings"]


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


def with_settings(obj: object, settings: dict) -> object:
    """A copy of `obj` whose URLWrappers are made again with `settings`."""
    return loads_with_settings(dumps_by_name(obj), settings)
