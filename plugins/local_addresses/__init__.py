"""Local addresses: every picture and link the coach writes leads where they meant.

Adds to the build, for every article and page:
- as soon as Pelican has read it, each address naming a picture or file kept
  with the site in a natural way (`images/bench.png`, `bench.png`,
  `/images/bench.png`, `../images/bench.png`) becomes `{static}/images/bench.png`,
  which Pelican turns into the right address on every page, feed and email
  (and the reader_details plugin sizes the picture);
- once everything is read (after the content check), each address of a page
  the build writes (`/other-article/`, `../archives/`) and each candidate of a
  `srcset` becomes the site's address for it: the full address under SITEURL
  in a publish build (so a site served from a sub-path, like
  https://name.github.io/coaching/, works), an address relative to the page in
  a writing build.
An address that leads nowhere is left as it is: the content check refuses it,
naming the file, the line and the fix (content_check/addresses.py).
"""

from __future__ import annotations

import posixpath

from pelican import signals

from content_check.address_targets import (
    ELSEWHERE,
    STATIC_LINK,
    may_hold_local_address,
    rewrite_addresses,
    static_file,
    with_address,
    written_by_the_build,
    written_page,
)

__all__ = ["point_at_written_pages", "register", "site_address"]

# The item lists whose pages a build may write.
WRITTEN_ITEMS = ("articles", "drafts", "hidden_articles", "pages", "hidden_pages", "draft_pages")


def point_at_kept_files(item) -> None:
    """content_object_init: a natural address of a kept file becomes {static}."""
    html = getattr(item, "_content", None)
    if not html or type(item).__name__ == "Static" or not may_hold_local_address(html):
        return

    def new_address(attribute: str, address: str) -> str:
        if attribute == "srcset" or ELSEWHERE.match(address):
            return address  # Pelican reads no {static} in a srcset: done once all is read
        path = static_file(address, item.relative_dir, item.settings)
        return address if path is None else with_address(address, "{static}/" + path)

    item._content = rewrite_addresses(html, new_address)


def point_at_written_pages(generators: list, items: list | None = None) -> None:
    """all_generators_finalized: addresses of written pages, and srcset
    candidates, become the site's own address of what they lead to (in every
    item, or in `items` alone: `invoke serve` rewriting one page)."""
    from content_check.site import written_files

    if items is None:
        items = [
            item for g in generators for name in WRITTEN_ITEMS for item in getattr(g, name, ())
        ]
    items = [item for item in items if item._content and may_hold_local_address(item._content)]
    if not items:
        return  # the usual case once every address is {static} or {filename}: nothing to do
    settings = generators[0].settings
    is_written = written_by_the_build(written_files(generators, settings))
    kept = {}
    for generator in generators:
        for static in getattr(generator, "staticfiles", []):
            kept[static.get_relative_source_path()] = static.url
    for item in items:
        item._content = _rewritten(item, settings, is_written, kept)


def _rewritten(item, settings: dict, is_written, kept: dict[str, str]) -> str:
    def new_address(attribute: str, address: str) -> str:
        if attribute == "srcset" and STATIC_LINK.match(address):
            address = "/" + STATIC_LINK.sub("", address)  # Pelican reads none in a srcset
        elif ELSEWHERE.match(address):
            return address
        path = static_file(address, item.relative_dir, settings) if attribute == "srcset" else None
        target = kept.get(path) if path else written_page(address, item.url, is_written)
        if target is None:
            return address  # leads nowhere: the content check said so
        return with_address(address, site_address(target, item.url, settings))

    return rewrite_addresses(item._content, new_address)


def site_address(target: str, page_url: str, settings: dict) -> str:
    """How a page at `page_url` names `target` (both relative to the site's
    root): relative to the page in a writing build, in full when published."""
    if not settings.get("RELATIVE_URLS"):
        return f"{settings['SITEURL'].rstrip('/')}/{target}"
    folder = posixpath.dirname(page_url.rstrip("/") + "/x") if "/" in page_url else ""
    relative = posixpath.relpath(target.rstrip("/") or ".", folder or ".")
    if target.endswith("/") or not target:
        relative = relative.rstrip("/") + "/"
    return relative


def register() -> None:
    signals.content_object_init.connect(point_at_kept_files)
    signals.all_generators_finalized.connect(point_at_written_pages)
