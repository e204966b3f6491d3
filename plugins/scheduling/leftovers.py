"""A writing build holds the pages of its own moment only.

A writing build (pelicanconf.py: `invoke build`, `invoke serve`) writes into
the kept output/ folder, where an unchanged page keeps its date; so a page an
earlier build wrote for another state of an article would stay: the public page
of an article now scheduled again or set back to draft, the drafts/ page of one
now public, the tag, category, author and year pages only such an article
brought. Each of those addresses that this build did not write is removed when
it finishes. A publish build starts from an empty folder (DELETE_OUTPUT_DIRECTORY)
and needs none of this.
"""

from __future__ import annotations

import copy
import os

# What the current build wrote (absolute paths), and the addresses (relative to
# the output folder) its items have in the states they are not in now.
_written: set[str] = set()
_other_addresses: set[str] = set()


def start(pelican) -> None:
    """initialized: each build notes its own (`invoke serve` builds many)."""
    _written.clear()
    _other_addresses.clear()


def note_written(path: str, context=None) -> None:
    """content_written: every page Pelican's writer put out, changed or not."""
    _written.add(os.path.abspath(path))


def note_other_addresses(generator) -> None:
    """article_generator_finalized / page_generator_finalized."""
    settings = generator.settings
    for name in ("drafts", "draft_pages"):
        for item in getattr(generator, name, ()):
            public = getattr(item, "published_form", None) or _as(item, "published")
            _other_addresses.add(public.save_as)
            groups = [*getattr(public, "tags", ()), *getattr(public, "authors", ())]
            groups += [public.category] if getattr(public, "category", None) else []
            _other_addresses.update(group.save_as for group in groups)
            year = settings.get("YEAR_ARCHIVE_SAVE_AS")
            if year and hasattr(public, "date") and public.date.year < 9999:
                _other_addresses.add(year.format(date=public.date))
    for name in ("articles", "hidden_articles", "pages", "hidden_pages"):
        for item in getattr(generator, name, ()):
            _other_addresses.add(_as(item, "draft").save_as)


def _as(item, status: str):
    """The item with another status, its addresses worked out anew."""
    other = copy.copy(item)
    for frozen in ("override_save_as", "override_url"):
        vars(other).pop(frozen, None)
    other.status = status
    return other


def remove_leftovers(pelican) -> None:
    """finalized: in a kept output folder, the other states' pages not written now."""
    if pelican.settings.get("DELETE_OUTPUT_DIRECTORY"):
        return
    output = os.path.abspath(pelican.output_path)
    for address in sorted(filter(None, _other_addresses)):
        path = os.path.abspath(os.path.join(output, address))
        if not path.startswith(output + os.sep) or path in _written or not os.path.isfile(path):
            continue
        os.remove(path)
        folder = os.path.dirname(path)
        while folder != output and not os.listdir(folder):
            os.rmdir(folder)
            folder = os.path.dirname(folder)
