"""Where a plugin of the speed layer changes a Pelican function to make a large
build cheaper, the answers are the function's own, and each change is made for
the version requirements.txt pins: after an upgrade the first test fails, and
each change needs reading against the new code before
plugins/speed/pelican_shortcuts allows it again."""

from __future__ import annotations

import copy
import functools
import shutil
import sys
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from pelican.contents import Article
from pelican.generators import ArticlesGenerator
from pelican.settings import DEFAULT_CONFIG
from test_parallel_build import build

from conftest import ROOT
from speed.article_lists import index_period_archives
from speed.content_cache import save_unless_unchanged
from speed.frozen_urls import keep_relative_source_paths

sys.path.insert(0, str(ROOT / "bench"))
from run import differences  # noqa: E402

from corpus import write_corpus  # noqa: E402


def test_every_shortcut_is_taken_with_the_pinned_versions():
    assert keep_relative_source_paths(), "frozen_urls: Content.get_relative_source_path"
    assert save_unless_unchanged(), "content_cache: Readers.save_cache"
    generator = SimpleNamespace(_build_period_archives=None)
    index_period_archives(generator)
    assert generator._build_period_archives is not None, "article_lists: period archives"


def test_with_other_versions_the_build_is_the_same_without_shortcuts(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    write_corpus(60, content)
    taken = tmp_path / "taken"
    assert build(content, taken).returncode == 0
    prelude = (
        f"import sys\nsys.path.insert(0, {str(ROOT / 'plugins')!r})\n"
        "import speed.pelican_shortcuts as shortcuts\n"
        "shortcuts.CHECKED.update({'pelican': '0.1'})"
    )
    for run in ("cold", "warm"):
        result = build(content, tmp_path / "not-taken", prelude=prelude)
        logged = result.stdout + result.stderr
        assert result.returncode == 0, logged
        assert "pelican 4.12.0 is not 0.1, the version the build's shortcuts were" in logged
        assert differences(taken, tmp_path / "not-taken") == [], run


def article(source_path, base: str) -> Article:
    settings = copy.deepcopy(DEFAULT_CONFIG)
    settings["PATH"] = base
    return Article("<p>Text.</p>", {"title": "A title"}, settings, source_path)


@pytest.mark.parametrize("base", ["/site/content", "/site/content/", "/site", "content"])
@pytest.mark.parametrize(
    "source_path, given",
    [
        ("/site/content/articles/walk.md", None),
        ("/site/content/articles/walk.md", "/site/content/images/heron.jpg"),
        ("/elsewhere/walk.md", None),
        ("articles/walk.md", None),
        ("/site/content/articles/walk.md", "articles/../pages/about.md"),
        ("/site/content/articles/walk.md", ""),
        (None, None),
        ("", None),
    ],
)
def test_relative_source_paths_are_pelicans(base, source_path, given):
    assert keep_relative_source_paths()
    item = article(source_path, base)
    method = type(item).get_relative_source_path
    for _ in range(2):  # worked out, then kept
        assert method(item, given) == method.__wrapped__(item, given)
    assert item.relative_source_path == method.__wrapped__(item)


class Item:
    """An article as _build_period_archives sees one: a date, no equality."""

    def __init__(self, date: datetime):
        self.date = date


class EqualToAll(Item):
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


def archives_by_identity(archives: dict) -> dict:
    """The archives with each article by identity (== would use an item's own)."""
    return {
        granularity: [
            {key: [id(a) for a in v] if key in ("dates", "articles") else v for key, v in a.items()}
            for a in periods
        ]
        for granularity, periods in archives.items()
    }


@pytest.mark.parametrize("kind", [Item, EqualToAll])
def test_period_archives_are_pelicans(kind):
    start = datetime(2024, 12, 30, 9, 0)
    articles = [kind(start + timedelta(days=days, hours=days % 5)) for days in range(0, 400, 3)]
    articles[7].date = articles[8].date  # two articles with one date
    newest_first = sorted(articles, key=lambda a: a.date, reverse=True)
    settings = copy.deepcopy(DEFAULT_CONFIG)
    settings["YEAR_ARCHIVE_SAVE_AS"] = "archives/{date:%Y}/index.html"
    settings["MONTH_ARCHIVE_SAVE_AS"] = "archives/{date:%Y}/{date:%m}/index.html"
    settings["DAY_ARCHIVE_SAVE_AS"] = "archives/{date:%Y}/{date:%m}/{date:%d}/index.html"
    pelicans = functools.partial(ArticlesGenerator._build_period_archives, None)
    generator = SimpleNamespace(_build_period_archives=pelicans)
    index_period_archives(generator)
    listed = articles[::2] + articles[1::2]  # the generator's own order, not by date
    ours = generator._build_period_archives(newest_first, listed, settings)
    theirs = pelicans(newest_first, listed, settings)
    assert archives_by_identity(ours) == archives_by_identity(theirs)
    if kind is Item:  # each article in its one year (an article equal to all is in every one)
        assert sum(len(year["articles"]) for year in ours["year"]) == len(articles)
