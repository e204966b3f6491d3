"""What each speed shortcut takes out of a build, its work timed on its own.

On a machine shared with other work, whole builds vary by more than the 2% the
removal rule asks about (bench/shortcuts.py shows by how much). This times,
at 1,000 articles, the very work each shortcut avoids, with Pelican's function
and with the shortcut, each the fastest of several repeats (short, so seldom
disturbed), and multiplies by how often a build does it (the counts are
bench/upstream_costs.py's, from a profiled plain-Pelican build):

- frozen_urls: reading an article's `url` (Pelican formats it on every read;
  23,075 reads of `url`/`save_as` a build);
- article_lists (removed: below 2%): the `in` tests of the tag, category,
  author and year pages;
- content_cache: stamping the files (SHA-256: 4 per file cold, 3 warm, against
  1) and writing the unchanged reader cache of a warm build;
- template_cache: compiling the theme's templates (23 compilations a build);
- sitemap_dates (removed: below 2%): pelican-sitemap's two date formats,
  1,614 dates.

Run: python3 bench/shortcut_parts.py
"""

from __future__ import annotations

import hashlib
import os
import pickle
import random
import tempfile
import time
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from pelican.contents import Article
from pelican.plugins.sitemap import sitemap
from pelican.readers import Readers
from pelican.settings import read_settings
from pelican.utils import SafeDatetime

from corpus import TAGS, write_corpus
from project import ROOT

ARTICLES = 1000
URL_READS = 23_075  # reads of url / save_as in a build (bench/upstream_costs.py)
COMPILATIONS = 23  # template compilations in a build (bench/upstream_costs.py)
SITEMAP_DATES = 1_614  # pelican-sitemap format_date calls (bench/upstream_costs.py)


def fastest(work, repeats: int = 7) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def url_reads(settings: dict) -> tuple[float, float]:
    article = Article(
        "<p>Text.</p>",
        {"title": "A", "slug": "a", "date": SafeDatetime(2025, 1, 1)},
        settings,
        os.path.join(settings["PATH"], "articles", "a.md"),
    )
    pelicans = fastest(lambda: [article.url for _ in range(URL_READS)], 3)
    article.override_url = article.url
    frozen = fastest(lambda: [article.url for _ in range(URL_READS)], 3)
    return pelicans, frozen


def membership() -> tuple[float, float]:
    class Item: ...

    rng = random.Random(1)
    site = [Item() for _ in range(ARTICLES)]
    groups: list[list] = [[] for _ in range(len(TAGS) + 3 + 1 + 3)]
    for item in site:
        for tag in rng.sample(range(len(TAGS)), 3):
            groups[tag].append(item)
        groups[len(TAGS) + rng.randrange(3)].append(item)  # its category
        groups[len(TAGS) + 3].append(item)  # the one author
    for year in range(3):
        groups[len(TAGS) + 4 + year] = site[year * ARTICLES // 3 : (year + 1) * ARTICLES // 3]
    pelicans = fastest(lambda: [[a for a in site if a in members] for members in groups], 3)

    def by_identity(members: list) -> list:
        """The fix: a set of the members' identities, made once per page."""
        ids = {id(member) for member in members}
        return [a for a in site if id(a) in ids]

    ours = fastest(lambda: [by_identity(members) for members in groups], 3)
    return pelicans, ours


def stamps(files: list[Path]) -> float:
    def stamp_all():
        for path in files:
            with open(path, "rb") as handle:
                hashlib.sha256(handle.read()).digest()

    return fastest(stamp_all)


def cache_write(corpus: Path, work: Path) -> float:
    """A reader cache of ARTICLES readings, pickled as Readers.save_cache does."""
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={"PATH": str(corpus)})
    settings.update(CACHE_PATH=str(work / "cache"), CACHE_CONTENT=True, LOAD_CONTENT_CACHE=False)
    readers = Readers(settings, "article_readers")
    for path in sorted((corpus / "articles").glob("*.md")):
        readers.read_file(str(corpus), str(path), Article, None)
    target = work / "cache.pickle"

    def write():
        with open(target, "wb") as handle:
            pickle.dump(readers._cache, handle)

    return fastest(write, 5)


class _AnyFilter(dict):
    """Compiling only needs each filter the templates name (plugins add them) to exist."""

    def get(self, name, default=None):
        return super().get(name, str)

    def __contains__(self, name) -> bool:
        return True


def compilations() -> float:
    environment_options = read_settings(str(ROOT / "pelicanconf.py"))["JINJA_ENVIRONMENT"]
    names = [p.name for p in (ROOT / "theme" / "templates").glob("*.html")]

    def compile_all():
        environment = Environment(
            loader=FileSystemLoader(str(ROOT / "theme" / "templates")), **environment_options
        )
        environment.filters = _AnyFilter(environment.filters)
        for name in names:
            environment.get_template(name)

    return fastest(compile_all, 5) / len(names)


def sitemap_dates() -> tuple[float, float]:
    def plain_datetime(date: SafeDatetime) -> datetime:
        return datetime(*date.timetuple()[:6], date.microsecond, date.tzinfo, fold=date.fold)

    dates = [SafeDatetime(2024, 1, 1, 9, 0) for _ in range(SITEMAP_DATES)]
    original = getattr(sitemap.format_date, "__wrapped__", sitemap.format_date)
    pelicans = fastest(lambda: [original(d) for d in dates])
    ours = fastest(lambda: [original(plain_datetime(d)) for d in dates])
    return pelicans, ours


def main() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "plugins"))
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        corpus = write_corpus(ARTICLES, work / "corpus")
        files = sorted((corpus / "articles").glob("*.md"))
        settings = read_settings(str(ROOT / "pelicanconf.py"), override={"PATH": str(corpus)})
        url = url_reads(settings)
        lists = membership()
        stamp = stamps(files)
        written = cache_write(corpus, work)
        compile_one = compilations()
        dates = sitemap_dates()
    compiled = COMPILATIONS * compile_one
    rows = [
        ("frozen_urls: url reads", url[0], url[1], url[0] - url[1], url[0] - url[1]),
        ("article_lists: in tests", lists[0], lists[1], lists[0] - lists[1], lists[0] - lists[1]),
        ("content_cache: stamps", 4 * stamp, stamp, 3 * stamp, 2 * stamp),
        ("content_cache: cache write", written, 0.0, 0.0, written),
        ("template_cache: compiling", compiled, 0.0, compiled, compiled),
        ("sitemap_dates: formats", dates[0], dates[1], dates[0] - dates[1], dates[0] - dates[1]),
    ]
    print(f"The work each shortcut avoids, {ARTICLES:,} articles, fastest of its repeats (seconds)")
    heads = ("Pelican", "shortcut", "saved cold", "saved warm")
    print(f"{'shortcut: work':30} {heads[0]:>8} {heads[1]:>8} {heads[2]:>10} {heads[3]:>10}")
    for name, pelicans, ours, cold, warm in rows:
        print(f"{name:30} {pelicans:>8.3f} {ours:>8.3f} {cold:>10.3f} {warm:>10.3f}")


if __name__ == "__main__":
    main()
