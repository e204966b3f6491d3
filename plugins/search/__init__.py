"""Search: readers find any article or page by a word from its text.

Adds to the build: a `searchable` flag on every article and page (True only for
the published ones in Pelican's lists once every generator is done: never
drafts, hidden items, or scheduled articles, which the scheduling plugin has
moved to the drafts by then), which the templates turn into
`data-pagefind-body` on the body alone and a `tag` filter (the slugs of an
article's tags) on its tag links; and, once the site is written, a Pagefind
index of those bodies in output/pagefind/ (as result metadata: titles, which
Pagefind takes from the first h1, dates, summaries and an article's own
picture; the tags as a filter, whose file stable_filters.py rewrites in one
order, as Pagefind writes it in a different order each run). The search page
itself is the `search` direct template (pelicanconf.py), with a topic list from
the site's tags; its script runs Pagefind on the reader's device, so nothing is
asked of a server. Pagefind reads only the searchable pages, and a build in
which none of them changed takes the last index from the cache (reuse.py). A
site with no index yet gets a search page that says so and asks for none of
Pagefind's files (no preload, no script run).

Pagefind runs beside the build, not after it: when no cached index could be
reused (a cold build), it is started before the pages are written and given
each searchable page as soon as the parallel_build plugin's writer says the
page is finished (service.py); the build then waits only for the rest of
Pagefind's work. Without that writer (the speed layer off), or with an index
in the cache that no longer fits, Pagefind reads the pages once the site is
written. Either way the pages go in the order of Pelican's lists, so the
index has the same bytes.
"""

from __future__ import annotations

import logging
import os

from blinker import signal
from pelican import signals

from .errors import SearchIndexError
from .index import (
    BUNDLE,
    pagefind_program,
    preload_wasm_file,
    remove_bundle,
    search_page_without_index,
    wasm_file,
)
from .reuse import index_or_reuse, reusable
from .service import PageFeed

__all__ = ["BUNDLE", "planned_outputs", "register", "wasm_pages"]

logger = logging.getLogger(__name__)

# Output folder -> the pages (relative to it) of the items the current build
# marked searchable, or None when there are none. Set by every build before
# anything is written, read once the site is written.
_searchable_pages: dict[str, list[str] | None] = {}
# The folder's path as the writer names its files (ending in a separator) ->
# Pagefind fed with the searchable pages as they are written (None once that
# failed: the pages are then read when the site is written).
_feeds: dict[str, PageFeed | None] = {}


def planned_outputs(settings: dict) -> list[str]:
    """The fixed names this plugin writes, relative to the output folder (the
    index's other files are named after a hash of their content)."""
    lang = settings.get("DEFAULT_LANG") or "unknown"
    names = ["pagefind.js", "pagefind-worker.js", "pagefind-entry.json"]
    names += [f"wasm.{lang}.pagefind", "wasm.unknown.pagefind"]
    return [f"{BUNDLE}/{name}" for name in dict.fromkeys(names)]


def wasm_pages(settings: dict) -> list[str]:
    """Addresses of the pages that run Pagefind's WebAssembly (and only those
    need 'wasm-unsafe-eval' in their Content-Security-Policy)."""
    return [settings.get("SEARCH_URL", "search/")]


def searchable_items(generators: list) -> tuple[list, list]:
    """(items readers can find, items they cannot) among everything written."""
    found, kept_out = [], []
    for generator in generators:
        for name in ("articles", "pages"):
            found += getattr(generator, name, [])
        for name in ("hidden_articles", "drafts", "hidden_pages", "draft_pages"):
            kept_out += getattr(generator, name, [])
        for name in ("translations", "hidden_translations", "drafts_translations"):
            kept_out += getattr(generator, name, [])
    return found, kept_out


def mark_searchable(generators: list) -> None:
    found, kept_out = searchable_items(generators)
    for item in kept_out:
        item.searchable = False
    for item in found:
        item.searchable = True
    output = os.path.realpath(generators[0].output_path)
    pages = [save_as for save_as in (item.save_as for item in found) if save_as]
    _searchable_pages[output] = pages if found else None
    start_feed(generators[0].output_path, generators[0].settings, pages if found else None)


def start_feed(output: str, settings: dict, pages: list[str] | None) -> None:
    """Start Pagefind before the pages are written, so it reads each one as the
    build finishes it (page_finished), when the index will be made anew: no
    cached index a build could reuse. The parallel_build plugin says when a
    page is finished; without it nothing is fed, and Pagefind reads the pages
    once the site is written."""
    prefix = os.path.join(os.path.abspath(output), "")
    stale = _feeds.pop(prefix, None)
    if stale is not None:
        stale.close()  # a build that stopped half-way
    cache = settings["CACHE_PATH"] if settings.get("CACHE_CONTENT") else None
    if not pages or reusable(cache, settings.get("LOAD_CONTENT_CACHE", True)):
        return
    try:
        _feeds[prefix] = PageFeed(pagefind_program(), prefix, pages, settings.get("DEFAULT_LANG"))
    except SearchIndexError as error:  # the pages are read once the site is written
        logger.info("Search index: Pagefind stopped reading pages (%s)", error)


def page_finished(path: str) -> None:
    for prefix, feed in _feeds.items():
        if feed is None or not path.startswith(prefix):
            continue
        page = path[len(prefix) :].replace(os.sep, "/")
        if feed.wants(page):
            try:
                feed.finished(page)
                if feed.complete:  # Pagefind makes the index while the rest is written
                    feed.start_writing()
            except SearchIndexError as error:  # Pagefind stopped: read the pages later
                logger.info("Search index: Pagefind stopped reading pages (%s)", error)
                feed.close()
                _feeds[prefix] = None


def index_written_site(pelican) -> None:
    output = os.path.realpath(pelican.output_path)
    pages = _searchable_pages.pop(output, None)
    feed = _feeds.pop(os.path.join(os.path.abspath(pelican.output_path), ""), None)
    settings = pelican.settings
    language = settings.get("DEFAULT_LANG")
    if pages is not None:
        cache = settings["CACHE_PATH"] if settings.get("CACHE_CONTENT") else None
        load = settings.get("LOAD_CONTENT_CACHE")
        if feed is not None:
            logger.info("Search: Pagefind read %d of %d pages as written", feed.sent, len(pages))
        index_or_reuse(output, language, pages, cache, load=load, feed=feed)
    else:
        if feed is not None:
            feed.close()
        remove_bundle(output)  # nothing published yet: no index, the page says so
    page = os.path.join(output, settings.get("SEARCH_SAVE_AS", "search/index.html"))
    if os.path.isfile(os.path.join(output, BUNDLE, "pagefind-entry.json")):
        if os.path.isfile(page):
            preload_wasm_file(page, language, wasm_file(output))
        return
    logger.info("No search index: no published article or page has a word to find yet")
    if os.path.isfile(page):
        search_page_without_index(page)  # it asks for no file that is not there


def register() -> None:
    signals.all_generators_finalized.connect(mark_searchable)
    signals.finalized.connect(index_written_site)
    signal("parallel_build.file_finished").connect(page_finished)
