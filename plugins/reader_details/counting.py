"""Reading time counted while Pelican reads a file, so that Pelican's content
cache keeps it beside the HTML and a build that finds the file unchanged does
not count its words again.

The count travels in the reader's metadata as (minutes, html), the very HTML
string it was counted on. `minutes_to_read` takes it only while the item still
holds that same string object: anything that changed the HTML since (Pelican's
TYPOGRIFY, another plugin) made a new string, and the words are counted again.
The pair stays one string when pickled, because Pelican saves its cache, and the
parallel readers send what they read, in one pickle each, which stores an
object once however often it is named.
"""

from __future__ import annotations

import functools

from .details import reading_time

COUNTED = "counted_reading_time"


def count_when_reading(readers) -> None:
    """readers_init: every reader also counts the minutes of reading of each file."""
    for extension, reader_class in readers.reader_classes.items():
        if reader_class is not None:
            readers.reader_classes[extension] = counting(reader_class)


@functools.cache
def counting(reader_class: type) -> type:
    """`reader_class`, also counting the minutes of reading; named as it is,
    because Pelican records the reader's name in the metadata."""
    if issubclass(reader_class, _Counting):
        return reader_class
    return type(reader_class.__name__, (_Counting, reader_class), {"__module__": __name__})


class _Counting:
    def read(self, source_path: str):
        content, metadata = super().read(source_path)
        if isinstance(content, str):
            metadata[COUNTED] = (reading_time(content), content)
        return content, metadata


def minutes_to_read(item) -> int:
    """The item's reading time: counted by the reader when its HTML is unchanged since."""
    counted = item.metadata.get(COUNTED)
    if counted is not None and counted[1] is item._content:
        return counted[0]
    return reading_time(item._content)
