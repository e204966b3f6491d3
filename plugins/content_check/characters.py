"""Characters that must never reach the site, its feeds or an email header.

XML 1.0 (feeds, sitemap) refuses C0 control characters but tab, line feed and
carriage return, and the non-characters U+FFFE/U+FFFF; HTML forbids the C1
controls too. An email header refuses anything `str.splitlines` breaks at,
which adds U+0085 and the Unicode line and paragraph separators. A header value
(title, summary, tags...) is one line, so it must be free of all of them.

Invisible characters are refused too: direction controls (U+202E turns the
title around on every page, feed and subject; "Trojan Source", CVE-2021-42574),
zero-width and soft-hyphen characters (a word no search finds, a slug that
differs from the one typed) and private-use characters (a box, or one font's
icon). The zero-width joiners U+200C and U+200D stay: emoji and several
scripts need them.
"""

from __future__ import annotations

import re
import unicodedata

_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff"
_DIRECTION = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_ZERO_WIDTH = "\u00ad\u180e\u200b\u2060\ufeff"
_PRIVATE_USE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_INVISIBLE = _CONTROLS + _DIRECTION + _ZERO_WIDTH + _PRIVATE_USE
IN_TEXT = re.compile(f"[{_INVISIBLE}]")
IN_ONE_LINE = re.compile(f"[{_INVISIBLE}\n\r\u2028\u2029]")

NAMES = {
    "\x00": "NUL",
    "\x0b": "vertical tab",
    "\x0c": "form feed",
    "\x85": "next line",
    "\u2028": "line separator",
    "\u2029": "paragraph separator",
    "\ufffe": "non-character",
    "\uffff": "non-character",
    "\ufeff": "zero-width no-break space",
}


def control_characters(text: str, one_line: bool = False) -> list[tuple[int, str]]:
    """(1-based column, character) of each character not allowed in `text`."""
    pattern = IN_ONE_LINE if one_line else IN_TEXT
    return [(match.start() + 1, match.group()) for match in pattern.finditer(text)]


def kind_of_character(char: str) -> str:
    """What the invisible character is, in the coach's words."""
    if re.fullmatch(f"[{_DIRECTION}]", char):
        return "text-direction character"
    if char == "\u00ad":
        return "soft hyphen"
    if re.fullmatch(f"[{_ZERO_WIDTH}]", char):
        return "zero-width character"
    if re.fullmatch(f"[{_PRIVATE_USE}]", char):
        return "private-use character"
    return "control character"


def describe_character(char: str) -> str:
    default = "private use" if re.fullmatch(f"[{_PRIVATE_USE}]", char) else "control character"
    name = NAMES.get(char) or unicodedata.name(char, default).lower()
    return f"U+{ord(char):04X}, {name}"
