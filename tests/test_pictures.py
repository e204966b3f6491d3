"""Pictures made for the web (issue 25, item 4): a 4,000 px phone photo dropped
into content/images/ is served as WebP with a JPEG fallback in the sizes a page
needs, turned as the camera said and without its EXIF or GPS data; a phone
reader downloads at most 200 KB of it in Chromium; a warm build makes nothing
again; the newsletter gets a plain JPEG <img>; SVG stays as it is."""

from __future__ import annotations

import io
import re
import shutil
import sys
from html import unescape
from pathlib import Path

import feedparser
import pytest
from PIL import Image, ImageChops
from test_theme_in_browser import CHROMIUM, CHROMIUM_ARGS, serve

from conftest import ROOT, parse, problem_lines, run_pelican, tool_missing

sys.path.insert(0, str(ROOT / "bench"))
from weigh import weigh  # noqa: E402

PHONE_BUDGET = 200_000
IN_TEXT = "//div[contains(@class,'prose')]//picture"  # the article's own, not the portrait
ARTICLE = """Title: A walk in the hills
Date: 2024-04-02 09:00
Id: fixture-phone-photo
Category: Coaching
Tags: walking
Summary: A photo straight from a phone.
Image: {static}/images/phone-photo.jpg

The path we took.

![The path between two hills](images/phone-photo.jpg)

![A drawing of the path](images/path-through-hills.svg)

[See the whole photo](images/phone-photo.jpg) or [the drawing](images/path-through-hills.svg).
"""


def phone_photo(width: int = 4000, height: int = 3000) -> bytes:
    """A photo as a phone writes it: gradients under fine and coarse noise (so it
    compresses as a real photo does, to about 4 MB, and keeps detail when made
    smaller), taken turned (EXIF orientation 6) at a place (GPS)."""
    across = Image.linear_gradient("L").rotate(90).resize((width, height))
    down = Image.linear_gradient("L").resize((width, height))

    def noise(sigma: int) -> Image.Image:
        fine = Image.effect_noise((width, height), sigma)
        coarse = Image.effect_noise((width // 6, height // 6), sigma * 2)
        return ImageChops.add(fine, coarse.resize((width, height), Image.BICUBIC), 2, -64)

    bands = [across, down, ImageChops.invert(across)]
    photo = Image.merge("RGB", [ImageChops.add(b, noise(34), 2, -32) for b in bands])
    exif = Image.Exif()
    exif[0x0112] = 6  # turned: shown 3,000 wide and 4,000 high
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (40.0, 26.0, 46.0), 3: "W", 4: (79.0, 58.0, 56.0)})
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


@pytest.fixture(scope="module")
def photo_content(tmp_path_factory) -> Path:
    content = tmp_path_factory.mktemp("pictures") / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "images" / "phone-photo.jpg").write_bytes(phone_photo())
    (content / "articles" / "phone-photo.md").write_text(ARTICLE, encoding="utf-8")
    return content


def build(content: Path, output: Path, settings: str = "pelicanconf.py") -> Path:
    cache = content.parent / "cache"
    result = run_pelican(content, output, settings, "-e", f'CACHE_PATH="{cache}"')
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="module")
def photo_site(photo_content) -> Path:
    return build(photo_content, photo_content.parent / "output")


def made_count(content: Path) -> int:
    """Pictures made so far with this cache: the log the plugin keeps there."""
    log = content.parent / "cache" / "pictures" / "made.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def srcset_widths(srcset: str) -> list[int]:
    return [int(candidate.split()[1][:-1]) for candidate in srcset.split(",")]


def test_the_phone_photo_is_a_picture_of_webp_and_jpeg_sizes(photo_site):
    page = parse(photo_site / "phone-photo" / "index.html")
    (picture,) = page.xpath(IN_TEXT)
    # (lxml reads HTML4: it nests the <img> in the <source>, which HTML5 makes void.)
    (source,) = picture.xpath(".//source")
    (img,) = picture.xpath(".//img")
    assert source.get("type") == "image/webp"
    assert srcset_widths(source.get("srcset")) == [480, 800, 1200, 1600]
    assert srcset_widths(img.get("srcset")) == [480, 800, 1200, 1600]
    assert source.get("sizes") == img.get("sizes") and "100vw" in img.get("sizes")
    # Turned as the camera said: 3,000 x 4,000 shown, so 1,600 x 2,133 at most.
    assert (img.get("width"), img.get("height")) == ("1600", "2133")
    assert img.get("alt") == "The path between two hills"
    assert img.get("src").endswith(".1600.jpg")
    for candidate in source.get("srcset").split(",") + img.get("srcset").split(","):
        address = candidate.split()[0]
        assert (photo_site / "phone-photo" / address).resolve().is_file(), address
    # The drawing stays as it is.
    (drawing,) = page.xpath("//img[@alt='A drawing of the path']")
    assert drawing.get("src").endswith("images/path-through-hills.svg")
    assert drawing.getparent().tag != "picture"


def test_no_page_names_the_original(photo_site):
    for page in photo_site.rglob("*.html"):
        assert "phone-photo.jpg" not in page.read_text(encoding="utf-8"), page


def test_the_large_original_is_not_copied_and_a_link_to_it_gets_the_largest_size(photo_site):
    assert not (photo_site / "images" / "phone-photo.jpg").exists()
    page = parse(photo_site / "phone-photo" / "index.html")
    (whole,) = page.xpath("//a[text()='See the whole photo']/@href")
    assert re.search(r"images/phone-photo\.[0-9a-f]{8}\.1600\.jpg$", whole), whole
    with Image.open((photo_site / "phone-photo" / whole).resolve()) as largest:
        assert largest.size == (1600, 2133)
    # An SVG is served as it is, and so is a small original (the sample portrait).
    (drawing,) = page.xpath("//a[text()='the drawing']/@href")
    assert drawing.endswith("images/path-through-hills.svg")
    assert (photo_site / "phone-photo" / drawing).resolve().is_file()
    assert (photo_site / "images" / "portrait.jpg").is_file()


def test_a_writing_build_removes_an_original_an_earlier_build_copied(photo_content, tmp_path):
    output = tmp_path / "output"
    (output / "images").mkdir(parents=True)
    (output / "images" / "phone-photo.jpg").write_bytes(b"copied by an older build")
    build(photo_content, output)
    assert not (output / "images" / "phone-photo.jpg").exists()


def test_a_search_result_shows_the_pictures_160_px_webp(photo_site):
    page = parse(photo_site / "phone-photo" / "index.html")
    (meta,) = page.xpath("//h1/@data-pagefind-meta")
    assert re.fullmatch(r"image:\.\./images/phone-photo\.[0-9a-f]{8}\.160\.webp", meta), meta
    with Image.open(photo_site / "phone-photo" / meta.removeprefix("image:")) as thumbnail:
        assert thumbnail.format == "WEBP" and thumbnail.size == (160, 213)


def test_social_sites_get_a_1200_px_jpeg(photo_site):
    page = parse(photo_site / "phone-photo" / "index.html")
    # After the sharing card (sharing_cards plugin): the article's own picture.
    image = page.xpath("//meta[@property='og:image']/@content")[-1]
    assert re.search(r"/images/phone-photo\.[0-9a-f]{8}\.1200\.jpg$", image), image
    with Image.open(photo_site / "images" / image.rsplit("/", 1)[1]) as shared:
        assert shared.size == (1200, 1600)


def test_feed_readers_get_the_1200_px_jpeg_as_the_articles_picture(photo_site):
    feed = feedparser.parse((photo_site / "feeds" / "atom.xml").read_bytes())
    (entry,) = [e for e in feed.entries if e.title == "A walk in the hills"]
    (enclosure,) = entry.enclosures
    assert re.search(r"/images/phone-photo\.[0-9a-f]{8}\.1200\.jpg$", enclosure.href)
    made = photo_site / "images" / enclosure.href.rsplit("/", 1)[1]
    assert int(enclosure.length) == made.stat().st_size and enclosure.type == "image/jpeg"


def test_made_pictures_carry_no_exif_or_gps(photo_site):
    made = sorted((photo_site / "images").glob("phone-photo.*.*"))
    assert len(made) == 9  # four widths, WebP and JPEG; the search result's 160 px WebP
    for path in made:
        with Image.open(path) as picture:
            assert picture.height > picture.width, f"{path.name}: not turned upright"
            exif = picture.getexif()
            assert not exif, f"{path.name} keeps EXIF: {dict(exif)}"
            assert "exif" not in picture.info and not metadata_blocks(path.read_bytes())


def metadata_blocks(data: bytes) -> list[bytes]:
    """The EXIF or XMP blocks a JPEG (APP1 segments) or WebP (RIFF chunks) file
    holds. (A search for b"GPS" in the whole file would find it, by chance, in
    compressed picture data.)"""
    if data.startswith(b"RIFF"):
        blocks, at = [], 12
        while at + 8 <= len(data):
            kind, size = data[at : at + 4], int.from_bytes(data[at + 4 : at + 8], "little")
            if kind in (b"EXIF", b"XMP "):
                blocks.append(kind)
            at += 8 + size + (size & 1)
        return blocks
    blocks, at = [], 2  # JPEG: segments until the picture data starts
    while at + 4 <= len(data) and data[at] == 0xFF and data[at + 1] != 0xDA:
        size = int.from_bytes(data[at + 2 : at + 4], "big")
        if data[at + 1] == 0xE1:  # APP1: Exif or XMP
            blocks.append(data[at + 4 : at + 10])
        at += 2 + size
    return blocks


def test_a_warm_build_makes_no_picture_again(photo_content, photo_site):
    made = made_count(photo_content)
    assert made >= 2  # the photo and the portrait
    cached = {p: p.stat().st_mtime_ns for p in (photo_content.parent / "cache").rglob("*.webp")}
    second = build(photo_content, photo_content.parent / "second")
    assert made_count(photo_content) == made
    assert {p: p.stat().st_mtime_ns for p in cached} == cached
    first = sorted(p.name for p in (photo_site / "images").iterdir())
    assert sorted(p.name for p in (second / "images").iterdir()) == first


def test_a_changed_photo_is_made_again_under_a_new_name(photo_content, photo_site, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(photo_content, content)
    shutil.copytree(photo_content.parent / "cache", tmp_path / "cache")
    before = made_count(content)
    with Image.open(content / "images" / "phone-photo.jpg") as original:
        smaller = original.resize((1000, 750))
        smaller.save(content / "images" / "phone-photo.jpg", "JPEG", quality=85)
    output = build(content, tmp_path / "output")
    assert made_count(content) == before + 2  # its sizes for pages, its search thumbnail
    (img,) = parse(output / "phone-photo" / "index.html").xpath(IN_TEXT + "//img")
    # Never made wider than the original (1,000 wide, no EXIF turn now).
    assert srcset_widths(img.get("srcset")) == [480, 800, 1000]
    old = parse(photo_site / "phone-photo" / "index.html").xpath(IN_TEXT + "//img/@src")[0]
    assert img.get("src") != old


def test_the_email_shows_a_plain_jpeg(photo_site, photo_content):
    """The newsletter (and the feeds) get the <img> alone, with a JPEG at the
    email's column width or more: email programs show no WebP or <picture>."""
    sys.path.insert(0, str(ROOT / "plugins"))
    from lxml import html

    from digest.compose import EMAIL_COLUMN, email_images

    feed = (photo_site / "feeds" / "atom.xml").read_text(encoding="utf-8")
    entries = re.findall(r"<content type=\"html\">(.*?)</content>", feed, re.DOTALL)
    (fragment,) = [unescape(e) for e in entries if "phone-photo" in e]  # the entry's HTML
    assert "<picture" not in fragment and "webp" not in fragment
    shown = html.fragment_fromstring(email_images(fragment), create_parent="div")
    (img,) = [i for i in shown.iter("img") if "phone-photo" in i.get("src")]
    assert re.search(r"^http://localhost:8000/images/phone-photo\.\w+\.1200\.jpg$", img.get("src"))
    assert img.get("width") == str(EMAIL_COLUMN) and img.get("srcset") is None


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        tool_missing("Chromium (/usr/bin/chromium, apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_a_phone_reader_downloads_at_most_200_kb(browser, photo_site):
    """Chromium as a phone (375 px, two device pixels to the CSS pixel) reads
    the article to its end: the photo costs one 800 px WebP."""
    served = serve(photo_site)
    address = next(served)
    context = browser.new_context(viewport={"width": 375, "height": 800}, device_scale_factor=2)
    page = context.new_page()
    pictures = {}

    def note(response):
        if response.request.resource_type == "image":
            pictures[response.url] = len(response.body())

    page.on("response", note)
    try:
        page.goto(address + "phone-photo/", wait_until="networkidle")
        page.get_by_role("img", name="The path between two hills").scroll_into_view_if_needed()
        page.keyboard.press("End")  # on to the author's portrait at the end
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
        next(served, None)  # the server stops
    photo = [url for url in pictures if "phone-photo" in url]
    assert len(photo) == 1 and photo[0].endswith(".800.webp"), pictures
    assert any("portrait" in url for url in pictures), pictures
    assert sum(pictures.values()) <= PHONE_BUDGET, pictures
    # bench/weigh.py (`invoke bench`, the page-weight tests) picks as Chromium does.
    weighed = weigh(photo_site, photo_site / "phone-photo" / "index.html").pictures
    assert sorted(Path(p).name for p in weighed) == sorted(Path(u).name for u in pictures)
    print(f"\nA phone reader (375 px, DPR 2) downloads: {pictures}")


def test_a_file_that_is_no_picture_stops_the_build_with_the_fix(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "images" / "cut.jpg").write_bytes(phone_photo(400, 300)[:2000])
    article = ARTICLE.replace("phone-photo.jpg", "cut.jpg").replace(
        "Image: {static}/images/cut.jpg\n", ""
    )
    (content / "articles" / "cut.md").write_text(article, encoding="utf-8")
    cache = f'CACHE_PATH="{tmp_path / "cache"}"'
    result = run_pelican(content, tmp_path / "output", "pelicanconf.py", "-e", cache)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line["path"] == "content/images/cut.jpg"
    assert "save it again as JPEG" in line["fix"]


def test_a_picture_element_the_coach_wrote_is_left_as_written(photo_content, tmp_path):
    from types import SimpleNamespace

    from pictures import picture_item

    written = (
        '<picture><source srcset="{static}/images/portrait.jpg">'
        '<img src="{static}/images/portrait.jpg" alt="Me"></picture>'
    )
    item = SimpleNamespace(
        _content=written + '<p><img src="{static}/images/portrait.jpg" alt="Me too"></p>',
        relative_dir="articles",
        url="me/",
        metadata={},
    )
    settings = {
        "PATH": str(photo_content),
        "CACHE_PATH": str(tmp_path / "cache"),
        "STATIC_PATHS": ["images"],
        "RELATIVE_URLS": True,
        "SITEURL": "",
    }
    picture_item(item, settings)
    assert item._content.startswith(written)
    assert item._content.count("<picture>") == 2 and 'type="image/webp"' in item._content


def test_an_animated_webp_is_served_as_it_is(tmp_path):
    from types import SimpleNamespace

    from pictures import picture_item

    (tmp_path / "images").mkdir()
    frames = [Image.new("RGB", (64, 48), colour) for colour in ("red", "blue")]
    frames[0].save(tmp_path / "images/wave.webp", save_all=True, append_images=frames[1:])
    written = '<p><img src="{static}/images/wave.webp" alt="A wave"></p>'
    item = SimpleNamespace(_content=written, relative_dir="articles", url="wave/", metadata={})
    settings = {"PATH": str(tmp_path), "CACHE_PATH": str(tmp_path / "cache")}
    picture_item(item, {**settings, "STATIC_PATHS": ["images"], "RELATIVE_URLS": True})
    assert item._content == written


def test_a_search_result_shows_the_160_px_thumbnail_in_the_browser(browser, photo_site):
    """The search page (Pagefind, in Chromium) shows the photo's article with its
    thumbnail: the 160 px WebP, never the original or a page-sized picture."""
    served = serve(photo_site)
    address = next(served)
    context = browser.new_context(viewport={"width": 375, "height": 800}, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(address + "search/?q=hills")
        thumbnail = page.locator("#search-results li", has_text="A walk in the hills")
        thumbnail = thumbnail.locator("img.thumbnail")
        thumbnail.wait_for()
        page.wait_for_function("document.querySelector('img.thumbnail').complete")
        src = thumbnail.get_attribute("src")
        natural = page.evaluate("document.querySelector('img.thumbnail').naturalWidth")
        box = thumbnail.bounding_box()
    finally:
        context.close()
        next(served, None)  # the server stops
    assert re.search(r"/images/phone-photo\.[0-9a-f]{8}\.160\.webp$", src), src
    assert natural == 160 and (round(box["width"]), round(box["height"])) == (64, 64)
