"""The reader details plugin's plain functions, without a build."""

from __future__ import annotations

import json
import struct
import sys
import zlib
from datetime import datetime
from types import SimpleNamespace

import pytest

from conftest import ROOT, parse, problem_lines, run_invoke, run_pelican

sys.path.insert(0, str(ROOT / "plugins"))
from reader_details import (  # noqa: E402
    TagIndex,
    absolute_url,
    add_image_attributes,
    json_ld,
    neighbours,
    reading_time,
    robots_txt,
    social_image,
)
from reader_details.counting import COUNTED, minutes_to_read  # noqa: E402
from reader_details.images import READABLE_FORMATS, image_size  # noqa: E402


def article(slug, day, tags=()):
    return SimpleNamespace(url=f"{slug}/", date=datetime(2026, 1, day), tags=list(tags))


def test_reading_time_counts_words_not_markup():
    assert reading_time("<p>One line.</p>") == 1
    assert reading_time("<p>" + "word " * 221 + "</p>") == 2
    assert reading_time('<img alt="many words here" src="x.png">' * 500) == 1


def test_the_readers_count_is_taken_only_for_the_very_html_it_counted():
    html = "<p>" + "word " * 500 + "</p>"  # 3 minutes
    as_read = SimpleNamespace(metadata={COUNTED: (7, html)}, _content=html)
    assert minutes_to_read(as_read) == 7, "the count made while reading is taken as it is"
    changed = SimpleNamespace(metadata={COUNTED: (7, html)}, _content=html.replace("d ", "d d "))
    assert minutes_to_read(changed) == reading_time(changed._content) == 5
    assert minutes_to_read(SimpleNamespace(metadata={}, _content=html)) == 3


def test_related_articles_share_the_most_tags_newest_first():
    me = article("me", 10, ["a", "b"])
    both = article("both", 1, ["a", "b"])
    one_new, one_old = article("new", 9, ["a"]), article("old", 2, ["b"])
    none = article("none", 5, ["c"])
    pool = [me, both, one_new, one_old, none, article("extra", 3, ["a"])]
    assert TagIndex(pool).related(me) == [both, one_new, pool[-1]]
    assert TagIndex(pool).related(article("lonely", 4, [])) == []


def test_neighbours_are_the_next_newer_and_older():
    first, middle, last = article("a", 1), article("b", 2), article("c", 3)
    next_to = neighbours([last, middle, first])
    assert next_to[id(middle)] == (last, first)
    assert next_to[id(first)] == (middle, None)
    assert next_to[id(last)] == (None, middle)


def test_absolute_url_drops_index_html():
    assert absolute_url("https://x.org/", "tag/ifs/index.html") == "https://x.org/tag/ifs/"
    assert absolute_url("https://x.org", "index.html") == "https://x.org/"
    assert absolute_url("", "404.html") == "/404.html"


def test_json_ld_cannot_end_its_script_element():
    text = json_ld({"headline": "</script><b>&</b>\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["headline"] == "</script><b>&</b>\u2028"


def test_robots_names_the_sitemap_only_with_a_public_address():
    assert "Sitemap: https://x.org/sitemap.xml" in robots_txt("https://x.org")
    assert "Sitemap" not in robots_txt("")


def png(width, height):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)


def test_images_get_their_size_and_lazy_loading(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "a.png").write_bytes(png(640, 360))
    (tmp_path / "images" / "b.svg").write_text('<svg viewBox="0 0 80 45"></svg>')
    html = '<p><img alt="A" src="{static}/images/a.png"> <img alt="B" src="{static}/images/b.svg"/>'
    result = add_image_attributes(html + '<img src="https://x.org/c.jpg" alt="C"></p>', tmp_path)
    assert 'width="640" height="360" loading="lazy" decoding="async">' in result
    assert 'width="80" height="45" loading="lazy" decoding="async" />' in result
    assert '<img src="https://x.org/c.jpg" alt="C" loading="lazy" decoding="async">' in result
    assert image_size(ROOT / "content" / "images" / "path-through-hills.svg") == (800, 450)


def test_the_social_image_is_the_image_header_or_the_site_picture():
    content = ROOT / "content"
    settings = {"SITEURL": "https://x.org", "SITE_IMAGE": "theme/social.png", "PATH": content}
    source = str(content / "articles" / "a.md")
    with_image = SimpleNamespace(image="{static}/images/path-through-hills.svg", source_path=source)
    assert social_image(with_image, settings) == "https://x.org/images/path-through-hills.svg"
    relative = SimpleNamespace(image="{static}../images/path-through-hills.svg", source_path=source)
    assert social_image(relative, settings) == "https://x.org/images/path-through-hills.svg"
    natural = SimpleNamespace(image="images/path-through-hills.svg", source_path=source)
    assert social_image(natural, settings) == "https://x.org/images/path-through-hills.svg"
    assert social_image(SimpleNamespace(), settings) == "https://x.org/theme/social.png"


UNREADABLE_SIZES = {
    "percent.svg": b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100% 50%"></svg>',
    "huge.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="1e999" height="2"></svg>',
    "cut.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    "cut.jpg": b"\xff\xd8\xff\xc0\x00\x11\x08\x00",
}


def test_an_image_whose_size_cannot_be_read_gets_none_or_is_refused_with_the_fix(tmp_path):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "images").mkdir()
    body_of = {"": "Pictures of every kind.\n\n"}
    for name, data in UNREADABLE_SIZES.items():
        (content / "images" / name).write_bytes(data)
        body_of[name] = f"![Picture {name}]({{static}}/images/{name})\n\n"
    body = "".join(body_of.values())
    (content / "articles" / "odd.md").write_text(
        f"Title: Odd pictures\nDate: 2026-02-01 09:00\nId: 2026-02-01-odd\n\n{body}"
    )

    # A cut JPEG or PNG cannot be made into the sizes pages show (pictures plugin):
    # the build names each, with the fix, and publishes no broken picture.
    result = run_pelican(content, tmp_path / "refused")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert [line["path"] for line in problem_lines(result.stderr)] == [
        "content/images/cut.png",
        "content/images/cut.jpg",
    ]
    for name in ("cut.png", "cut.jpg"):
        (content / "images" / name).unlink()
        del body_of[name]
    body = "".join(body_of.values())
    (content / "articles" / "odd.md").write_text(
        f"Title: Odd pictures\nDate: 2026-02-01 09:00\nId: 2026-02-01-odd\n\n{body}"
    )
    result = run_pelican(content, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    images = parse(tmp_path / "out" / "odd" / "index.html").xpath("//main//img")
    assert len(images) == len(body_of) - 1  # the text before the pictures
    for image in images:
        assert image.get("width") is None and image.get("height") is None, image.get("src")
        assert image.get("loading") == "lazy"
    checked = run_invoke(ROOT, "check", "--content", str(content))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Traceback" not in checked.stderr


# Each kind of picture the build says it reads, as a file of that kind: (Pillow's
# format and options, or the SVG's text).
PICTURE_OF_KIND = {
    "JPEG": ("JPEG", {}),
    "PNG": ("PNG", {}),
    "GIF": ("GIF", {}),
    "WebP": ("WEBP", {}),
    "WebP lossless": ("WEBP", {"lossless": True}),
    "WebP animated": ("WEBP", {"save_all": True, "append_images": "one more frame"}),
    "SVG": '<svg xmlns="http://www.w3.org/2000/svg" width="301" height="79"></svg>',
}


@pytest.mark.parametrize("kind", PICTURE_OF_KIND)
def test_every_kind_of_picture_the_build_names_has_its_size_read(tmp_path, kind):
    from PIL import Image

    assert kind.split()[0] in READABLE_FORMATS
    made = PICTURE_OF_KIND[kind]
    path = tmp_path / f"picture.{kind.split()[0].lower()}"
    if isinstance(made, str):
        path.write_text(made)
    else:
        picture = Image.new("RGBA" if made[0] == "WEBP" else "RGB", (301, 79), (200, 90, 40))
        options = dict(made[1])
        if "append_images" in options:
            options["append_images"] = [Image.new("RGBA", (301, 79), (1, 2, 3, 4))]
        picture.save(path, made[0], **options)
    assert image_size(path) == (301, 79)


def test_the_kinds_named_are_the_kinds_tried():
    assert {kind.split()[0] for kind in PICTURE_OF_KIND} == set(READABLE_FORMATS)
