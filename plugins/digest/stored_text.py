"""The text of a file the newsletter keeps between runs (the composed issue, the
record of sent issues), read so that damage by hand or by a merge shows as what it
is: an empty file, bytes that are not UTF-8, a merge conflict's markers, JSON that
does not parse. Each is a `Damage` with the line and column where it is, never a
traceback; the caller words the fix, since only it knows which command makes the
file again."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

# Git writes these at the start of a line around each side of a conflict. The
# middle one alone could be a line of an email's text, so files of prose are read
# with the outer two only (the HTML escapes "<", so those cannot come from an article).
CONFLICT_MARKERS = re.compile(r"^(<{7}|>{7})(?: |$)|^={7}$", re.MULTILINE)
OUTER_CONFLICT_MARKERS = re.compile(r"^(<{7}|>{7})(?: |$)", re.MULTILINE)


@dataclass
class Damage(Exception):
    """What is wrong with a stored file; `line` and `column` count from 1 (0: unknown)."""

    what: str
    line: int = 0
    column: int = 0
    conflict: bool = False

    def where(self, path: str) -> str:
        """`path:line:column`, as editors and terminals link it."""
        if not self.line:
            return path
        return f"{path}:{self.line}" + (f":{self.column}" if self.column else "")


def shown(path: str) -> str:
    """The path as the coach finds it: relative to where they are, when inside."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line_start = before.rfind(b"\n") + 1
    # In characters, as an editor counts them, not bytes.
    column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
    return before.count(b"\n") + 1, column


def read_stored_text(path: str, markers: re.Pattern = CONFLICT_MARKERS) -> str:
    """The file's text, or `Damage`: empty, not UTF-8, or holding a merge conflict's
    `markers`."""
    with open(path, "rb") as handle:
        data = handle.read()
    if not data.strip():
        size = "0 bytes" if not data else "only blank space"
        raise Damage(f"it is empty ({size})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_and_column(data, error.start)
        raise Damage(
            f"it is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be read; another "
            "encoding or a program that is not a text editor wrote it)",
            line,
            column,
        ) from None
    text = text.removeprefix("\ufeff")
    marker = markers.search(text)
    if marker:
        line = text.count("\n", 0, marker.start()) + 1
        raise Damage(
            f"it holds a merge conflict (the marker `{marker.group(0).split()[0]}` on line "
            f"{line}: git left both sides of a merge in it)",
            line,
            1,
            conflict=True,
        )
    return text


def read_stored_json(path: str) -> object:
    """The file's JSON value, or `Damage` (as `read_stored_text`, or JSON that does
    not parse, with where it stops)."""
    text = read_stored_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise Damage(
            f"it is not valid JSON ({error.msg.removesuffix(' at')} at line {error.lineno}, "
            f"column {error.colno})",
            error.lineno,
            error.colno,
        ) from None


def kind_of(value: object) -> str:
    """What a JSON value is, in the coach's words."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text in quotes"
    if isinstance(value, list):
        return "a list in [ ]"
    if isinstance(value, dict):
        return "a group in { }"
    return "null"
