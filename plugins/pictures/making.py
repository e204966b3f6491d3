"""The sizes and formats a page needs, made from the coach's original with Pillow.

Each size is written twice: WebP (every current browser) and a fallback (JPEG,
or PNG for a PNG original or a picture with transparency) for email programs and old browsers.
The camera's turn (EXIF orientation) is applied, and nothing of the original's
metadata (EXIF, GPS position, camera, ICC aside) is written: a phone photo
carries where it was taken. What is made is kept in the cache folder under the
hash of the original's bytes and the recipe, so a warm build reads one small
JSON file instead of decoding the picture again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

# Pictures this plugin makes sizes of; SVG and GIF (perhaps animated) stay as they are.
RASTER = (".jpg", ".jpeg", ".png", ".webp")
WEBP_QUALITY = 72
JPEG_QUALITY = 78
# Bumped when what is made changes, so older cached sizes are not reused.
RECIPE = "2"
ORIENTATION = 0x0112  # the EXIF tag


class Animated(Exception):
    """An animated picture (a WebP or PNG with frames): served as it is, like a GIF."""


@dataclass(frozen=True)
class Size:
    width: int
    height: int
    webp: str  # file name inside the picture's cache folder
    fallback: str


@dataclass(frozen=True)
class Made:
    """The sizes made of one original, smallest first; `folder` holds their files."""

    key: str
    folder: Path
    sizes: tuple[Size, ...]

    @property
    def largest(self) -> Size:
        return self.sizes[-1]

    def fallback_type(self) -> str:
        return "image/png" if self.largest.fallback.endswith(".png") else "image/jpeg"


def is_raster(path: str) -> bool:
    return path.lower().endswith(RASTER)


def picture_key(data: bytes, widths: tuple[int, ...]) -> str:
    recipe = f"{RECIPE}|{WEBP_QUALITY}|{JPEG_QUALITY}|{','.join(map(str, widths))}"
    return hashlib.sha256(data + recipe.encode()).hexdigest()[:16]


def made_sizes(original: Path, widths: tuple[int, ...], cache: Path) -> Made:
    """The sizes of `original` at each of `widths` (no wider than the original:
    it is never enlarged), made now or found in `cache` from an earlier build.
    Raises Animated for a picture with frames, OSError or PIL's errors for a
    file Pillow cannot read."""
    data = original.read_bytes()
    key = picture_key(data, widths)
    folder = cache / key
    recorded = folder / "sizes.json"
    try:
        sizes = tuple(Size(**size) for size in json.loads(recorded.read_text()))
        if all((folder / s.webp).is_file() and (folder / s.fallback).is_file() for s in sizes):
            return Made(key, folder, sizes)
    except (OSError, ValueError, TypeError):
        pass  # not made yet, or a build stopped half-way: make it again
    sizes = _make(original, widths, folder)
    _write_atomically(recorded, json.dumps([vars(s) for s in sizes]).encode())
    return Made(key, folder, sizes)


def _make(original: Path, widths: tuple[int, ...], folder: Path) -> tuple[Size, ...]:
    folder.mkdir(parents=True, exist_ok=True)
    with Image.open(original) as opened:
        if getattr(opened, "n_frames", 1) > 1:
            raise Animated(original)
        # A JPEG is decoded at 1/2, 1/4 or 1/8 of its size when that is still wide enough.
        turned = opened.getexif().get(ORIENTATION, 1) in (5, 6, 7, 8)
        opened.draft("RGB", (1, max(widths)) if turned else (max(widths), 1))
        picture = ImageOps.exif_transpose(opened)  # a copy: without the EXIF block
    transparent = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    # A PNG (a drawing, a screenshot) keeps PNG as its fallback: JPEG would blur its edges.
    lossless = transparent or original.suffix.lower() == ".png"
    picture = picture.convert("RGBA" if transparent else "RGB")
    full_width, full_height = picture.size
    chosen = sorted({min(width, full_width) for width in widths})
    sizes = []
    for width in chosen:
        height = max(1, round(full_height * width / full_width))
        resized = picture if width == full_width else picture.resize((width, height), Image.LANCZOS)
        webp, fallback = f"{width}.webp", f"{width}.png" if lossless else f"{width}.jpg"
        _save(resized, folder / webp, "WEBP", quality=WEBP_QUALITY, method=4)
        if lossless:
            _save(resized, folder / fallback, "PNG", optimize=True)
        else:
            _save(
                resized,
                folder / fallback,
                "JPEG",
                quality=JPEG_QUALITY,
                optimize=True,
                progressive=True,
            )
        sizes.append(Size(width, height, webp, fallback))
    _count_made(folder.parent)
    return tuple(sizes)


def _save(picture: Image.Image, path: Path, kind: str, **options) -> None:
    """Written beside and renamed, so a build stopped half-way leaves no cut file.
    No `exif=` is passed: Pillow then writes no metadata at all."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        picture.save(out, kind, **options)
    os.replace(temporary, path)


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


def _count_made(cache: Path) -> None:
    """One line per picture made, in the cache folder: how `invoke bench` and the
    tests see that a warm build made nothing again."""
    with open(cache / "made.log", "a", encoding="utf-8") as log:
        log.write("made\n")
