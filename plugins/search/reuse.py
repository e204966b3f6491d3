"""The search index of the last build, reused when nothing it is made from changed.

A build's index depends only on the pages Pagefind reads and their order,
Pagefind's version and options, and this plugin's code (which post-processes
what Pagefind writes). A stamp over all of them names a cache entry
(CACHE_PATH/search-index/STAMP/): the finished bundle exactly as `index_pages`
left it in output/pagefind, and a manifest of each file's size and SHA-256,
written last. A build with the same stamp puts that bundle in output/pagefind
instead of running Pagefind, after checking every file against the manifest:
an entry that is incomplete or damaged in any way is not used, and Pagefind
runs and stores a new one.

Files are hard-linked between the cache and the output (copied where the two
are on different file systems): creating a file costs far more than linking
one, and nothing rewrites a bundle file in place (`index_pages` removes the old
bundle before Pagefind writes a new one).
"""

from __future__ import annotations

import glob
import hashlib
import json
import logging
import os
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator

from .index import (
    BUNDLE,
    WRITTEN,
    index_pages,
    pagefind_options,
    pagefind_program,
    remove_bundle,
)

logger = logging.getLogger(__name__)

# Bumped when the cache entry's layout changes.
FORMAT = 2
FOLDER = "search-index"
MANIFEST = "manifest.json"
# Files Pagefind always writes: an entry without them is not a whole bundle.
ESSENTIAL = ["pagefind-entry.json", "pagefind.js"]
# A half-written entry left by a build that was killed is removed after this long.
ABANDONED_SECONDS = 3600


def index_or_reuse(
    output: str,
    language: str | None,
    pages: list[str],
    cache: str | None,
    load: bool = True,
    feed=None,
) -> bool:
    """Index `output` as `index_pages` does (`pages` and `feed` as there),
    reusing the bundle stored in the `cache` folder (None: no cache) when its
    stamp matches and `load` is set, and storing a new one otherwise. True when reused."""
    started = time.perf_counter()
    if cache is None:
        index_pages(output, language, pages, feed)
        return False
    folder = os.path.join(cache, FOLDER)
    stamp = index_stamp(output, language, pages)
    if load and restore(output, folder, stamp):
        if feed is not None:
            feed.close()
        logger.info("Search index reused in %.2f s", time.perf_counter() - started)
        return True
    if index_pages(output, language, pages, feed):
        store(output, folder, stamp)
        logger.info("Search index built in %.2f s", time.perf_counter() - started)
    return False


def reusable(cache: str | None, load: bool) -> bool:
    """Whether the cache holds an index a build might reuse (then pages are
    not fed to Pagefind as they are written: most builds with one reuse it)."""
    if cache is None or not load:
        return False
    try:
        return any(not name.startswith(".") for name in os.listdir(os.path.join(cache, FOLDER)))
    except OSError:
        return False


def index_stamp(output: str, language: str | None, pages: list[str]) -> str:
    """A hash of everything the bundle is made from."""
    digest = hashlib.sha256()
    program = pagefind_program()
    version = subprocess.run([program, "--version"], capture_output=True, text=True).stdout
    settings = {name: value for name, value in os.environ.items() if name.startswith("PAGEFIND_")}
    code = {
        os.path.basename(path): _file_digest(path)
        for path in sorted(glob.glob(os.path.join(os.path.dirname(__file__), "*.py")))
    }
    described = [FORMAT, version, pagefind_options(language), sorted(settings.items()), code]
    digest.update(json.dumps(described).encode())
    for page in _pages_read(output, pages):
        digest.update(f"\0{page}\0".encode())
        digest.update(_file_digest(os.path.join(output, page)).encode())
    return digest.hexdigest()


def _pages_read(output: str, pages: list[str]) -> list[str]:
    """The pages Pagefind reads (relative paths), in the order it numbers them."""
    return [p for p in dict.fromkeys(pages) if os.path.isfile(os.path.join(output, p))]


def bundle_files(output: str) -> list[str]:
    """The files of the bundle in output/pagefind (relative to it), as
    `remove_bundle` would remove them."""
    bundle = os.path.join(output, BUNDLE)
    found = []
    for pattern in WRITTEN:
        for path in glob.glob(os.path.join(bundle, pattern)):
            if os.path.isdir(path):
                found += [
                    os.path.relpath(os.path.join(folder, name), bundle)
                    for folder, _, names in os.walk(path)
                    for name in names
                ]
            else:
                found.append(os.path.relpath(path, bundle))
    return sorted(found)


def store(output: str, folder: str, stamp: str) -> None:
    """Keep the bundle now in output/pagefind as the entry for `stamp`, the
    only one kept. A cache that cannot be written is reported, not fatal to the
    index already built."""
    bundle = os.path.join(output, BUNDLE)
    entry = os.path.join(folder, stamp)
    try:
        os.makedirs(folder, exist_ok=True)
        new = tempfile.mkdtemp(prefix=".new-", dir=folder)
    except OSError as error:
        logger.warning("Could not save the search index in %s\n ... %s", folder, error)
        return
    try:
        files = {}
        for name in bundle_files(output):
            source, kept = os.path.join(bundle, name), os.path.join(new, BUNDLE, name)
            os.makedirs(os.path.dirname(kept), exist_ok=True)
            _link_or_copy(source, kept)
            files[name] = [os.path.getsize(kept), _file_digest(kept)]
        with open(os.path.join(new, MANIFEST), "w", encoding="utf-8") as handle:
            json.dump({"check": _manifest_check(stamp, files), "files": files}, handle)
        shutil.rmtree(entry, ignore_errors=True)  # a damaged entry of the same stamp
        os.rename(new, entry)
    except OSError as error:
        logger.warning("Could not save the search index in %s\n ... %s", entry, error)
    finally:
        shutil.rmtree(new, ignore_errors=True)
    _remove_other_entries(folder, stamp)


def _remove_other_entries(folder: str, stamp: str) -> None:
    """Keep one entry: the cache holds the last build's index only (and a
    concurrent build's half-written one)."""
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        try:
            if name.startswith(".new-"):
                if time.time() - os.path.getmtime(path) < ABANDONED_SECONDS:
                    continue
            elif name == stamp:
                continue
        except OSError:
            continue
        shutil.rmtree(path, ignore_errors=True)


def restore(output: str, folder: str, stamp: str) -> bool:
    """Put the entry for `stamp` in output/pagefind; False (and nothing
    changed) when there is none or any file of it differs from its manifest."""
    entry = os.path.join(folder, stamp)
    files = _checked_files(entry, stamp)
    if files is None:
        return False
    bundle, stored = os.path.join(output, BUNDLE), os.path.join(entry, BUNDLE)
    linked = _linked_already(bundle, stored, files)
    if linked is None:
        remove_bundle(output)
        linked = set()
    folders = set()
    for name in files:
        if name in linked:
            continue
        target = os.path.join(bundle, name)
        if os.path.dirname(target) not in folders:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            folders.add(os.path.dirname(target))
        _link_or_copy(os.path.join(stored, name), target)
    return True


def _linked_already(bundle: str, stored: str, files: list[str]) -> set[str] | None:
    """The entry's files that output/pagefind holds as the entry's very files
    (hard links to files checked just now), when it holds nothing else that
    `remove_bundle` would remove; None when it does (the bundle is then removed
    and linked again as a whole). After a build that stored or reused the same
    entry, nothing is linked again."""
    wanted = set(files)
    folders = set()
    for name in files:
        folder = os.path.dirname(name)
        while folder and folder not in folders:
            folders.add(folder)
            folder = os.path.dirname(folder)
    linked = set()
    try:
        for name, info in _written_paths(bundle):
            if stat.S_ISDIR(info.st_mode) and name in folders:
                continue
            if not (stat.S_ISREG(info.st_mode) and name in wanted):
                return None
            kept = os.lstat(os.path.join(stored, name))
            if (info.st_dev, info.st_ino) != (kept.st_dev, kept.st_ino):
                return None
            linked.add(name)
    except OSError:
        return None
    return linked


def _written_paths(bundle: str) -> Iterator[tuple[str, os.stat_result]]:
    """(path relative to the bundle, its lstat) of everything `remove_bundle`
    removes: what its patterns match, and all inside the folders among them."""
    start = len(os.path.join(bundle, ""))
    for pattern in WRITTEN:
        for path in glob.glob(os.path.join(bundle, pattern)):
            info = os.lstat(path)
            yield path[start:], info
            if not stat.S_ISDIR(info.st_mode):
                continue
            for folder, subfolders, names in os.walk(path, onerror=_raise):
                for name in subfolders + names:
                    inner = os.path.join(folder, name)
                    yield inner[start:], os.lstat(inner)


def _raise(error: OSError) -> None:
    raise error


def _checked_files(entry: str, stamp: str) -> list[str] | None:
    """The entry's files when it is whole and every file matches the manifest, else None."""
    if not os.path.isdir(entry):
        return None
    try:
        with open(os.path.join(entry, MANIFEST), encoding="utf-8") as handle:
            manifest = json.load(handle)
        files = manifest["files"]
        if manifest["check"] != _manifest_check(stamp, files):
            raise ValueError("its check does not match its content")
        if not all(name in files for name in ESSENTIAL):
            raise ValueError("it lacks Pagefind's entry files")
        for name, (size, digest) in files.items():
            path = os.path.join(entry, BUNDLE, name)
            if not _inside(name):
                raise ValueError(f"{name!r} is outside the bundle")
            if os.path.getsize(path) != size or _file_digest(path) != digest:
                raise ValueError(f"{path} differs from the manifest")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        logger.info("Search index cache: %s is damaged (%s), indexing again", entry, error)
        return None
    return sorted(files)


def _manifest_check(stamp: str, files: dict) -> str:
    """A hash of the manifest's content and the stamp: any change to it shows."""
    described = json.dumps([FORMAT, stamp, files], sort_keys=True).encode()
    return hashlib.sha256(described).hexdigest()


def _inside(name: str) -> bool:
    """A relative path that stays inside the bundle folder."""
    return (
        bool(name)
        and not os.path.isabs(name)
        and os.path.normpath(name) == name
        and not name.startswith("..")
    )


def _file_digest(path: str) -> str:
    # Read whole: pages and bundle files are small, and file_digest's 256 KiB
    # buffer per file costs more than the hashing (10,000 files a warm build).
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
