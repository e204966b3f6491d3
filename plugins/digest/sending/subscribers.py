"""The coach's subscriber list: a CSV file with the columns email, name and an
optional unsubscribe_url. Every field of every row is checked, and every problem
reported with its line, at once, before anything is sent."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass

from ..stored_text import CONFLICT_MARKERS
from .addresses import (
    address_key,
    domain_problem,
    has_control_characters,
    https_url_problem,
    is_address,
)

REQUIRED = ("email", "name")
COLUMNS = ("email", "name", "unsubscribe_url")
HEADER = "`email,name,unsubscribe_url`"
# Spreadsheets in many countries save "CSV" with semicolons; tabs come from pasting.
SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs"}


@dataclass(frozen=True)
class Subscriber:
    email: str
    name: str
    unsubscribe_url: str = ""


class SubscriberListError(SystemExit):
    """The list has problems: the message names each line, what and how to fix it."""


def _separator(text: str) -> str:
    """The separator the header line uses: commas unless it has none and another one."""
    first_line = text.split("\n", 1)[0]
    if "," in first_line:
        return ","
    return next((s for s in (";", "\t") if s in first_line), ",")


def _rows(handle, shown: str, separator: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, cells); a line the csv module cannot read stops
    with its line number."""
    reader = csv.reader(handle, delimiter=separator)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise SubscriberListError(
                f"{shown}:{reader.line_num}: This line cannot be read as CSV ({error}). Fix: "
                "check for a very long cell or a stray quote mark, and save the file again as "
                "CSV UTF-8"
            ) from error
        yield start, row
        start = reader.line_num + 1


def read_subscribers(path: str) -> list[Subscriber]:
    """The subscribers in file order; raises SubscriberListError listing every problem."""
    shown = os.path.relpath(path)
    if not os.path.exists(path):
        raise SubscriberListError(
            f"{shown}: The subscriber list does not exist. Fix: create it with the header line "
            f"{HEADER} and one subscriber per line, or set "
            'DIGEST["send"]["subscribers"] to its path'
        )
    if os.path.isdir(path):
        raise SubscriberListError(
            f"{shown}: This is a folder, not the subscriber list. Fix: set "
            'DIGEST["send"]["subscribers"] to the path of the CSV file (like "subscribers.csv"); '
            "nothing was sent or recorded"
        )
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except UnicodeDecodeError as error:
        raise SubscriberListError(
            f"{shown}: The subscriber list is not UTF-8 text ({error.reason}). "
            "Fix: save it again as CSV UTF-8"
        ) from error
    except OSError as error:
        raise SubscriberListError(
            f"{shown}: The subscriber list cannot be read ({error.strerror}). Fix: make it a "
            f"file you can read (chmod u+r {shown}); nothing was sent or recorded"
        ) from error
    separator = _separator(text)
    rows = list(_rows(io.StringIO(text, newline=""), shown, separator))
    if not rows:
        raise SubscriberListError(
            f"{shown}: The subscriber list is empty. Fix: write the header line {HEADER} and "
            "one subscriber per line; nothing was sent or recorded"
        )
    header = [cell.strip().lower() for cell in rows[0][1]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise SubscriberListError(
            f"{shown}:1: The header line lacks the column {', '.join(missing)} (it reads "
            f"{separator.join(rows[0][1])!r}, with {SEPARATORS[separator]} between the columns). "
            f"Fix: make the first line {HEADER}, with commas between the columns "
            "(unsubscribe_url may be left out)"
        )
    subscribers, problems = _check_rows(rows[1:], header, shown)
    if problems:
        count = len(problems)
        raise SubscriberListError(
            "\n".join(problems)
            + f"\n{count} problem{'s' if count > 1 else ''} in the subscriber list; "
            "nothing was sent. Fix each line above, then run the command again."
        )
    if not subscribers:
        raise SubscriberListError(
            f"{shown}: The subscriber list has the header line but no subscribers. Fix: add "
            "one subscriber per line under it; nothing was sent or recorded"
        )
    return subscribers


def _check_rows(rows, header: list[str], shown: str) -> tuple[list[Subscriber], list[str]]:
    column = {name: header.index(name) for name in COLUMNS if name in header}
    subscribers, problems, seen = [], [], {}
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if CONFLICT_MARKERS.match(row[0]):
            problems.append(
                f"{shown}:{line}: This is a merge conflict's marker line ({row[0][:7]}): git left "
                "both sides of a merge here. Fix: keep the subscribers of both sides, each "
                "once, and delete the marker lines (<<<<<<<, =======, >>>>>>>)"
            )
            continue
        row = row + [""] * (len(header) - len(row))
        cells = {name: row[index].strip() for name, index in column.items()}
        problem = _row_problem(cells, seen)
        if problem:
            problems.append(f"{shown}:{line}: {problem}")
            continue
        seen[address_key(cells["email"])] = line
        subscribers.append(
            Subscriber(cells["email"], cells["name"], cells.get("unsubscribe_url", ""))
        )
    return subscribers, problems


def _row_problem(cells: dict[str, str], seen: dict[str, int]) -> str:
    for name, value in cells.items():
        if has_control_characters(value):
            return (
                f"The {name} {value!r} has a line break or another control character. "
                "Fix: retype that cell on one line"
            )
    email, unsubscribe = cells["email"], cells.get("unsubscribe_url", "")
    if not email:
        return "The email is empty. Fix: write the address or delete the line"
    if not is_address(email):
        return f'"{email}" is not an email address. Fix: write it like jane@example.com'
    if domain_problem(email):
        return (
            f'"{email}": {domain_problem(email)}. Fix: check the part after the @ with the '
            "subscriber, or delete the line"
        )
    if address_key(email) in seen:
        line = seen[address_key(email)]
        return f"{email} is already on line {line}. Fix: delete one of the two lines"
    problem = unsubscribe and https_url_problem(unsubscribe)
    if problem:
        return (
            f'The unsubscribe_url "{unsubscribe}" {problem}. Fix: write the full https:// '
            "address exactly as your list provider gives it, or leave the cell empty"
        )
    return ""
