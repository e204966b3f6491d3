"""Plain functions behind the reader details; none of them needs a running build."""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from html import unescape

from markupsafe import Markup
from pelican.utils import truncate_html_words

from content_check.featured_image import featured_image

WORDS_PER_MINUTE = 220
RELATED_LIMIT = 3
_TAG = re.compile(r"<[^>]+>")
# Characters that could end a <script> element or confuse an HTML parser.
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028"}
_JSON_ESCAPES["\u2029"] = "\\u2029"


def reading_time(html: str) -> int:
    """Minutes a reader needs for this HTML, never less than one."""
    words = len(unescape(_TAG.sub(" ", html)).split())
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


class TagIndex:
    """The articles carrying each tag, as one whole number per tag whose bit r
    is set when the article of rank r (in date order) carries it; the articles
    sharing the most tags are then found with a few operations on those numbers
    instead of comparing articles, and ties go to the newer one (the higher bit)
    for free. Articles with the same tags share one answer."""

    def __init__(self, articles: list):
        self.by_rank = sorted(articles, key=lambda article: article.date)
        self.rank = {id(article): rank for rank, article in enumerate(self.by_rank)}
        ranks = defaultdict(list)
        for rank, article in enumerate(self.by_rank):
            for tag in set(getattr(article, "tags", []) or []):
                ranks[tag].append(rank)
        self.carrying = {tag: sum(1 << rank for rank in found) for tag, found in ranks.items()}
        self._best: dict[tuple[frozenset, int], list[int]] = {}

    def related(self, article, limit: int = RELATED_LIMIT) -> list:
        """Up to `limit` other articles sharing the most tags, the newest first on a tie."""
        tags = frozenset(getattr(article, "tags", []) or [])
        best = self._best.get((tags, limit))
        if best is None:  # one more than asked for: the article itself may be among them
            best = self._best[tags, limit] = self._sharing_most(tags, limit + 1)
        own = self.rank.get(id(article))
        return [self.by_rank[rank] for rank in best if rank != own][:limit]

    def _sharing_most(self, tags: frozenset, count: int) -> list[int]:
        """Ranks of up to `count` articles sharing at least one of `tags`, the
        most shared first, then the newest."""
        # at_least[n]: the articles sharing n or more of the tags (at_least[0]: all).
        at_least = [-1] + [0] * (len(tags) + 1)
        for tag in tags:
            carrying = self.carrying.get(tag, 0)
            for n in range(len(tags), 0, -1):
                at_least[n] |= at_least[n - 1] & carrying
        ranks: list[int] = []
        for n in range(len(tags), 0, -1):
            exactly = at_least[n] ^ at_least[n + 1]
            while exactly and len(ranks) < count:
                rank = exactly.bit_length() - 1
                ranks.append(rank)
                exactly ^= 1 << rank
        return ranks


def neighbours(articles: list) -> dict[int, tuple]:
    """id(article) -> (newer, older) published article next to it; None at either end."""
    by_date = sorted(articles, key=lambda a: a.date)
    last = len(by_date) - 1
    return {
        id(article): (by_date[i + 1] if i < last else None, by_date[i - 1] if i > 0 else None)
        for i, article in enumerate(by_date)
    }


def absolute_url(siteurl: str, path: str) -> str:
    """The public address of an output path ("tag/ifs/index.html" -> ".../tag/ifs/")."""
    path = path.lstrip("/")
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return f"{siteurl.rstrip('/')}/{path}"


def social_image(item, settings: dict) -> str:
    """Absolute address of the item's `Image:` header, or the site's default picture."""
    value = getattr(item, "image", None)
    image = value and featured_image(value, item.source_path, settings["PATH"])
    return absolute_url(settings["SITEURL"], image or settings.get("SITE_IMAGE", ""))


def _plain(text: str) -> str:
    return " ".join(unescape(_TAG.sub(" ", str(text))).split())


def description(article, settings: dict) -> str:
    """The article's summary as plain text: its Summary, or else its opening words,
    as Pelican's own summary has them.

    Read from what the reader gave, never from `article.summary`: Pelican works that
    out once and keeps it, with its links resolved as far as they can be at that
    moment, and before the static files are known a `{static}` image would stay
    unresolved on the page, in the feeds and in the email."""
    summary = article.metadata.get("summary")
    if summary is None:
        limit = settings.get("SUMMARY_MAX_LENGTH")
        summary = article._content
        if limit is not None:
            summary = truncate_html_words(summary, limit, settings["SUMMARY_END_SUFFIX"])
    return _plain(summary)


def by_site_author(article, settings: dict) -> bool:
    """Whether the site's own author (AUTHOR, the About page's person) wrote it."""
    return str(article.author) == settings["AUTHOR"]


def author_page(article, settings: dict) -> str:
    """The page about the article's author: the About page for the site's own
    author, the list of their articles for anyone else."""
    if by_site_author(article, settings):
        return settings.get("ABOUT_PAGE", "about/")
    return article.author.url


def structured_data(article, settings: dict) -> dict:
    """The schema.org BlogPosting for an article; dateModified only when the
    coach wrote a `Modified:` date (else it would repeat datePublished)."""
    siteurl = settings["SITEURL"]
    modified = getattr(article, "modified", None)
    url = absolute_url(siteurl, article.url)
    return {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": str(article.title),
        "description": description(article, settings),
        "datePublished": article.date.isoformat(),
        **({"dateModified": modified.isoformat()} if modified else {}),
        "author": {
            "@type": "Person",
            "name": str(article.author),
            "url": absolute_url(siteurl, author_page(article, settings)),
        },
        "image": social_image(article, settings),
        "url": url,
        "mainEntityOfPage": url,
    }


def json_ld(data: dict) -> Markup:
    """JSON for a <script type="application/ld+json"> element; no value can end it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for character, escape in _JSON_ESCAPES.items():
        text = text.replace(character, escape)
    return Markup(text)


def robots_txt(siteurl: str) -> str:
    """Let every crawler in; name the sitemap when the public address is known."""
    lines = ["User-agent: *", "Allow: /"]
    if siteurl.startswith(("http://", "https://")):
        lines += ["", f"Sitemap: {absolute_url(siteurl, 'sitemap.xml')}"]
    return "\n".join(lines) + "\n"
