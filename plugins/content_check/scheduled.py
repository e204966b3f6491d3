"""Scheduled articles in the content check: what waits, links that lead to it,
and the site as it will be at each one's own hour.

Which article is scheduled is decided once, by the scheduling plugin, while
Pelican reads the content; here the check only reads that decision back from
the generators (a scheduled article is a draft carrying `scheduled_for`, and
its `published_form`, the article as it will be published).

The hourly build that publishes a scheduled article must not fail, since
nobody watches it: so each scheduled article is checked now as that build will
check it. It may link only to what is public by its own date; and the whole
site at its hour (its own address, its tags' and archives' pages, the lists'
pagination) may not write two things to one address.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections import defaultdict
from urllib.parse import unquote, urljoin, urlsplit

from scheduling import utc

from .problems import Problem, display_path
from .site import all_items, clashes, collision_problems, site_outputs
from .source import _outside_code, check_source

# Where a Markdown or HTML link names its address: `](x`, `[name]: x`, `href="x"`.
ADDRESS = re.compile(
    r"(?:\]\(\s*<?|^\s{0,3}\[[^\]]+\]:\s*<?|\bhref\s*=\s*[\"']?)(?P<target>[^)\s\"'<>]+)",
    re.IGNORECASE,
)


def scheduled_articles(generators: list) -> list:
    """Scheduled articles, soonest first."""
    articles = _generator(generators, "ArticlesGenerator")
    waiting = [a for a in articles.drafts if getattr(a, "scheduled_for", None)]
    return sorted(waiting, key=lambda article: utc(article.scheduled_for))


def waiting_list(generators: list) -> str:
    """The closing lines of `invoke check`: each scheduled article and its date."""
    waiting = scheduled_articles(generators)
    if not waiting:
        return "No article is scheduled."
    lines = [f"{len(waiting)} scheduled article{'s' if len(waiting) != 1 else ''}:"]
    lines += [
        f"  {display_path(article.source_path)}: {article.scheduled_notice}" for article in waiting
    ]
    return "\n".join(lines)


def links_to_scheduled(generators: list, settings: dict) -> list[Problem]:
    """An article or page may link only to what is public when it is: a public
    one to no scheduled article, a scheduled one to none scheduled after it;
    by `{filename}` or by the article's address (`/x/`, `../x/`, the site's
    full address)."""
    waiting = {os.path.abspath(a.source_path): a for a in scheduled_articles(generators)}
    if not waiting:
        return []
    by_address = {_address_key(a.published_form.url): a for a in waiting.values()}
    names = {os.path.basename(path) for path in waiting}
    names |= {key.rsplit("/", 1)[-1] for key in by_address}
    named = re.compile("|".join(map(re.escape, sorted(names))))
    sites = [settings.get("SITEURL") or "", settings.get("PUBLISH_SITEURL") or ""]
    root = os.path.abspath(settings["PATH"])
    problems = []
    for item, kind, live in _linking_items(generators):
        path = os.path.abspath(item.source_path)
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        if not named.search(text):
            continue  # the cheap test first: only a few files name one
        source = check_source(path, kind, root)
        links = list(source.links)
        for number, line in _outside_code(source.body):
            for match in ADDRESS.finditer(line):
                key = _site_key(match["target"], item.url, sites)
                if key in by_address:
                    links.append((number, os.path.abspath(by_address[key].source_path)))
        for line, target in dict.fromkeys(links):
            if target in waiting and (live is None or _later(waiting[target], live)):
                problems.append(_too_early(path, line, target, waiting[target], live))
    return problems


def _too_early(path: str, line: int, target: str, waiting, live) -> Problem:
    notice = waiting.scheduled_notice[0].lower() + waiting.scheduled_notice[1:]
    if live is None:
        return Problem(
            path,
            line,
            f"It links to {display_path(target)}, which is not public yet ({notice})",
            "add the link once that article is live, or give this one a Date at or after that one",
        )
    own = live.scheduled_notice[0].lower() + live.scheduled_notice[1:]
    return Problem(
        path,
        line,
        f"It links to {display_path(target)}, which will not be public yet when this "
        f"article goes live (this one is {own}; that one is {notice})",
        "give this article a Date at or after that one, or add the link once that article is live",
    )


def _later(target, live) -> bool:
    return utc(target.scheduled_for) > utc(live.scheduled_for)


def _linking_items(generators: list):
    """(item, kind, None) for what is public now; (item, "article", the
    scheduled draft) for each scheduled article, which links from its hour."""
    for generator in generators:
        name = type(generator).__name__
        if name == "ArticlesGenerator":
            for article in generator.articles + generator.hidden_articles:
                yield article, "article", None
            for draft in generator.drafts:
                if getattr(draft, "scheduled_for", None):
                    yield draft.published_form, "article", draft
        elif name == "PagesGenerator":
            yield from ((p, "page", None) for p in generator.pages + generator.hidden_pages)


def _address_key(url: str) -> str:
    """An address as compared: no leading or trailing "/", no "index.html"."""
    path = unquote(url).strip("/")
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return path.strip("/")


def _site_key(target: str, own_url: str, sites: list[str]) -> str | None:
    """The address `target` leads to on this site, written from a page at
    `own_url`; None for another site's."""
    parts = urlsplit(target)
    path = parts.path
    if parts.scheme or parts.netloc:
        for site in filter(None, sites):
            base = urlsplit(site)
            if parts.netloc.lower() == base.netloc.lower():
                path = path.removeprefix(base.path.rstrip("/"))
                break
        else:
            return None
    elif not path.startswith("/"):
        path = urljoin("/" + own_url, path)
    else:
        for site in filter(None, sites):  # a site served from a sub-path
            prefix = urlsplit(site).path.rstrip("/")
            if prefix and path.startswith(prefix + "/"):
                path = path.removeprefix(prefix)
    return _address_key(posixpath.normpath(path) + ("/" if path.endswith("/") else ""))


# --- the site at each scheduled article's own hour ------------------------------------


def collisions_at_their_hours(generators: list, settings: dict) -> list[Problem]:
    """Two things written to one address once scheduled articles are live
    (this one's public address, a tag page it brings, one more page of a list),
    each named with the hour it first happens. The site with every scheduled
    article live is checked first: only when it has a clash of its own is each
    hour checked, to name the first."""
    waiting = scheduled_articles(generators)
    if not waiting:
        return []
    articles = _generator(generators, "ArticlesGenerator")
    static = _generator(generators, "StaticGenerator")
    now = clashes(site_outputs(all_items(generators), articles, static, settings))
    seen = {_clash_key(item, output) for output, writers in now for item in writers}
    last = _site_at(generators, settings, waiting, len(waiting) * [True])
    if all(_clash_key(i, o) in seen for o, writers in last for i in writers):
        return []
    problems = []
    for index, article in enumerate(waiting):
        live = [utc(other.scheduled_for) <= utc(article.scheduled_for) for other in waiting]
        if index + 1 < len(waiting) and live[index + 1]:
            continue  # the next one goes live at the same instant: checked with it
        new = []
        for output, writers in _site_at(generators, settings, waiting, live):
            keys = {_clash_key(item, output) for item in writers}
            if not keys <= seen:
                new.append((output, writers))
                seen |= keys
        when = article.scheduled_notice.removeprefix("Scheduled for ")
        same = [w for w in waiting if utc(w.scheduled_for) == utc(article.scheduled_for)]
        names = " and ".join(display_path(w.source_path) for w in same)
        goes = "goes" if len(same) == 1 else "go"
        problems += collision_problems(new, f"From {when}, when {names} {goes} live, ")
    return problems


def _clash_key(item, output: str) -> tuple:
    return (getattr(item, "source_path", item), output)


def _site_at(generators: list, settings: dict, waiting: list, live: list[bool]) -> list:
    """The clashes of the site with the scheduled articles marked in `live` published."""
    articles = _generator(generators, "ArticlesGenerator")
    going = {id(draft): draft.published_form for draft, on in zip(waiting, live, strict=True) if on}
    items = [going.get(id(item), item) for item in all_items(generators)]
    listed = articles.articles + [a for a in going.values() if a.status == "published"]
    static = _generator(generators, "StaticGenerator")
    return clashes(site_outputs(items, _ArticlesAt(listed, settings), static, settings))


class _ArticlesAt:
    """What the check of addresses reads of the articles' generator, for the
    articles `listed` at some moment: as Pelican groups them (generators.py)."""

    def __init__(self, listed: list, settings: dict):
        tags, categories, authors = defaultdict(list), defaultdict(list), defaultdict(list)
        for article in listed:
            if hasattr(article, "category"):
                categories[article.category].append(article)
            for tag in getattr(article, "tags", []):
                tags[tag].append(article)
            for author in getattr(article, "authors", []):
                authors[author].append(article)
        self.tags, self.categories, self.authors = tags, categories, authors
        self.dates = sorted(listed, key=lambda article: utc(article.date))
        self.period_archives = {}
        for granularity, parts in (("year", 1), ("month", 2), ("day", 3)):
            save_as = settings[f"{granularity.upper()}_ARCHIVE_SAVE_AS"]
            if save_as:
                first = {}  # one date of each period names its page
                for article in self.dates:
                    first.setdefault(article.date.timetuple()[:parts], article.date)
                paths = dict.fromkeys(save_as.format(date=date) for date in first.values())
                self.period_archives[granularity] = [{"save_as": path} for path in paths]


def _generator(generators: list, name: str):
    return next(g for g in generators if type(g).__name__ == name)
