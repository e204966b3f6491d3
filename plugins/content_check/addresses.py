"""Every picture and link inside the site leads to a file the build writes.

The local_addresses plugin points each natural address (`images/bench.png`,
`/other-article/`) at what the coach meant; what it cannot place leads nowhere,
and is reported here with the file, the line and the exact fix.
"""

from __future__ import annotations

import difflib
import os
import posixpath
from urllib.parse import unquote, urlsplit

from .address_targets import (
    is_picture,
    local_addresses,
    static_file,
    written_by_the_build,
    written_page,
)
from .problems import Problem, display_path


def unresolved_addresses(items: list, settings: dict, written: set[str]) -> list[Problem]:
    """A problem for each address in `items` (articles and pages, as read)
    that leads to no file the build writes (`written`)."""
    is_written = written_by_the_build(written)
    not_public = {item.slug: item for item in items if item.status == "draft"}
    problems = []
    for item in items:
        for attribute, address in local_addresses(item._content or ""):
            if static_file(address, item.relative_dir, settings):
                continue
            if written_page(address, item.url, is_written) is not None:
                continue
            waiting = not_public.get(_last_part(address))
            if waiting is not None:
                problems.append(_link_to_waiting(item, address, waiting))
            else:
                problems.append(_problem(item, attribute, address, settings, written))
    return problems


def _last_part(address: str) -> str:
    parts = [p for p in unquote(urlsplit(address).path).split("/") if p]
    if parts and parts[-1] == "index.html":  # /x/index.html is /x/
        parts.pop()
    return posixpath.splitext(parts[-1])[0] if parts else ""


def _link_to_waiting(item, address: str, target) -> Problem:
    """A link by address to a draft or a scheduled article, worded as the
    check words one by {filename}."""
    path = os.path.abspath(item.source_path)
    shown = display_path(target.source_path)
    notice = getattr(target, "scheduled_notice", "")
    if notice:
        return Problem(
            path,
            _line_of(path, address),
            f"It links to {shown}, which is not public yet ({notice[0].lower()}{notice[1:]})",
            "add the link once that article is live, or give this one a Date at or after that one",
        )
    return Problem(
        path,
        _line_of(path, address),
        f"It links to {shown}, which is still a draft",
        "publish that article first, or remove the link for now",
    )


def _problem(item, attribute: str, address: str, settings: dict, written: set[str]) -> Problem:
    path = os.path.abspath(item.source_path)
    line = _line_of(path, address)
    if is_picture(attribute, address):
        name = posixpath.basename(unquote(urlsplit(address).path)) or "picture.jpg"
        found = _kept_file_named(name, settings)
        if found:
            fix = f"write {{static}}/{found} (the file is content/{found})"
        else:
            folder = settings["STATIC_PATHS"][0]
            fix = (
                f"put {name} in content/{folder}/ and write {{static}}/{folder}/{name}, "
                f"like ![What the picture shows]({{static}}/{folder}/{name})"
            )
        what = f'The picture "{address}" is not a file of the site, so readers would see none'
        return Problem(path, line, what, fix)
    pages = sorted(
        "/" + page[: -len("index.html")] for page in written if page.endswith("index.html")
    )
    close = difflib.get_close_matches("/" + address.lstrip("./"), pages, n=1, cutoff=0.6)
    hint = f'did you mean "{close[0]}"? Or ' if close else ""
    return Problem(
        path,
        line,
        f'The link "{address}" leads to no page of the site',
        f"{hint}link an article or page by its file, like "
        "[The words to click]({filename}/articles/NAME.md)",
    )


def _line_of(path: str, address: str) -> int | None:
    """The first line holding `address` as written: in Markdown's (...), in
    quotes, after a reference's ]:, or anywhere."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().split("\n")
    except OSError:
        return None
    for written in (f"({address}", f'"{address}"', f"'{address}'", f"]: {address}", address):
        for number, line in enumerate(lines, start=1):
            if written in line:
                return number
    return None


def _kept_file_named(name: str, settings: dict) -> str | None:
    root = os.path.abspath(settings["PATH"])
    for folder in settings["STATIC_PATHS"]:
        for directory, _, files in os.walk(os.path.join(root, folder)):
            if name in files:
                return os.path.relpath(os.path.join(directory, name), root).replace(os.sep, "/")
    return None
