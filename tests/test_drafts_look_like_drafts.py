"""Drafts and scheduled articles, as a writing build (`invoke build`, `invoke
serve`) shows them under drafts/: each page says it is not public, gives no
published date, and every address on it leads to a file of that build."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import FIXTURES, build_site, parse


@pytest.fixture(scope="module")
def writing_site(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("drafts") / "output"
    return build_site(output, "pelicanconf.py", FIXTURES / "drafts")


def draft_pages(site: Path) -> dict[str, object]:
    pages = {p.relative_to(site).as_posix(): parse(p) for p in site.glob("drafts/**/index.html")}
    assert {
        "drafts/still-a-draft/index.html",
        "drafts/waiting-for-its-day/index.html",
        "drafts/pages/prices-draft/index.html",
        "drafts/what-a-first-session-looks-like/index.html",  # the sample draft
    } <= set(pages)
    return pages


def test_every_draft_page_says_it_is_not_public_and_gives_no_published_date(writing_site):
    for name, page in draft_pages(writing_site).items():
        notes = [n.text_content() for n in page.xpath("//main//p[@role='note']")]
        expected = (
            "Scheduled for Monday 1 June 2099, 09:00" if "waiting" in name else "Draft: not public"
        )
        assert len(notes) == 1 and expected in notes[0], (name, notes)
        assert "Published" not in page.xpath("string(//main)"), name
        assert not page.xpath("//meta[@property='article:published_time']"), name
    live = parse(writing_site / "coaching-or-therapy/index.html")
    assert not live.xpath("//main//p[@role='note']")
    assert "Published" in live.xpath("string(//p[@class='meta'])")


def test_every_address_on_a_draft_page_leads_to_a_file_of_the_writing_build(writing_site):
    for name, page in draft_pages(writing_site).items():
        folder = (writing_site / name).parent
        for href in page.xpath("//a/@href | //link[@rel='stylesheet']/@href"):
            parts = urlsplit(href)
            if parts.scheme or not parts.path:
                continue  # another site (social links, forms), or this page
            target = (folder / parts.path).resolve()
            target = target / "index.html" if target.is_dir() else target
            assert target.is_file(), f"{name}: {href} leads nowhere"


def test_a_draft_links_the_topics_and_author_the_site_has_and_names_the_others(writing_site):
    page = parse(writing_site / "drafts/still-a-draft/index.html")
    tags = page.xpath("//ul[@class='tags']/li")
    linked = {li.text_content(): bool(li.xpath("a")) for li in tags}
    assert linked == {"Coaching": True, "only-in-a-draft": False}
    author = page.xpath("//section[@class='author']")[0]
    assert "Sam Rivera" in author.text_content() and not author.xpath(".//a")
    scheduled = parse(writing_site / "drafts/waiting-for-its-day/index.html")
    linked = {
        li.text_content(): bool(li.xpath("a")) for li in scheduled.xpath("//ul[@class='tags']/li")
    }
    assert linked == {"only-when-scheduled": False, "IFS": True}
