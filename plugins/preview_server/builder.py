"""Builds for the preview: the whole site, or only the page whose text changed.

A change to an article's or page's body alone (its header untouched) cannot
change any list, tag page, neighbour or summary, so only that page is read and
written again, in a fraction of a second. Any other change builds everything,
with Pelican's content cache (pelicanconf.py) so unchanged files are not
converted again.
"""

from __future__ import annotations

import logging
import os
import sys
import time

from pelican import Pelican, signals
from pelican.log import init as init_logging
from pelican.settings import read_settings
from pelican.writers import Writer

from content_check import report
from content_check.source import check_source, split_header


class PreviewBuilder:
    def __init__(self, settings_file: str):
        self.settings_file = settings_file
        self.generators: list = []  # of the last successful full build
        self._latest: list = []
        self.headers: dict[str, str] = {}  # source path -> header text at the last full build
        init_logging(level=logging.WARNING, fatal="warnings")
        signals.all_generators_finalized.connect(self._remember)

    def build(self, changed: set[str] | None = None) -> bool:
        """Rebuild for the changed files (None: everything); False if it failed."""
        started = time.perf_counter()
        try:
            done = self._build_pages(changed) if changed else False
            if not done:
                self._build_all()
        except SystemExit as stop:  # a content problem: the report is the message
            print(stop.code, file=sys.stderr, flush=True)
            return False
        except Exception as error:  # keep serving the last good site
            print(f"Build failed: {error}", file=sys.stderr, flush=True)
            return False
        what = "page" if done else "site"
        print(f"Rebuilt the {what} in {time.perf_counter() - started:.2f} s", flush=True)
        return True

    def _build_all(self) -> None:
        self.generators = []
        Pelican(read_settings(self.settings_file)).run()
        self.generators = self._latest
        self.headers = {
            os.path.abspath(item.source_path): split_header(item.source_path)[0]
            for item in self._items()
        }

    def _remember(self, generators: list) -> None:
        self._latest = generators

    def _items(self) -> list:
        return [item for generator in self.generators for item in _content_of(generator)]

    def _build_pages(self, changed: set[str]) -> bool:
        """Rewrite only the changed pages; False when a full build is needed."""
        items = {os.path.abspath(item.source_path): item for item in self._items()}
        if not self.generators or not all(path in items for path in changed):
            return False  # a new, deleted or renamed file changes lists too
        if any(split_header(path)[0] != self.headers[path] for path in changed):
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
            raise SystemExit(report(problems))
        writer = Writer(settings["OUTPUT_PATH"], settings=settings)
        for path in changed:
            self._rewrite(items[path], writer)
        return True

    def _rewrite(self, item, writer: Writer) -> None:
        generator = next(g for g in self.generators if item in _content_of(g))
        fresh = generator.readers.read_file(
            base_path=generator.path,
            path=os.path.relpath(item.source_path, generator.path),
            content_class=type(item),
            context=generator.context,
        )
        # The old object stays where every list points to it; it takes the new
        # text and keeps what plugins computed from the whole site.
        item.__dict__.update(fresh.__dict__)
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


def _kind(item) -> str:
    return "page" if type(item).__name__ == "Page" else "article"


def _content_of(generator) -> list:
    """The articles or pages a generator writes one page each for."""
    lists = ("articles", "hidden_articles", "drafts", "pages", "hidden_pages", "draft_pages")
    return [item for name in lists for item in getattr(generator, name, [])]
