"""Every built page is CSP-friendly, findable and shareable (issue 3)."""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import urlsplit

from conftest import html_pages, parse

SITEURL = "https://www.example.com"


def test_pages_need_no_unsafe_inline_for_a_content_security_policy(published_site):
    for page in html_pages(published_site):
        tree = parse(page)
        where = page.relative_to(published_site)
        assert not tree.xpath("//*[@style]"), f"{where}: style attribute"
        assert not tree.xpath("//style"), f"{where}: <style> element"
        scripts = tree.xpath("//script")
        inline = [s for s in scripts if not s.get("src") and s.get("type") != "application/ld+json"]
        assert not inline, f"{where}: inline script"
        assert all(not (s.text or "").strip() for s in scripts if s.get("src")), where
        assert not tree.xpath("//@*[starts-with(name(), 'on')]"), f"{where}: event handler"
        # One stylesheet; the search page adds its own (issue 14: only there).
        sheets = 2 if where.as_posix() == "search/index.html" else 1
        assert len(tree.xpath('//link[@rel="stylesheet"]')) == sheets, where


def test_every_image_has_its_size_and_loads_lazily(published_site):
    """Except the portrait that opens the home and About pages: it is fetched first."""
    images = [img for p in html_pages(published_site) for img in parse(p).iter("img")]
    assert images
    first = []
    for img in images:
        assert img.get("width") and img.get("height"), img.get("src")
        assert img.get("decoding") == "async"
        if img.get("loading") != "lazy":
            assert img.get("fetchpriority") == "high" and "portrait" in img.get("class")
            first.append(img)
    assert len(first) == 2  # home, About


def test_titles_and_descriptions_are_unique(published_site):
    pages = [parse(p) for p in html_pages(published_site)]
    titles = Counter(p.findtext(".//title") for p in pages)
    descriptions = Counter(p.xpath('string(//meta[@name="description"]/@content)') for p in pages)
    assert [t for t, n in titles.items() if n > 1] == []
    assert [d for d, n in descriptions.items() if n > 1 or not d.strip()] == []


def test_every_page_has_canonical_open_graph_twitter_and_feed_links(published_site):
    for page in html_pages(published_site):
        tree = parse(page)
        where = page.relative_to(published_site)

        def meta(prop, tree=tree):
            return tree.xpath(f'string(//meta[@property="{prop}"]/@content)')

        canonical = tree.xpath('string(//link[@rel="canonical"]/@href)')
        assert canonical.startswith(SITEURL + "/"), where
        assert meta("og:url") == canonical
        for prop in ("og:title", "og:type", "og:image", "og:description", "og:site_name"):
            assert meta(prop), f"{where}: {prop}"
        assert meta("og:image").startswith(SITEURL)
        image = published_site / urlsplit(meta("og:image")).path.lstrip("/")
        assert image.is_file(), f"{where}: {meta('og:image')}"
        assert tree.xpath('//meta[@name="twitter:card"]/@content'), where
        feeds = tree.xpath('//link[@rel="alternate"]/@href')
        assert f"{SITEURL}/feeds/atom.xml" in feeds and f"{SITEURL}/feeds/rss.xml" in feeds
    canonicals = [
        parse(p).xpath('string(//link[@rel="canonical"]/@href)') for p in html_pages(published_site)
    ]
    assert len(set(canonicals)) == len(canonicals)


def test_articles_carry_blog_posting_data(published_site):
    tree = parse(published_site / "goals-that-reflect-who-you-are" / "index.html")
    assert tree.xpath('string(//meta[@property="og:type"]/@content)') == "article"
    published = tree.xpath('string(//meta[@property="article:published_time"]/@content)')
    assert published.startswith("2026-04-07T09:00")
    (script,) = tree.xpath('//script[@type="application/ld+json"]')
    data = json.loads(script.text)
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Goals That Reflect Who You Are"
    assert data["datePublished"] == published
    assert "dateModified" not in data, "no Modified: line, no second date"
    assert data["author"]["name"] == "Jordan Avery"
    assert data["author"]["url"] == f"{SITEURL}/about/"
    assert data["image"].startswith(SITEURL) and data["url"].startswith(SITEURL)


def test_a_modified_article_gives_its_modified_date_in_json_ld(published_site):
    tree = parse(published_site / "setting-an-intention-for-a-session" / "index.html")
    (script,) = tree.xpath('//script[@type="application/ld+json"]')
    assert json.loads(script.text)["dateModified"].startswith("2026-10-02T10:30")


def test_sitemap_lists_the_public_pages_and_robots_names_it(published_site):
    sitemap = (published_site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{SITEURL}/goals-that-reflect-who-you-are/</loc>" in sitemap
    assert f"<loc>{SITEURL}/about/</loc>" in sitemap
    assert "404" not in sitemap and "drafts/" not in sitemap
    robots = (published_site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {SITEURL}/sitemap.xml" in robots.splitlines()


def test_an_article_shows_dates_reading_time_tags_author_neighbours_related(sample_site):
    tree = parse(sample_site / "setting-an-intention-for-a-session" / "index.html")
    article = tree.xpath("//article")[0]
    times = [t.get("datetime")[:10] for t in article.xpath(".//header//time")]
    assert times == ["2025-11-04", "2026-10-02"]
    assert "min read" in article.xpath("string(.//header)")
    tags = [a.text for a in article.xpath('.//a[@rel="tag"]')]
    assert tags == ["Intentions", "Coaching", "Parts"]
    assert "Jordan Avery" in tree.xpath('string(//section[@class="author"])')
    assert tree.xpath('//nav[@class="neighbours"]//a[@rel="prev"]')
    assert tree.xpath('//nav[@class="neighbours"]//a[@rel="next"]')
    assert 1 <= len(tree.xpath('//section[@class="related"]//li')) <= 3
    assert tree.xpath('//section[@class="invite"]//form[@class="signup"]//input[@type="email"]')


def test_contact_and_newsletter_pages_carry_their_forms(sample_site):
    contact = parse(sample_site / "contact" / "index.html")
    assert contact.xpath('//main//form[@class="contact"]//textarea')
    newsletter = parse(sample_site / "newsletter" / "index.html")
    assert newsletter.xpath('//main//form[@class="signup"]')


def test_the_404_page_is_built_and_links_home(sample_site):
    tree = parse(sample_site / "404.html")
    assert tree.findtext(".//h1") == "Page not found"
    assert tree.xpath('//main//a[@href="./"]') or tree.xpath("//main//a")


def test_a_guest_authors_article_links_their_page_not_the_coachs_bio(tmp_path):
    from conftest import FIXTURES, build_site

    site = build_site(tmp_path / "output", "publishconf.py", FIXTURES / "guest_author")
    tree = parse(site / "a-guest-view" / "index.html")
    (box,) = tree.xpath('//section[@class="author"]')
    assert "Sam Rivera" in box.text_content()
    assert "Jordan" not in box.text_content(), "the site owner's bio is not the guest's"
    links = box.xpath(".//a/@href")
    assert f"{SITEURL}/author/sam-rivera/" in links and f"{SITEURL}/about/" not in links
    (script,) = tree.xpath('//script[@type="application/ld+json"]')
    assert json.loads(script.text)["author"]["url"] == f"{SITEURL}/author/sam-rivera/"

    own = parse(site / "goals-that-reflect-who-you-are" / "index.html")
    (box,) = own.xpath('//section[@class="author"]')
    assert "Jordan Avery is a life coach" in box.text_content()
    assert f"{SITEURL}/about/" in box.xpath(".//a/@href")
