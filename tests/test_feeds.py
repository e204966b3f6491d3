"""Atom and RSS feeds: valid, complete, absolute, reproducible and escaped."""

from __future__ import annotations

import re
import shutil
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from PIL import Image

from conftest import FIXTURES, ROOT, parse, run_pelican

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")
FEEDS = ("atom", "rss")
TRICKY = '</script><script>alert(1)</script> "Quotes" & <b>tags</b>'


def published_articles() -> int:
    return sum(
        "Status: published" in p.read_text() for p in (ROOT / "content/articles").glob("*.md")
    )


@pytest.fixture(scope="module")
def feeds(sample_site):
    return {
        kind: feedparser.parse((sample_site / f"feeds/{kind}.xml").read_bytes())
        for kind in ("atom", "rss")
    }


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_feeds_parse_cleanly_with_every_field(feeds, kind):
    feed = feeds[kind]
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == {"atom": "atom10", "rss": "rss20"}[kind]
    assert len(feed.entries) == published_articles()
    for entry in feed.entries:
        assert entry.title
        assert entry.id.startswith("urn:uuid:")
        assert entry.link.startswith("http://localhost:8000/")
        assert entry.published_parsed and entry.author == "Jordan Avery"
        assert entry.tags and entry.summary
        content = entry.content[0].value
        assert len(content) > 1000
        for url in re.findall(r'(?:href|src)="([^"]*)"', content):
            assert re.match(r"^(https?://|#)", url), url
    dates = [e.published_parsed for e in feed.entries]
    assert dates == sorted(dates, reverse=True), "newest first"


def test_atom_is_valid_against_the_rfc_4287_structure(sample_site):
    schema = etree.RelaxNG(etree.parse(str(Path(__file__).parent / "schemas/atom.rng")))
    feed = etree.parse(str(sample_site / "feeds/atom.xml"))
    assert schema.validate(feed), schema.error_log

    entry = feed.getroot().find(f"{ATOM}entry")
    entry.remove(entry.find(f"{ATOM}updated"))
    assert not schema.validate(feed), "the schema notices an entry without <updated>"


def test_atom_has_updated_dates_with_time_zones_and_an_enclosure(sample_site):
    tree = etree.parse(str(sample_site / "feeds/atom.xml"))
    root = tree.getroot()
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
    assert root.find(f"{ATOM}link[@rel='self']").get("href").endswith("/feeds/atom.xml")
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        for name in ("id", "title", "updated", "published"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        for name in ("updated", "published"):
            assert RFC3339.match(entry.findtext(f"{ATOM}{name}"))
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
        assert entry.find(f"{ATOM}content").get("type") == "html"
    modified = [
        e for e in entries if e.findtext(f"{ATOM}updated") != e.findtext(f"{ATOM}published")
    ]
    assert modified, "the article with a Modified date shows it as updated"
    enclosures = root.findall(f".//{ATOM}link[@rel='enclosure']")
    assert len(enclosures) == 1
    assert enclosures[0].get("href") == "http://localhost:8000/images/path-through-hills.svg"
    assert int(enclosures[0].get("length")) > 0


def test_rss_items_carry_full_content_guids_and_images(sample_site):
    tree = etree.parse(str(sample_site / "feeds/rss.xml"))
    channel = tree.getroot().find("channel")
    for name in ("title", "link", "description"):
        assert channel.findtext(name)
    assert channel.findtext("link") == "http://localhost:8000/"
    items = channel.findall("item")
    for item in items:
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false" and guid.text.startswith("urn:uuid:")
        assert parsedate_to_datetime(item.findtext("pubDate")).tzinfo is not None
        assert item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
        assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") == "Jordan Avery"
    enclosure = channel.find("item/enclosure")
    assert enclosure.get("type") == "image/svg+xml"
    media = channel.find("item/{http://search.yahoo.com/mrss/}content")
    assert media.get("url") == enclosure.get("url")


def test_two_builds_give_byte_identical_feeds(sample_site, tmp_path):
    assert run_pelican(ROOT / "content", tmp_path).returncode == 0
    for name in ("atom.xml", "rss.xml"):
        assert (tmp_path / "feeds" / name).read_bytes() == (
            sample_site / "feeds" / name
        ).read_bytes()


def test_entry_id_survives_renaming_retitling_and_redating(tmp_path, feeds):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    old = content / "articles/coaching-or-therapy.md"
    text = old.read_text().replace("Title: Coaching or Therapy", "Title: Therapy or Coaching")
    text = text.replace("Date: 2025-09-16 09:00", "Date: 2025-10-01 09:00")
    (content / "articles/therapy-or-coaching.md").write_text(text)
    old.unlink()
    for article in (content / "articles").glob("*.md"):
        linking = article.read_text()
        article.write_text(linking.replace("coaching-or-therapy.md", "therapy-or-coaching.md"))

    result = run_pelican(content, tmp_path / "out")

    assert result.returncode == 0, result.stderr
    before = {e.id for e in feeds["atom"].entries}
    after = feedparser.parse((tmp_path / "out/feeds/atom.xml").read_bytes())
    assert {e.id for e in after.entries} == before
    renamed = next(e for e in after.entries if e.title.startswith("Therapy or Coaching"))
    assert renamed.link.endswith("/therapy-or-coaching/")


def test_every_page_links_both_feeds(sample_site):
    for page in sample_site.rglob("*.html"):
        links = parse(page).xpath("//head/link[@rel='alternate']")
        types = {link.get("type"): link.get("href") for link in links}
        assert types.get("application/atom+xml", "").endswith("feeds/atom.xml"), page
        assert types.get("application/rss+xml", "").endswith("feeds/rss.xml"), page


def test_metadata_lands_as_text_in_feeds(tmp_path):
    shutil.copytree(FIXTURES / "escaping", tmp_path / "content")
    (tmp_path / "content/images").mkdir()
    Image.new("RGB", (1, 1), "white").save(tmp_path / "content/images/dot.png")
    result = run_pelican(tmp_path / "content", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    for kind in ("atom", "rss"):
        feed = feedparser.parse((tmp_path / f"out/feeds/{kind}.xml").read_bytes())
        assert feed.bozo == 0
        entry = feed.entries[0]
        assert entry.title == TRICKY
        assert {t.term for t in entry.tags} == {"a&b", '"quoted"'}
        assert "with &lt;em&gt;markup&lt;/em&gt; &amp; an ampersand" in entry.summary, "as text"
        content = entry.content[0].value
        assert 'href="http://localhost:8000/about/"' in content
        # The size made of it (pictures plugin), as a plain <img> of a PNG.
        assert re.search(r'src="http://localhost:8000/images/dot\.[0-9a-f]{8}\.1\.png"', content)


def test_atom_follows_the_w3c_validators_rules(sample_site):
    """The W3C Feed Validation Service's Atom rules that a schema does not see."""
    text = (sample_site / "feeds/atom.xml").read_text(encoding="utf-8")
    assert not re.search(r"<ns\d+:", text), "no stray namespace prefixes"
    root = etree.fromstring(text.encode())
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("type") == "application/atom+xml"
    ids = [entry.findtext(f"{ATOM}id") for entry in root.iter(f"{ATOM}entry")]
    assert len(ids) == len(set(ids)), "entry ids are unique"
    for entry in root.iter(f"{ATOM}entry"):
        links = entry.findall(f"{ATOM}link")
        assert all(link.get("rel") in ("alternate", "enclosure") for link in links), links
        alternates = [link for link in links if link.get("rel") == "alternate"]
        assert len(alternates) == 1, "exactly one alternate link per entry"
        for enclosure in entry.findall(f"{ATOM}link[@rel='enclosure']"):
            assert int(enclosure.get("length")) > 0 and "/" in enclosure.get("type")
    enclosures = root.findall(f"{ATOM}entry/{ATOM}link[@rel='enclosure']")
    assert len(enclosures) == 1, "the article with an Image: has its enclosure"


def test_rss_follows_the_w3c_validators_rules(sample_site):
    channel = etree.parse(str(sample_site / "feeds/rss.xml")).getroot().find("channel")
    self_link = channel.find("{http://www.w3.org/2005/Atom}link[@rel='self']")
    assert self_link.get("href").endswith("/feeds/rss.xml")
    assert self_link.get("type") == "application/rss+xml"
    guids = [item.findtext("guid") for item in channel.findall("item")]
    assert len(guids) == len(set(guids))
    for item in channel.findall("item"):
        assert len(item.findall("link")) == 1
        date = item.findtext("pubDate")
        assert re.match(r"^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}$", date), date
        for enclosure in item.findall("enclosure"):
            assert enclosure.get("url").startswith("http")
            assert int(enclosure.get("length")) > 0 and "/" in enclosure.get("type")


def test_a_site_with_nothing_published_yet_gets_the_same_feeds_every_build(tmp_path):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "articles" / "soon.md").write_text(
        "Title: Soon\nDate: 2099-01-01 09:00\nId: 2099-01-01-soon\n\nNot yet.\n"
    )
    builds = []
    for name in ("first", "second"):
        if builds:
            time.sleep(1.1)  # feedgen's clock default has whole seconds
        result = run_pelican(content, tmp_path / name, "publishconf.py")
        assert result.returncode == 0, result.stdout + result.stderr
        builds.append({k: (tmp_path / name / f"feeds/{k}.xml").read_bytes() for k in FEEDS})

    assert builds[0] == builds[1]
    atom = etree.fromstring(builds[0]["atom"])
    assert atom.find(f"{ATOM}entry") is None, "the scheduled article is in no feed"
    assert RFC3339.match(atom.findtext(f"{ATOM}updated"))
