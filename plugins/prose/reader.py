"""A Markdown reader that keeps one converter for all files, and drops it after
any failure.

Pelican's reader builds a new Markdown converter, with every extension, for each
file; resetting one converter between files gives the same HTML for less work.
A file that raises half-way leaves the converter in a state `reset()` does not
undo (block parser state, the metadata step switched off), so after any
exception the next file gets a converter of its own.
"""

from __future__ import annotations

from markdown import Markdown
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open


class ReusingMarkdownReader(MarkdownReader):
    _converter: Markdown | None = None

    def read(self, source_path: str):
        self._source_path = source_path
        if self._converter is None:
            self._converter = Markdown(**self.settings["MARKDOWN"])
        self._md = converter = self._converter
        converter.reset()
        meta_step = converter.preprocessors["meta"]
        try:
            with pelican_open(source_path) as text:
                content = converter.convert(text)
            metadata = self._parse_metadata(converter.Meta)
        except BaseException:
            self._converter = None
            raise
        # Pelican's metadata parsing switches the header step off; the next file needs it.
        converter.preprocessors.register(meta_step, "meta", 27)
        return content, metadata
