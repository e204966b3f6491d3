"""Atom 1.0 and RSS 2.0 feeds of the latest articles, built with feedgen.

Reproducible: every timestamp comes from the articles, never from the clock,
so two builds of the same content give byte-identical feeds.
"""

from __future__ import annotations

import datetime
import mimetypes
import os
import uuid

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree
from pictures import shared_picture

from content_check.featured_image import featured_image

from .urls import absolute_url, article_content, article_summary, article_url, site_url

# The date of a feed with no article yet (every one scheduled, say): fixed, so
# two builds of the same content still give the same bytes (feedgen's default is now).
EMPTY_FEED_UPDATED = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
# Fixed for ever: an entry's id is derived from the article's Id with it.
ENTRY_ID_NAMESPACE = uuid.UUID("5b0f3c1e-8d4a-4c55-9a61-2f7e0c9d1b47")


class _EntryLinks(BaseEntryExtension):
    """Writes an Atom entry's links with their rel, type and length, in place
    of feedgen's: feedgen 1.0.0 drops those attributes, which turns an
    enclosure into a second alternate link (the W3C validator's "Duplicate
    alternate links"). feedgen builds the entry without a namespace (the feed's
    default one applies), so the replacements have none either. RSS keeps
    feedgen's own link and enclosure."""

    def __init__(self):
        self.links: list[dict[str, str]] = []

    def extend_atom(self, entry):
        first = next((i for i, child in enumerate(entry) if child.tag == "link"), len(entry))
        for dropped in entry.findall("link"):
            entry.remove(dropped)
        for offset, attributes in enumerate(self.links):
            link = etree.Element("link", attributes)
            entry.insert(first + offset, link)
        return entry


def _link(entry, **attributes) -> None:
    attributes = {name: str(value) for name, value in attributes.items()}
    entry.link(**attributes)
    entry.entry_links.links.append(attributes)


def entry_id(article) -> str:
    """A permanent id: the same for an article across rebuilds, renames, new
    titles and new dates, because it depends on its `Id:` alone."""
    return f"urn:uuid:{uuid.uuid5(ENTRY_ID_NAMESPACE, article.metadata['id'])}"


def updated(article):
    return getattr(article, "modified", None) or article.date


def build_feeds(articles: list, settings: dict) -> tuple[bytes, bytes]:
    """(Atom, RSS) documents of the newest articles."""
    latest = sorted(articles, key=lambda a: a.date, reverse=True)[: settings["FEED_MAX_ITEMS"]]
    feed = FeedGenerator()
    feed.load_extension("media")
    feed.load_extension("dc")  # RSS names authors with dc:creator (its own field wants an email)
    feed.register_extension("entry_links", BaseExtension, _EntryLinks, atom=True, rss=False)
    feed.id(f"{site_url(settings)}/")
    feed.title(settings["SITENAME"])
    feed.subtitle(settings.get("SITE_TAGLINE") or settings["SITENAME"])
    feed.author({"name": settings["AUTHOR"], "uri": f"{site_url(settings)}/"})
    feed.language(settings["DEFAULT_LANG"])
    feed.generator("feedgen")  # without a version, so an upgrade does not change the bytes
    # The last link() call sets RSS's channel link, so the home page goes last.
    atom_self = absolute_url(settings, settings["FEED_ATOM_PATH"])
    feed.link(href=atom_self, rel="self", type="application/atom+xml")
    feed.link(href=f"{site_url(settings)}/", rel="alternate")
    feed.updated(max((updated(a) for a in latest), default=EMPTY_FEED_UPDATED))
    for article in reversed(latest):  # feedgen prepends: the newest ends first
        _add_entry(feed, article, settings)
    atom = feed.atom_str(pretty=True)
    rss_self = absolute_url(settings, settings["FEED_RSS_PATH"])
    feed.link(href=rss_self, rel="self", type="application/rss+xml", replace=True)
    feed.link(href=f"{site_url(settings)}/", rel="alternate")
    return atom, feed.rss_str(pretty=True)


def _add_entry(feed: FeedGenerator, article, settings: dict) -> None:
    entry = feed.add_entry()
    entry.id(entry_id(article))
    entry.guid(entry_id(article), permalink=False)
    entry.title(article.title)
    _link(entry, href=article_url(article, settings), rel="alternate", type="text/html")
    entry.published(article.date)
    entry.updated(updated(article))
    authors = ", ".join(author.name for author in article.authors)
    entry.author({"name": authors})
    entry.dc.dc_creator(authors)
    for tag in getattr(article, "tags", []):
        entry.category(term=tag.name, label=tag.name)
    summary = article_summary(article, settings)
    if summary:
        entry.summary(summary, type="html")
    entry.content(article_content(article, settings), type="html")
    image = _featured_image(article, settings)
    if image:
        url, length, kind = image
        _link(entry, href=url, rel="enclosure", type=kind, length=length)
        entry.media.content({"url": url, "medium": "image", "type": kind}, group=None)


def _featured_image(article, settings: dict) -> tuple[str, int, str] | None:
    """The `Image:` of an article as (absolute URL, bytes, MIME type)."""
    value = article.metadata.get("image")
    path = value and featured_image(value, article.source_path, settings["PATH"])
    if not path:  # the content check reports it
        return None
    source = os.path.join(settings["PATH"], path)
    shared = shared_picture(settings, path)  # a photo's 1200 px JPEG, never the original
    if shared:
        path, source = shared
    kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return absolute_url(settings, path), os.path.getsize(source), kind
