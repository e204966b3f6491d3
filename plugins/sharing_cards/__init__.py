"""Sharing cards: the picture social sites show when a page is shared (issue 25).

Adds to the build:

- on every article: `social_card` ({"url", "width", "height", "alt"}), a
  1200x630 JPEG with its title, the site's name and its own picture (its
  `Image:` header, when Pillow can read it) or else the coach's portrait
  (COACH_PORTRAIT), in the theme's font (theme/cards/);
- the template variable SITE_CARD (the same keys): the site's own card (its
  name, tagline and portrait), for every other page and for an article whose title has a
  character the font cannot draw (the build says so in one line, the first
  time it meets that title).

On unless SHARING_CARDS is False. Each card is made once: kept in CACHE_PATH
under a name made of everything drawn on it (title, site name, picture and font
bytes), so a warm build makes none, and written to theme/cards/ in the output
under that name (a changed card has a new address, which social sites fetch
afresh). A card costs about 5 ms to draw; the cards a build lacks are
named (addresses, alt texts) once the articles are read, in Pelican's order,
and drawn once the content check has passed, by forked workers
(plugins/forked_workers, BUILD_WORKERS of them) while the pages are written; they are
collected when the build finishes, and what a worker could not draw, this
process draws. bench/sharing_cards_cost.py measures what they add to a cold
build of 1,000 articles.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import unquote

from face import FaceSettingError, theme_picture
from pelican import signals
from reader_details import absolute_url

from content_check.featured_image import featured_image
from forked_workers import Forked, build_workers, serial_reason

from .drawing import FONT, HEIGHT, WIDTH, draw_card, plain, undrawable

__all__ = ["CardMaker", "register"]

logger = logging.getLogger(__name__)

OUTPUT_FOLDER = "theme/cards"
# Fewer cards than this are drawn here: starting workers costs about 40 ms.
MIN_CARDS = 24
# Read by Pillow; an SVG picture is left to the portrait.
RASTER = (".jpg", ".jpeg", ".png", ".gif", ".webp")


def _digest(*parts: bytes) -> str:
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(len(part).to_bytes(8, "big") + part)
    return hashed.hexdigest()[:12]


class CardMaker:
    """Makes (or finds in the cache) the cards of one build."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.content = Path(settings["PATH"])
        self.cache = Path(settings["CACHE_PATH"]) / "sharing-cards"
        # Read once a build: the font and each picture are in every key they draw.
        self.font_digest = hashlib.sha256(FONT.read_bytes()).digest()
        self.picture_digests: dict[Path, bytes] = {}
        self.portrait = self._portrait()
        self.made: list[str] = []  # keys of the cards drawn in this build
        # The cards not in the cache yet: key -> what draw_card draws.
        self.pending: dict[str, tuple] = {}
        self.drawing: Forked | None = None
        self.written: dict[str, Path] = {}  # output name -> cached file
        self.new_fallbacks: list[str] = []  # "articles/x.md: “…”" the first time seen
        self.markers: list[Path] = []  # the titles said, so that the next build is quiet

    def _portrait(self) -> Path | None:
        try:
            picture = theme_picture(self.settings, "COACH_PORTRAIT", "")
        except FaceSettingError:  # missing or unreadable: the face plugin says so
            return None
        path = picture and self.content / unquote(picture["url"])
        return path if path and path.suffix.lower() in RASTER else None

    def card(self, title: str, picture: Path | None, round_portrait: bool) -> str:
        """The card's output path (theme/cards/NAME.jpg), drawn unless cached."""
        # A site's name in letters the font lacks is left off rather than drawn as boxes.
        site_name = "" if undrawable(self.settings["SITENAME"]) else self.settings["SITENAME"]
        key = _digest(
            plain(title).encode(),
            site_name.encode(),
            self._picture_digest(picture),
            b"round" if round_portrait else b"panel",
            self.font_digest,
        )
        cached = self.cache / f"{key}.jpg"
        if key not in self.pending and not cached.is_file():
            self.pending[key] = (title, site_name, picture, round_portrait)
        name = f"{OUTPUT_FOLDER}/{key}.jpg"
        self.written[name] = cached
        return name

    def _draw(self, key: str) -> bool:
        data = draw_card(*self.pending[key])
        self.cache.mkdir(parents=True, exist_ok=True)
        cached = self.cache / f"{key}.jpg"
        partial = cached.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(cached)  # a card in the cache is always whole
        return True

    def start_drawing(self) -> None:
        """The missing cards drawn by forked workers while the build goes on, or
        here and now for a few cards or a build that stays in one process."""
        keys = list(self.pending)
        if self.markers:
            self.cache.mkdir(parents=True, exist_ok=True)
            for marker in self.markers:
                marker.touch()
        workers = build_workers(self.settings)
        if len(keys) < MIN_CARDS or serial_reason(workers) is not None:
            self.finish_drawing()
            return
        self.cache.mkdir(parents=True, exist_ok=True)
        # Each worker's first card fits the picture once in that worker.
        self.drawing = Forked(lambda i: self._draw(keys[i]), len(keys), workers)

    def finish_drawing(self) -> None:
        """Wait for the workers; draw what they could not (or every card, serially)."""
        keys = list(self.pending)
        done = set()
        if self.drawing is not None:
            done = {keys[i] for i, drawn in self.drawing.results() if drawn}
            self.drawing = None
        for key in keys:
            if key not in done:
                self._draw(key)
        if keys:
            logger.info("Sharing cards: drew %d (%d by forked workers)", len(keys), len(done))
        self.made += keys
        self.pending.clear()

    def _picture_digest(self, picture: Path | None) -> bytes:
        if picture is None:
            return b""
        if picture not in self.picture_digests:
            self.picture_digests[picture] = hashlib.sha256(picture.read_bytes()).digest()
        return self.picture_digests[picture]

    def site_card(self) -> dict:
        title = self.settings.get("SITE_TAGLINE") or self.settings["SITENAME"]
        name = self.card("" if undrawable(title) else title, self.portrait, round_portrait=True)
        site_name = self.settings["SITENAME"]
        return self._described(name, site_name + (f": {title}" if title != site_name else ""))

    def article_card(self, article, site_card: dict) -> dict:
        title = plain(str(article.title))
        missing = undrawable(title)
        if missing:
            self._remember_fallback(article, title, missing)
            return site_card
        own = self._own_picture(article)
        picture = own or self.portrait
        name = self.card(title, picture, round_portrait=own is None)
        # The card's words; the site's name is in og:site_name beside it.
        return self._described(name, title)

    def _own_picture(self, article) -> Path | None:
        value = getattr(article, "image", None)
        found = value and featured_image(value, article.source_path, str(self.content))
        path = found and self.content / found
        return path if path and path.suffix.lower() in RASTER else None

    def _remember_fallback(self, article, title: str, missing: list[str]) -> None:
        # Said the first time the build meets this title, not on every build after.
        marker = self.cache / f"{_digest(title.encode(), self.font_digest)}.fallback"
        if marker.exists() or marker in self.markers:
            return
        self.markers.append(marker)  # written once the content is known to be sound
        where = os.path.relpath(article.source_path, self.content).replace(os.sep, "/")
        self.new_fallbacks.append(f"content/{where} ({' '.join(missing)})")

    def _described(self, name: str, alt: str) -> dict:
        url = absolute_url(self.settings["SITEURL"], name)
        return {"url": url, "width": WIDTH, "height": HEIGHT, "alt": alt}

    def fallback_message(self) -> str:
        if not self.new_fallbacks:
            return ""
        return (
            "Sharing cards: the card's font has no letters for "
            + "; ".join(self.new_fallbacks)
            + ", so social sites show the site's card for "
            + ("that article" if len(self.new_fallbacks) == 1 else "those articles")
            + ". Nothing to fix (the font draws Latin, Greek and Cyrillic letters)"
        )


_maker: CardMaker | None = None


def make_cards(generator) -> None:
    global _maker
    _maker = None
    if not generator.settings.get("SHARING_CARDS", True):
        return  # og:image stays the article's picture or the site's
    _maker = CardMaker(generator.settings)
    site_card = _maker.site_card()
    generator.context["SITE_CARD"] = site_card
    # A draft (or scheduled) article's card only where its page is written: a
    # publish build must not put its title on the public site early.
    writes_drafts = bool(generator.settings.get("DRAFT_SAVE_AS"))
    drafts = generator.drafts if writes_drafts else []
    for article in generator.articles + generator.hidden_articles + drafts:
        article.social_card = _maker.article_card(article, site_card)
    message = _maker.fallback_message()
    if message:
        print(message, file=sys.stderr, flush=True)


def draw_cards(generators) -> None:
    # Once every file is read and checked (the content check, earlier in
    # PLUGINS, stops a build with a problem here): a failed build caches nothing.
    if _maker is not None:
        _maker.start_drawing()


def write_cards(pelican) -> None:
    if _maker is None:
        return
    _maker.finish_drawing()
    folder = Path(pelican.output_path) / OUTPUT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.jpg"):  # an earlier title's card (writing builds keep output/)
        if f"{OUTPUT_FOLDER}/{old.name}" not in _maker.written:
            old.unlink()
    for name, cached in _maker.written.items():
        target = Path(pelican.output_path) / name
        if not target.exists():  # named by its content: one there is this one
            shutil.copyfile(cached, target)


def register() -> None:
    signals.article_generator_finalized.connect(make_cards)
    signals.all_generators_finalized.connect(draw_cards)
    signals.finalized.connect(write_cards)
