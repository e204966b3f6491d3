"""Frozen addresses: each article's and page's `url` and `save_as` worked out once.

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
"""

from __future__ import annotations

from pelican import signals

__all__ = ["freeze_addresses", "register"]

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


def register() -> None:
    signals.article_generator_finalized.connect(freeze_addresses)
    signals.page_generator_finalized.connect(freeze_addresses)
