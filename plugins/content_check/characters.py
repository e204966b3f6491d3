"""Characters that must never reach the site, its feeds or an email header.

XML 1.0 (feeds, sitemap) refuses C0 control characters but tab, line feed and
carriage return, and the non-characters U+FFFE/U+FFFF; HTML forbids the C1
controls too. An email header refuses anything `str.splitlines` breaks at,
which adds U+0085 and the Unicode line and paragraph separators. A header value
(title, summary, tags...) is one line, so it must be free of all of them.
"""

from __future__ import annotations

import re

_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff"
IN_TEXT = re.compile(f"[{_CONTROLS}]")
IN_ONE_LINE = re.compile(f"[{_CONTROLS}\n\r\u2028\u2029]")

NAMES = {
    "\x00": "NUL",
    "\x0b": "vertical tab",
    "\x0c": "form feed",
    "\x85": "next line",
    "\u2028": "line separator",
    "\u2029": "paragraph separator",
    "\ufffe": "non-character",
    "\uffff": "non-character",
}


def control_characters(text: str, one_line: bool = False) -> list[tuple[int, str]]:
    """(1-based column, character) of each character not allowed in `text`."""
    pattern = IN_ONE_LINE if one_line else IN_TEXT
    return [(match.start() + 1, match.group()) for match in pattern.finditer(text)]


def describe_character(char: str) -> str:
    name = NAMES.get(char, "control character")
    return f"U+{ord(char):04X}, {name}"
