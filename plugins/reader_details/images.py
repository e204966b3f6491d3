"""Width and height for the images in an article, read from the files themselves."""

from __future__ import annotations

import re
import struct
from pathlib import Path
from urllib.parse import unquote

_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC = re.compile(r"""\ssrc=(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_LOCAL = re.compile(r"^\{(?:static|attach|filename)\}/?")
_NUMBER = re.compile(r"^\s*([0-9.]+)\s*(px)?\s*$")


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF, JPEG or SVG file; None if it cannot tell."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        size = _size(data, path.suffix.lower())
    except (struct.error, ValueError, OverflowError):  # a cut file, "100%", "1e999"
        return None
    return size if size and min(size) > 0 else None


def _size(data: bytes, suffix: str) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", data[6:10])
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    if suffix == ".svg":
        return _svg_size(data.decode("utf-8", "replace"))
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        length = struct.unpack(">H", data[index + 2 : index + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    return None


def _svg_size(text: str) -> tuple[int, int] | None:
    opening = re.search(r"<svg\b[^>]*>", text)
    if not opening:
        return None
    found = {}
    for name, value in re.findall(r"""\s(width|height|viewBox)=["']([^"']+)["']""", opening[0]):
        found[name] = value
    width, height = (_NUMBER.match(found.get(k, "")) for k in ("width", "height"))
    if width and height:
        return round(float(width[1])), round(float(height[1]))
    box = found.get("viewBox", "").replace(",", " ").split()
    if len(box) == 4:
        return round(float(box[2])), round(float(box[3]))
    return None


def _local_file(src: str, content_root: Path) -> Path | None:
    if not _LOCAL.match(src):
        return None
    return content_root / unquote(_LOCAL.sub("", src).split("?")[0].split("#")[0])


def _with_attributes(tag: str, content_root: Path) -> str:
    lower = tag.lower()
    extra = []
    src = _SRC.search(tag)
    if src and " width=" not in lower and " height=" not in lower:
        path = _local_file(src[2], content_root)
        size = image_size(path) if path else None
        if size:
            extra.append(f'width="{size[0]}" height="{size[1]}"')
    if " loading=" not in lower:
        extra.append('loading="lazy"')
    if " decoding=" not in lower:
        extra.append('decoding="async"')
    if not extra:
        return tag
    body, close = (tag[:-2].rstrip(), " />") if tag.endswith("/>") else (tag[:-1], ">")
    return f"{body} {' '.join(extra)}{close}"


def add_image_attributes(html: str, content_root: Path) -> str:
    """Give every <img> its size (for local files) and lazy, asynchronous loading."""
    return _IMG.sub(lambda m: _with_attributes(m[0], content_root), html)
