"""Pagefind's filter files written in one order, so the same site gives the same bytes.

Pagefind 1.5.2 lists a filter's values (our tags) in the order of a Rust hash
map, which changes from run to run: the filter file, the index metadata that
names it and the entry file that names the metadata get new bytes and new names
on every build of an unchanged site. This rewrites the three with the values
sorted by name and each file named after a hash of its content, in Pagefind's
shape (`{language}_` and hex digits), so a changed file still gets a new name
(Pagefind's script caches files by name) and an unchanged one keeps its own.

The files are gzip-compressed; inside, Pagefind's signature and then CBOR.
Everything is read and checked before anything is written, and anything not
as Pagefind 1.5.2 writes it stops the build with a SearchIndexError.
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import json
import os

import cbor2

from .errors import SearchIndexError

# The Pagefind versions whose layout this was checked against (pagefind-bin in requirements.txt).
KNOWN_VERSIONS = ("1.5.2",)
SIGNATURE = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"
# Where the metadata (a CBOR array) keeps what, in Pagefind 1.5.2: its version,
# pages, word index chunks, filters ([name, file] pairs), sort orders and metadata fields.
META_FIELDS = 6
META_VERSION, META_FILTERS, META_SORTS = 0, 3, 4
# Hex digits in a name after `{language}_`: 7 for a filter file and, for the
# metadata, 8 more than the language code has letters (as Pagefind names them).
FILTER_DIGITS = 7


def stabilise_filters(bundle: str) -> None:
    """Rewrite the filter files of the Pagefind index in `bundle` (output/pagefind)
    and the two files that name them, in one order with names from their content."""
    entry, language, old_meta = _entry(bundle)
    meta = _decoded(bundle, old_meta)
    _check_meta(bundle, meta, entry["version"], old_meta)
    filters = dict(meta[META_FILTERS])  # filter name -> its file's name
    files = [os.path.basename(path) for path in glob.glob(os.path.join(bundle, "filter", "*"))]
    found = {name.removesuffix(".pf_filter"): f"filter/{name}" for name in files}
    if set(found) != set(filters.values()) or len(filters) != len(meta[META_FILTERS]):
        raise _unexpected(
            bundle,
            f"the filter files {sorted(found)} are not the ones the metadata names "
            f"({sorted(filters.values())})",
        )
    written = {}  # path in the bundle -> its new content (CBOR)
    for filter_name, old_name in sorted(filters.items()):
        content = _decoded(bundle, found[old_name])
        if not _is_filter(content) or content[0] != filter_name:
            raise _unexpected(bundle, f"{found[old_name]} is not a filter file")
        content[1].sort(key=lambda value: value[0])
        body = cbor2.dumps(content)
        filters[filter_name] = _hashed(language, body, FILTER_DIGITS)
        written[f"filter/{filters[filter_name]}.pf_filter"] = body
    if len(written) != len(filters):
        raise _unexpected(bundle, "two filter files would get the same name")
    meta[META_FILTERS] = [[name, file] for name, file in sorted(filters.items())]
    meta_body = cbor2.dumps(meta)
    meta_name = _hashed(language, meta_body, len(language) + 8)
    written[f"pagefind.{meta_name}.pf_meta"] = meta_body
    entry["languages"][language]["hash"] = meta_name

    for name, body in written.items():  # no time in the gzip header: same content, same bytes
        _write(bundle, name, gzip.compress(SIGNATURE + body, compresslevel=9, mtime=0))
    _write(bundle, ENTRY, _compact(entry).encode("utf-8"))
    for name in {old_meta, *found.values()} - set(written):
        os.remove(os.path.join(bundle, name))


def _entry(bundle: str) -> tuple[dict, str, str]:
    """Pagefind's entry file, its one language and that language's metadata file."""
    with open(os.path.join(bundle, ENTRY), encoding="utf-8") as handle:
        text = handle.read()
    try:
        entry = json.loads(text)
    except ValueError:
        raise _unexpected(bundle, f"{ENTRY} is not JSON") from None
    if not isinstance(entry, dict) or _compact(entry) != text:
        raise _unexpected(bundle, f"{ENTRY} is not written as compact JSON")
    if entry.get("version") not in KNOWN_VERSIONS:
        raise _unexpected(bundle, f"it was written by Pagefind {entry.get('version')}")
    languages = entry.get("languages")
    if not isinstance(languages, dict) or len(languages) != 1:
        raise _unexpected(bundle, f"{ENTRY} lists {len(languages or ())} languages, not one")
    ((language, details),) = languages.items()
    meta = f"pagefind.{details.get('hash')}.pf_meta"
    metas = [os.path.basename(path) for path in glob.glob(os.path.join(bundle, "*.pf_meta"))]
    if metas != [meta]:
        raise _unexpected(bundle, f"{ENTRY} names {meta}, the folder has {metas}")
    return entry, language, meta


def _check_meta(bundle: str, meta, version: str, name: str) -> None:
    if not isinstance(meta, list) or len(meta) != META_FIELDS or meta[META_VERSION] != version:
        raise _unexpected(bundle, f"{name} is not laid out as expected")
    filters = meta[META_FILTERS]
    if not isinstance(filters, list) or not all(_is_pair(item, str, str) for item in filters):
        raise _unexpected(bundle, f"{name} does not list its filters as expected")
    if meta[META_SORTS] != []:
        raise SearchIndexError(
            f"{', '.join(_pages_with(os.path.dirname(bundle), 'data-pagefind-sort'))}: "
            "data-pagefind-sort asks Pagefind for a sort order, which it writes differently "
            "on every build (so the site would be published again every hour). Fix: remove "
            "data-pagefind-sort from the HTML of the article or page it comes from"
        )


def _pages_with(site: str, attribute: str) -> list[str]:
    """The written pages that hold `attribute`, relative to the site's folder."""
    found = []
    for path in sorted(glob.glob(os.path.join(site, "**", "*.html"), recursive=True)):
        with open(path, encoding="utf-8", errors="replace") as handle:
            if attribute in handle.read():
                found.append(os.path.relpath(path, site))
    return found or ["a page of the site"]


def _is_filter(content) -> bool:
    """[name, [[value, [page numbers]], ...]], as Pagefind 1.5.2 writes a filter file."""
    return _is_pair(content, str, list) and all(
        _is_pair(value, str, list) and all(isinstance(page, int) for page in value[1])
        for value in content[1]
    )


def _is_pair(item, first: type, second: type) -> bool:
    return (
        isinstance(item, list)
        and len(item) == 2
        and isinstance(item[0], first)
        and isinstance(item[1], second)
    )


def _decoded(bundle: str, name: str):
    """The CBOR value of one of Pagefind's compressed files, checked to encode back
    to the very same bytes (so a rewrite changes nothing but what we change)."""
    try:
        with gzip.open(os.path.join(bundle, name)) as handle:
            data = handle.read()
    except (OSError, EOFError):
        raise _unexpected(bundle, f"{name} is not gzip-compressed") from None
    if not data.startswith(SIGNATURE):
        raise _unexpected(bundle, f"{name} does not start with Pagefind's signature")
    body = data[len(SIGNATURE) :]
    try:
        value = cbor2.loads(body)
    except (cbor2.CBORDecodeError, ValueError):
        raise _unexpected(bundle, f"{name} does not hold CBOR after the signature") from None
    if cbor2.dumps(value) != body:
        raise _unexpected(bundle, f"{name} holds CBOR that would not be written back the same")
    return value


def _hashed(language: str, body: bytes, digits: int) -> str:
    return f"{language}_{hashlib.sha256(body).hexdigest()[:digits]}"


def _compact(entry: dict) -> str:
    """JSON as Pagefind writes its entry file: compact, UTF-8, no final newline."""
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def _write(bundle: str, name: str, data: bytes) -> None:
    with open(os.path.join(bundle, name), "wb") as handle:
        handle.write(data)


def _unexpected(bundle: str, what: str) -> SearchIndexError:
    return SearchIndexError(
        f"the search index in {bundle} is not as expected: {what}. The Pagefind version may "
        "have changed (plugins/search/stable_filters.py knows the files of Pagefind "
        f"{', '.join(KNOWN_VERSIONS)}). Fix: run `python3 -m pip install -r requirements.txt` "
        "and build again; if that does not help, the rewrite needs updating for this Pagefind"
    )
