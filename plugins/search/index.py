"""Running Pagefind over the written site, as a plain function of its folder."""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
from fnmatch import fnmatch

from .errors import SearchIndexError
from .service import PageFeed
from .stable_filters import stabilise_filters

# The index's folder inside the output folder, as Pagefind names it by default.
BUNDLE = "pagefind"
# Pagefind's ready-made interfaces: our search page has its own, so they are not shipped.
UNUSED = [
    "pagefind-ui.*",
    "pagefind-modular-ui.*",
    "pagefind-component-ui.*",
    "pagefind-highlight.js",
]
# What Pagefind writes into the bundle folder (removed before each run, so an
# old index never mixes with a new one; anything else there is left alone).
WRITTEN = ["index", "fragment", "filter", "pagefind*.js", "pagefind*.css", "pagefind-entry.json"]
WRITTEN += ["*.pf_meta", "wasm.*.pagefind"]
# What Pagefind (1.5.2) says when it indexed no page at all.
NO_PAGE_INDEXED = "Pagefind was not able to build an index"


def pagefind_program() -> str:
    try:
        from pagefind_bin import get_executable

        return str(get_executable())
    except (ImportError, FileNotFoundError) as missing:
        raise SearchIndexError(
            "the Pagefind program is not installed (package pagefind-bin). "
            "Fix: run `python3 -m pip install -r requirements.txt`, then build again"
        ) from missing


def remove_bundle(output: str) -> None:
    folder = os.path.join(output, BUNDLE)
    for pattern in WRITTEN:
        for path in glob.glob(os.path.join(folder, pattern)):
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)


def index_site(output: str, language: str | None = None, pages: list[str] | None = None) -> bool:
    """Index every page of `output` that marks its body with data-pagefind-body
    (Pagefind leaves out every page without one) into output/pagefind/, its
    filter files in one order (stable_filters). `pages` (paths relative to
    `output`): the only pages that can have one, so the only ones Pagefind needs
    to read (the index is the same). False, and no index, when every one of
    `pages` is there and none has a word to index (a site whose only article is
    a picture): readers then have nothing to search, which is not an error."""
    remove_bundle(output)
    command = [pagefind_program(), "--site", os.path.abspath(output), *pagefind_options(language)]
    # Pagefind reads a pagefind.json from its working folder: a fresh one, so
    # the index depends on nothing but the pages and these options.
    with tempfile.TemporaryDirectory(prefix="pagefind-settings-") as settings:
        glob_of_pages = page_glob(pages)
        if glob_of_pages:
            with open(os.path.join(settings, "pagefind.json"), "w", encoding="utf-8") as handle:
                json.dump({"glob": glob_of_pages}, handle)
        result = subprocess.run(command, capture_output=True, text=True, cwd=settings)
    if result.returncode and _nothing_to_index(output, pages, result):
        remove_bundle(output)
        return False
    if result.returncode:
        raise SearchIndexError(
            f"Pagefind could not index {output} (exit {result.returncode}): "
            f"{(result.stderr or result.stdout).strip()}"
        )
    finish_bundle(output)
    return True


def index_pages(output: str, language: str | None, pages: list[str], feed=None) -> bool:
    """The index of `pages` (paths relative to `output`, each with a
    data-pagefind-body), as the build makes it: by Pagefind's service, the
    pages in the order given (service.py). `feed`: a PageFeed that was given
    the pages while they were written, used when it holds all of them (else
    closed, and the pages are read now). False, and no index, when no page
    has a word to index (as `index_site`)."""
    bundle = os.path.join(output, BUNDLE)
    written = [page for page in pages if os.path.isfile(os.path.join(output, page))]
    if feed is None or not feed.complete:
        if feed is not None:
            feed.close()
        feed = PageFeed(pagefind_program(), output, written, language)
        for page in feed.pages:
            feed.finished(page)
    remove_bundle(output)
    try:
        feed.write(bundle, keep=lambda name: not any(fnmatch(name, p) for p in UNUSED))
    except Exception:
        remove_bundle(output)
        raise
    if not _languages(output):  # Pagefind's service writes an empty index where its CLI fails
        remove_bundle(output)
        if len(written) < len(set(pages)):  # as `_nothing_to_index`: only when all are there
            missing = sorted(set(pages) - set(written))
            raise SearchIndexError(
                f"Pagefind was not able to build an index of {output}: no word in its "
                f"searchable pages, and these were never written: {', '.join(missing)}"
            )
        return False
    finish_bundle(output)
    return True


def _languages(output: str) -> dict:
    with open(os.path.join(output, BUNDLE, "pagefind-entry.json"), encoding="utf-8") as handle:
        return json.load(handle).get("languages") or {}


def finish_bundle(output: str) -> None:
    """What every index gets once Pagefind wrote it: without the interfaces we
    do not ship, its filter files in one order."""
    for pattern in UNUSED:
        for path in glob.glob(os.path.join(output, BUNDLE, pattern)):
            os.remove(path)
    try:
        stabilise_filters(os.path.join(output, BUNDLE))
    except Exception:
        remove_bundle(output)  # no index rather than a half-rewritten one
        raise


def _nothing_to_index(output: str, pages: list[str] | None, result) -> bool:
    """Whether Pagefind failed only because the pages it was given, all
    written, hold no word (any other failure is an error)."""
    written = pages and all(os.path.isfile(os.path.join(output, page)) for page in pages)
    return bool(written) and NO_PAGE_INDEXED in (result.stderr + result.stdout)


def pagefind_options(language: str | None) -> list[str]:
    """Pagefind's options besides the site folder."""
    options = ["--output-subdir", BUNDLE, "--quiet"]
    if language:
        options += ["--force-language", language]
    return options


# A part of a path that Pagefind's glob syntax (the wax crate) takes literally.
_LITERAL_PART = re.compile(r"[A-Za-z0-9._-]+")


def page_glob(pages: list[str] | None) -> str | None:
    """Pagefind's glob matching exactly `pages`, or None (every page is read)
    when there are none or a path has a character the glob would not take
    literally (Pelican's slugs never do)."""
    if not pages or not all(_literal(page) for page in pages):
        return None
    return "{" + ",".join(sorted(set(pages))) + "}"


def _literal(path: str) -> bool:
    parts = path.split("/")
    return all(_LITERAL_PART.fullmatch(part) and part not in (".", "..") for part in parts)


def wasm_file(output: str) -> str:
    """The WebAssembly file the search page loads: Pagefind's own for the indexed
    language, or its generic one for a language it has no stemmer for."""
    with open(os.path.join(output, BUNDLE, "pagefind-entry.json"), encoding="utf-8") as handle:
        (language,) = json.load(handle)["languages"].values()  # one: index_site forces it
    return f"wasm.{language.get('wasm') or 'unknown'}.pagefind"


def preload_wasm_file(page: str, language: str | None, wasm: str) -> None:
    """Point the search page's preload of the language's WebAssembly at the file
    Pagefind wrote (`wasm`), when they differ."""
    planned = f"/{BUNDLE}/wasm.{(language or 'unknown').lower()}.pagefind"
    with open(page, encoding="utf-8") as handle:
        html = handle.read()
    if planned in html and planned != f"/{BUNDLE}/{wasm}":
        with open(page, "w", encoding="utf-8") as handle:
            handle.write(html.replace(planned, f"/{BUNDLE}/{wasm}"))


# The search page's preloads of Pagefind's files (theme/templates/search.html).
_PRELOADS = re.compile(
    r'<link rel="(?:modulepreload|preload)" href="[^"]*/pagefind/[^"]*"[^>]*>\n?'
)


def search_page_without_index(page: str) -> None:
    """The search page of a site with no index: no preload of Pagefind's files,
    and a form marked `data-no-index`, so search.js says there is nothing to
    search yet instead of loading what is not there (three 404s)."""
    with open(page, encoding="utf-8") as handle:
        html = handle.read()
    changed = _PRELOADS.sub("", html)
    if "data-no-index" not in changed:
        changed = changed.replace('<form class="search"', '<form class="search" data-no-index', 1)
    if changed != html:
        with open(page, "w", encoding="utf-8") as handle:
            handle.write(changed)
