"""Checks of one Markdown source file on its own: encoding, header, links, images.

These read the raw text, so they also report files Pelican could not read.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote

from scheduling.times import read_time

from .characters import IN_ONE_LINE, control_characters, describe_character, kind_of_character
from .featured_image import featured_image, image_header_problem
from .problems import Problem, display_path

# The header rules of Python-Markdown's meta extension, which Pelican uses.
HEADER_KEY = re.compile(r"^ {0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)$")
HEADER_MORE = re.compile(r"^ {4,}(?P<value>.*)$")
HEADER_FENCE = re.compile(r"^-{3}\s*$")
HEADER_END = re.compile(r"^(-{3}|\.{3})\s*$")

# A link to a file of the content folder. Its indicator takes either bracket,
# "{static}" or "|static|", as Pelican's INTRASITE_LINK_REGEX does.
LINK_TARGET = r"(?P<target>[^)\s\"'>\]]*)"
INTERNAL_LINK = re.compile(r"(?P<indicator>[{|](?:filename|static|attach)[|}])" + LINK_TARGET)
# Every indicator Pelican knows (`Content._link_replacer` in pelican/contents.py).
INDICATORS = ("filename", "static", "attach", "index", "tag", "category", "author")
# Any indicator where a link's address starts: after "](" or "]:" in Markdown,
# or in one of the HTML attributes Pelican replaces links in.
INDICATED_LINK = re.compile(
    r"(?:\]\(\s*<?|\]:\s*<?|(?:href|src|poster|data|cite|formaction|action|content)\s*=\s*[\"'])"
    r"(?P<indicator>[{|](?P<what>[^\s{}|()\"'<>]*)[|}])" + LINK_TARGET
)
# A Markdown link or picture, or a link kind: in a Summary (plain text, shown as
# typed everywhere) these would show as their raw syntax.
LINK_SYNTAX = re.compile(
    r"!?\[[^\]]*\]\s*(?:\([^)]*\)?|\[[^\]]*\]?)|[{|](?:" + "|".join(INDICATORS) + r")[|}]\S*",
    re.IGNORECASE,
)
MARKDOWN_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\s*[(\[]")
HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
HTML_ALT = re.compile(r"\balt\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
# Code is text: a fenced block (closed by the same fence), an indented block
# after a blank line and a code span (backticks, closed by as many) are never
# checked for links or pictures.
CODE_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
INDENTED_CODE = re.compile(r"^(?: {4}|\t)")
LIST_ITEM = re.compile(r"^ {0,3}(?:[*+-]|\d+[.)])\s")
CODE_SPAN = re.compile(r"(?<![\\`])(?P<ticks>`+)(?!`)(?P<code>.+?)(?<!`)(?P=ticks)(?!`)")
# Quotes and lists inside one another: Python-Markdown reads each level by
# recursion and stops nesting near Python's recursion limit, which depends on
# how deep in the call stack the reading starts (a serial build and a
# parallel one differ). Past this fixed depth the check refuses the file, so
# every build reads the same. Prose needs a few levels; 20 is generous.
DEEPEST = 20
CONTAINER = re.compile(r" {0,3}(?:>|(?:[*+-]|\d{1,9}[.)])(?=\s))\s?")
# A file the page itself loads from another site (http://, https:// or //): the
# published site's policy (img-src 'self' and the like) blocks it. Links (<a>) stay.
REMOTE = r"(?P<src>(?:https?:)?//[^\s\"'<>)]+)"
REMOTE_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?" + REMOTE, re.IGNORECASE)
REMOTE_HTML_SOURCE = re.compile(
    r"<(?:img|iframe|script|video|audio|source|track|embed|object|input)\b[^>]*?"
    r"\s(?:src|poster|data|srcset)\s*=\s*[\"']?\s*" + REMOTE,
    re.IGNORECASE,
)


@dataclass
class SourceFile:
    path: str
    kind: str  # "article" or "page"
    metadata: dict[str, str] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # as Markdown splits them
    body: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)
    links: list[tuple[int, str]] = field(default_factory=list)  # (line, existing target)
    problems: list[Problem] = field(default_factory=list)
    read: dict = field(default_factory=dict)  # dates Pelican's reader parsed from it
    zone: str = "UTC"  # the site's time zone

    @property
    def status(self) -> str:
        return self.metadata.get("status", "published").strip().lower()

    def problem(self, line: int | None, what: str, fix: str) -> None:
        self.problems.append(Problem(self.path, line, what, fix))


def check_source(
    path: str,
    kind: str,
    content_root: str,
    slug: str = "",
    read: dict | None = None,
    raw: bytes | None = None,
    zone: str = "UTC",
) -> SourceFile:
    """Read one file and report everything wrong with it on its own. `slug` is
    the address Pelican gives the file, for ready-to-paste fixes; `read`, the
    dates Pelican's reader parsed from it; `raw`, its bytes when already read;
    `zone`, the site's time zone (TIMEZONE), in which a date without offset is."""
    source = SourceFile(path=path, kind=kind, read=read or {}, zone=zone)
    source.lines = markdown_lines(_decode(source, raw))
    _parse_header(source, source.lines)
    _check_metadata(source, slug)
    _check_control_characters(source)
    _check_body(source, content_root)
    _check_summary(source)
    return source


def markdown_lines(text: str) -> list[str]:
    """The lines as Python-Markdown splits them: only at line ends, not at the
    vertical tabs, form feeds and Unicode separators `str.splitlines` breaks at."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def split_header(path: str) -> tuple[str, str]:
    """(header, body) of a file, split where Pelican's reader splits them."""
    source = SourceFile(path=path, kind="article")
    lines = markdown_lines(_decode(source))
    _parse_header(source, lines)
    start = source.body[0][0] - 1 if source.body else len(lines)
    return "\n".join(lines[:start]), "\n".join(lines[start:])


def _decode(source: SourceFile, raw: bytes | None = None) -> str:
    if raw is None:
        with open(source.path, "rb") as handle:
            raw = handle.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        source.problem(
            line,
            f"The file is not valid UTF-8 text (byte 0x{raw[error.start]:02X} cannot be read)",
            "open it in your editor and save it again with the encoding UTF-8",
        )
        return raw.decode("utf-8-sig", errors="replace")


def _parse_header(source: SourceFile, lines: list[str]) -> None:
    index = 1 if lines and HEADER_FENCE.match(lines[0]) else 0
    index = _header_start(source, lines, index)
    last_key = None
    while index < len(lines):
        line = lines[index]
        number = index + 1
        key_match = HEADER_KEY.match(line)
        more_match = HEADER_MORE.match(line)
        if key_match:
            key = key_match["key"].lower()
            if key in source.metadata:
                source.problem(
                    number,
                    f'"{key_match["key"]}:" appears twice in the header',
                    "keep one of the two lines",
                )
            source.metadata[key] = key_match["value"].strip()
            source.key_lines.setdefault(key, number)
            last_key = key
        elif more_match and last_key:
            source.metadata[last_key] += " " + more_match["value"].strip()
            _continued_value(source, number, last_key)
        else:
            if not line.strip() or HEADER_END.match(line):
                index += 1
            break
        index += 1
    source.body = [(i + 1, lines[i]) for i in range(index, len(lines))]


def _header_start(source: SourceFile, lines: list[str], first: int) -> int:
    """Where the header starts: on the first line, as Python-Markdown reads it.
    A header after empty lines is not read at all (Pelican would say Title, Date
    and Id are missing): that is one problem, and the header is checked as meant."""
    start = first
    while start < len(lines) and not lines[start].strip():
        start += 1
    key = HEADER_KEY.match(lines[start]) if first < start < len(lines) else None
    if not key:
        return first
    from . import schema  # only for a file starting with an empty line

    if key["key"].lower() not in schema.allowed_keys(source.kind):
        return first  # text that happens to hold a colon, not a header
    empty = start - first
    source.problem(
        first + 1,
        f"The header starts on line {start + 1}, after {empty} empty "
        f"line{'s' if empty > 1 else ''}, so none of it is read (a header must start on "
        "the first line)",
        f'delete the empty line{"s" if empty > 1 else ""} above "{_short(lines[start].strip())}"',
    )
    return start


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _continued_value(source: SourceFile, line: int, key: str) -> None:
    """Python-Markdown reads an indented line under a header key as a second value
    of that key: Pelican then keeps only the first of them (Tags, Date, Category...)
    or stops on a value that is not one line of text (Title, Summary...)."""
    first = source.key_lines[key]
    source.problem(
        line,
        f'This indented line carries on the "{key.capitalize()}:" value of line {first}, '
        "but a header value must be on one line",
        f"move this text to the end of line {first}, so the whole value is on one line "
        "(an editor may still wrap it on screen)",
    )


def _check_metadata(source: SourceFile, slug: str) -> None:
    from . import schema  # pydantic, imported only when a file is checked (not all kept)

    lines = {"id": f"Id: {schema.article_id(_day(source), slug)}"} if slug else {}
    problems = schema.validate(source.kind, source.metadata, lines, source.read, source.zone)
    for key, what, fix in problems:
        source.problem(source.key_lines.get(key, 1), what, fix)


def _day(source: SourceFile) -> datetime.date:
    """The article's day for a suggested Id: its Date when readable, else today."""
    try:
        written = source.metadata.get("date", "")
        return (source.read.get("date") or read_time(written, source.zone, "", str)).date()
    except ValueError:
        return datetime.date.today()


def _check_control_characters(source: SourceFile) -> None:
    if not IN_ONE_LINE.search("".join(source.lines)):
        return  # the usual case, found at once: none anywhere
    header_keys = {line: key for key, line in source.key_lines.items()}
    body_lines = {number for number, _ in source.body}
    for number, line in enumerate(source.lines, start=1):
        in_header = number not in body_lines
        for column, char in control_characters(line, in_header):
            key = header_keys.get(number)
            where = f'The "{key.capitalize()}:" line' if key else "This line"
            source.problem(
                number,
                f"{where} holds an invisible {kind_of_character(char)} "
                f"({describe_character(char)}, column {column}), as text pasted from a PDF, "
                "a web page or a word processor often does",
                "delete the text around it and type it again (your editor may show the "
                "character as a small box or not at all)",
            )


def _outside_code(body: list[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """The body's (line number, text) outside code blocks, each code span
    blanked out (spaces, so columns stay where they were)."""
    fence = None
    previous_blank, in_list = True, False
    for number, line in body:
        opening = CODE_FENCE.match(line)
        if fence:
            if line.strip() == fence:  # Python-Markdown closes with the very same fence
                fence = None
            continue
        if opening:
            fence = opening["fence"]
            continue
        blank = not line.strip()
        if INDENTED_CODE.match(line) and previous_blank and not in_list and not blank:
            continue  # an indented code block (a list's indented lines are its text)
        if not blank and not INDENTED_CODE.match(line):
            in_list = bool(LIST_ITEM.match(line)) or (in_list and not previous_blank)
        previous_blank = blank or (previous_blank and INDENTED_CODE.match(line) and not in_list)
        yield number, _without_code_spans(line) if "`" in line else line


def _without_code_spans(line: str) -> str:
    return CODE_SPAN.sub(lambda m: " " * len(m[0]), line)


def _nesting(line: str) -> int:
    """How many quotes and lists the line sits in: each > or list marker at
    its start, and each four columns of indentation."""
    expanded = line.expandtabs(4)
    indent = len(expanded) - len(expanded.lstrip(" "))
    depth, rest = indent // 4, expanded[indent - indent % 4 :]
    while True:
        marker = CONTAINER.match(rest)
        if not marker:
            return depth
        depth, rest = depth + 1, rest[marker.end() :]


def _check_nesting(source: SourceFile) -> None:
    """One problem, on the first line (outside code) nested deeper than DEEPEST."""
    for number, line in _outside_code(source.body):
        if line[:1] in " \t>-*+0123456789" and _nesting(line) > DEEPEST:
            deepest = max(_nesting(text) for _, text in _outside_code(source.body))
            source.problem(
                number,
                f"Quotes or lists are nested {deepest} levels deep here, more than the "
                f"{DEEPEST} the site reads the same way in every build",
                f"use at most {DEEPEST} levels: remove some of the > or list markers "
                "(or the indentation) at the start of the lines",
            )
            return


def _check_body(source: SourceFile, content_root: str) -> None:
    _check_nesting(source)
    # Each pattern needs a character most lines lack: a plain `in` skips those
    # lines for it (this runs over every line of every file in a cold build).
    for number, line in _outside_code(source.body):
        if "{" in line or "|" in line:
            for match in INTERNAL_LINK.finditer(line):
                _check_link(source, number, match["indicator"], match["target"], content_root)
            _check_indicators(source, number, line)
        if "![" in line:
            for match in MARKDOWN_IMAGE.finditer(line):
                if not match["alt"].strip():
                    _missing_alt(source, number)
        if "<" in line:
            for tag in HTML_IMAGE.findall(line):
                alt = HTML_ALT.search(tag)
                if not alt or not alt.group(1).strip("\"' "):
                    _missing_alt(source, number)
        if "//" in line:
            for pattern in (REMOTE_MARKDOWN_IMAGE, REMOTE_HTML_SOURCE):
                for match in pattern.finditer(line):
                    _remote_source(source, number, match["src"])
    _check_image_header(source, content_root)


def _check_image_header(source: SourceFile, content_root: str) -> None:
    value = source.metadata.get("image", "")
    if not value:
        return
    line = source.key_lines["image"]
    path = featured_image(value, source.path, content_root)
    if path:
        source.links.append((line, os.path.abspath(os.path.join(content_root, path))))
        return
    what, fix = image_header_problem(value, source.path, content_root)
    source.problem(line, what, fix)


def _check_link(source: SourceFile, line: int, indicator: str, target: str, root: str) -> None:
    path = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if not path:
        return
    if path.startswith("/"):
        resolved = os.path.join(root, path.lstrip("/"))
    else:
        resolved = os.path.join(os.path.dirname(source.path), path)
    if os.path.isfile(resolved):
        source.links.append((line, os.path.abspath(resolved)))
    else:
        shown = display_path(resolved)
        source.problem(
            line,
            f'The link "{indicator}{target}" points to {shown}, which does not exist',
            "correct the file name, or start it with / to mean the content folder",
        )


def _check_indicators(source: SourceFile, number: int, line: str) -> None:
    """A link with a kind Pelican does not know ("{filname}x.md") would be published dead."""
    for match in INDICATED_LINK.finditer(line):
        if match["what"] not in INDICATORS:
            _unknown_indicator(source, number, match["indicator"], match["target"])


def _check_summary(source: SourceFile) -> None:
    found = LINK_SYNTAX.search(source.metadata.get("summary", ""))
    if found:
        source.problem(
            source.key_lines["summary"],
            f'The Summary holds a link or a picture ("{found[0]}"), which the lists, the '
            "feeds and the newsletter would show just as it is typed",
            "a Summary is plain text: write one or two sentences, without links or pictures",
        )


def _unknown_indicator(source: SourceFile, line: int, indicator: str, target: str) -> None:
    what = indicator.strip("{}|")
    close = difflib.get_close_matches(what.lower(), INDICATORS, n=1, cutoff=0.6)
    hint = f'did you mean "{{{close[0]}}}"? ' if close else ""
    known = ", ".join(f"{{{name}}}" for name in INDICATORS[2:])
    source.problem(
        line,
        f'Unknown link kind "{indicator}" in the link "{indicator}{target}", '
        "so the link would lead nowhere",
        f"{hint}Use one Pelican knows, in lower case: {{filename}} (an article or page), "
        f"{{static}} (an image or file), {known}",
    )


def _remote_source(source: SourceFile, line: int, src: str) -> None:
    source.problem(
        line,
        f"The page loads {src} from another site, which the published site blocks "
        "(readers would see nothing there)",
        "put the file in content/images/ and use {static}/images/NAME, like "
        "![A path through green hills]({static}/images/hills.jpg); for a video on "
        "another site, link to it instead: [Watch the talk](https://...)",
    )


def _missing_alt(source: SourceFile, line: int) -> None:
    source.problem(
        line,
        "An image has no alt text",
        "describe the picture between the square brackets: ![A path through green hills](...)",
    )
