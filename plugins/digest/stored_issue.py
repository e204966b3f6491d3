"""The composed issue kept in its folder (`newsletter-issue/`): issue.json, what it
is, and to-send.html and to-send.txt, the emails to fill in for each reader, as
`invoke digest` wrote them. Every command that reads them (`invoke send-digest`
in each of its modes, `invoke digest --mark-sent`) reads them here, so a file
damaged by hand or by a merge stops it before anything is sent or recorded, with
one message: the file, what is wrong, and the fix (compose it again). The damaged
file is left as it is; since `invoke digest` writes over it, a copy is kept
beside it first, so nothing the coach typed is lost."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
from datetime import datetime

from .compose import MANIFEST, TO_FILL
from .stored_text import (
    OUTER_CONFLICT_MARKERS,
    Damage,
    kind_of,
    read_stored_json,
    read_stored_text,
    shown,
)


class StoredIssueError(SystemExit):
    """The composed issue cannot be read: says which file, what is wrong, the fix."""


def _text(value: object) -> bool:
    return isinstance(value, str)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _moment(value: object) -> bool:
    """A date and time with its offset (of_now compares it with the clock)."""
    try:
        return isinstance(value, str) and datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


# What the commands read of issue.json: the check, and what the field must be.
REQUIRED = {
    "number": (_whole, "a whole number, the issue's number"),
    "subject": (_text, "text in quotes, the subject"),
    "articles": (_texts, "a list of article Ids in quotes"),
}
OPTIONAL = {
    "titles": (_texts, "a list of titles in quotes"),
    "moment": (_moment, "a date and time like 2026-12-07T09:00:00-05:00"),
    "site": (_text, "text in quotes, the site's address"),
}


def manifest_problem(data: object) -> str:
    """What is wrong with issue.json's fields ("" when the commands can use them)."""
    if not isinstance(data, dict):
        return f"it holds {kind_of(data)}, not the issue's fields in {{ }}"
    for name, (_fits, meant) in REQUIRED.items():
        if name not in data:
            return f'the field "{name}" is missing (it must be {meant})'
    for name, (fits, meant) in (REQUIRED | OPTIONAL).items():
        if name in data and not fits(data[name]):
            value = data[name]
            written = json.dumps(value, ensure_ascii=False)
            what = f"{written} ({kind_of(value)})" if len(written) < 60 else kind_of(value)
            return f'the field "{name}" is {what}, not {meant}'
    if data["number"] < 1:
        return f'the field "number" is {data["number"]}, and issues are numbered from 1'
    if not data["articles"]:
        return 'the field "articles" is an empty list, and an issue carries at least one article'
    if "titles" in data and len(data["titles"]) != len(data["articles"]):
        return (
            f'the field "titles" has {len(data["titles"])} titles for '
            f"{len(data['articles'])} articles"
        )
    return ""


def keep_damaged_copy(path: str) -> str:
    """A copy of the damaged file beside it (issue.json.damaged), which `invoke
    digest` does not write over; a copy of other damage gets the next free number."""
    number = 1
    while True:
        copy = f"{path}.damaged" + (f"-{number}" if number > 1 else "")
        if not os.path.exists(copy):
            shutil.copy2(path, copy)
            return copy
        if filecmp.cmp(path, copy, shallow=False):
            return copy
        number += 1


def refusal(path: str, damage: Damage, command: str, compose: str) -> StoredIssueError:
    """The one message for a damaged file of the composed issue, its copy kept."""
    try:
        kept = f"a copy is kept in {shown(keep_damaged_copy(path))}"
    except OSError as error:  # a folder that cannot be written: the coach keeps it
        kept = f"no copy could be kept ({error.strerror}): copy it first if you need it"
    return StoredIssueError(
        f"{damage.where(shown(path))}: the composed newsletter issue cannot be read: "
        f"{damage.what}. Nothing was sent or recorded, and the file is left as it is ({kept}, "
        f"since composing again writes over it). Fix: run `invoke {compose}` to compose the "
        f"issue again and read it, then run `invoke {command}` again"
    )


def read_manifest(folder: str, command: str, compose: str = "digest") -> dict | None:
    """issue.json of the issue composed in `folder`, its fields checked (None when
    there is none). `command`: the one the coach ran, to run again after `compose`."""
    path = os.path.join(folder, MANIFEST)
    if not os.path.exists(path):
        return None
    try:
        data = read_stored_json(path)
        problem = manifest_problem(data)
        if problem:
            raise Damage(problem)
    except Damage as damage:
        raise refusal(path, damage, command, compose) from None
    return data


def read_to_fill(folder: str, command: str, compose: str = "digest") -> tuple[str, str] | None:
    """The HTML and text to fill in for each reader (None when either is missing:
    composed by an older version). A change by hand that leaves them readable is
    found by comparing them with the issue of now (`of_now.differences`)."""
    paths = [os.path.join(folder, TO_FILL[part]) for part in ("html", "text")]
    if not all(os.path.exists(path) for path in paths):
        return None
    texts = []
    for path in paths:
        try:
            texts.append(read_stored_text(path, OUTER_CONFLICT_MARKERS))
        except Damage as damage:
            raise refusal(path, damage, command, compose) from None
    return texts[0], texts[1]


def keep_if_damaged(folder: str) -> str:
    """Before `invoke digest` writes over a damaged issue.json: its copy's path
    ("" when there is no issue.json or it is sound)."""
    path = os.path.join(folder, MANIFEST)
    if not os.path.isfile(path):
        return ""
    try:
        if not manifest_problem(read_stored_json(path)):
            return ""
    except Damage:
        pass
    return keep_damaged_copy(path)
