"""site.toml: the site's identity and accounts in one small file, read by the
settings (pelicanconf.py) and written by `invoke init`.

Writing changes only the lines of the values that changed, so the file's
comments, its order and anything the coach added by hand stay as they are."""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from pathlib import Path

SITE_FILE = "site.toml"
# The keys every site needs (the rest have defaults in the settings).
NEEDED = ("name", "author", "address", "sender", "newsletter", "contact")

TABLE = re.compile(r"\s*\[\s*([A-Za-z0-9_-]+)\s*\]\s*(#.*)?$")
KEY = re.compile(r"\s*([A-Za-z0-9_-]+)\s*=")


class SiteFileError(SystemExit):
    """site.toml cannot be read: one line naming the file, the problem and the fix."""


def read_site_file(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SiteFileError(
            f"{path.name} is missing. Fix: bring it back with `git checkout {path.name}`, "
            "then run `invoke init`"
        ) from None
    except UnicodeDecodeError:
        raise SiteFileError(
            f"{path.name} is not UTF-8 text. Fix: save it as UTF-8 in your editor"
        ) from None
    try:
        site = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SiteFileError(toml_problem(path.name, str(error))) from None
    missing = [key for key in NEEDED if key not in site]
    if missing:
        raise SiteFileError(
            f"{path.name}: {', '.join(missing)} is missing. Fix: put it back (`git diff "
            f"{path.name}` shows what was removed), then run `invoke init` to check every value"
        )
    return site


# tomllib's words for the mistakes a hand edit makes, as the coach would say them.
QUOTES = 'write the value on one line between double quotes, like author = "Jordan Avery"'
IN_WORDS = {
    "Illegal character '\\n'": ("the text has no closing double quote", QUOTES),
    "Unterminated string": ("the text has no closing double quote", QUOTES),
    "Invalid value": ("the value is not between double quotes", QUOTES),
    "Cannot overwrite a value": ("a key is written twice", "delete one of the two lines"),
    "Expected newline or end of document after a statement": (
        "something follows the value",
        "put each key = value on its own line, with nothing after it but a # comment",
    ),
}


def toml_problem(name: str, message: str) -> str:
    """tomllib's "Illegal character '\\n' (at line 9, column 23)" as the coach
    needs it: the line first, then the mistake and the fix in words."""
    where = re.search(r" \(at line (\d+), column (\d+)\)$", message)
    what = message[: where.start()] if where else message
    what, fix = IN_WORDS.get(what, (what, QUOTES))
    line = f":{where.group(1)}" if where else ""
    return f"{name}{line}: {what}. Fix: {fix}, or undo your last edit (`git diff {name}` shows it)"


def toml_value(value: str | bool) -> str:
    """A TOML value: JSON's escaped string is a TOML basic string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def with_changes(text: str, changes: dict[tuple[str, ...], str | bool | None]) -> str:
    """`text` with each ("key",) or ("table", "key") set to its value (None: its
    line removed); a key not there yet is added at the end of its table."""
    lines = text.splitlines(keepends=True)
    pending = dict(changes)
    table = ""
    ends: dict[str, int] = {"": 0}  # after the last key line of each table
    result: list[str] = []
    for line in lines:
        opened = TABLE.match(line)
        if opened:
            table = opened.group(1)
            ends[table] = len(result) + 1
        key = KEY.match(line)
        path = key and ((table, key.group(1)) if table else (key.group(1),))
        if key and path in pending:
            value = pending.pop(path)
            if value is not None:
                result.append(f"{key.group(1)} = {toml_value(value)}\n")
            ends[table] = len(result)
            continue
        result.append(line)
        if key:
            ends[table] = len(result)
    added: dict[int, list[str]] = {}
    new_tables: dict[str, list[str]] = {}
    for path, value in pending.items():
        if value is None:
            continue
        table, key = (path[0], path[1]) if len(path) == 2 else ("", path[0])
        line = f"{key} = {toml_value(value)}\n"
        if table in ends:
            added.setdefault(ends[table], []).append(line)
        else:
            new_tables.setdefault(table, []).append(line)
    for position in sorted(added, reverse=True):
        result[position:position] = added[position]
    for table, new_lines in new_tables.items():
        result += [f"\n[{table}]\n", *new_lines]
    return "".join(result)


def write_atomically(path: Path, text: str) -> None:
    """A crash leaves the old file or the new one, never half of one."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp", newline=""
    ) as handle:
        handle.write(text)
    os.replace(handle.name, path)
