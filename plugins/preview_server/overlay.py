"""The last build's problems, shown at the top of every page `invoke serve`
sends while they last (the way Hugo's and Vite's dev servers show an error).

The server puts the box into each page as it sends it, so it needs no script
and never reaches a file of a writing or publish build; the box takes the
site's own `.notice` look, and /__preview/problems.css only places it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from content_check import report
from content_check.problems import display_path

STYLESHEET = "/__preview/problems.css"
PROBLEMS_CSS = b"""\
.preview-problems { max-width: var(--measure, 40rem); margin: 1rem auto; }
.preview-problems h2 { margin: 0 0 .5rem; font-size: 1.1rem; }
.preview-problems ul { margin: 0; padding-left: 1.25rem; }
.preview-problems li + li { margin-top: .5rem; }
.preview-problems code { font-weight: 600; overflow-wrap: anywhere; }
.preview-problems .summary { margin: .75rem 0 0; }
"""


@dataclass(frozen=True)
class Shown:
    """One line of the terminal's report: where (file:line, or ""), what, fix."""

    where: str
    what: str
    fix: str = ""


@dataclass(frozen=True)
class Failure:
    """A build that did not finish: its lines, and the closing line the terminal prints."""

    lines: tuple[Shown, ...]
    summary: str = ""


def content_failure(problems: list) -> Failure:
    """The content check's problems, in the order and words of its report."""
    ordered = sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.what))
    lines = []
    for problem in ordered:
        path = display_path(problem.path)
        where = f"{path}:{problem.line}" if problem.line else path
        lines.append(Shown(where, problem.what, problem.fix))
    # The report's line after the problems' own: how many, and what to do.
    summary = report(problems).splitlines()[len(ordered)]
    return Failure(tuple(lines), summary)


# "where: what. Fix: how", as the settings' own messages and the builder's are.
MESSAGE_LINE = re.compile(r"^(?:(?P<where>[^\s:]+:\d+): )?(?P<what>.+?)\. Fix: (?P<fix>.+)$")


def message_failure(message: str) -> Failure:
    """Any other stop (a settings file that does not read, a missing file): its words."""
    lines = []
    for line in filter(str.strip, message.splitlines()):
        parts = MESSAGE_LINE.match(line)
        lines.append(
            Shown(parts["where"] or "", parts["what"], parts["fix"]) if parts else Shown("", line)
        )
    return Failure(tuple(lines))


def overlay_html(failure: Failure) -> bytes:
    items = "".join(
        "<li>"
        + (f"<code>{escape(line.where)}</code>: " if line.where else "")
        + escape(line.what)
        + (f". <strong>Fix:</strong> {escape(line.fix)}" if line.fix else "")
        + "</li>"
        for line in failure.lines
    )
    summary = f'<p class="summary">{escape(failure.summary)}</p>' if failure.summary else ""
    return (
        '<aside class="notice preview-problems" role="alert" aria-labelledby="preview-problems">'
        '<h2 id="preview-problems">The site was not rebuilt</h2>'
        f"<ul>{items}</ul>{summary}</aside>"
    ).encode()


def with_overlay(page: bytes, failure: Failure) -> bytes:
    """`page` with the problems at the top of its body and their stylesheet in its head."""
    link = f'<link rel="stylesheet" href="{STYLESHEET}">'.encode()
    head = page.find(b"</head>")
    if head >= 0:
        page = page[:head] + link + page[head:]
    body = page.find(b"<body")
    start = page.find(b">", body) + 1 if body >= 0 else 0
    return page[:start] + overlay_html(failure) + page[start:]
