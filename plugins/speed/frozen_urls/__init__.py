"""Frozen addresses: each article's and page's `url` and `save_as` worked out once.

Stands in for: Pelican 4.12's `Content.get_url_setting` (the `url` and
`save_as` properties, formatted again on every read) and
`Content.get_relative_source_path`. Saves: 0.16 to 0.27 s a build at 1,000
articles (23,075 reads of an address, each timed alone by
bench/shortcut_parts.py), 6 to 11% of a warm build and 2 to 4% of a cold one
(docs/speed.md).

Adds to the build: as soon as the articles' generator (then the pages') has
read everything, each item's address is stored in Pelican's own `override_url`
/ `override_save_as`, so every plugin after it (related articles and JSON-LD,
the content check, search), the templates, feeds and sitemap read a string
instead of formatting the URL pattern again (about 20 times per article on a
1,000-article site; 40,000 times at 5,000 before the pages are written).
Statuses, slugs and dates are settled by then: the scheduling plugin moves a
scheduled article to the drafts at `article_generator_pretaxonomy`, and a
plugin that changed one later would not move the page. Keep it before every
plugin that reads addresses when a generator finishes (reader_details).

Each item's path relative to the content folder (`{path}` in a URL pattern,
and Pelican asks for it about five times per item) is worked out once per
build too: `Content.get_relative_source_path` is a pure function of the two
absolute paths it joins, and its answers are kept by those paths. That is a
change to a Pelican method, made only for the Pelican version it was checked
against (pelican_shortcuts); with another version the build is the same, only
slower.
"""

from __future__ import annotations

import os

from pelican import signals
from pelican.contents import Content

from speed.pelican_shortcuts import take_shortcut

__all__ = ["freeze_addresses", "keep_relative_source_paths", "register"]

# (content folder, absolute source path) -> relative path, for the current build.
_relative_paths: dict[tuple[str, str], str] = {}

# The item lists of the articles' and the pages' generators (each has some).
ITEM_LISTS = (
    "articles",
    "translations",
    "hidden_articles",
    "hidden_translations",
    "drafts",
    "drafts_translations",
    "pages",
    "hidden_pages",
    "draft_pages",
    "draft_translations",
)


def freeze_addresses(generator) -> None:
    for name in ITEM_LISTS:
        for item in getattr(generator, name, ()):
            item.override_url = item.url
            item.override_save_as = item.save_as


def keep_relative_source_paths() -> bool:
    """Content.get_relative_source_path keeps its answers (pelican_shortcuts:
    only with the Pelican version this was checked against)."""

    def keeping_answers(method):
        def get_relative_source_path(self, source_path=None):
            # As Pelican's: the item's own path when none is given, None when neither is.
            path = source_path or self.source_path
            if path is None:
                return None
            base = self.settings["PATH"]
            if type(path) is str and type(base) is str:
                kept = _relative_paths.get((base, path))
                if kept is not None:
                    return kept
                # Relative paths would depend on the working folder: not kept.
                if os.path.isabs(path) and os.path.isabs(base):
                    kept = _relative_paths[base, path] = method(self, path)
                    return kept
            return method(self, source_path)

        get_relative_source_path.__doc__ = method.__doc__
        return get_relative_source_path

    return take_shortcut(Content, "get_relative_source_path", keeping_answers)


def forget_relative_paths(pelican_object) -> None:
    """initialized: each build starts with none kept (`invoke serve` builds many)."""
    _relative_paths.clear()


def register() -> None:
    keep_relative_source_paths()
    signals.initialized.connect(forget_relative_paths)
    signals.article_generator_finalized.connect(freeze_addresses)
    signals.page_generator_finalized.connect(freeze_addresses)
