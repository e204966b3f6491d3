"""Summaries are plain text: shown as typed (escaped), with typographic quotes.
An article may have none: its opening words stand in, and its pictures stay whole."""

from __future__ import annotations

import json

import feedparser
import pytest

from conftest import FIXTURES, build_site, parse
from prose import summary_html

PICTURE = "https://www.example.com/images/path-through-hills.svg"


def test_a_summary_is_one_escaped_typographic_paragraph():
    assert summary_html('A "first" step & <b>more</b>\n  here') == (
        "<p>A \u201cfirst\u201d step &amp; &lt;b&gt;more&lt;/b&gt; here</p>"
    )


@pytest.fixture(scope="module")
def site_with_an_article_without_summary(tmp_path_factory):
    output = tmp_path_factory.mktemp("no-summary") / "output"
    return build_site(output, "publishconf.py", FIXTURES / "no_summary")


def test_an_article_without_summary_keeps_its_picture_on_its_page_and_in_the_feeds(
    site_with_an_article_without_summary,
):
    site = site_with_an_article_without_summary
    page = parse(site / "no-summary/index.html")
    assert page.xpath("//div[@class='prose']//img/@src") == [PICTURE]
    [ld] = page.xpath('//script[@type="application/ld+json"]/text()')
    assert json.loads(ld)["description"].startswith("An article may leave out its summary")

    for kind in ("atom", "rss"):
        feed = feedparser.parse((site / f"feeds/{kind}.xml").read_bytes())
        [entry] = [e for e in feed.entries if e.link.endswith("/no-summary/")]
        for html in (entry.summary, entry.content[0].value):
            assert f'src="{PICTURE}"' in html, (kind, html)

    unresolved = [
        str(path.relative_to(site))
        for path in site.rglob("*")
        if path.is_file() and b"{static}" in path.read_bytes()
    ]
    assert unresolved == []
