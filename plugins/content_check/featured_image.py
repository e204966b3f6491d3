"""The one rule for an `Image:` header, shared by the check, the social
picture (reader_details) and the feeds' enclosure (digest).

An article's picture is `{static}` followed by a file kept in the content
folder: the feeds give its size in bytes, and the search results show it on a
page whose policy loads images from the site alone (img-src 'self'). An
address on another site would be fine for og:image, which social sites fetch
themselves, but not for those two, so the check refuses it like any other
value that names no file of the site.
"""

from __future__ import annotations

import os

STATIC = "{static}"


def featured_image(value: str, source_path: str, content_root: str) -> str | None:
    """The file an `Image:` value names, as a path inside the content folder
    ("images/hills.svg"); None when it names none."""
    if not value.startswith(STATIC) or any(c in value for c in "?#"):
        return None
    path = value[len(STATIC) :]
    if path.startswith("/"):
        path = path.lstrip("/")
    else:  # relative to the article's own folder, as Pelican reads {static}
        folder = os.path.dirname(os.path.relpath(source_path, content_root))
        path = os.path.join(folder, path)
    path = os.path.normpath(path)
    if path.startswith("..") or not os.path.isfile(os.path.join(content_root, path)):
        return None
    return path.replace(os.sep, "/")


def suggested_name(value: str) -> str:
    """The file name the coach most likely meant, for the fix."""
    name = os.path.basename(value.split("?", 1)[0].split("#", 1)[0])
    return name or "NAME.jpg"
