"""Pictures: every raster picture in the content is served in the sizes a page needs.

Adds to the build, once the content is read and checked:
- each `<img>` of an article or page whose picture is a JPEG, PNG or WebP kept
  with the site becomes a `<picture>`: a WebP `srcset` and a JPEG (PNG for a
  PNG or a transparent picture) `srcset` of up to four widths, with `sizes` for
  the reading column, and `width` and `height` of the picture as it is shown
  (turned as the camera said). The original is never linked: a 4,000 px phone
  photo costs a phone reader one 800 px WebP. SVG, GIF, animated pictures and a
  `<picture>` the coach wrote stay as they are;
- `picture_sizes()`, for the theme's own pictures (the coach's portrait, face plugin);
- an article's `Image:` as a 1200 px JPEG for social sites (`social_image`), a
  160 px WebP for its search result (`search_thumbnail`, a site path), and for
  the feeds (`shared_picture()`, digest plugin), and `plain_pictures()`: each
  <picture> as a plain <img> of that size, for the email and the feeds;
- once the site is written, the files the pages name, copied from the cache
  into the output folder; a large original (over 200 KB) is not copied, and a
  link to it leads to its largest made size (originals.py).
The sizes are made with Pillow (making.py) once per original and kept in the
cache folder (CACHE_PATH) by content: a warm build makes none again.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
from pathlib import Path
from urllib.parse import quote, unquote

from pelican import signals
from PIL import Image, UnidentifiedImageError

from .making import Animated, Made, is_raster, made_sizes
from .originals import leave_out_large_originals, point_at_made, remove_from_output

__all__ = [
    "CONTENT_WIDTHS",
    "picture_items",
    "picture_sizes",
    "plain_pictures",
    "register",
    "shared_picture",
]

# The reading column is 40rem wide at most (theme: --measure), the page's side
# padding 1.25rem: 800 px covers a phone at twice its pixels, 1600 px a wide
# screen at twice.
CONTENT_WIDTHS = (480, 800, 1200, 1600)
CONTENT_SIZES = "(min-width: 42.5rem) 40rem, calc(100vw - 2.5rem)"
SOCIAL_WIDTH = 1200
# A search result's thumbnail is shown 4rem (64 px) square (theme: search.css):
# 160 px wide covers it at twice the pixels for any picture up to 5:4.
THUMBNAIL_WIDTHS = (160,)
WRITTEN_ITEMS = ("articles", "drafts", "hidden_articles", "pages", "hidden_pages", "draft_pages")

_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_PICTURE = re.compile(r"<picture>(?:<source\b[^>]*>)*(<img\b[^>]*>)</picture>")
_WRITTEN_PICTURE = re.compile(r"(<picture\b.*?</picture>)", re.IGNORECASE | re.DOTALL)
_STATIC = re.compile(r"^[{|]static[|}]")
# Attributes the <picture> sets itself; the coach's others (alt, title, class) are kept.
_REPLACED = {"src", "srcset", "sizes", "width", "height"}

# The files this build's pages name: output path -> the made file in the cache.
_named: dict[str, Path] = {}
# The large originals this build does not copy (their places in the output folder).
_left_out: list[str] = []


class PictureError(SystemExit):
    """A picture Pillow cannot read: the message names the file and the fix."""


def picture_sizes(
    settings: dict, relative: str, widths: tuple[int, ...], fallback: bool = True
) -> dict | None:
    """The sizes of the picture content/`relative` for a template: `src` (the
    largest fallback), `webp` and `fallback` (srcset lists of (path, width)),
    `width`, `height`; paths relative to the site's root. None for SVG, GIF and
    an animated picture, which are served as they are. Without `fallback`, only
    the WebP files are named (and copied): `fallback` is empty, `src` the largest WebP."""
    if not is_raster(relative):
        return None
    try:
        made = _made(settings, relative, widths)
    except Animated:
        return None
    sizes = {"webp": [], "fallback": []}
    for size in made.sizes:
        for kind in ("webp", "fallback") if fallback else ("webp",):
            sizes[kind].append((_name(relative, made, getattr(size, kind)), size.width))
    return {
        **sizes,
        "src": sizes["fallback" if fallback else "webp"][-1][0],
        "type": made.fallback_type(),
        "width": made.largest.width,
        "height": made.largest.height,
    }


def _made(settings: dict, relative: str, widths: tuple[int, ...]) -> Made:
    original = Path(settings["PATH"]) / relative
    try:
        return made_sizes(original, widths, Path(settings["CACHE_PATH"]) / "pictures")
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        raise PictureError(
            f"content/{relative}: this picture cannot be read (it is no JPEG, PNG or WebP "
            "picture, or the file is cut short). Fix: open it in a photo program and save it "
            "again as JPEG (photos) or PNG (drawings), or remove it and the lines that show it"
        ) from None


def _name(relative: str, made: Made, file: str) -> str:
    """Where a made file goes in the site, beside the original: a new name for
    each new version of the picture (browsers may keep it for good)."""
    folder, name = posixpath.split(relative)
    stem = posixpath.splitext(name)[0]
    path = posixpath.join(folder, f"{stem}.{made.key[:8]}.{file}")
    _named[path] = made.folder / file
    return quote(path)


def _picture_markup(tag: str, sizes: dict, address) -> str:
    """The <img> `tag` as a <picture> of `sizes`; `address` names a site path."""
    kept, width = [], None
    for match in _ATTRIBUTE.finditer(tag[len("<img") :].rstrip("/>")):
        name = match[1].lower()
        if name == "width" and (match[2] or match[3] or match[4] or "").isdigit():
            width = int(match[2] or match[3] or match[4])
        if name not in _REPLACED:
            kept.append(match[0])
    if width is None or width > sizes["width"]:
        width = sizes["width"]
    height = round(sizes["height"] * width / sizes["width"])

    def srcset(kind: str) -> str:
        return ", ".join(f"{address(path)} {w}w" for path, w in sizes[kind])

    return (
        f'<picture><source type="image/webp" srcset="{srcset("webp")}" sizes="{CONTENT_SIZES}">'
        f'<img src="{address(sizes["src"])}" srcset="{srcset("fallback")}" '
        f'sizes="{CONTENT_SIZES}" width="{width}" height="{height}" {" ".join(kept)}></picture>'
    )


def _source_of(tag: str, item, settings: dict) -> str | None:
    """The path inside the content folder of the raster picture `tag` shows, or None."""
    src = re.search(r"""\ssrc\s*=\s*(["'])(.*?)\1""", tag, re.IGNORECASE | re.DOTALL)
    if not src or not _STATIC.match(src[2]):
        return None
    path = unquote(_STATIC.sub("", src[2]).split("?")[0].split("#")[0])
    path = path.lstrip("/") if path.startswith("/") else posixpath.join(item.relative_dir, path)
    path = posixpath.normpath(path)
    folders = [posixpath.normpath(f) for f in settings["STATIC_PATHS"]]
    if path.startswith("..") or not any(path.startswith(f + "/") for f in folders):
        return None
    if not is_raster(path) or not os.path.isfile(os.path.join(settings["PATH"], path)):
        return None
    return path


def picture_item(item, settings: dict, unreadable: list[str] | None = None) -> None:
    """The item's raster <img> become <picture>s of the sizes made for them. A
    picture that cannot be read raises PictureError, or with `unreadable` is
    added to it (its <img> left as it is) so that every one is said at once."""
    from local_addresses import site_address

    def sizes_of(relative: str) -> dict | None:
        """The sizes made of the picture, or None when there are none (one
        that cannot be read is noted in `unreadable`, when given)."""
        try:
            return picture_sizes(settings, relative, CONTENT_WIDTHS)
        except PictureError as problem:
            if unreadable is None:
                raise
            if str(problem) not in unreadable:
                unreadable.append(str(problem))
            return None

    def as_picture(match: re.Match) -> str:
        relative = _source_of(match[0], item, settings)
        sizes = sizes_of(relative) if relative is not None else None
        if sizes is None:
            return match[0]
        return _picture_markup(match[0], sizes, lambda p: site_address(p, item.url, settings))

    def largest(relative: str) -> str | None:
        sizes = sizes_of(relative)
        return sizes and site_address(sizes["src"], item.url, settings)

    if "<img" in (item._content or ""):
        # A <picture> the coach wrote in HTML is theirs: only the other <img> change.
        parts = _WRITTEN_PICTURE.split(item._content)
        item._content = "".join(
            part if part.startswith("<picture") else _IMG.sub(as_picture, part) for part in parts
        )
    if item._content:
        # What still names a large original (a link to the full photo, a <picture>
        # the coach wrote) names its largest made size: the original is not served.
        item._content = point_at_made(item._content, item.relative_dir, settings, largest)
    image = item.metadata.get("image") if hasattr(item, "social_image") else None
    if image:
        _share_sized(item, image, settings)


def shared_picture(settings: dict, relative: str) -> tuple[str, Path] | None:
    """What social sites and feed readers get of content/`relative`: the 1200 px
    fallback made for pages (the largest, for a smaller original), as its path in
    the site and its made file; None for SVG, GIF and animated pictures, which
    are shared as they are."""
    sizes = picture_sizes(settings, relative, CONTENT_WIDTHS)
    if sizes is None:
        return None
    fallback = sizes["fallback"]
    path = next((path for path, width in fallback if width >= SOCIAL_WIDTH), fallback[-1][0])
    return unquote(path), _named[unquote(path)]


def _share_sized(article, image: str, settings: dict) -> None:
    """Social sites get a 1200 px JPEG (or PNG) of the `Image:`, never the original."""
    from reader_details import absolute_url

    from content_check.featured_image import featured_image

    relative = featured_image(image, article.source_path, settings["PATH"])
    if not relative:
        return
    # Search results show the picture small: its own 160 px WebP, not the 1200 px
    # JPEG (an SVG, GIF or animated picture as it is).
    thumbnail = picture_sizes(settings, relative, THUMBNAIL_WIDTHS, fallback=False)
    article.search_thumbnail = thumbnail["webp"][0][0] if thumbnail else quote(relative)
    shared = shared_picture(settings, relative)
    if not shared:
        return
    article.social_image = absolute_url(settings["SITEURL"], shared[0])
    if isinstance(getattr(article, "structured_data", None), dict):
        article.structured_data["image"] = article.social_image


def picture_items(generators: list, items: list | None = None) -> None:
    """all_generators_finalized: every written item's pictures (or `items`' alone:
    `invoke serve` rewriting one page)."""
    if items is None:
        items = [item for g in generators for n in WRITTEN_ITEMS for item in getattr(g, n, ())]
        _left_out[:] = leave_out_large_originals(generators)
    settings = generators[0].settings
    unreadable = []  # every picture that cannot be read, said at once
    for item in items:
        picture_item(item, settings, unreadable)
    if unreadable:
        raise PictureError("\n".join(unreadable))


def plain_pictures(fragment: str) -> str:
    """Each <picture> as its plain <img> of the 1200 px JPEG or PNG (sharp in a
    600 px email column at twice the pixels): what email programs and feed
    readers show reliably."""
    if "<picture>" not in fragment:
        return fragment

    def plain(match: re.Match) -> str:
        img = match[1]
        srcset = re.search(r'\ssrcset="([^"]*)"', img)
        if srcset:
            by_width = [c.split() for c in srcset[1].split(", ")]
            wide = [url for url, width in by_width if int(width[:-1]) >= SOCIAL_WIDTH]
            img = re.sub(r'\ssrc="[^"]*"', f' src="{(wide or [by_width[-1][0]])[0]}"', img)
        return re.sub(r'\s(?:srcset|sizes)="[^"]*"', "", img)

    return _PICTURE.sub(plain, fragment)


def copy_named(output_path: str) -> None:
    """The made files the pages name, into the output folder (a file already
    there with the same size is the same file: its name holds its content's hash)."""
    for path, made in sorted(_named.items()):
        target = Path(output_path) / path
        if target.is_file() and target.stat().st_size == made.stat().st_size:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(made, target)


def start_build(pelican) -> None:
    _named.clear()
    _left_out.clear()


def copy_pictures(pelican) -> None:
    copy_named(pelican.output_path)
    # A writing build keeps output/: an original an earlier build copied goes.
    remove_from_output(pelican.output_path, _left_out)


def register() -> None:
    signals.initialized.connect(start_build)
    signals.all_generators_finalized.connect(picture_items)
    signals.finalized.connect(copy_pictures)
