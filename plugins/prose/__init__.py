"""Prose: typographic quotes, dashes and ellipses, and heading ids, for every
Markdown file; summaries as plain text.

Adds to the build: one Markdown converter reused for every file (reader.py),
the `TypographyExtension` (typography.py) to Pelican's
Markdown settings, in place of Python-Markdown's much slower smarty and toc
extensions; and each `Summary:` as one escaped paragraph with typographic
quotes. A summary is a sentence or two of plain text, so it skips the second
Markdown conversion Pelican would give it (FORMATTED_FIELDS is empty).
"""

from __future__ import annotations

from html import escape

from pelican import signals

from .reader import ReusingMarkdownReader
from .typography import TypographyExtension, smarten

__all__ = ["TypographyExtension", "register", "smarten", "summary_html"]


def add_typography(pelican) -> None:
    extensions = pelican.settings["MARKDOWN"].setdefault("extensions", [])
    if not any(isinstance(e, TypographyExtension) for e in extensions):
        extensions.append(TypographyExtension())


def summary_html(text: str) -> str:
    """A plain-text summary as HTML: escaped, typographic, one paragraph."""
    return f"<p>{smarten(escape(' '.join(text.split()), quote=False))}</p>"


def render_summary(content) -> None:
    text = content.metadata.get("summary")
    if isinstance(text, str) and "summary" not in content.settings["FORMATTED_FIELDS"]:
        content.metadata["summary"] = content._summary = summary_html(text)


def reuse_converter(readers) -> None:
    for extension in ReusingMarkdownReader.file_extensions:
        if readers.reader_classes.get(extension) is not None:
            readers.reader_classes[extension] = ReusingMarkdownReader


def register() -> None:
    signals.initialized.connect(add_typography)
    signals.readers_init.connect(reuse_converter)
    signals.content_object_init.connect(render_summary)
