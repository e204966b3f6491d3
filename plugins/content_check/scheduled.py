"""Scheduled articles in the content check: what waits, and links that lead to it.

Which article is scheduled is decided once, by the scheduling plugin, while
Pelican reads the content; here the check only reads that decision back from
the generators (a scheduled article is a draft carrying `scheduled_for`).
"""

from __future__ import annotations

import os

from .problems import Problem, display_path
from .source import check_source


def scheduled_articles(generators: list) -> list:
    """Scheduled articles, soonest first."""
    articles = next(g for g in generators if type(g).__name__ == "ArticlesGenerator")
    waiting = [a for a in articles.drafts if getattr(a, "scheduled_for", None)]
    return sorted(waiting, key=lambda article: article.scheduled_for)


def waiting_list(generators: list) -> str:
    """The closing lines of `invoke check`: each scheduled article and its date."""
    waiting = scheduled_articles(generators)
    if not waiting:
        return "No article is scheduled."
    lines = [f"{len(waiting)} scheduled article{'s' if len(waiting) != 1 else ''}:"]
    lines += [
        f"  {display_path(article.source_path)}: {article.scheduled_notice}" for article in waiting
    ]
    return "\n".join(lines)


def links_to_scheduled(generators: list, settings: dict) -> list[Problem]:
    """A public article or page must not link to one that is not public yet."""
    waiting = {os.path.abspath(a.source_path): a for a in scheduled_articles(generators)}
    if not waiting:
        return []
    names = {os.path.basename(path) for path in waiting}
    root = os.path.abspath(settings["PATH"])
    problems = []
    for item, kind in _public_items(generators):
        path = os.path.abspath(item.source_path)
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        if not any(name in text for name in names):
            continue  # the cheap test first: only a few files name one
        for line, target in check_source(path, kind, root).links:
            if target in waiting:
                problems.append(
                    Problem(
                        path,
                        line,
                        f"It links to {display_path(target)}, which is not public yet "
                        f"({waiting[target].scheduled_notice[0].lower()}"
                        f"{waiting[target].scheduled_notice[1:]})",
                        "add the link once that article is live, or give this one a Date "
                        "at or after that one",
                    )
                )
    return problems


def _public_items(generators: list):
    for generator in generators:
        name = type(generator).__name__
        if name == "ArticlesGenerator":
            yield from ((a, "article") for a in generator.articles + generator.hidden_articles)
        elif name == "PagesGenerator":
            yield from ((p, "page") for p in generator.pages + generator.hidden_pages)
