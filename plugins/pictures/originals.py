"""The coach's large originals stay out of the site; links to them lead to the
largest size made.

A phone photo of 4 MB is never served: the build does not copy it to the
output folder, and a link the coach wrote to it ("see the full photo") leads to
the largest size made of it (1600 px wide, JPEG or PNG). An original of at most
SMALL_ORIGINAL bytes is copied as it is (a link to it costs little), and so is
every picture Pillow does not make sizes of (SVG, GIF, animated WebP or PNG).
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

from PIL import Image

from .making import is_raster

# What a phone reader may download for one picture (issue 25: at most 200 KB).
SMALL_ORIGINAL = 200_000

# `{static}/images/x.jpg` (or |static|) anywhere in the HTML: href, src, srcset.
_STATIC_TOKEN = re.compile(r"[{|]static[|}]([^\"'\s>]+)")


def is_large_original(path: Path) -> bool:
    """Whether the picture at `path` is one the build makes sizes of and too
    large to serve as it is."""
    if not is_raster(path.name) or not path.is_file() or path.stat().st_size <= SMALL_ORIGINAL:
        return False
    try:
        with Image.open(path) as opened:  # reads the header only
            return getattr(opened, "n_frames", 1) == 1
    except (OSError, ValueError, Image.DecompressionBombError):
        return True  # unreadable: the pictures plugin says so, and it is not served


def content_path(written: str, relative_dir: str) -> str | None:
    """The path inside the content folder that a `{static}` address names."""
    path = unquote(written.split("?")[0].split("#")[0])
    path = path.lstrip("/") if path.startswith("/") else posixpath.join(relative_dir, path)
    path = posixpath.normpath(path)
    return None if path.startswith("..") else path


def point_at_made(html: str, relative_dir: str, settings: dict, largest) -> str:
    """`html` with each `{static}` address of a large original replaced by what
    `largest(path)` gives (the site address of its largest made size, or None
    to leave it: an animated picture, served as it is)."""

    def replaced(match: re.Match) -> str:
        path = content_path(match[1], relative_dir)
        if path is None or not is_large_original(Path(settings["PATH"]) / path):
            return match[0]
        return largest(path) or match[0]

    return _STATIC_TOKEN.sub(replaced, html) if "static" in html else html


def leave_out_large_originals(generators: list) -> list[str]:
    """Takes the large originals off the static files Pelican copies; returns
    their paths in the output folder (an earlier build may have put them there)."""
    left_out = []
    for generator in generators:
        files = generator.context.get("staticfiles") if hasattr(generator, "staticfiles") else None
        if not files:
            continue
        kept = []
        for static in files:
            if is_large_original(Path(static.source_path)):
                left_out.append(static.save_as)
            else:
                kept.append(static)
        files[:] = kept  # the list Pelican's static generator copies from
    return left_out


def remove_from_output(output_path: str, left_out: list[str]) -> None:
    for save_as in left_out:
        target = os.path.join(output_path, save_as)
        if os.path.isfile(target):
            os.unlink(target)
