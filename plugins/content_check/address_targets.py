"""Where an address in an article or page leads, as the coach meant it (used by
the local_addresses plugin to point it there, and by the check to refuse the rest).
The coach writes pictures and links the natural way: `images/bench.png`,
`bench.png`, `/images/bench.png`, `../images/bench.png`, `/other-article/`.
A browser would read the relative ones against the page's own address
(`/my-article/images/bench.png`, nothing there) and the ones starting with `/`
against the host (`https://name.github.io/images/...` on a site served from
`/coaching/`). Here each is resolved the way the coach meant it: a file of the
content folder kept with the site (a picture under STATIC_PATHS), tried next to
the article, in the content folder and in each folder of pictures; else a page
the build writes, tried against the page's address and then against the site's
root. The plugin points the address there; the content check refuses the ones
that lead nowhere.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Iterator
from urllib.parse import unquote, urlsplit

# A tag of the HTML Markdown writes, and an address attribute in it (always quoted).
TAG = re.compile(r"<[a-zA-Z][^<>]*>")
ATTRIBUTE = re.compile(
    r"(?<=\s)(?P<attr>href|src|poster|srcset)\s*=\s*(?P<quote>[\"'])(?P<value>[^\"']*)(?P=quote)",
    re.IGNORECASE,
)
# Not an address inside the site: a scheme (https:, mailto:), another host
# (//), a place on the same page (#), or one of Pelican's own link kinds.
ELSEWHERE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|#|\?|[{|]|$)")
STATIC_LINK = re.compile(r"^[{|](?:static|attach)[|}]/?")
# The start of a value that is no address inside the site (see ELSEWHERE).
_NOT_LOCAL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//|#|\?|[{|\"']")
_ATTRIBUTE_STARTS = ('href="', 'src="', 'poster="', "href='", "src='", "poster='")
PICTURES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif")


def may_hold_local_address(html: str) -> bool:
    """A cheap first look (plain string searches, this runs on every page of
    every build): False when no address in `html` can be inside the site."""
    if "srcset=" in html:
        return True
    for start in _ATTRIBUTE_STARTS:
        at = html.find(start)
        while at != -1:
            at += len(start)
            if not _NOT_LOCAL.match(html, at):
                return True
            at = html.find(start, at)
    return False


def local_addresses(html: str) -> Iterator[tuple[str, str]]:
    """(attribute, address) of each address inside the site in `html`; each
    candidate of a srcset on its own."""
    if not may_hold_local_address(html):
        return
    for tag in TAG.finditer(html):
        for match in ATTRIBUTE.finditer(tag[0]):
            attribute = match["attr"].lower()
            for address in _addresses_in(attribute, match["value"]):
                if not ELSEWHERE.match(address):
                    yield attribute, address


def rewrite_addresses(html: str, new_address: Callable[[str, str], str]) -> str:
    """`html` with each address (each srcset candidate on its own) replaced by
    `new_address(attribute, address)`."""
    if not may_hold_local_address(html):
        return html

    def in_attribute(match: re.Match) -> str:
        attribute, value = match["attr"].lower(), match["value"]
        if attribute == "srcset":
            candidates = []
            for candidate in value.split(","):
                words = candidate.split()
                if words:
                    words[0] = new_address(attribute, words[0])
                candidates.append(" ".join(words))
            value = ", ".join(candidates)
        else:
            value = new_address(attribute, value.strip())
        return f"{match['attr']}={match['quote']}{value}{match['quote']}"

    return TAG.sub(lambda tag: ATTRIBUTE.sub(in_attribute, tag[0]), html)


def _addresses_in(attribute: str, value: str) -> list[str]:
    if attribute != "srcset":
        return [value.strip()]
    return [part.split()[0] for part in value.split(",") if part.split()]


def static_file(address: str, source_dir: str, settings: dict) -> str | None:
    """The path (relative to the content folder) of the picture or file kept
    with the site that `address` names, or None. `source_dir`: the folder of
    the article, relative to the content folder."""
    path = unquote(urlsplit(address).path)
    if not path or path.endswith("/"):
        return None
    if path.startswith("/"):
        tries = [path.lstrip("/")]
    else:
        tries = [posixpath.join(source_dir, path), path]
        tries += [posixpath.join(folder, path) for folder in settings["STATIC_PATHS"]]
    root = os.path.abspath(settings["PATH"])
    for tried in tries:
        tried = posixpath.normpath(tried)
        if tried.startswith("..") or not _kept_with_the_site(tried, settings):
            continue
        if os.path.isfile(os.path.join(root, tried)):
            return tried
    return None


def _kept_with_the_site(path: str, settings: dict) -> bool:
    folders = [posixpath.normpath(folder) for folder in settings["STATIC_PATHS"]]
    return any(path == folder or path.startswith(folder + "/") for folder in folders)


def written_page(address: str, page_url: str, is_written: Callable[[str], bool]) -> str | None:
    """The address (relative to the site's root, like `archives/`) of the file
    the build writes that `address` leads to, read against the page's own
    address `page_url` and then against the site's root; None if neither is written."""
    path = unquote(urlsplit(address).path)
    if path.startswith("/"):
        tries = [path]
    else:
        tries = [posixpath.join("/" + posixpath.dirname(page_url.rstrip("/") + "/x"), path)]
        tries.append("/" + re.sub(r"^(?:\.\.?/)+", "", path))
    for tried in tries:
        trailing = "/" if tried.endswith("/") else ""
        normal = posixpath.normpath(tried).lstrip("/")
        if normal in (".", ""):
            normal, trailing = "", ""
        if normal.startswith(".."):
            continue
        if is_written(normal):
            return normal + trailing
    return None


def written_by_the_build(outputs: set[str]) -> Callable[[str], bool]:
    """Whether an address relative to the site's root leads to one of
    `outputs` (files relative to the output folder): the file itself, or the
    folder's index.html, as every host serves it."""

    def is_written(address: str) -> bool:
        address = address.rstrip("/")
        index = posixpath.join(address, "index.html") if address else "index.html"
        return address in outputs or index in outputs

    return is_written


def with_address(address: str, new_path: str) -> str:
    """`address` with its path replaced, its query and fragment kept."""
    parts = urlsplit(address)
    return (
        new_path
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )


def is_picture(attribute: str, address: str) -> bool:
    path = urlsplit(address).path.lower()
    return attribute in ("src", "srcset", "poster") or path.endswith(PICTURES)
