"""Scheduling: an article dated later than the build's moment is published then.

Adds to the build: every published (or hidden) article whose `Date` is later
than the moment of the build is *scheduled*. It leaves the lists Pelican builds
everything from (home and list pages, tag, category, author and archive pages,
feeds, sitemap, related and neighbouring articles, the newsletter) before any
of them is made, and is shown as a draft instead, under `drafts/` in a writing
build (with `scheduled_notice` for the theme) and nowhere in a publish build.
A writing build removes the pages an earlier build wrote that it did not
(for another state of an article, or a list that has shrunk: leftovers.py).

The moment is read once per build: `BUILD_MOMENT` (ISO 8601, read by the same
rules as a header's Date, times.py: without an offset it is the site's time
zone) when set, else the clock; dates are compared as instants, in UTC.
`fix_build_moment()` writes it into the settings, so every later reader of the
same settings agrees with the build to the second. Pelican's own
`WITH_FUTURE_DATES = False` is not used: it reads the clock itself, and its
decision would be kept in the content cache.
"""

from __future__ import annotations

import copy
from datetime import datetime
from zoneinfo import ZoneInfo

from pelican import signals
from pelican.utils import order_content

from . import leftovers
from .times import TimeError, read_time, utc

__all__ = [
    "build_moment",
    "fix_build_moment",
    "is_scheduled",
    "register",
    "scheduled_notice",
    "TimeError",
    "read_time",
    "utc",
]

PUBLIC_STATUSES = ("published", "hidden")


class MomentError(SystemExit):
    """BUILD_MOMENT cannot be read: stops with a message saying how to fix it."""


def build_moment(settings: dict) -> datetime:
    """The moment this build publishes for, in the site's time zone."""
    zone = ZoneInfo(settings["TIMEZONE"])
    value = settings.get("BUILD_MOMENT") or ""
    if not value:
        return datetime.now(zone).replace(microsecond=0)
    try:
        moment = read_time(value, settings["TIMEZONE"], "BUILD_MOMENT", _as_moment)
    except TimeError as error:
        what = error.what.replace(" is not valid", " is not a date and time")
        raise MomentError(
            f"{what}. Fix: {error.fix}, or leave BUILD_MOMENT empty to use the clock"
        ) from None
    return utc(moment).astimezone(zone)


def _as_moment(value: str) -> str:
    """A value as a fix shows it: BUILD_MOMENT=2027-06-01T09:00."""
    return "BUILD_MOMENT=" + value.replace(" ", "T")


def fix_build_moment(settings: dict) -> datetime:
    """Read the moment once and keep it in the settings for everything after."""
    moment = build_moment(settings)
    settings["BUILD_MOMENT"] = moment.isoformat()
    return moment


def is_scheduled(article, moment: datetime) -> bool:
    """The one rule: a public article dated later than the build's moment waits."""
    return getattr(article, "status", "") in PUBLIC_STATUSES and utc(article.date) > utc(moment)


def scheduled_notice(date: datetime, settings: dict) -> str:
    """ "Scheduled for Tuesday 1 June 2027, 09:00", in the site's time zone; with
    the offset when that hour happens twice (the night the clocks go back)."""
    local = utc(date).astimezone(ZoneInfo(settings["TIMEZONE"]))
    notice = f"Scheduled for {local:%A} {local.day} {local:%B %Y, %H:%M}"
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        offset = f"{local:%z}"
        notice += f" ({offset[:3]}:{offset[3:]})"
    return notice


def _as_scheduled_draft(article, settings: dict):
    """A copy shown as a draft; the original (kept in Pelican's content cache)
    stays published, so a later build publishes it once its date has come."""
    waiting = copy.copy(article)
    waiting.status = "draft"
    waiting.scheduled_for = article.date
    waiting.published_form = article  # for the check of the site at its own hour
    waiting.scheduled_notice = scheduled_notice(article.date, settings)
    return waiting


def hold_back_scheduled(generator) -> None:
    """Move scheduled articles to the drafts before any list is made of them."""
    settings = generator.settings
    moment = fix_build_moment(settings)
    held = {}
    for attribute in ("articles", "hidden_articles"):
        kept = []
        for article in getattr(generator, attribute):
            if is_scheduled(article, moment):
                held[id(article)] = _as_scheduled_draft(article, settings)
            else:
                kept.append(article)
        setattr(generator, attribute, kept)
    if not held:
        return
    generator.drafts = order_content(
        generator.drafts + list(held.values()), settings["ARTICLE_ORDER_BY"]
    )
    # {filename} links now lead to the draft's address, as they do for drafts.
    found = generator.context["generated_content"]
    for location, item in found.items():
        if id(item) in held:
            found[location] = held[id(item)]


def fix_moment_at_start(pelican) -> None:
    fix_build_moment(pelican.settings)


def register() -> None:
    signals.initialized.connect(fix_moment_at_start)
    signals.initialized.connect(leftovers.start)
    signals.article_generator_pretaxonomy.connect(hold_back_scheduled)
    signals.article_generator_finalized.connect(leftovers.note_other_addresses)
    signals.page_generator_finalized.connect(leftovers.note_other_addresses)
    signals.content_written.connect(leftovers.note_written)
    signals.feed_written.connect(leftovers.note_written)
    signals.static_generator_finalized.connect(leftovers.note_static)
    signals.finalized.connect(leftovers.remove_leftovers)
