"""The tables the editor's file names are made with (static/pelican-slug.js),
taken from the very Python packages `invoke new` makes them with: Unidecode's
transliteration (Pelican's slugify), the characters Python's Unicode data knows
(slugify's NFKC leaves the others as they are), Python's HTML character
references (MarkupSafe's striptags unescapes them), Python's whitespace and the
invisible characters `invoke new` refuses. So the editor names a title's file
exactly as `invoke new` does, whatever the alphabet, and stays so when they are
upgraded."""

from __future__ import annotations

import html
import html.entities
import importlib
import itertools
import json
import os
import sys
import unicodedata

from content_check.characters import IN_ONE_LINE

# Unidecode's tables are modules unidecode.x000 ... x0ef, 256 characters each;
# a character beyond them (or a missing module) transliterates to nothing.
LAST_SECTION = 0xEFF


def unidecode_sections() -> dict[int, list[str]]:
    sections = {}
    for section in range(LAST_SECTION + 1):
        try:
            module = importlib.import_module(f"unidecode.x{section:03x}")
        except ImportError:
            continue
        sections[section] = [text or "" for text in module.data]
    return sections


def unassigned_ranges() -> list[list[int]]:
    """[first, last] code points Python's Unicode data has no character for: a
    browser's newer Unicode may normalize them, Python does not."""
    ranges, start = [], 0
    kinds = map(unicodedata.category, map(chr, range(sys.maxunicode + 1)))
    for unassigned, run in itertools.groupby(kinds, key=lambda kind: kind == "Cn"):
        length = sum(1 for _ in run)
        if unassigned:
            ranges.append([start, start + length - 1])
        start += length
    return ranges


def make_script() -> str:
    tables = {
        "unidecode": unidecode_sections(),
        "unassigned": unassigned_ranges(),
        "entities": html.entities.html5,
        "invalidCharrefs": html._invalid_charrefs,
        "invalidCodepoints": sorted(html._invalid_codepoints),
        "spaces": "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()),
        "invisible": IN_ONE_LINE.pattern,
    }
    data = json.dumps(tables, separators=(",", ":"), ensure_ascii=True)
    return (
        "/* Written by the build (plugins/admin/slug_tables.py): the tables of Python's\n"
        " * Unidecode, unicodedata and html that `invoke new` names files with. */\n"
        f"(function (root) {{ root.PelicanSlugTables = {data}; }})"
        '(typeof globalThis !== "undefined" ? globalThis : this);\n'
    )


def slug_tables_script(cache: str | None) -> str:
    """The tables as a script; made once (a second) and kept in the cache folder,
    whose name changes with the plugins and the pinned packages, under Python's
    version (its Unicode data and HTML tables)."""
    if not cache:
        return make_script()
    version = "{}.{}.{}".format(*sys.version_info[:3])
    path = os.path.join(cache, f"admin-slug-tables-python{version}.js")
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read()
    except FileNotFoundError:
        pass
    script = make_script()
    os.makedirs(cache, exist_ok=True)
    part = f"{path}.{os.getpid()}.part"  # builds running at once each write their own
    with open(part, "w", encoding="ascii") as handle:
        handle.write(script)
    os.replace(part, path)
    return script
