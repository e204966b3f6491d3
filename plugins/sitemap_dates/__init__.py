"""Sitemap dates: `sitemap.xml` is the same for the same content.

Adds to the build: pelican-sitemap dates the pages that are not an article or
a page (home, lists, tags, archives) with the clock at start-up, so two builds
of the same content differ. This sets that date to the newest date of the
published content (its `Modified:`, else its `Date:`), the last time any list
could have changed. Needs `pelican.plugins.sitemap` in PLUGINS after it.

Writing those dates costs less too: pelican-sitemap formats each one with the
date's `strftime`, which for Pelican's dates (SafeDatetime) is Pelican's own
`strftime`, taking a format apart directive by directive (two formats per page,
16,000 calls at 5,000 articles). For the sitemap's two formats ("%z" and
"%Y-%m-%dT%H:%M:%S": no "%-" directive) that gives the same text as Python's,
so its `format_date` is handed the same moment as a plain datetime. Only done
for the pelican-sitemap version it was checked against (SITEMAP_CHECKED).
"""

from __future__ import annotations

import logging
from datetime import datetime
from importlib import metadata

from pelican import signals
from pelican.plugins.sitemap import sitemap
from pelican.utils import SafeDatetime

__all__ = ["format_date", "newest_date", "register"]

logger = logging.getLogger(__name__)

# The pelican-sitemap whose format_date was read for this plugin.
SITEMAP_CHECKED = "1.2.2"
_sitemap_format_date = sitemap.format_date


def format_date(date) -> str:
    """pelican-sitemap's format_date, a SafeDatetime formatted as a plain datetime."""
    if type(date) is SafeDatetime:
        date = datetime(
            date.year,
            date.month,
            date.day,
            date.hour,
            date.minute,
            date.second,
            date.microsecond,
            date.tzinfo,
            fold=date.fold,
        )
    return _sitemap_format_date(date)


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


def format_dates_plainly() -> bool:
    """Have pelican-sitemap use `format_date`; False for another version of it."""
    version = metadata.version("pelican-sitemap")
    if version != SITEMAP_CHECKED:
        logger.debug("sitemap_dates: pelican-sitemap %s, dates formatted as usual", version)
        return False
    sitemap.format_date = format_date
    return True


def register() -> None:
    format_dates_plainly()
    signals.all_generators_finalized.connect(date_index_pages)
