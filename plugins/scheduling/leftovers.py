"""A writing build leaves in output/ only the pages of the site as it is now.

A writing build (pelicanconf.py: `invoke build`, `invoke serve`) writes into
the kept output/ folder, where an unchanged page keeps its date; so a page an
earlier build wrote and this one does not would stay, for `invoke serve` to
show and for anything that copies output/ to publish: the later pages of a list
that shrank (`tag/x/page/3/`, `page/2/` after articles went or
DEFAULT_PAGINATION grew), the tag, category, author and year pages whose last
article was deleted, the public page of an article now scheduled again or set
back to draft, the drafts/ page of one now public.

When a writing build finishes, each such file is removed (and the folders it
leaves empty): every file Pelican's writer put out in the last successful
writing build into the same folder (written_record.py) that this build's writer
did not, and the addresses this build's items have in their other state
(public or draft), for a folder with no record yet. Only files the writer made
are candidates: the coach's own files copied from content/, the theme's, the
pictures' made sizes and the search index are never in the record, and a
file of the coach's now at an address a page once had stays. A build that
fails (a content problem stops it before anything is written) removes nothing
and keeps the last record. A publish build starts from an empty folder
(DELETE_OUTPUT_DIRECTORY) and needs none of this. `pelican -v` names each file
removed.
"""

from __future__ import annotations

import copy
import logging
import os

from .written_record import keep_written, last_written

logger = logging.getLogger(__name__)

# What the current build's writer wrote (absolute paths), the addresses (relative
# to the output folder) its items have in the states they are not in now, and its
# static files' generators (read once they have copied).
_written: set[str] = set()
_other_addresses: set[str] = set()
_static_generators: list = []


def start(pelican) -> None:
    """initialized: each build notes its own (`invoke serve` builds many)."""
    _written.clear()
    _other_addresses.clear()
    _static_generators.clear()


def note_written(path: str, **signal_details) -> None:
    """content_written and feed_written: every file Pelican's writer put out,
    changed or not."""
    _written.add(os.path.abspath(path))


def note_static(generator) -> None:
    """static_generator_finalized: the coach's files Pelican copies."""
    _static_generators.append(generator)


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
    """finalized: in a kept output folder, what an earlier build wrote and this
    one did not; then this build's record."""
    settings = pelican.settings
    if settings.get("DELETE_OUTPUT_DIRECTORY"):
        return
    output = os.path.abspath(pelican.output_path)
    written = {os.path.relpath(path, output) for path in _written if _inside(path, output)}
    copied = {static.save_as for g in _static_generators for static in g.staticfiles}
    earlier = last_written(settings["CACHE_PATH"], output) | set(filter(None, _other_addresses))
    removed = remove_files(output, earlier - written - copied, _written)
    for address in removed:
        logger.info("Removed %s: an earlier build wrote it, this one did not", address)
    keep_written(settings["CACHE_PATH"], output, written)


def remove_files(output: str, addresses: set[str], kept: set[str]) -> list[str]:
    """Removes the files at `addresses` (relative to `output`) and the folders
    they leave empty, never a folder of a path in `kept` (absolute): a page
    rendered in parallel may not be in its folder yet. Returns what it removed."""
    keep_folders = {os.path.dirname(path) for path in kept} | {output}
    removed = []
    for address in sorted(addresses):
        path = os.path.abspath(os.path.join(output, address))
        if not _inside(path, output) or path in kept or not os.path.isfile(path):
            continue
        os.remove(path)
        removed.append(os.path.relpath(path, output))
        folder = os.path.dirname(path)
        while folder not in keep_folders and not os.listdir(folder):
            os.rmdir(folder)
            folder = os.path.dirname(folder)
    return removed


def _inside(path: str, output: str) -> bool:
    return path.startswith(output + os.sep)
