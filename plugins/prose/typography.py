"""Typographic quotes, dashes and ellipses, and heading ids, in one pass over
the finished Markdown tree.

Python-Markdown's smarty extension does the typography with a second inline
pass of about fifteen patterns, which doubles the Markdown time of a prose site,
and its toc extension builds a table of contents nobody shows just to give
headings ids (bench/run.py measured both). This walks the tree once.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.extensions.toc import slugify, unique
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

MARKS = re.compile(r"---|--|\.\.\.|[\"']")
OPENS_AFTER = set(" \t\n([{\u2014\u2013-/\u201c\u2018")  # a quote after these opens
LITERAL = {"code", "pre", "kbd", "samp", "script", "style", "math"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
DASHES = {"---": "\u2014", "--": "\u2013", "...": "\u2026"}


def smarten(text: str, after_word: bool = False, before_word: bool = False) -> str:
    """Curly quotes, dashes and ellipses in `text`. `after_word` and
    `before_word` say whether an inline element (a word) directly precedes or
    follows the text, as with an element's tail or a text before <em>."""

    def replace(match: re.Match) -> str:
        mark = match[0]
        if mark in DASHES:
            return DASHES[mark]
        start = match.start()
        before = text[start - 1] if start else ("x" if after_word else " ")
        after = text[match.end() : match.end() + 1] or ("x" if before_word else "")
        opening = before in OPENS_AFTER and after not in ("", " ", "\n")
        if mark == '"':
            return "\u201c" if opening else "\u201d"
        if opening and not after.isdigit():  # '90s is an apostrophe
            return "\u2018"
        return "\u2019"

    return MARKS.sub(replace, text)


class TypographyTreeprocessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        self._walk(root)
        ids: set[str] = set()
        for heading in root.iter():
            if heading.tag in HEADINGS and "id" not in heading.attrib:
                text = "".join(heading.itertext())
                heading.set("id", unique(slugify(text, "-") or "section", ids))

    def _walk(self, element: etree.Element) -> None:
        if element.tag in LITERAL:
            return
        children = list(element)
        if element.text and not isinstance(element.text, AtomicString):
            element.text = smarten(element.text, before_word=bool(children))
        for index, child in enumerate(children):
            self._walk(child)
            if child.tail and not isinstance(child.tail, AtomicString):
                followed = index + 1 < len(children)
                child.tail = smarten(child.tail, after_word=True, before_word=followed)


class TypographyExtension(Extension):
    def extendMarkdown(self, md) -> None:  # noqa: N802 (Python-Markdown's name)
        # After inline markup (20) and before the footnotes are placed (< 15).
        md.treeprocessors.register(TypographyTreeprocessor(md), "typography", 15)
