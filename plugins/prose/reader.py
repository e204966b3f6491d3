"""A Markdown reader that keeps one converter for all files.

Pelican's reader builds a new Markdown converter, with every extension, for each
file; resetting one converter between files gives the same HTML for less work.
"""

from __future__ import annotations

from markdown import Markdown
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open


class ReusingMarkdownReader(MarkdownReader):
    def read(self, source_path: str):
        self._source_path = source_path
        if getattr(self, "_converter", None) is None:
            self._converter = Markdown(**self.settings["MARKDOWN"])
        self._md = converter = self._converter
        converter.reset()
        meta_step = converter.preprocessors["meta"]
        with pelican_open(source_path) as text:
            content = converter.convert(text)
        metadata = self._parse_metadata(converter.Meta)
        # Pelican's metadata parsing switches the header step off; the next file needs it.
        if "meta" not in converter.preprocessors:
            converter.preprocessors.register(meta_step, "meta", 27)
        return content, metadata
