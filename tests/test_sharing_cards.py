"""Every article has a sharing card (og:image): 1200x630, at most 150 KB, its
title drawn whole in the theme's font, made once; a title the font cannot draw
shares the site's card, and the build says so in one line, once."""

from __future__ import annotations

import io
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image, ImageChops

from conftest import ROOT, parse, run_pelican

sys.path.insert(0, str(ROOT / "plugins"))
from sharing_cards.drawing import (  # noqa: E402
    FONT,
    HEIGHT,
    WIDTH,
    draw_card,
    drawable,
    fit,
    font,
    undrawable,
)

SITEURL = "https://coach.test"
MANY_SCRIPTS = "Café “naïve” ‘parts’ — Ψυχή και στόχοι, душа и цели: Ærøskøbing façade"
LONG = ("Why the part of you that says no is protecting something you care about " * 3)[:200]
FALLBACKS = {"cjk": "心の部分と目標", "emoji": "Small steps 🌱 every day"}
ESCAPING = 'Less <b>is</b> "more" & </script> you'


def article(slug: str, title: str, extra: str = "") -> str:
    return (
        f"Title: {title}\nDate: 2026-02-0{len(slug) % 9 + 1} 09:00\nId: 2026-02-01-{slug}\n"
        f"Status: published\n{extra}\nA few words about {slug}.\n"
    )


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cards") / "content"
    shutil.copytree(ROOT / "content", folder)
    articles = folder / "articles"
    (articles / "many-scripts.md").write_text(article("many-scripts", MANY_SCRIPTS))
    (articles / "long-title.md").write_text(article("long-title", LONG))
    (articles / "escaping.md").write_text(article("escaping", ESCAPING))
    for slug, title in FALLBACKS.items():
        (articles / f"{slug}.md").write_text(article(slug, title))
    # A phone-sized picture of colour noise (what compresses worst), as its own picture.
    photo = Image.merge("RGB", [Image.effect_noise((1600, 1200), 200) for _ in range(3)])
    photo.save(folder / "images" / "photo.jpg", quality=95)
    (articles / "with-photo.md").write_text(
        article("with-photo", "A walk with a photo", "Image: {static}/images/photo.jpg")
    )
    return folder


@pytest.fixture(scope="module")
def built(content, tmp_path_factory):
    """A cold publish build, then a warm one with the same cache."""
    where = tmp_path_factory.mktemp("cards-out")
    cache = where / "cache"
    runs = []
    for name in ("cold", "warm"):
        result = run_pelican(
            content, where / name, "publishconf.py", "-e", f'CACHE_PATH="{cache}"',
            env={"SITEURL": SITEURL},
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        runs.append(result)
        if name == "cold":
            made = {p: p.stat().st_mtime_ns for p in (cache / "sharing-cards").iterdir()}
    return where, cache, runs, made


def card_of(site: Path, slug: str) -> tuple[dict, Path]:
    tree = parse(site / slug / "index.html")
    meta = {}
    for element in tree.xpath("//meta[starts-with(@property, 'og:image')]"):
        meta.setdefault(element.get("property"), element.get("content"))  # the first
    assert meta["og:image"].startswith(f"{SITEURL}/theme/cards/"), meta
    return meta, site / urlsplit(meta["og:image"]).path.lstrip("/")


def test_every_article_has_its_own_card_of_the_right_size(built, content):
    site = built[0] / "cold"
    slugs = [p.stem for p in (content / "articles").glob("*.md")]
    cards = {}
    for slug in slugs:
        if not (site / slug / "index.html").exists():
            continue  # a draft or scheduled sample article
        meta, path = card_of(site, slug)
        assert meta["og:image:width"] == "1200" and meta["og:image:height"] == "630"
        assert path.stat().st_size <= 150_000, (slug, path.stat().st_size)
        with Image.open(path) as image:
            assert image.size == (1200, 630) and image.format == "JPEG"
        cards[slug] = meta["og:image"]
    assert len(cards) >= 8
    own = {url for slug, url in cards.items() if slug not in FALLBACKS}
    assert len(own) == len(cards) - len(FALLBACKS), "one card per title"
    meta, _ = card_of(site, "many-scripts")
    assert meta["og:image:alt"] == MANY_SCRIPTS


def test_the_alt_text_is_escaped(built):
    site = built[0] / "cold"
    html = (site / "escaping" / "index.html").read_text()
    escaped = "Less &lt;b&gt;is&lt;/b&gt; &#34;more&#34; &amp; &lt;/script&gt; you"
    alt = f'<meta property="og:image:alt" content="{escaped}">'
    assert alt in html
    meta, _ = card_of(site, "escaping")
    assert meta["og:image:alt"] == ESCAPING


def test_a_title_the_font_cannot_draw_shares_the_site_card_and_is_named_once(built):
    where, _, (cold, warm), _ = built
    site_card = card_of(where / "cold", "about")[0]  # a page: the site's card
    for slug in FALLBACKS:
        assert card_of(where / "cold", slug)[0] == site_card, slug
    lines = [line for line in cold.stderr.splitlines() if "Sharing cards" in line]
    assert len(lines) == 1, cold.stderr
    assert "content/articles/cjk.md (心 の 部 分 と 目 標)" in lines[0]
    assert "content/articles/emoji.md (🌱)" in lines[0]
    assert "many-scripts" not in lines[0]
    assert "Sharing cards" not in warm.stderr, "said once, not on every build"


def test_a_warm_build_makes_no_card_again(built):
    where, cache, _, made = built
    after = {p: p.stat().st_mtime_ns for p in (cache / "sharing-cards").iterdir()}
    assert after == made
    cold = sorted(p.name for p in (where / "cold" / "theme" / "cards").iterdir())
    warm = sorted(p.name for p in (where / "warm" / "theme" / "cards").iterdir())
    assert cold == warm
    for name in cold:
        cold_bytes = (where / "cold" / "theme" / "cards" / name).read_bytes()
        assert cold_bytes == (where / "warm" / "theme" / "cards" / name).read_bytes()


def test_the_own_picture_fills_the_right_side(built, content):
    _, path = card_of(built[0] / "cold", "with-photo")
    with Image.open(path) as card:
        right = card.crop((WIDTH - 300, 0, WIDTH, HEIGHT)).convert("L")
        left = card.crop((300, 0, 600, 60)).convert("L")
    assert max(right.getextrema()) - min(right.getextrema()) > 150, "the noise photo"
    assert left.getextrema()[1] - left.getextrema()[0] < 12, "the plain background"


def test_the_font_has_every_letter_of_latin_greek_and_cyrillic_titles():
    for character in MANY_SCRIPTS + LONG + "ÀÉÎÕÜŁŒŠŽ αβγδεζηθλμπσω АБВГДЕЖЗИЙЯ ёъыэюя ’“”…–":
        assert drawable(character), f"{character!r} U+{ord(character):04X}"
        if not character.isspace():
            assert font(48).getmask(character).getbbox(), character
    assert undrawable(FALLBACKS["cjk"]) == list(FALLBACKS["cjk"])
    assert undrawable(FALLBACKS["emoji"]) == ["🌱"]


def test_a_200_character_title_is_wrapped_inside_the_card():
    assert len(LONG) == 200
    size, lines = fit(LONG, 700, 380)
    assert all(font(size).getlength(line) <= 700 for line in lines)
    assert " ".join(lines).replace("…", "") in LONG
    # Drawn, no letter of the title reaches into the footer or past the right margin.
    card = Image.open(io.BytesIO(draw_card(LONG, "Site", None, False)))
    blank = Image.open(io.BytesIO(draw_card("", "Site", None, False)))
    changed = ImageChops.difference(card.convert("L"), blank.convert("L")).point(
        lambda v: 255 if v > 40 else 0
    )
    box = changed.getbbox()
    assert box and box[2] <= WIDTH - 72 and box[3] <= HEIGHT - 72 - 34 - 30, box


def test_a_word_longer_than_the_line_is_cut_not_overflowing():
    word = "Selbstwirksamkeitserwartungsüberzeugungsarbeit" * 2
    size, lines = fit(word, 500, 380)
    assert all(font(size).getlength(line) <= 500 for line in lines)
    assert "".join(lines) == word


def test_the_font_ships_with_its_licence():
    licence = (FONT.parent / "OFL.txt").read_text()
    assert "SIL Open Font License, Version 1.1" in licence


def test_the_public_site_holds_only_the_cards_its_pages_name(built):
    # A draft's (or scheduled article's) title must not reach the public site early.
    site = built[0] / "cold"
    named = set()
    for page in site.rglob("*.html"):
        named.update(parse(page).xpath("//meta[@property='og:image']/@content"))
    served = {f"{SITEURL}/theme/cards/{p.name}" for p in (site / "theme" / "cards").iterdir()}
    assert served and served <= named
    assert not (site / "what-a-first-session-looks-like").exists(), "the sample draft"


def test_a_site_name_the_font_cannot_draw_is_left_off_not_drawn_as_boxes(tmp_path):
    from sharing_cards import CardMaker

    settings = {"PATH": str(ROOT / "content"), "CACHE_PATH": str(tmp_path), "SITEURL": ""}
    settings |= {"SITENAME": "心の庭", "SITE_TAGLINE": "", "COACH_PORTRAIT": ""}
    maker = CardMaker(settings)
    card = maker.site_card()
    maker.finish_drawing()
    assert card["alt"] == "心の庭"
    (made,) = (tmp_path / "sharing-cards").iterdir()
    with Image.open(made) as drawn:
        text_side = drawn.convert("L").crop((40, 0, WIDTH, HEIGHT))
    assert text_side.getextrema()[0] > 150, "no dark letter or box: the words are left off"


def test_a_writing_build_keeps_only_the_cards_of_the_titles_it_has(tmp_path):
    content, output = tmp_path / "content", tmp_path / "output"
    shutil.copytree(ROOT / "content", content)
    note = content / "articles" / "note.md"
    names = []
    for title in ("A first title", "A better title"):
        note.write_text(article("note", title))
        cache = f'CACHE_PATH="{tmp_path / "cache"}"'
        result = run_pelican(content, output, "pelicanconf.py", "-e", cache)
        assert result.returncode == 0, result.stderr
        page = parse(output / "note" / "index.html")
        (url,) = page.xpath("//meta[@property='og:image']/@content")
        assert (output / url.lstrip("/")).is_file(), url
        names.append(url.rsplit("/", 1)[1])
    assert names[0] != names[1], "a new title, a new address"
    named = set()
    for page in output.rglob("*.html"):
        named.update(parse(page).xpath("//meta[@property='og:image']/@content"))
    served = {f"/theme/cards/{p.name}" for p in (output / "theme" / "cards").iterdir()}
    assert served == {url for url in named if url.startswith("/theme/cards/")}
    assert f"/theme/cards/{names[0]}" not in served, "the old title's card is gone"


def test_cards_drawn_by_workers_are_the_cards_one_process_draws(tmp_path):
    # Enough new titles that the cards are drawn by forked workers during the build.
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    for number in range(40):
        slug = f"note-{number}"
        (content / "articles" / f"{slug}.md").write_text(article(slug, f"Note {number}: a step"))
    cards = {}
    for workers in ("2", "1"):
        cache = f'CACHE_PATH="{tmp_path / workers / "cache"}"'
        output = tmp_path / workers / "output"
        result = run_pelican(
            content,
            output,
            "pelicanconf.py",
            "-v",
            "-e",
            cache,
            env={"BUILD_WORKERS": workers, "COLUMNS": "300"},
        )
        assert result.returncode == 0, result.stderr
        said = re.search(r"Sharing cards: drew (\d+) \((\d+) by forked", result.stdout)
        assert said, result.stdout[-3000:]
        drawn, by_workers = int(said[1]), int(said[2])
        assert drawn > 40 and by_workers == (drawn if workers == "2" else 0), said[0]
        folder = output / "theme" / "cards"
        cards[workers] = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert len(cards["2"]) > 40
    assert cards["2"] == cards["1"]


def test_without_the_setting_no_card_is_made_and_og_image_is_the_sites_picture(tmp_path):
    result = run_pelican(
        ROOT / "content", tmp_path / "output", "pelicanconf.py", "-e", "SHARING_CARDS=false"
    )
    assert result.returncode == 0, result.stderr
    page = parse(tmp_path / "output" / "coaching-or-therapy" / "index.html")
    images = page.xpath("//meta[@property='og:image']/@content")
    assert len(images) == 1 and "/theme/cards/" not in images[0]
    assert not (tmp_path / "output" / "theme" / "cards").exists()
