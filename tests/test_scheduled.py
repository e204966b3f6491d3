"""Scheduled articles: a published article dated later than the build's moment
is absent from every public output until a build runs at or after its date,
and waits under drafts/ with a notice in a writing build.

The dates are computed from the clock when the tests run: one day ahead, one
minute ago (written with the offset of another time zone) and one year ago,
for the site's own time zone and for another one set as the site's."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from lxml import etree

from conftest import (
    OWN_SITE,
    ROOT,
    parse,
    problem_lines,
    run_invoke,
    run_pelican,
    with_own_addresses,
)
from project import copy_project
from scheduling import build_moment

AHEAD, JUST_NOW, LAST_YEAR = "Written Ahead Of Time", "Just Gone Live", "A Year Back"
OTHER_ZONE = ZoneInfo("Asia/Kolkata")  # +05:30: a date read as site time would be hours off


def article(name: str, title: str, date: str, tags: str = "planning") -> str:
    return (
        f"Title: {title}\nDate: {date}\nId: sched-{name}\nCategory: Scheduling Notes\n"
        f"Tags: {tags}\nAuthor: Robin Planner\nSummary: About {title.lower()}.\n\n"
        f"A paragraph about {title.lower()} and planning ahead.\n"
    )


def write_articles(content: Path, zone: ZoneInfo, now: datetime) -> datetime:
    """The three articles; returns the date of the one ahead."""
    ahead = (now + timedelta(days=1)).astimezone(zone)
    just_now = (now - timedelta(minutes=1)).astimezone(OTHER_ZONE)
    last_year = (now - timedelta(days=365)).astimezone(zone)
    folder = content / "articles"
    (folder / "ahead.md").write_text(
        article("ahead", AHEAD, f"{ahead:%Y-%m-%d %H:%M}", "planning, only-ahead")
    )
    (folder / "just-now.md").write_text(
        article("just-now", JUST_NOW, just_now.strftime("%Y-%m-%dT%H:%M%z"))
    )
    (folder / "last-year.md").write_text(
        article("last-year", LAST_YEAR, f"{last_year:%Y-%m-%d %H:%M}")
    )
    return ahead.replace(second=0, microsecond=0)


class Site:
    """The same content built as a writer sees it now, as published now, and as
    published once the article ahead is due."""

    def __init__(self, base: Path, zone_name: str):
        self.zone = ZoneInfo(zone_name)
        self.content = base / "content"
        shutil.copytree(ROOT / "content", self.content)
        self.ahead = write_articles(self.content, self.zone, datetime.now(self.zone))
        zone_setting = ("-e", f'TIMEZONE="{zone_name}"')
        self.writing = self._build(base / "writing", "pelicanconf.py", zone_setting)
        self.now = self._build(base / "now", "publishconf.py", zone_setting)
        later = (self.ahead + timedelta(minutes=1)).isoformat()
        # One -e with both: a second -e would replace the first (Pelican's option).
        both = (*zone_setting, f'BUILD_MOMENT="{later}"')
        self.later = self._build(base / "later", "publishconf.py", both)

    def _build(self, output: Path, settings: str, extra: tuple) -> Path:
        result = run_pelican(self.content, output, settings, *extra)
        assert result.returncode == 0, result.stdout + result.stderr
        return output


@pytest.fixture(scope="module", params=["America/New_York", "Pacific/Auckland"])
def site(request, tmp_path_factory) -> Site:
    return Site(tmp_path_factory.mktemp("scheduled"), request.param)


def listed_pages(output: Path, ahead_year: int) -> list[Path]:
    """Every public page that lists articles and would list the one ahead."""
    pages = [
        "index.html",
        "tag/planning/index.html",
        "category/scheduling-notes/index.html",
        "author/robin-planner/index.html",
        "archives/index.html",
        f"archives/{ahead_year}/index.html",
        "tags/index.html",
        "categories/index.html",
    ]
    return [output / page for page in pages]


def titles_in(page: Path) -> str:
    return " ".join(parse(page).xpath("//main//text()")) if page.exists() else ""


def feed_titles(output: Path) -> dict[str, list[str]]:
    return {
        name: [entry.title for entry in feedparser.parse(output / "feeds" / name).entries]
        for name in ("atom.xml", "rss.xml")
    }


def sitemap_paths(output: Path) -> list[str]:
    tree = etree.parse(str(output / "sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return [loc.split("/", 3)[3] for loc in tree.xpath("//s:loc/text()", namespaces=ns)]


def links_from_article(output: Path, slug: str) -> str:
    """Everything an article page points to: neighbours, related, JSON-LD."""
    page = parse(output / slug / "index.html")
    hrefs = page.xpath("//nav[contains(@class, 'neighbours')]//a/@href")
    hrefs += page.xpath("//section[contains(@class, 'related')]//a/@href")
    json_ld = page.xpath("//script[@type='application/ld+json']/text()")
    return " ".join(hrefs + [json.dumps(json.loads(text)) for text in json_ld])


def test_a_scheduled_article_is_in_no_public_output_before_its_date(site):
    output = site.now
    assert not (output / "ahead").exists()
    assert not (output / "drafts").exists()
    assert not (output / "tag" / "only-ahead").exists()
    for page in listed_pages(output, site.ahead.year):
        assert AHEAD not in titles_in(page), page
        assert "only-ahead" not in titles_in(page), page
    for page in listed_pages(output, site.ahead.year)[:5]:
        assert JUST_NOW in titles_in(page), page  # the lists do list what is live
    for name, titles in feed_titles(output).items():
        assert JUST_NOW in titles and LAST_YEAR in titles, name
        assert AHEAD not in titles, name
    paths = sitemap_paths(output)
    assert "just-now/" in paths and "last-year/" in paths
    assert "ahead/" not in paths and "tag/only-ahead/" not in paths
    for slug in ("just-now", "last-year"):
        links = links_from_article(output, slug)
        assert "ahead/" not in links and AHEAD not in links, slug
    assert "just-now/" in links_from_article(output, "last-year")  # related is at work
    for page in output.rglob("*"):
        if page.is_file() and page.suffix in {".html", ".xml", ".txt", ".json"}:
            text = page.read_text(encoding="utf-8")
            assert AHEAD not in text and "sched-ahead" not in text, page


def test_a_writing_build_shows_it_under_drafts_with_its_date(site):
    page = site.writing / "drafts" / "ahead" / "index.html"
    notice = parse(page).xpath("//p[@role='note']")
    local = site.ahead.astimezone(site.zone)
    expected = f"Scheduled for {local:%A} {local.day} {local:%B %Y, %H:%M}"
    assert len(notice) == 1 and expected in notice[0].text_content()
    shown = datetime.fromisoformat(notice[0].xpath(".//time/@datetime")[0])
    assert shown == site.ahead
    assert not (site.writing / "ahead").exists()
    assert AHEAD not in titles_in(site.writing / "index.html")
    live = parse(site.writing / "just-now" / "index.html")
    assert not live.xpath("//p[@role='note']")


def test_once_its_date_has_passed_it_is_everywhere(site):
    output = site.later
    page = parse(output / "ahead" / "index.html")
    assert page.xpath("//h1/text()") == [AHEAD]
    assert not page.xpath("//p[@role='note']")
    for page in listed_pages(output, site.ahead.year)[:6]:
        assert AHEAD in titles_in(page), page
    assert "only-ahead" in titles_in(output / "tags" / "index.html")
    for name, titles in feed_titles(output).items():
        assert titles[0] == AHEAD, name
    assert "ahead/" in sitemap_paths(output)
    assert "ahead/" in links_from_article(output, "just-now")  # its newer neighbour
    assert not (output / "drafts").exists()


def test_the_build_moment_must_be_a_date(tmp_path):
    result = run_pelican(
        ROOT / "content", tmp_path / "out", "pelicanconf.py", "-e", 'BUILD_MOMENT="next week"'
    )
    assert result.returncode != 0
    assert 'BUILD_MOMENT "next week" is not a date and time' in result.stdout + result.stderr


# --- the newsletter, the check and its links -----------------------------------------


@pytest.fixture
def planned_project(tmp_path) -> tuple[Path, datetime]:
    project = with_own_addresses(copy_project(tmp_path / "project"))
    zone = ZoneInfo("America/New_York")
    ahead = write_articles(project / "content", zone, datetime.now(zone))
    return project, ahead


def composed_ids(project: Path, out: Path, moment: str = "") -> list[str]:
    env = {**os.environ, "BUILD_MOMENT": moment}
    result = run_invoke(project, "digest", "--out", str(out), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((out / "issue.json").read_text())["articles"]


def site_titles(project: Path, output: Path, moment: str = "") -> set[str]:
    """The titles in the feed of a publish build at `moment` (empty: the clock)."""
    extra = ("-e", f'BUILD_MOMENT="{moment}"') if moment else ()
    result = run_pelican(project / "content", output, "publishconf.py", *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return {entry.title for entry in feedparser.parse(output / "feeds" / "atom.xml").entries}


def test_the_digest_carries_it_exactly_when_the_site_shows_it(planned_project, tmp_path):
    project, ahead = planned_project
    now_ids = composed_ids(project, tmp_path / "now")
    assert "sched-just-now" in now_ids and "sched-last-year" in now_ids
    assert "sched-ahead" not in now_ids
    assert AHEAD not in site_titles(project, tmp_path / "site-now")

    later = (ahead + timedelta(minutes=1)).isoformat()
    later_ids = composed_ids(project, tmp_path / "later", later)
    assert later_ids[0] == "sched-ahead"
    assert AHEAD in site_titles(project, tmp_path / "site-later", later)

    just_before = (ahead - timedelta(minutes=1)).isoformat()
    assert "sched-ahead" not in composed_ids(project, tmp_path / "before", just_before)
    assert AHEAD not in site_titles(project, tmp_path / "site-before", just_before)


def test_the_newsletter_web_archive_never_shows_it(planned_project, tmp_path):
    project, _ = planned_project
    out = tmp_path / "issue"
    composed_ids(project, out)
    marked = run_invoke(project, "digest", "--out", str(out), "--mark-sent")
    assert marked.returncode == 0, marked.stderr
    output = tmp_path / "site"
    site_titles(project, output)
    issue = parse(output / "newsletter" / "1" / "index.html").text_content()
    assert JUST_NOW in issue and AHEAD not in issue
    assert AHEAD not in parse(output / "newsletter" / "archive" / "index.html").text_content()


def test_check_ends_with_the_scheduled_articles_and_their_dates(planned_project):
    project, ahead = planned_project
    result = run_invoke(project, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    expected = f"Scheduled for {ahead:%A} {ahead.day} {ahead:%B %Y, %H:%M}"
    assert result.stdout.strip().splitlines()[-2:] == [
        "1 scheduled article:",
        f"  content/articles/ahead.md: {expected}",
    ]


def test_a_link_to_a_scheduled_article_is_a_problem_naming_its_date(planned_project, tmp_path):
    project, ahead = planned_project
    linking = project / "content" / "articles" / "just-now.md"
    linking.write_text(linking.read_text() + "\nRead [what comes next]({filename}ahead.md).\n")
    line = len(linking.read_text().splitlines())
    expected = (
        f"content/articles/just-now.md:{line}: It links to content/articles/ahead.md, "
        f"which is not public yet (scheduled for {ahead:%A} {ahead.day} "
        f"{ahead:%B %Y, %H:%M}). Fix: add the link once that article is live"
    )
    result = run_invoke(project, "check")
    assert result.returncode == 1
    assert expected in result.stderr
    assert "1 scheduled article:" in result.stderr  # the list still ends the report

    built = run_pelican(project / "content", tmp_path / "out", "publishconf.py")
    assert built.returncode == 1 and "which is not public yet" in built.stdout + built.stderr

    # Once it is live, the same link is fine.
    later = (ahead + timedelta(minutes=1)).isoformat()
    env = {**os.environ, "BUILD_MOMENT": later}
    assert run_invoke(project, "check", env=env).returncode == 0


def test_the_writing_guide_header_template_passes_the_check_as_draft_and_as_scheduled(tmp_path):
    guide = (ROOT / "docs" / "writing.md").read_text()
    section = guide.split("## Without the editor", 1)[1]
    template = section.split("```", 2)[1]
    header = "\n".join(line.strip() for line in template.strip().splitlines())
    assert header.startswith("Title: ") and "\nDate: 2027-06-01 09:00\n" in f"\n{header}\n"
    project = copy_project(tmp_path / "project")
    article = project / "content" / "articles" / "my-article.md"
    article.write_text(header + "\n\nA first paragraph.\n")
    result = run_invoke(project, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No article is scheduled." in result.stdout

    article.write_text(header.replace("Status: draft", "Status: published") + "\n\nText.\n")
    result = run_invoke(project, "check", env={**os.environ, "BUILD_MOMENT": "2027-05-31T12:00"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "  content/articles/my-article.md: Scheduled for Tuesday 1 June 2027, 09:00"
    )


def test_the_moment_github_gives_a_run_is_read_in_the_site_time_zone():
    settings = {"TIMEZONE": "America/New_York", "BUILD_MOMENT": "2026-11-30T12:05:12Z"}
    moment = build_moment(settings)
    assert moment == datetime(2026, 11, 30, 7, 5, 12, tzinfo=ZoneInfo("America/New_York"))
    assert moment.utcoffset() == timedelta(hours=-5)
    naive = build_moment({**settings, "BUILD_MOMENT": "2026-11-30T07:05"})
    assert naive == datetime(2026, 11, 30, 7, 5, tzinfo=ZoneInfo("America/New_York"))
    assert abs(build_moment({**settings, "BUILD_MOMENT": ""}) - datetime.now(ZoneInfo("UTC"))) < (
        timedelta(seconds=5)
    )


def test_links_to_two_scheduled_articles_are_both_found_in_every_run(planned_project):
    project, ahead = planned_project
    articles = project / "content" / "articles"
    later = (ahead + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    (articles / "further-ahead.md").write_text(article("further", "Further Ahead", later))
    first, second = articles / "just-now.md", articles / "last-year.md"
    first.write_text(first.read_text() + "\nSee [soon]({filename}ahead.md).\n")
    second.write_text(second.read_text() + "\nSee [later]({filename}further-ahead.md).\n")
    # Another hash seed orders the set of names differently; each run finds both.
    for seed in ("1", "2", "3"):
        result = run_invoke(project, "check", env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 1
        assert "just-now.md:" in result.stderr and "last-year.md:" in result.stderr, seed


# --- each scheduled article as at its own hour -----------------------------------------


def when(moment: datetime) -> str:
    return f"{moment:%A} {moment.day} {moment:%B %Y, %H:%M}"


def test_a_scheduled_article_is_checked_now_as_the_build_at_its_hour_will(
    planned_project, tmp_path
):
    """The unattended build that publishes it would fail on these, and deploy nothing."""
    project, ahead = planned_project
    content = project / "content"
    further = ahead + timedelta(days=2)
    (content / "articles" / "further-ahead.md").write_text(
        article("further", "Further Ahead", f"{further:%Y-%m-%d %H:%M}")
    )
    linking = content / "articles" / "ahead.md"
    linking.write_text(linking.read_text() + "\nThen [more]({filename}further-ahead.md).\n")
    line = len(linking.read_text().splitlines())
    (content / "pages" / "same-address.md").write_text("Title: Same\nSlug: ahead\n\nA page.\n")
    (content / "pages" / "tag-address.md").write_text(
        "Title: Taken\nSave_as: tag/only-ahead/index.html\n\nA page.\n"
    )
    result = run_invoke(project, "check")
    assert result.returncode == 1, result.stdout + result.stderr
    from_then = f"From {when(ahead)}, when content/articles/ahead.md goes live, its address"
    unique = (
        'rename one of the files, or give one a different "Slug:" line, so each address is unique'
    )
    found = {(m["path"], m["line"], m["what"], m["fix"]) for m in problem_lines(result.stderr)}
    assert found == {
        (
            "content/articles/ahead.md",
            str(line),
            "It links to content/articles/further-ahead.md, which will not be public yet when "
            f"this article goes live (this one is scheduled for {when(ahead)}; that one is "
            f"scheduled for {when(further)})",
            "give this article a Date at or after that one, or add the link once that article "
            "is live",
        ),
        (
            "content/articles/ahead.md",
            None,
            f"{from_then} ahead/index.html is also used by content/pages/same-address.md",
            unique,
        ),
        (
            "content/pages/same-address.md",
            None,
            f"{from_then} ahead/index.html is also used by content/articles/ahead.md",
            unique,
        ),
        (
            "content/pages/tag-address.md",
            None,
            f'{from_then} tag/only-ahead/index.html is also used by the tag page of "only-ahead"',
            unique,
        ),
    }, result.stderr
    # The publish build of today stops on the same, before writing anything.
    built = run_pelican(content, tmp_path / "out", "publishconf.py")
    assert built.returncode == 1 and len(problem_lines(built.stderr)) == 4, built.stderr
    assert not list((tmp_path / "out").rglob("*.html"))


def test_a_link_to_a_scheduled_article_by_its_address_is_caught(planned_project, tmp_path):
    project, ahead = planned_project
    linking = project / "content" / "articles" / "just-now.md"
    linking.write_text(
        linking.read_text()
        + "\nRead [this](/ahead/).\n"  # from the site's root
        + '\nOr [this](../ahead/ "from this article\'s own address").\n'
        + f"\nOr [this]({OWN_SITE}/ahead/#start), the full address.\n"
        + "\nOr [the reference][soon].\n\n[soon]: /ahead/index.html\n"
        + "\n```\nA link in code is text: [x](/ahead/)\n```\n"
        + "\nAnother site's [ahead](https://elsewhere.test/ahead/).\n"
    )
    lines = linking.read_text().splitlines()
    expected = [
        str(n)
        for n, text in enumerate(lines, 1)
        if text.startswith(("Read", "Or [this]", "[soon]"))
    ]
    result = run_invoke(project, "check")
    assert result.returncode == 1, result.stdout + result.stderr
    found = problem_lines(result.stderr)
    assert [m["line"] for m in found] == expected, result.stderr
    assert {m["what"] for m in found} == {
        f"It links to content/articles/ahead.md, which is not public yet (scheduled for "
        f"{when(ahead)})"
    }
    site = {"SITEURL": OWN_SITE}
    built = run_pelican(project / "content", tmp_path / "out", "publishconf.py", env=site)
    assert built.returncode == 1 and len(problem_lines(built.stderr)) == 4, built.stderr


def test_a_writing_build_leaves_no_page_of_an_earlier_moment(tmp_path):
    """Into a kept output folder (invoke build, invoke serve): the article's
    public page and the tag page only it brought go once it is scheduled again,
    and its drafts/ page goes once it is live."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    zone = ZoneInfo("America/New_York")
    ahead = write_articles(content, zone, datetime.now(zone))
    output = tmp_path / "output"

    def build_at(moment: datetime) -> None:
        setting = f'BUILD_MOMENT="{moment.isoformat()}"'
        result = run_pelican(content, output, "pelicanconf.py", "-e", setting)
        assert result.returncode == 0, result.stdout + result.stderr

    live, draft = output / "ahead" / "index.html", output / "drafts" / "ahead" / "index.html"
    tag = output / "tag" / "only-ahead" / "index.html"
    build_at(ahead + timedelta(minutes=1))
    assert live.exists() and tag.exists() and not draft.exists()
    build_at(ahead - timedelta(minutes=1))  # as if its Date had been moved later
    assert draft.exists()
    assert not live.exists() and not live.parent.exists() and not tag.parent.exists()
    assert (output / "just-now" / "index.html").exists()  # the rest stays
    build_at(ahead + timedelta(minutes=1))
    assert live.exists() and tag.exists()
    assert not draft.exists() and not draft.parent.exists()
