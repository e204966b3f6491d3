"""The `Image:` header written the natural way (`images/walk.jpg`) gives the
site, its feeds and the newsletter exactly what the `{static}` form gives, and
every other way of naming the same file is read as that file."""

from __future__ import annotations

import email
import io
import json
from datetime import datetime, timedelta
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree, html
from PIL import Image

from conftest import OWN_SITE, run_invoke, with_own_addresses
from content_check.featured_image import featured_image, image_header_problem
from project import copy_project

STATIC_FORM = "{static}/images/walk.jpg"
NATURAL_FORM = "images/walk.jpg"


def photo() -> bytes:
    """A 1600 x 900 JPEG: large enough for the site to make its sizes of it."""
    picture = Image.new("RGB", (1600, 900))
    picture.putdata([(x % 256, y % 256, (x + y) % 256) for y in range(900) for x in range(1600)])
    data = io.BytesIO()
    picture.save(data, "JPEG", quality=80)
    return data.getvalue()


def built_with(project: Path, image: str, picture: bytes, when: datetime) -> Path:
    """`project` with a new article whose header says `Image: {image}`, built as
    published (output/) and with its newsletter composed (issue/)."""
    (project / "content/images/walk.jpg").write_bytes(picture)
    (project / "content/articles/a-walk.md").write_text(
        f"Title: A Walk\nDate: {when:%Y-%m-%d %H:%M}\nId: a-walk\nImage: {image}\n"
        "Summary: Out for a walk.\n\nA paragraph about walking.\n"
    )
    for command in (("preview",), ("digest", "--out", str(project / "issue"))):
        result = run_invoke(project, *command)
        assert result.returncode == 0, result.stdout + result.stderr
    return project


@pytest.fixture(scope="module")
def both_forms(tmp_path_factory) -> tuple[Path, Path]:
    """The same project built with the `{static}` form and with the natural one."""
    picture = photo()
    when = datetime.now(ZoneInfo("America/New_York")) - timedelta(hours=1)
    return tuple(
        built_with(
            with_own_addresses(copy_project(tmp_path_factory.mktemp(name) / "project")),
            image,
            picture,
            when,
        )
        for name, image in (("static", STATIC_FORM), ("natural", NATURAL_FORM))
    )


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_natural_form_publishes_byte_identical_pages_feeds_and_pictures(both_forms):
    static, natural = (files_of(project / "output") for project in both_forms)

    assert sorted(static) == sorted(natural)
    assert [name for name in static if static[name] != natural[name]] == []


def test_the_natural_form_gives_og_image_json_ld_and_feed_enclosure(both_forms):
    _, natural = both_forms
    page = html.fromstring((natural / "output/a-walk/index.html").read_bytes())
    # The article's own 1200 px JPEG after its sharing card, in og:image and JSON-LD.
    shared = page.xpath("//meta[@property='og:image']/@content")
    assert len(shared) == 2 and shared[1].startswith(f"{OWN_SITE}/images/walk."), shared
    assert shared[1].endswith(".1200.jpg")
    (data,) = page.xpath("//script[@type='application/ld+json']/text()")
    assert json.loads(data)["image"] == shared[1]
    assert page.xpath("//h1/@data-pagefind-meta")[0].endswith(".160.webp")

    feed = etree.parse(str(natural / "output/feeds/atom.xml"))
    atom = {"a": "http://www.w3.org/2005/Atom"}
    (entry,) = [
        e for e in feed.findall("a:entry", atom) if e.findtext("a:title", "", atom) == "A Walk"
    ]
    (enclosure,) = entry.xpath("a:link[@rel='enclosure']", namespaces=atom)
    assert enclosure.get("href") == shared[1] and enclosure.get("type") == "image/jpeg"


def email_bodies(project: Path) -> tuple[str, str]:
    with open(project / "issue/message.eml", "rb") as handle:
        message = email.message_from_binary_file(handle, policy=policy.default)
    return (
        message.get_body(("html",)).get_content(),
        message.get_body(("plain",)).get_content(),
    )


def test_the_natural_form_gives_the_same_newsletter_with_the_picture(both_forms):
    static, natural = (email_bodies(project) for project in both_forms)

    assert natural == static
    (picture,) = html.fromstring(natural[0]).xpath("//img[@class='picture']")
    assert picture.get("src").startswith(f"{OWN_SITE}/images/walk.")


WRITTEN_FORMS = [
    "images/walk.jpg",
    "/images/walk.jpg",
    "./images/walk.jpg",
    "../images/walk.jpg",
    "content/images/walk.jpg",
    "{static}/images/walk.jpg",
    "{static}images/walk.jpg",
    "|static|/images/walk.jpg",
    "  images/walk.jpg  ",
    "images\\walk.jpg",
    "walk.jpg",
]


@pytest.mark.parametrize("value", WRITTEN_FORMS)
def test_every_way_of_naming_the_file_is_read_as_that_file(tmp_path, value):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "images").mkdir()
    (content / "images/walk.jpg").write_bytes(b"\xff\xd8")
    article = str(content / "articles/a-walk.md")

    assert featured_image(value, article, str(content)) == "images/walk.jpg"
    assert image_header_problem(value, article, str(content)) is None


def test_a_picture_next_to_the_article_comes_before_the_content_folders(tmp_path):
    content = tmp_path / "content"
    for folder in ("articles/images", "images"):
        (content / folder).mkdir(parents=True)
        (content / folder / "walk.jpg").write_bytes(b"\xff\xd8")
    article = str(content / "articles/a-walk.md")

    assert featured_image("images/walk.jpg", article, str(content)) == "articles/images/walk.jpg"
    assert featured_image("/images/walk.jpg", article, str(content)) == "images/walk.jpg"


def content_with(tmp_path, picture: str) -> tuple[Path, str]:
    """A content folder holding `picture` and an article's folder: (the folder,
    the article's path)."""
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / picture).parent.mkdir(parents=True, exist_ok=True)
    (content / picture).write_bytes(b"\xff\xd8")
    return content, str(content / "articles/a-walk.md")


def test_other_capitals_are_refused_with_the_name_on_disk(tmp_path):
    content, article = content_with(tmp_path, "Images/Walk.jpg")

    assert featured_image("images/walk.JPG", article, str(content)) is None
    what, fix = image_header_problem("images/walk.JPG", article, str(content))
    assert what.startswith('Image "images/walk.JPG" differs in capitals from the file ')
    assert what.split(" the file ")[1].startswith(f"{content}/Images/Walk.jpg,")
    assert fix == 'write "Image: Images/Walk.jpg"'


def test_a_missing_file_without_a_near_name_says_where_to_put_it(tmp_path):
    content, article = content_with(tmp_path, "images/portrait.jpg")

    what, fix = image_header_problem("/images/nope.png", article, str(content))
    assert what == (
        f'Image "/images/nope.png" names a file that is not there: there is no '
        f"{content}/images/nope.png"
    )
    assert fix == (
        f"put the picture at {content}/images/nope.png, or correct the name in the header"
    )


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("https://example.org/walk.jpg", "is not a picture kept with the site"),
        ("//example.org/walk.jpg", "is not a picture kept with the site"),
        ("C:\\Users\\jordan\\walk.jpg", "names a file on your computer"),
    ],
)
def test_a_picture_outside_the_site_is_refused(tmp_path, value, what):
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    (content / "images/walk.jpg").write_bytes(b"\xff\xd8")

    assert featured_image(value, str(content / "a.md"), str(content)) is None
    refused = image_header_problem(value, str(content / "a.md"), str(content))
    assert what in refused[0]
    assert refused[1] == 'put the picture in content/images/ and write "Image: images/walk.jpg"'


def test_an_animated_webp_image_stays_out_of_the_email_which_cannot_show_it(tmp_path):
    project = with_own_addresses(copy_project(tmp_path / "project"))
    frames = [Image.new("RGB", (600, 300), colour) for colour in ((200, 90, 40), (40, 90, 200))]
    frames[0].save(
        project / "content/images/moving.webp", "WEBP", save_all=True, append_images=frames[1:]
    )
    when = datetime.now(ZoneInfo("America/New_York")) - timedelta(hours=1)
    (project / "content/articles/moving.md").write_text(
        f"Title: Moving\nDate: {when:%Y-%m-%d %H:%M}\nId: moving\nImage: images/moving.webp\n"
        "Summary: Moving on.\n\nA paragraph.\n"
    )
    result = run_invoke(project, "digest", "--out", str(project / "issue"))
    assert result.returncode == 0, result.stdout + result.stderr

    page, _ = email_bodies(project)
    assert "<h2" in page and "Moving" in page
    assert not html.fromstring(page).xpath("//img[@class='picture']")


def test_a_picture_renamed_while_serving_is_read_by_its_new_name(tmp_path):
    """`invoke serve` runs for hours: a name read once is not trusted after a rename."""
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "images").mkdir()
    (content / "images/walk.jpg").write_bytes(b"\xff\xd8")
    article = str(content / "articles/a-walk.md")
    assert featured_image("images/walk.jpg", article, str(content)) == "images/walk.jpg"

    (content / "images/walk.jpg").rename(content / "images/Walk.jpg")
    assert featured_image("images/walk.jpg", article, str(content)) is None
    assert image_header_problem("images/walk.jpg", article, str(content))[1] == (
        'write "Image: images/Walk.jpg"'
    )
    assert featured_image("images/Walk.jpg", article, str(content)) == "images/Walk.jpg"


def test_an_empty_image_line_is_refused_with_the_natural_form(tmp_path):
    from content_check.source import check_source

    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    article = content / "articles/a-walk.md"
    article.write_text("Title: A Walk\nDate: 2026-03-04\nId: 2026-03-04-a-walk\nImage:\n\nText.\n")

    problems = check_source(str(article), "article", str(content)).problems
    assert [(p.line, p.what, p.fix) for p in problems] == [
        (
            4,
            "Image is empty",
            'write it after the key, like "Image: images/photo.jpg", or remove the line',
        )
    ]
