"""Checks of the whole content folder: every file accounted for, and no two
things written to the same address."""

from __future__ import annotations

import importlib
import os
from collections import defaultdict
from collections.abc import Iterable

from pelican.paginator import Paginator

from .addresses import unresolved_addresses
from .kept_results import KeptResults, check_file
from .problems import Problem, display_path
from .reading import read_failures, reason_in_words

MARKDOWN_EXTENSIONS = {".md", ".markdown", ".mdown", ".mkd"}  # as Pelican reads them


# Files that operating systems and editors leave beside the coach's own; Pelican
# skips every name starting with a dot, and these are the ones that may be skipped
# without a word.
SYSTEM_FILES = (".DS_Store", ".gitkeep", ".gitignore", ".directory")
EDITOR_FILES = (".#", "._")  # Emacs locks, macOS resource forks
EDITOR_ENDINGS = (".swp", ".swo", ".swx")  # Vim while a file is open


def is_system_file(name: str) -> bool:
    return name in SYSTEM_FILES or name.startswith(EDITOR_FILES) or name.endswith(EDITOR_ENDINGS)


def content_files(settings: dict) -> Iterable[tuple[str, str | None]]:
    """Every file under the content folder (absolute path) with its role:
    "article", "page", "kept" (an image), "data" (the newsletter's records),
    "hidden" (a name starting with a dot, which Pelican skips) or None
    (outside every folder the site is built from)."""
    root = os.path.abspath(settings["PATH"])
    roles = _roles(settings)
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in (".git", ".svn"))
        # The folder's path relative to the content folder, worked out once for its files.
        inside = os.path.relpath(folder, root)
        prefix = "" if inside == os.curdir else inside + os.sep
        hidden_folder = bool(prefix) and any(p.startswith(".") for p in inside.split(os.sep))
        for name in sorted(n for n in files if not is_system_file(n)):
            role = _role(prefix + name, roles)
            hidden = hidden_folder or name.startswith(".")
            yield os.path.join(folder, name), "hidden" if hidden and role != "data" else role


def role_of(path: str, settings: dict) -> str | None:
    """The role `content_files` gives the file at `path` (absolute)."""
    relative = os.path.relpath(path, os.path.abspath(settings["PATH"]))
    role = _role(relative, _roles(settings))
    hidden = any(part.startswith(".") for part in relative.split(os.sep))
    return "hidden" if hidden and role != "data" else role


def _roles(settings: dict) -> list[tuple[str, str, str]]:
    """(folder, folder with a separator, role), in the order a file's role is
    looked for (the first folder holding it)."""
    roles = [(p, "article") for p in settings["ARTICLE_PATHS"]]
    roles += [(p, "page") for p in settings["PAGE_PATHS"]]
    roles += [(p, "kept") for p in settings["STATIC_PATHS"]]
    roles += [(p, "data") for p in settings.get("CONTENT_DATA_PATHS", [])]
    return [(p, p + os.sep, role) for p, role in ((os.path.normpath(p), r) for p, r in roles)]


def _role(relative: str, roles: list[tuple[str, str, str]]) -> str | None:
    return next((r for p, under, r in roles if relative == p or relative.startswith(under)), None)


def is_markdown(path: str) -> bool:
    return os.path.splitext(path)[1].lower() in MARKDOWN_EXTENSIONS


def check_files(
    settings: dict,
    files: list[tuple[str, str | None]],
    read: dict[str, dict] | None = None,
    kept: KeptResults | None = None,
) -> list[Problem]:
    """Problems of each file on its own, and files that would be left out.
    `files`: what `content_files` found; `read`: by absolute path, the dates
    Pelican's reader parsed (read_dates); `kept`: the results of files that
    passed before, to use when unchanged."""
    folders = ", ".join(f"content/{p}/" for p in settings["ARTICLE_PATHS"] + settings["PAGE_PATHS"])
    problems, sources = [], {}
    for path, role in files:
        if role in ("article", "page") and is_markdown(path):
            dates = (read or {}).get(path)
            if kept is not None:
                source = kept.check(path, role, dates)
            else:
                source = check_file(path, role, settings, dates)
            sources[path] = source
            problems += source.problems
        elif role == "hidden":
            problems.append(
                Problem(
                    path,
                    None,
                    "Its name (or its folder's) starts with a dot, so it is never published",
                    "rename it without the leading dot, or delete it if it is not needed",
                )
            )
        elif role in ("article", "page"):
            problems.append(
                Problem(
                    path,
                    None,
                    "Only Markdown files are published and this is not one",
                    "write the text in a file ending in .md, or move this file to content/images/",
                )
            )
        elif role is None:
            problems.append(
                Problem(
                    path,
                    None,
                    "This file is outside the folders the site is built from",
                    f"move an article or page into {folders}, or an image into content/images/",
                )
            )
    return problems + _links_to_drafts(sources) + _shared_ids(sources)


def _shared_ids(sources: dict) -> list[Problem]:
    """Feeds and newsletters tell articles apart by Id, so each must be unique."""
    by_id = defaultdict(list)
    for source in sources.values():
        if source.kind == "article" and source.metadata.get("id"):
            by_id[source.metadata["id"]].append(source)
    return [
        Problem(
            source.path,
            source.key_lines["id"],
            f'Its Id "{article_id}" is also the Id of '
            + " and ".join(display_path(o.path) for o in same if o is not source),
            "give this article an Id of its own (a copied file keeps the old one)",
        )
        for article_id, same in by_id.items()
        if len(same) > 1
        for source in same
    ]


def _links_to_drafts(sources: dict) -> list[Problem]:
    """A published page must not link to a draft: readers would find nothing."""
    problems = []
    for source in sources.values():
        if source.status == "draft":
            continue
        for line, target in source.links:
            if target in sources and sources[target].status == "draft":
                problems.append(
                    Problem(
                        source.path,
                        line,
                        f"It links to {display_path(target)}, which is still a draft",
                        "publish that article first, or remove the link for now",
                    )
                )
    return problems


def check_built(
    generators: list, settings: dict, files: list[tuple[str, str | None]], reported: set[str]
) -> list[Problem]:
    """Problems only visible once Pelican has read everything: files it left
    out for a reason the file checks did not catch, and address collisions.
    `files`: what `content_files` found."""
    items = all_items(generators)
    problems = _unread_files(items, generators, files, reported)
    articles = _generator(generators, "ArticlesGenerator")
    static = _generator(generators, "StaticGenerator")
    planned = site_outputs(items, articles, static, settings)
    problems += collision_problems(clashes(planned))
    written = {path.replace(os.sep, "/") for path in planned} | theme_files(settings)
    problems += unresolved_addresses(items, settings, written)
    return problems


def read_dates(generators: list) -> dict[str, dict]:
    """By source path, the `date` and `modified` Pelican's reader parsed."""
    return {
        os.path.abspath(item.source_path): dates_of(item.metadata) for item in all_items(generators)
    }


def dates_of(metadata: dict) -> dict:
    """The `date` and `modified` of metadata Pelican's reader gave (what a file's
    check depends on besides its bytes)."""
    return {key: metadata[key] for key in ("date", "modified") if key in metadata}


def all_items(generators: list) -> list:
    """Every article and page Pelican read, in every state."""
    articles = _generator(generators, "ArticlesGenerator")
    pages = _generator(generators, "PagesGenerator")
    return [
        *articles.articles,
        *articles.translations,
        *articles.drafts,
        *articles.drafts_translations,
        *articles.hidden_articles,
        *articles.hidden_translations,
        *pages.pages,
        *pages.translations,
        *pages.hidden_pages,
        *pages.hidden_translations,
        *pages.draft_pages,
        *pages.draft_translations,
    ]


def _generator(generators: list, name: str):
    return next(g for g in generators if type(g).__name__ == name)


def _unread_files(
    items: list, generators: list, files: list[tuple[str, str | None]], reported: set[str]
) -> list[Problem]:
    """Files Pelican left out, with its reason when it gave one. A file the
    checks above already explain is not blamed twice."""
    read = {os.path.abspath(item.source_path) for item in items}
    failures = read_failures(generators)
    problems = []
    for path, role in files:
        if role not in ("article", "page") or not is_markdown(path) or path in read:
            continue
        if path in failures and path in reported and isinstance(failures[path], ValueError):
            continue  # a header value Pelican could not read, which the file checks name
        if path in failures:
            why = reason_in_words(failures[path])
            problems.append(
                Problem(
                    path,
                    None,
                    f"Pelican could not read this file: {why}",
                    "correct what it names (other problems listed for this file may be the cause)",
                )
            )
        elif path not in reported:
            problems.append(
                Problem(
                    path,
                    None,
                    "Pelican left this file out without saying why",
                    "run `invoke build --debug` and look for the file's name",
                )
            )
    return problems


def written_files(generators: list, settings: dict) -> set[str]:
    """Every file the build will write, relative to the output folder, the
    theme's own files included."""
    articles = _generator(generators, "ArticlesGenerator")
    static = _generator(generators, "StaticGenerator")
    planned = site_outputs(all_items(generators), articles, static, settings)
    return {path.replace(os.sep, "/") for path in planned} | theme_files(settings)


def theme_files(settings: dict) -> set[str]:
    """The theme's files as Pelican copies them (THEME_STATIC_PATHS into
    THEME_STATIC_DIR)."""
    files = set()
    for folder in settings.get("THEME_STATIC_PATHS", []):
        source = os.path.join(settings["THEME"], folder)
        for directory, _, names in os.walk(source):
            for name in names:
                relative = os.path.relpath(os.path.join(directory, name), source)
                files.add(f"{settings['THEME_STATIC_DIR']}/{relative}".replace(os.sep, "/"))
    return files


def site_outputs(items: list, articles, static, settings: dict) -> dict[str, list]:
    """Every file the build will write, each with what writes it: a content
    item (for its source path) or a description of a generated page.
    `articles`: the articles' generator, or what it would hold at another
    moment (its dates, tags, categories, authors and period archives)."""
    planned = defaultdict(list)
    for item in items:
        if item.save_as:
            planned[os.path.normpath(item.save_as)].append(item)
    dated = articles.dates
    for name in settings["DIRECT_TEMPLATES"]:
        save_as = settings.get(f"{name.upper()}_SAVE_AS", f"{name}.html")
        url = settings.get(f"{name.upper()}_URL", f"{name}.html")
        if save_as:
            _add_paginated(planned, save_as, url, dated, name, settings, f"the {name} page")
    groups = (("tags", "tag"), ("categories", "category"), ("authors", "author"))
    for attribute, template in groups:
        for group, group_articles in dict(getattr(articles, attribute)).items():
            label = f'the {template} page of "{group.name}"'
            _add_paginated(
                planned, group.save_as, group.url, group_articles, template, settings, label
            )
    for granularity in articles.period_archives.values():
        for period in granularity:
            planned[os.path.normpath(period["save_as"])].append("a dated archive page")
    for item in static.staticfiles:
        planned[os.path.normpath(item.save_as)].append(item)
    for plugin, path in plugin_outputs(settings):
        planned[os.path.normpath(path)].append(f"the file the {plugin} plugin writes there")
    return planned


def plugin_outputs(settings: dict) -> list[tuple[str, str]]:
    """(plugin, output path) of every file a plugin writes besides Pelican's own
    pages: each of our plugins says so in `planned_outputs(settings)`; the
    sitemap plugin is not ours, so its one file is named here."""
    outputs = []
    for name in settings.get("PLUGINS") or []:
        name = name if isinstance(name, str) else name.__name__
        if name.endswith("sitemap"):
            fmt = (settings.get("SITEMAP") or {}).get("format", "xml")
            outputs.append(("sitemap", f"sitemap.{fmt}"))
            continue
        planned = getattr(importlib.import_module(name), "planned_outputs", None)
        if planned is not None:
            outputs += [(name, path) for path in planned(settings)]
    return outputs


def _add_paginated(planned, save_as, url, objects, template, settings, label) -> None:
    if template not in settings["PAGINATED_TEMPLATES"]:
        planned[os.path.normpath(save_as)].append(label)
        return
    per_page = settings["PAGINATED_TEMPLATES"][template] or settings["DEFAULT_PAGINATION"]
    paginator = Paginator(save_as, url, objects, settings, per_page)
    for number in paginator.page_range:
        page = paginator.page(number)
        suffix = "" if number == 1 else f" (page {number})"
        planned[os.path.normpath(page.save_as)].append(label + suffix)


def clashes(planned: dict[str, list]) -> list[tuple[str, list]]:
    """(output, its writers) for two writers of one file, or a file where
    another writer needs a folder (a page saved as robots.txt/index.html beside
    the robots.txt file). `planned`: what `site_outputs` gives."""
    clashes = [(output, writers) for output, writers in planned.items() if len(writers) > 1]
    folders_taken = set()
    for output, writers in list(planned.items()):
        parent = os.path.dirname(output)
        while parent:
            if parent in planned:
                # Both sides hear of it: the file's writers (once) and the folder's.
                if parent not in folders_taken:
                    clashes.append((parent, planned[parent] + [f"the folder of {output}"]))
                    folders_taken.add(parent)
                clashes.append((output, writers + [f"the file {parent}"]))
            parent = os.path.dirname(parent)
    return clashes


def collision_problems(clashes: list[tuple[str, list]], when: str = "") -> list[Problem]:
    """A problem for each content item among each clash's writers; `when`
    starts the sentence when the clash happens only later ("From ..., ")."""
    problems = []
    for output, writers in clashes:
        for item in writers:
            if isinstance(item, str) or not hasattr(item, "metadata"):
                continue
            others = [_describe(other) for other in writers if other is not item]
            its = "its" if when else "Its"
            problems.append(
                Problem(
                    os.path.abspath(item.source_path),
                    None,
                    f"{when}{its} address {output} is also used by {' and '.join(others)}",
                    'rename one of the files, or give one a different "Slug:" line, '
                    "so each address is unique",
                )
            )
    return problems


def _describe(writer) -> str:
    if isinstance(writer, str):
        return writer
    return display_path(writer.source_path)
