"""Builds for the preview: the whole site, or only the page whose text changed.

A change to a page's body alone, or to an article's body that leaves what the
lists show as it was (its header, so its summary is its own `Summary:`, and its
reading time), changes no list, tag page or neighbour: only that page is read
and written again, in a fraction of a second, through reader_details' own steps
for one item, so it is the page a full build writes. Any other change builds
everything, with Pelican's content cache (pelicanconf.py) so unchanged files
are not converted again.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from types import SimpleNamespace

from local_addresses import point_at_written_pages
from pelican import Pelican, signals
from pelican.log import init as init_logging
from pelican.settings import read_settings
from pelican.writers import Writer
from pictures import copy_named, picture_items
from reader_details import describe_articles, describe_pages
from reader_details.counting import minutes_to_read

from content_check import ContentError
from content_check.addresses import unresolved_addresses
from content_check.site import written_files
from content_check.source import check_source, split_header

from .overlay import Failure, content_failure, message_failure

# What reader_details works out from the whole site; a one-page rewrite keeps it.
SITE_WIDE = ("related", "newer", "older")
SETTINGS_FILES = ("pelicanconf.py", "publishconf.py")
LISTS = ("articles", "hidden_articles", "drafts", "pages", "hidden_pages", "draft_pages")


class PreviewBuilder:
    def __init__(self, settings_file: str, overrides: dict | None = None):
        self.settings_file = settings_file
        self.overrides = overrides or {}
        self.failure: Failure | None = None  # why the last build did not finish
        self.generators: list = []  # of the last successful full build
        self._latest: list = []
        self.headers: dict[str, str] = {}  # source path -> header text at the last full build
        self.pages: set[str] = set()  # the page files of the last good full build
        init_logging(level=logging.WARNING, fatal="warnings")
        signals.all_generators_finalized.connect(self._remember)

    def build(self, changed: set[str] | None = None) -> bool:
        """Rebuild for the changed files (None: everything); False if it failed,
        and then `failure` says why, for the pages the server sends."""
        started = time.perf_counter()
        try:
            done = self._build_pages(changed) if changed else False
            if not done:
                self._build_all_again_if_a_file_went()
        except ContentError as stop:  # the report is the message
            self.failure = content_failure(stop.problems)
            print(stop.code, file=sys.stderr, flush=True)
            return False
        except SystemExit as stop:  # a settings check's own message
            self.failure = message_failure(str(stop.code))
            print(stop.code, file=sys.stderr, flush=True)
            return False
        except Exception as error:  # keep serving the last good site
            message = _settings_error(error) or f"Build failed: {error}"
            self.failure = message_failure(message)
            print(message, file=sys.stderr, flush=True)
            return False
        self.failure = None
        what = "page" if done else "site"
        print(f"Rebuilt the {what} in {time.perf_counter() - started:.2f} s", flush=True)
        return True

    def _build_all_again_if_a_file_went(self) -> None:
        """A file deleted or renamed while the build read the folder is gone by
        the time it is read: the watcher has seen it, so build once more at once."""
        try:
            self._build_all()
        except FileNotFoundError as error:
            if error.filename and os.path.exists(error.filename):
                raise
            self._build_all()

    def _build_all(self) -> None:
        self.generators = []
        Pelican(self._read_settings()).run()
        self.generators = self._latest
        self.headers = {}
        for item in self._items():
            try:
                self.headers[os.path.abspath(item.source_path)] = split_header(item.source_path)[0]
            except FileNotFoundError:
                # Deleted or renamed since it was read (the coach is quicker than the
                # build's last steps): the watcher has seen it and builds again.
                continue
        # The page of an article deleted or renamed since the last good build goes too.
        written = self._written()
        for gone in self.pages - written:
            _remove_page(gone)
        self.pages = written

    def _read_settings(self) -> dict:
        """The settings as the files say now: publishconf.py imports pelicanconf.py,
        which Python would otherwise take from its first import."""
        for name in ("pelicanconf", "publishconf"):
            sys.modules.pop(name, None)
        return read_settings(self.settings_file, override=self.overrides)

    def _written(self) -> set[str]:
        """The page files the last full build wrote for articles and pages."""
        if not self.generators:
            return set()
        output = self.generators[0].settings["OUTPUT_PATH"]
        return {os.path.join(output, i.save_as) for i in self._items() if i.save_as}

    def _remember(self, generators: list) -> None:
        self._latest = generators

    def _items(self) -> list:
        return [item for generator in self.generators for item in _content_of(generator)]

    def _build_pages(self, changed: set[str]) -> bool:
        """Rewrite only the changed pages; False when a full build is needed."""
        items = {os.path.abspath(item.source_path): item for item in self._items()}
        known = all(path in items and os.path.isfile(path) for path in changed)
        if not self.generators or not known:
            return False  # a new, deleted or renamed file changes lists too
        if any(split_header(path)[0] != self.headers.get(path) for path in changed):
            return False
        settings = self.generators[0].settings
        problems = [
            p
            for path in changed
            for p in check_source(
                path, _kind(items[path]), os.path.abspath(settings["PATH"])
            ).problems
        ]
        if problems:
            raise ContentError(problems)
        fresh = {path: self._read(items[path]) for path in changed}
        written = written_files(self.generators, settings)
        problems = unresolved_addresses(list(fresh.values()), settings, written)
        if problems:
            raise ContentError(problems)
        if not all(_lists_unchanged(items[path], fresh[path]) for path in changed):
            return False
        writer = Writer(settings["OUTPUT_PATH"], settings=settings)
        for path in changed:
            self._rewrite(items[path], fresh[path], writer)
        return True

    def _generator_of(self, item):
        return next(g for g in self.generators if item in _content_of(g))

    def _read(self, item):
        generator = self._generator_of(item)
        return generator.readers.read_file(
            base_path=generator.path,
            path=os.path.relpath(item.source_path, generator.path),
            content_class=type(item),
            context=generator.context,
        )

    def _rewrite(self, item, fresh, writer: Writer) -> None:
        generator = self._generator_of(item)
        # The old object stays where every list points to it; it takes the new
        # text, goes through reader_details' steps as in a full build, and keeps
        # what plugins computed from the whole site.
        site_wide = {name: vars(item)[name] for name in SITE_WIDE if name in vars(item)}
        item.__dict__.update(fresh.__dict__)
        _describe(item, generator)
        point_at_written_pages(self.generators, [item])  # as after a full build's reading
        picture_items(self.generators, [item])  # its pictures' sizes, made if new
        copy_named(generator.settings["OUTPUT_PATH"])
        item.__dict__.update(site_wide)
        cache = type(item).get_content.cache
        for key in [k for k in cache if k and k[0] is item]:
            del cache[key]
        name = _kind(item)
        extra = {} if name == "page" else {"category": item.category, "blog": True}
        writer.write_file(
            item.save_as,
            generator.get_template(item.template),
            generator.context,
            relative_urls=generator.settings["RELATIVE_URLS"],
            override_output=True,
            url=item.url,
            **{name: item},
            **extra,
        )


def _settings_error(error: Exception) -> str:
    """What is wrong in a settings file Python cannot read, where, and the fix."""
    if isinstance(error, SyntaxError) and str(error.filename).endswith(SETTINGS_FILES):
        where = f"{os.path.basename(error.filename)}:{error.lineno}"
        what = error.msg
    else:
        frames = traceback.extract_tb(error.__traceback__)
        where = next(
            (
                f"{os.path.basename(f.filename)}:{f.lineno}"
                for f in reversed(frames)
                if f.filename.endswith(SETTINGS_FILES)
            ),
            "",
        )
        what = f"{type(error).__name__}: {error}"
        if not where:
            return ""
        if isinstance(error, NameError):  # most often text written without its quotes
            return (
                f'{where}: {what}. Fix: put text in straight quotes ("like this"), then save again'
            )
    return f"{where}: {what}. Fix: correct that line (or undo its last edit), then save again"


def _remove_page(path: str) -> None:
    try:
        os.remove(path)
        os.rmdir(os.path.dirname(path))  # the article's folder, when it held just that
    except OSError:
        pass


def _lists_unchanged(item, fresh) -> bool:
    """Whether the lists would show the article as they do: they show its own
    `Summary:` (else the start of its text) and its reading time. Pages are in no list."""
    if _kind(item) == "page":
        return True
    return "summary" in fresh.metadata and minutes_to_read(fresh) == item.reading_time


def _describe(item, generator) -> None:
    """reader_details' steps for `item` alone: its handlers run on a stand-in
    for the generator that holds just it, in the list the generator has it in."""
    lists = {name: [x for x in getattr(generator, name, []) if x is item] for name in LISTS}
    alone = SimpleNamespace(settings=generator.settings, **lists)
    describe = describe_pages if _kind(item) == "page" else describe_articles
    describe(alone)


def _kind(item) -> str:
    return "page" if type(item).__name__ == "Page" else "article"


def _content_of(generator) -> list:
    """The articles or pages a generator writes one page each for."""
    return [item for name in LISTS for item in getattr(generator, name, [])]
