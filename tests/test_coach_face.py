"""The coach's face (issue 25): the portrait, the one-line promise and one call
to action open the home page; Subscribe is in every page's header; About shows
the portrait and ends with the same call to action; an article ends in one
order with the author named once; tags, categories and authors are spelled as
the coach wrote them. Built sites are parsed; settings are checked before a
build with the setting's name and the fix."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from face import FaceSettingError, booking_address, theme_picture
from pelican.urlwrappers import Tag
from reader_details import spell_as_written

from conftest import BIO_WITHOUT_NAME, FIXTURES, ROOT, html_pages, parse, run_pelican

BOOKING = "https://cal.com/jordan-avery"


def main_children(tree):
    return [child for child in tree.xpath("//main")[0] if isinstance(child.tag, str)]


def test_the_home_page_opens_with_the_portrait_the_promise_and_the_sign_up(published_site):
    tree = parse(published_site / "index.html")
    hero = main_children(tree)[0]
    assert hero.get("class") == "hero"
    (portrait,) = hero.xpath(".//img[contains(@class, 'portrait')]")
    # Its sizes made for the web (pictures plugin), WebP first; never the original.
    assert re.search(r"/images/portrait\.[0-9a-f]{8}\.480\.jpg$", portrait.get("src"))
    (webp,) = hero.xpath(".//picture//source[@type='image/webp']/@srcset")
    assert [c.split()[1] for c in webp.split(", ")] == ["160w", "320w", "480w"]
    assert (portrait.get("width"), portrait.get("height")) == ("480", "480")
    assert portrait.get("alt") == "Illustrated portrait of Jordan Avery, smiling"
    assert portrait.get("fetchpriority") == "high" and portrait.get("loading") is None
    assert hero.findtext(".//h1") == "Find goals that every part of you can say yes to."
    # Without BOOKING_URL the one call to action is the sign-up, and it is the page's only form.
    assert hero.xpath(".//form[@class='signup']//input[@type='email']")
    assert len(tree.xpath("//form")) == 1
    assert not tree.xpath("//main//a[contains(@href, 'cal.com')]")


def test_a_booking_page_is_the_one_call_to_action_as_a_plain_link(booking_site):
    home = parse(booking_site / "index.html")
    (hero,) = home.xpath("//section[@class='hero']")
    assert [a.get("href") for a in hero.xpath(".//a[@class='button']")] == [BOOKING]
    assert not hero.xpath(".//form"), "one call to action: the sign-up moves aside"
    assert home.xpath("//div[@class='side']//form[@class='signup']")
    for page in booking_site.rglob("*.html"):
        tree = parse(page)
        assert not tree.xpath("//script[contains(@src, 'cal.com')] | //iframe"), page
    about = parse(booking_site / "about" / "index.html")
    last = [e for e in about.xpath("//article")[0] if isinstance(e.tag, str)][-1]
    assert last.get("class") == "cta" and last.xpath("./a/@href") == [BOOKING]


def test_every_page_has_subscribe_in_its_header(published_site):
    pages = html_pages(published_site)
    assert len(pages) > 20
    for page in pages:
        tree = parse(page)
        links = tree.xpath("//header[@class='masthead']//a[normalize-space()='Subscribe']")
        assert [a.get("href") for a in links] == ["https://www.example.com/newsletter/"], page
        menu = [a.text for a in tree.xpath("//header//nav//a")]
        assert "Newsletter" not in menu, f"{page}: the newsletter page is linked twice"


def test_the_about_page_shows_the_portrait_and_ends_with_the_sign_up(published_site):
    tree = parse(published_site / "about" / "index.html")
    (article,) = tree.xpath("//main/article")
    children = [e for e in article if isinstance(e.tag, str)]
    assert children[0].tag == "picture" and children[1].tag == "h1"
    assert children[0].xpath(".//img[contains(@class, 'portrait')]")
    assert children[-1].get("class") == "invite"
    assert children[-1].xpath(".//form[@class='signup']")


def test_an_article_ends_in_one_order_and_names_its_author_once(published_site):
    tree = parse(published_site / "setting-an-intention-for-a-session" / "index.html")
    ending = tree.xpath(
        "//footer[@class='byline']/*[@class='tags' or @class='author'] | //div[@class='end']/*"
    )
    assert [e.get("class") for e in ending] == [
        "tags",
        "author",
        "neighbours",
        "related",
        "invite",
    ]
    (box,) = tree.xpath("//section[@class='author']")
    assert box.text_content().count("Jordan Avery") == 1, box.text_content()
    assert box.xpath(".//img[contains(@class, 'portrait')]/@alt") == [""]
    neighbours = tree.xpath("//nav[@class='neighbours']//a/@href")
    related = tree.xpath("//section[@class='related']//a/@href")
    assert related and not set(related) & set(neighbours), "no article offered twice"


def test_a_bio_without_the_name_gets_it_once(booking_site):
    tree = parse(booking_site / "goals-that-reflect-who-you-are" / "index.html")
    (box,) = tree.xpath("//section[@class='author']")
    text = " ".join(box.text_content().split())
    assert text.count("Jordan Avery") == 1 and f"Jordan Avery: {BIO_WITHOUT_NAME}" in text


def test_the_logo_stands_before_the_name_with_its_size(booking_site):
    (brand,) = parse(booking_site / "index.html").xpath("//a[@class='brand']")
    (logo,) = brand.xpath("./img")
    assert logo.get("src").endswith("/images/path-through-hills.svg")
    assert logo.get("width") and logo.get("height") and logo.get("alt") == ""
    assert brand.text_content().strip() == "Parts & Purpose Coaching"


def test_tag_category_and_author_pages_show_the_name_as_written(booking_site):
    """The fixture writes "ifs" and "inner work"; the sample writes IFS and Inner
    Work: the capitals win everywhere, the addresses stay."""

    assert parse(booking_site / "tag/ifs/index.html").xpath("string(//h1)").split() == [
        "Topic",
        "IFS",
    ]
    assert "Self-compassion" in parse(booking_site / "tag/self-compassion/index.html").xpath(
        "string(//h1)"
    )
    assert parse(booking_site / "category/inner-work/index.html").xpath("string(//h1)").split()[
        1:
    ] == ["Inner", "Work"]
    assert "Jordan Avery" in parse(booking_site / "author/jordan-avery/index.html").xpath(
        "string(//h1)"
    )
    lower = parse(booking_site / "ifs-in-lower-case" / "index.html")
    assert [a.text for a in lower.xpath("//a[@rel='tag']")] == ["IFS", "Self-compassion"]
    assert "/tag/ifs/" in lower.xpath("//a[@rel='tag']/@href")[0]
    topics = parse(booking_site / "tags" / "index.html").xpath("//main//li/a/text()")
    assert "IFS" in [t.strip() for t in topics] and "ifs" not in [t.strip() for t in topics]


def test_the_spelling_with_capitals_wins_whichever_is_read_first():
    settings = {"SLUG_REGEX_SUBSTITUTIONS": []}

    class Item:
        def __init__(self, *tags):
            self.tags = [Tag(t, settings) for t in tags]

    items = [Item("ifs", "goals"), Item("IFS"), Item("Goals", "ifs"), Item("goals")]
    spell_as_written(items)
    assert [[t.name for t in i.tags] for i in items] == [
        ["IFS", "Goals"],
        ["IFS"],
        ["Goals", "IFS"],
        ["Goals"],
    ]
    assert {t.slug for i in items for t in i.tags} == {"ifs", "goals"}


def test_face_settings_written_naturally_are_understood():
    settings = {"PATH": str(ROOT / "content"), "STATIC_PATHS": ["images"], "SITEURL": ""}
    for written in ("images/portrait.jpg", "{static}/images/portrait.jpg", "/images/portrait.jpg"):
        picture = theme_picture({**settings, "COACH_PORTRAIT": written}, "COACH_PORTRAIT", "Me")
        assert picture == {"url": "images/portrait.jpg", "width": 480, "height": 480, "alt": "Me"}
    assert theme_picture({**settings, "COACH_PORTRAIT": ""}, "COACH_PORTRAIT", "") is None
    assert (
        booking_address({"BOOKING_URL": " calendly.com/jordan "}) == "https://calendly.com/jordan"
    )
    assert booking_address({"BOOKING_URL": "https://cal.com/j"}) == "https://cal.com/j"
    assert booking_address({"BOOKING_URL": "contact/", "SITEURL": "https://a.test"}) == (
        "https://a.test/contact/"
    )
    for embed in (
        '<script src="https://assets.calendly.com/widget.js"></script>',
        "javascript:x()",
    ):
        with pytest.raises(FaceSettingError, match="booking_url"):
            booking_address({"BOOKING_URL": embed})


@pytest.mark.parametrize(
    "setting, says",
    [
        (
            'COACH_PORTRAIT="pages/about.md"',
            'site.toml: portrait = "pages/about.md": content/pages/about.md is '
            "not copied to the site",
        ),
        (
            'SITE_LOGO="../pelicanconf.py"',
            'site.toml: logo = "../pelicanconf.py" is not a picture inside content/. '
            "Fix: put the picture in content/images/",
        ),
        (
            'BOOKING_URL="<div class=\\"calendly-inline-widget\\"></div>"',
            "site.toml: booking_url holds embed code or spaces, not an address",
        ),
    ],
)
def test_a_face_setting_the_build_cannot_use_is_named_with_its_fix(tmp_path, setting, says):
    result = run_pelican(ROOT / "content", tmp_path / "output", "pelicanconf.py", "-e", setting)
    assert result.returncode != 0
    assert says in result.stderr and "Fix: " in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "output" / "index.html").exists(), "nothing was built"


def test_a_portrait_that_is_not_there_is_left_out_and_a_writing_build_says_why(tmp_path):
    """A content folder without the sample portrait still builds: no broken
    picture; the writing build's home page says what to fix, the public one nothing."""
    missing = "site.toml: portrait = &#34;images/portrait.jpg&#34;, but there is no file"
    for settings, shown in (("pelicanconf.py", True), ("publishconf.py", False)):
        output = tmp_path / settings
        result = run_pelican(FIXTURES / "one_line", output, settings)
        assert result.returncode == 0, result.stderr
        home = (output / "index.html").read_text(encoding="utf-8")
        assert "portrait" not in re.sub(r'<p class="notice">.*?</p>', "", home)
        assert (missing in home) is shown, settings
        assert not parse(output / "one-line" / "index.html").xpath("//img")


def test_the_face_settings_are_printed_as_text(tmp_path):
    hostile = '<b>x</b> & "q"'
    settings = {
        "PROMISE": hostile,
        "COACH_PORTRAIT_ALT": hostile,
        "BOOKING_LABEL": hostile,
        "BOOKING_URL": 'https://cal.com/a?b=1&c="><b>',
    }
    extra = [f"{key}={json.dumps(value)}" for key, value in settings.items()]
    result = run_pelican(ROOT / "content", tmp_path / "out", "pelicanconf.py", "-e", *extra)
    assert result.returncode != 0 and "booking_url holds embed code" in result.stderr
    extra[-1] = 'BOOKING_URL="https://cal.com/a?b=1&c=%22"'
    result = run_pelican(ROOT / "content", tmp_path / "out", "pelicanconf.py", "-e", *extra)
    assert result.returncode == 0, result.stderr
    tree = parse(tmp_path / "out" / "index.html")
    assert not tree.xpath("//b")
    assert tree.findtext(".//h1") == hostile
    assert tree.xpath("//img[contains(@class, 'portrait')]/@alt") == [hostile]
    (cta,) = tree.xpath("//p[@class='cta']/a")
    assert cta.text == hostile and cta.get("href") == "https://cal.com/a?b=1&c=%22"


def test_the_sample_portrait_is_small(published_site):
    portrait = published_site / "images" / "portrait.jpg"
    assert portrait.stat().st_size <= 40_000
    assert re.match(rb"\xff\xd8", portrait.read_bytes())


def test_a_raster_logo_is_made_40_and_80_px_high_never_the_original(tmp_path):
    from PIL import Image

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    # A wordmark as a designer hands it over: 1,200 x 300, transparent, far too large.
    Image.new("RGBA", (1200, 300), (143, 61, 31, 255)).save(content / "images" / "mark.png")
    output = tmp_path / "output"
    result = run_pelican(content, output, "publishconf.py", "-e", 'SITE_LOGO="images/mark.png"')
    assert result.returncode == 0, result.stderr
    (brand,) = parse(output / "about" / "index.html").xpath("//a[@class='brand']")
    (source,) = brand.xpath("./picture/source[@type='image/webp']")
    (img,) = brand.xpath("./picture//img")
    assert (img.get("width"), img.get("height"), img.get("alt")) == ("160", "40", "")
    webp = [c.split() for c in source.get("srcset").split(", ")]
    fallback = [c.split() for c in img.get("srcset").split(", ")]
    assert [d for _, d in webp] == [d for _, d in fallback] == ["1x", "2x"]
    for (address, density), kind in zip(webp + fallback, ["WEBP"] * 2 + ["PNG"] * 2, strict=True):
        with Image.open(output / address.split("/", 3)[3]) as made:
            assert made.format == kind and made.height == 40 * int(density[0]), address
    assert "mark.png" not in (output / "about" / "index.html").read_text()


def test_a_webp_logo_is_accepted_and_made_40_and_80_px_high(tmp_path):
    from PIL import Image

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    Image.new("RGB", (800, 200), (143, 61, 31)).save(content / "images" / "mark.webp")
    output = tmp_path / "output"
    result = run_pelican(content, output, "publishconf.py", "-e", 'SITE_LOGO="images/mark.webp"')
    assert result.returncode == 0, result.stderr
    (brand,) = parse(output / "about" / "index.html").xpath("//a[@class='brand']")
    (img,) = brand.xpath("./picture//img")
    assert (img.get("width"), img.get("height")) == ("160", "40")
    (source,) = brand.xpath("./picture/source[@type='image/webp']")
    assert [c.split()[1] for c in source.get("srcset").split(", ")] == ["1x", "2x"]


def test_a_logo_that_is_no_picture_is_refused_naming_every_kind_the_build_reads(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "images" / "mark.png").write_text("a logo still to come\n")
    output = tmp_path / "output"
    result = run_pelican(content, output, "pelicanconf.py", "-e", 'SITE_LOGO="images/mark.png"')
    assert result.returncode != 0
    assert (
        'site.toml: logo = "images/mark.png": content/images/mark.png is not a JPEG, PNG, '
        "GIF, WebP or SVG picture the build can read. Fix: save it as a JPEG (or PNG) and "
        "point logo at that file"
    ) in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (output / "index.html").exists(), "nothing was built"
