"""Steady sitemap: `sitemap.xml` is the same for the same content.

Adds to the build: pelican-sitemap dates the pages that are not an article or
a page (home, lists, tags, archives) with the clock at start-up, so two builds
of the same content differ. This sets that date to the newest date of the
published content (its `Modified:`, else its `Date:`), the last time any list
could have changed. Needs `pelican.plugins.sitemap` in PLUGINS after it.

(Not part of the speed layer: it changes what the sitemap says, so it stays on
when SPEED_LAYER=0.)
"""

from __future__ import annotations

from datetime import datetime

from pelican import signals
from pelican.plugins.sitemap import sitemap

__all__ = ["newest_date", "register"]


def newest_date(generators: list) -> datetime | None:
    """The newest `modified` or `date` of the published articles and pages."""
    items = [
        item
        for generator in generators
        for item in getattr(generator, "articles", []) + getattr(generator, "pages", [])
    ]
    dates = [getattr(i, "modified", None) or i.date for i in items if hasattr(i, "date")]
    return max(dates, default=None)


def date_index_pages(generators: list) -> None:
    newest = newest_date(generators)
    if newest is not None:
        sitemap.generator.now = newest


def register() -> None:
    signals.all_generators_finalized.connect(date_index_pages)
