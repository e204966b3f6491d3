"""What each speed shortcut takes out of a build, its work timed on its own.

On a machine shared with other work, whole builds vary by more than the 2% the
removal rule asks about (bench/shortcuts.py shows by how much). This times,
at 1,000 articles, the very work each shortcut avoids, with Pelican's function
and with the shortcut, each the fastest of several repeats (short, so seldom
disturbed), and multiplies by how often a build does it (the counts are
bench/upstream_costs.py's, from a profiled plain-Pelican build):

- frozen_urls: reading an article's `url` (Pelican formats it on every read;
  23,075 reads of `url`/`save_as` a build);
- article_lists: the `in` tests of the tag, category, author and year pages
  (timed with the fix written out: a set of identities per page);
- content_cache: stamping the files (SHA-256: 4 per file cold, 3 warm, against
  1) and writing the unchanged reader cache of a warm build;
- template_cache: compiling the theme's templates (23 compilations a build);
- sitemap_dates (removed: below 2%): pelican-sitemap's two date formats,
  1,614 dates.

Then it times the whole site with the layer, cold and warm (fastest of 3), and
gives each shortcut's share of the build without it, and the 2% verdict.
(sitemap_dates was removed by it; its row shows what pelican-sitemap's code
still costs, docs/upstream.md.)

Run: python3 bench/shortcut_parts.py   (invoke bench runs it)
"""

from __future__ import annotations

import hashlib
import os
import pickle
import random
import sys
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
from run import set_aside, timed_build

from corpus import TAGS, write_corpus
from project import ROOT

ARTICLES = 1000
URL_READS = 23_075  # reads of url / save_as in a build (bench/upstream_costs.py)
COMPILATIONS = 23  # template compilations in a build (bench/upstream_costs.py)
RULE = 0.02  # a shortcut saving less than this share of a cold and of a warm build goes
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


def builds(corpus: Path, work: Path, runs: int = 3) -> tuple[float, float]:
    """The fastest cold and warm wall seconds of the whole site with the whole layer."""
    cold, warm = [], []
    for _ in range(runs):
        cache, output = work / "build-cache", work / "build-output"
        set_aside(cache, work)
        set_aside(output, work)
        command = [sys.executable, "-m", "pelican", str(corpus), "-s", "pelicanconf.py"]
        command += ["-o", str(output), "-e", f'CACHE_PATH="{cache}"']
        cold.append(timed_build(command, ROOT)[0])
        warm.append(timed_build(command, ROOT)[0])
    return min(cold), min(warm)


def main() -> None:
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
        cold_build, warm_build = builds(corpus, work)
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
    print(
        f"\nAgainst the whole site with the layer (fastest of 3): cold {cold_build:.2f} s, "
        f"warm {warm_build:.2f} s; the share of the build without the shortcut:"
    )
    shares: dict[str, list[float]] = {}
    for name, _, _, cold, warm in rows:
        shortcut = name.split(":")[0]
        cold_share, warm_share = cold / (cold_build + cold), warm / (warm_build + warm)
        total = shares.setdefault(shortcut, [0.0, 0.0])
        total[0] += cold_share
        total[1] += warm_share
    for shortcut, (cold_share, warm_share) in shares.items():
        keep = cold_share >= RULE or warm_share >= RULE
        verdict = "keep" if keep else "REMOVE (< 2% of both)"
        print(f"  {shortcut:16} cold {cold_share:5.1%}  warm {warm_share:5.1%}  {verdict}")


if __name__ == "__main__":
    main()
