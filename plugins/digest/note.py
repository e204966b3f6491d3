"""The coach's note that opens an issue: a Markdown file per issue in the
newsletter folder, content/newsletter/notes/<issue number>.md.

It lives in the content folder, not in an option of one command, so `invoke
digest` and `invoke send-digest` (which composes afresh and compares) read the
same note. A note is the coach's words: raw HTML in it is shown as text, and a
link leads only to a web or mail address.
"""

from __future__ import annotations

import os
import shutil

import markdown
from markupsafe import Markup

from content_check.characters import control_characters, describe_character, kind_of_character
from prose import TypographyExtension

from .stored_text import OUTER_CONFLICT_MARKERS
from .urls import absolute_url, edit_fragment

FOLDER = "notes"
SAFE_SCHEMES = ("https://", "http://", "mailto:")


class NoteError(SystemExit):
    """A note the issue cannot carry: says which file, what is wrong and the fix."""


def notes_folder(settings: dict) -> str:
    """content/newsletter/notes: beside the record of sent issues."""
    newsletter = os.path.dirname(settings["DIGEST"]["record"])
    return os.path.join(settings["PATH"], newsletter, FOLDER)


def note_path(settings: dict, number: int) -> str:
    return os.path.join(notes_folder(settings), f"{number}.md")


def shown(path: str) -> str:
    """The path as the coach finds it: relative to where they are, when inside."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def note_text(data: bytes, where: str) -> str:
    """The note's text, or NoteError in one line naming `where` and the fix."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NoteError(
            f"{where}: is not UTF-8 text (byte {error.start + 1} cannot be read), as a "
            "word processor's file or another encoding is. Fix: save it as plain text in "
            "UTF-8 (in your editor: Save As, encoding UTF-8). Nothing was composed"
        ) from None
    text = text.removeprefix("\ufeff")  # a byte order mark some editors write: harmless
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise NoteError(
            f"{where}: is empty. Fix: write your note in it, or delete the file to send "
            "the issue without a note. Nothing was composed"
        )
    for number, line in enumerate(text.splitlines(), start=1):
        for column, char in control_characters(line):
            raise NoteError(
                f"{where}:{number}: holds an invisible {kind_of_character(char)} "
                f"({describe_character(char)}, column {column}), as text pasted from a PDF "
                "or a web page often does. Fix: delete the text around it and type it "
                "again. Nothing was composed"
            )
    # A note is committed, so a merge can leave both sides in it; the email would show them.
    marker = OUTER_CONFLICT_MARKERS.search(text)
    if marker:
        line = text.count("\n", 0, marker.start()) + 1
        raise NoteError(
            f"{where}:{line}: holds a merge conflict (the marker `{marker.group(1)}`: git left "
            "both sides of a merge in it). Fix: keep the words you want, delete the marker "
            "lines (<<<<<<<, =======, >>>>>>>) and commit the file. Nothing was composed"
        )
    return text


def read_note(settings: dict, number: int, base: str = "") -> Markup | None:
    """Issue `number`'s note as HTML, its site links under `base` (default: the
    site's full address, as an email needs); None when it has none."""
    path = note_path(settings, number)
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as handle:
        text = note_text(handle.read(), shown(path))
    return Markup(note_html(text, base or absolute_url(settings, "")))


def note_html(text: str, base: str) -> str:
    """The note's Markdown as HTML: raw HTML kept as text, links under `base`
    (a page of the site: "about/") or to web or mail addresses; any other link
    keeps its words, not its target."""
    # Typographic quotes and dashes, as in the articles.
    converter = markdown.Markdown(output_format="html5", extensions=[TypographyExtension()])
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    allowed = (*SAFE_SCHEMES, base)

    def links_made_safe(wrapper) -> None:
        wrapper.make_links_absolute(base, resolve_base_href=False)
        for link in list(wrapper.iter("a")):
            if not link.get("href", "").startswith(allowed):
                link.drop_tag()
        for image in list(wrapper.iter("img")):
            if not image.get("src", "").startswith(allowed[:2] + (base,)):
                image.drop_tree()

    return edit_fragment(converter.convert(text), links_made_safe)


def copy_note(source: str, settings: dict, number: int) -> str:
    """Put the file `source` in place as issue `number`'s note (checked first);
    never writes over a different note. The note's path, as shown."""
    try:
        with open(source, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise NoteError(
            f"--note {source}: cannot be read ({error.strerror}). Fix: give the path of "
            "your note's Markdown file, like --note my-note.md. Nothing was composed"
        ) from None
    note_text(data, source)
    target = note_path(settings, number)
    if os.path.exists(target):
        with open(target, "rb") as handle:
            if handle.read() != data:
                raise NoteError(
                    f"{shown(target)}: already holds a different note for issue #{number}, "
                    "so --note did not replace it. Fix: edit that file (or delete it) and run "
                    "`invoke digest` without --note. Nothing was composed"
                )
        return shown(target)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copyfile(source, target)
    return shown(target)
