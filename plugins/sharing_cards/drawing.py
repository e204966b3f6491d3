"""One sharing card drawn: a 1200x630 JPEG with a title, the site's name and a
picture, in the theme's font and colours, at most 150 KB."""

from __future__ import annotations

import io
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

WIDTH, HEIGHT = 1200, 630
MAX_BYTES = 150_000
# The theme's font (OFL; theme/cards/README.md says where it comes from).
FONT = Path(__file__).resolve().parents[2] / "theme" / "cards" / "SourceSansPro-Semibold.ttf"
# The theme's light colours (theme/static/site.css).
BACKGROUND, TEXT, ACCENT, LINE = "#fbf7f2", "#2a2420", "#8f3d1f", "#ddd0c1"
MARGIN = 72
# Title sizes tried, largest first, until the title fits its box.
TITLE_SIZES = (76, 68, 60, 54, 48, 42, 38, 34)
SITE_NAME_SIZE = 34
PANEL = 440  # width of an article's own picture, on the right
PORTRAIT = 300  # diameter of the round portrait


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    # The basic layout draws the same pixels wherever the build runs (raqm may be absent).
    return ImageFont.truetype(str(FONT), size, layout_engine=ImageFont.Layout.BASIC)


@cache
def _missing_glyph() -> bytes:
    # A character outside Unicode's assigned planes has no glyph: the font draws
    # its "missing" box (.notdef) for it, as for any character it lacks.
    return _glyph("\U0010fffd")


@lru_cache(maxsize=4096)
def _glyph(character: str) -> bytes:
    mask = font(48).getmask(character)
    return bytes(mask.size) + bytes(mask)


def drawable(character: str) -> bool:
    """Whether the card's font has a glyph for `character` (spaces always do)."""
    return character.isspace() or _glyph(character) != _missing_glyph()


def undrawable(text: str) -> list[str]:
    """The characters of `text` the font cannot draw, each once, in order."""
    return list(dict.fromkeys(c for c in plain(text) if not drawable(c)))


def plain(text: str) -> str:
    """The text as drawn: composed (é, not e + accent), one space between words."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _width(text: str, size: int) -> float:
    return font(size).getlength(text)


def _split_word(word: str, size: int, width: int) -> list[str]:
    """A word wider than the box, cut into pieces that fit."""
    pieces, piece = [], ""
    for character in word:
        if piece and _width(piece + character, size) > width:
            pieces.append(piece)
            piece = ""
        piece += character
    return pieces + [piece]


def wrap(text: str, size: int, width: int) -> list[str]:
    """The lines of `text` at `size`, each at most `width` pixels wide."""
    lines, line = [], ""
    for word in plain(text).split(" "):
        for piece in _split_word(word, size, width) if _width(word, size) > width else [word]:
            candidate = f"{line} {piece}" if line else piece
            if line and _width(candidate, size) > width:
                lines.append(line)
                candidate = piece
            line = candidate
    return lines + [line] if line else lines


def fit(text: str, width: int, height: int) -> tuple[int, list[str]]:
    """The largest size whose lines fit the box; at the smallest, the lines that
    fit, the last one ending in an ellipsis (a card never overflows)."""
    for size in TITLE_SIZES:
        lines = wrap(text, size, width)
        if len(lines) * _leading(size) <= height:
            return size, lines
    size = TITLE_SIZES[-1]
    lines = wrap(text, size, width)[: max(1, height // _leading(size))]
    return size, lines[:-1] + [shortened(lines[-1] + "…", size, width)]


def shortened(line: str, size: int, width: int) -> str:
    """`line` cut before an ellipsis until it fits `width`."""
    if _width(line, size) <= width:
        return line
    line = line.removesuffix("…")
    while line and _width(line + "…", size) > width:
        line = line[:-1].rstrip()
    return line + "…"


def _leading(size: int) -> int:
    return round(size * 1.18)


def _picture_key(path: Path | None) -> tuple:
    """What names a picture's version within a build: its path, time and size."""
    if path is None:
        return (None, 0, 0)
    stat = path.stat()
    return (path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _fitted(path: Path, mtime_ns: int, size: int, round_portrait: bool) -> Image.Image:
    """The picture cut to its place, once per file and build. (Pasted, never changed.)"""
    with Image.open(path) as opened:
        picture = ImageOps.exif_transpose(opened).convert("RGB")
    if not round_portrait:
        return ImageOps.fit(picture, (PANEL, HEIGHT), Image.Resampling.LANCZOS)
    picture = ImageOps.fit(picture, (PORTRAIT, PORTRAIT), Image.Resampling.LANCZOS)
    # Drawn 4x larger and scaled down, the circle's edge is smooth.
    mask = Image.new("L", (PORTRAIT * 4, PORTRAIT * 4), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, PORTRAIT * 4 - 1, PORTRAIT * 4 - 1), fill=255)
    picture.putalpha(mask.resize((PORTRAIT, PORTRAIT), Image.Resampling.LANCZOS))
    return picture


@lru_cache(maxsize=8)
def _background(picture_key: tuple, round_portrait: bool) -> tuple[Image.Image, int]:
    """Everything but the words, once per picture and build (the portrait is on
    most cards; pasting it each time cost a tenth of a card), and where the words end."""
    picture = _fitted(*picture_key, round_portrait) if picture_key[0] else None
    card = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(card)
    text_right = WIDTH - MARGIN
    if picture is not None and round_portrait:
        left = WIDTH - MARGIN - PORTRAIT
        card.paste(picture, (left, (HEIGHT - PORTRAIT) // 2 - 30), picture)
        text_right = left - 56
    elif picture is not None:
        card.paste(picture, (WIDTH - PANEL, 0))
        text_right = WIDTH - PANEL - 56
    draw.rectangle((0, 0, 15, HEIGHT), fill=ACCENT)
    footer_top = HEIGHT - MARGIN - SITE_NAME_SIZE
    draw.line((MARGIN, footer_top - 20, MARGIN + 96, footer_top - 20), fill=LINE, width=4)
    return card, text_right


@cache
def _canvas() -> Image.Image:
    """The one image every card of this process is drawn on, painted over each
    time: a new 3 MB image per card cost a build of 1,000 cards over a million
    page faults (some 3 CPU-seconds) as the memory went back and forth."""
    return Image.new("RGB", (WIDTH, HEIGHT))


def draw_card(title: str, site_name: str, picture: Path | None, round_portrait: bool) -> bytes:
    """The card as JPEG bytes. `picture` is the article's own picture (filling
    the right side) or, with `round_portrait`, the coach's portrait (a circle)."""
    background, text_right = _background(_picture_key(picture), round_portrait)
    card = _canvas()
    card.paste(background)
    draw = ImageDraw.Draw(card)
    footer_top = HEIGHT - MARGIN - SITE_NAME_SIZE
    size, lines = fit(title, text_right - MARGIN, footer_top - 40 - MARGIN)
    top = MARGIN + (footer_top - 40 - MARGIN - len(lines) * _leading(size)) // 2
    for number, line in enumerate(lines):
        draw.text((MARGIN, top + number * _leading(size)), line, font=font(size), fill=TEXT)
    name = shortened(plain(site_name), SITE_NAME_SIZE, text_right - MARGIN)
    draw.text((MARGIN, footer_top), name, font=font(SITE_NAME_SIZE), fill=ACCENT)
    return _jpeg(card)


def _jpeg(card: Image.Image) -> bytes:
    """The smallest loss that keeps the card within MAX_BYTES."""
    for quality in (88, 80, 72, 64, 56, 48, 40, 30, 20):  # a noisy photo needs the low ones
        buffer = io.BytesIO()
        card.save(buffer, "JPEG", quality=quality, optimize=True, subsampling="4:2:0")
        if buffer.tell() <= MAX_BYTES:
            break
    return buffer.getvalue()
