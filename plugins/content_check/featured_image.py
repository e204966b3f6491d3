"""The one rule for an `Image:` header, shared by the check, the social
picture (reader_details), the pictures plugin, the sharing cards, the feeds'
enclosure and the email (digest).

An article's picture is a file kept in the content folder, written the way
the coach writes a picture in the body. The value is read like this:
surrounding spaces are dropped and a Windows backslash is a slash; a leading
`{static}` (or `|static|`) changes nothing; a path starting with "/" is inside
the content folder; any other path is tried next to the article first, then
inside the content folder, then (for `content/images/walk.jpg`) inside the
folder that holds the content folder, and a bare name (`walk.jpg`) last in
content/images/, as local_addresses reads the body's pictures. So
`images/walk.jpg`, `/images/walk.jpg`, `./images/walk.jpg`,
`content/images/walk.jpg` and `{static}/images/walk.jpg` all name
content/images/walk.jpg, and every one gives the same pages, feeds and email.
The first try that is a file wins, with its name spelled exactly as on disk:
the site's addresses tell capitals apart, so `walk.JPG` for a file `walk.jpg`
is refused with the right name, even on a computer that would open it.

Pelican itself leaves the value alone (`image` is no formatted field and has
no metadata processor), so this rule is the only reading of it.

An address on another site would be fine for og:image, which social sites
fetch themselves, but not for the feeds (which give the picture's size in
bytes) nor for search results (shown on a page whose policy loads images from
the site alone, img-src 'self'), so it is refused.
"""

from __future__ import annotations

import difflib
import functools
import os
import posixpath
import re

from .problems import display_path

INDICATORS = ("{static}", "|static|")
# A scheme ("https:", "data:", a drive "C:") or "//": not a file of the site.
_ELSEWHERE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")
_DRIVE = re.compile(r"^[a-zA-Z]:/")
_PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif")
# Where a picture is put when the header names no folder (the site's STATIC_PATHS).
PICTURE_FOLDER = "images"
# Each folder's names with its time of change when listed (see _names_in).
_listed: dict[str, tuple[int, frozenset[str]]] = {}


def featured_image(value: str, source_path: str, content_root: str) -> str | None:
    """The file an `Image:` value names, as a path inside the content folder
    ("images/hills.svg"); None when it names none (the check says why)."""
    tries = _tries(value, source_path, content_root)
    if not tries:
        return None
    for tried in tries:
        if not os.path.isfile(os.path.join(content_root, tried)):
            continue
        # A listing kept from before that disagrees is never trusted: listed again.
        if _spelled_on_disk(content_root, tried, fresh=False) == tried or (
            _spelled_on_disk(content_root, tried) == tried
        ):
            return tried
    return None


def image_header_problem(value: str, source_path: str, content_root: str) -> tuple[str, str] | None:
    """(what is wrong, the exact fix) for an `Image:` value; None when it is fine."""
    if featured_image(value, source_path, content_root):
        return None
    written = _written(value)
    if _DRIVE.match(written):
        return (
            f'Image "{value}" names a file on your computer, which readers cannot reach',
            f"put the picture in content/{PICTURE_FOLDER}/ and write "
            f'"Image: {PICTURE_FOLDER}/{_file_name(written)}"',
        )
    if _ELSEWHERE.match(written):
        return (
            f'Image "{value}" is not a picture kept with the site (an address elsewhere '
            "is blocked on the site and breaks the feeds)",
            f"put the picture in content/{PICTURE_FOLDER}/ and write "
            f'"Image: {PICTURE_FOLDER}/{_file_name(written)}"',
        )
    if any(c in written for c in "?#"):
        return _with_address_part(value, written, source_path, content_root)
    tries = _tries(value, source_path, content_root)
    if not tries:
        return (
            f'Image "{value}" names no file',
            f"put the picture in content/{PICTURE_FOLDER}/ and write "
            f'"Image: {PICTURE_FOLDER}/NAME.jpg"',
        )
    for tried in tries:
        spelled = _spelled_on_disk(content_root, tried)
        if spelled:
            return (
                f'Image "{value}" differs in capitals from the file '
                f"{_shown(content_root, spelled)}, and the site's addresses tell them apart",
                f'write "Image: {spelled}"',
            )
    return _missing(value, tries, content_root)


def _written(value: str) -> str:
    text = value.strip().replace("\\", "/")
    for indicator in INDICATORS:
        if text.startswith(indicator):
            return text[len(indicator) :]
    return text


def _tries(value: str, source_path: str, content_root: str) -> tuple[str, ...]:
    """The paths inside the content folder the value may name, in the order tried."""
    # Only words: the same for every part of the build that asks (relative
    # paths are read against the working folder, so that is part of the key).
    return _tries_from(value, str(source_path), str(content_root), os.getcwd())


@functools.lru_cache(maxsize=4096)
def _tries_from(value: str, source_path: str, content_root: str, _cwd: str) -> tuple[str, ...]:
    path = _written(value)
    if not path or path.endswith("/") or _ELSEWHERE.match(path) or any(c in path for c in "?#"):
        return ()
    if path.startswith("/"):
        tries = [path.lstrip("/")]
    else:
        root = os.path.abspath(content_root)
        folder = os.path.relpath(os.path.dirname(os.path.abspath(source_path)), root)
        above = os.path.relpath(os.path.join(os.path.dirname(root), path), root)
        tries = [posixpath.join(folder.replace(os.sep, "/"), path), path, above]
        if "/" not in path:  # a bare name, as the body may write it: the pictures' folder
            tries.append(posixpath.join(PICTURE_FOLDER, path))
    kept = []
    for tried in (posixpath.normpath(t.replace(os.sep, "/")) for t in tries):
        if not tried.startswith("..") and tried != "." and tried not in kept:
            kept.append(tried)
    return tuple(kept)


def _spelled_on_disk(content_root: str, relative: str, fresh: bool = True) -> str | None:
    """`relative` as the content folder spells it: each part matched exactly, or
    else in any case; None when there is no such file. Not `fresh`: from the
    folders' listings kept while they did not change."""
    folder = content_root
    spelled = []
    for part in relative.split("/"):
        names = _names_in(folder, fresh)
        if names is None:
            return None
        if part not in names:
            same = [n for n in names if n.casefold() == part.casefold()]
            if not same:
                return None
            part = same[0]
        spelled.append(part)
        folder = os.path.join(folder, part)
    return "/".join(spelled) if os.path.isfile(folder) else None


def _names_in(folder: str, fresh: bool) -> frozenset[str] | None:
    """The names a folder holds. Not `fresh`: as listed while the folder's time
    of change (which moves with every file added, removed or renamed in it) is
    the same, as every part of the build asks this for each article's picture."""
    try:
        changed = os.stat(folder).st_mtime_ns
    except OSError:
        return None
    kept = _listed.get(folder)
    if not fresh and kept and kept[0] == changed:
        return kept[1]
    try:
        names = frozenset(os.listdir(folder))
    except OSError:
        return None
    _listed[folder] = (changed, names)
    return names


def _with_address_part(
    value: str, written: str, source_path: str, content_root: str
) -> tuple[str, str]:
    part = written[min(i for i in (written.find("?"), written.find("#")) if i >= 0) :]
    found = featured_image(written[: -len(part)], source_path, content_root)
    fix = (
        f'write "Image: {found}"'
        if found
        else f"put the picture in content/{PICTURE_FOLDER}/ and write "
        f'"Image: {PICTURE_FOLDER}/{_file_name(written)}"'
    )
    return f'Image "{value}" ends in "{part}": a picture of the site is named without it', fix


def _missing(value: str, tries: tuple[str, ...], content_root: str) -> tuple[str, str]:
    shown = [_shown(content_root, t) for t in tries]
    looked = " or ".join([", ".join(shown[:-1]), shown[-1]] if len(shown) > 1 else shown)
    meant = tries[-1]  # inside the content folder, or the pictures' folder for a bare name
    what = f'Image "{value}" names a file that is not there: there is no {looked}'
    nearest = _nearest(meant, content_root)
    put = f"put the picture at {_shown(content_root, meant)}"
    if not nearest:
        return what, f"{put}, or correct the name in the header"
    names = ", ".join(nearest)
    return (
        what,
        f'write "Image: {nearest[0]}" if you meant that picture (the nearest names: {names}), '
        f"or {put}",
    )


def _nearest(meant: str, content_root: str) -> list[str]:
    """The pictures of the content folder whose names are closest to `meant`."""
    pictures = []
    for directory, folders, files in os.walk(content_root):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(files):
            if name.lower().endswith(_PICTURE_SUFFIXES):
                path = os.path.relpath(os.path.join(directory, name), content_root)
                pictures.append(path.replace(os.sep, "/"))
    by_name = {}
    for path in pictures:
        by_name.setdefault(posixpath.basename(path), path)
    close = difflib.get_close_matches(posixpath.basename(meant), list(by_name), n=3, cutoff=0.6)
    return [by_name[name] for name in close]


def _file_name(written: str) -> str:
    return posixpath.basename(re.split(r"[?#]", written, maxsplit=1)[0]) or "NAME.jpg"


def _shown(content_root: str, relative: str) -> str:
    return display_path(os.path.join(content_root, relative))
