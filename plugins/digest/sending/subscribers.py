"""The coach's subscriber list: a CSV file with the columns email, name and an
optional unsubscribe_url. Every problem is reported with its line, at once,
before anything is sent."""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass

REQUIRED = ("email", "name")
# One @, something on both sides, a dot in the domain, no spaces or brackets.
ADDRESS = re.compile(r"[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\].]+")


@dataclass(frozen=True)
class Subscriber:
    email: str
    name: str
    unsubscribe_url: str = ""


class SubscriberListError(SystemExit):
    """The list has problems: the message names each line, what and how to fix it."""


def read_subscribers(path: str) -> list[Subscriber]:
    """The subscribers in file order; raises SubscriberListError listing every problem."""
    shown = os.path.relpath(path)
    if not os.path.exists(path):
        raise SubscriberListError(
            f"{shown}: The subscriber list does not exist. Fix: create it with the header line "
            "`email,name,unsubscribe_url` and one subscriber per line, or set "
            'DIGEST["send"]["subscribers"] to its path'
        )
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except UnicodeDecodeError as error:
        raise SubscriberListError(
            f"{shown}: The subscriber list is not UTF-8 text ({error.reason}). "
            "Fix: save it again as CSV UTF-8"
        ) from error
    problems: list[str] = []
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        names = ", ".join(missing)
        raise SubscriberListError(
            f"{shown}:1: The header line lacks the column {names}. Fix: make the first line "
            "`email,name,unsubscribe_url` (unsubscribe_url may be left out)"
        )
    column = {name: header.index(name) for name in header}
    subscribers, seen = [], {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            row = row + [""] * (len(header) - len(row))
        email = row[column["email"]].strip()
        name = row[column["name"]].strip()
        unsubscribe = row[column["unsubscribe_url"]].strip() if "unsubscribe_url" in column else ""
        if not email:
            problems.append(
                f"{shown}:{line}: The email is empty. Fix: write the address or delete the line"
            )
            continue
        if not ADDRESS.fullmatch(email):
            problems.append(
                f'{shown}:{line}: "{email}" is not an email address. '
                "Fix: write it like jane@example.com"
            )
            continue
        key = email.lower()
        if key in seen:
            problems.append(
                f"{shown}:{line}: {email} is already on line {seen[key]}. "
                "Fix: delete one of the two lines"
            )
            continue
        if unsubscribe and not unsubscribe.startswith("https://"):
            problems.append(
                f'{shown}:{line}: The unsubscribe_url "{unsubscribe}" is not an https:// address. '
                "Fix: write the full https:// address, or leave the cell empty"
            )
            continue
        seen[key] = line
        subscribers.append(Subscriber(email, name, unsubscribe))
    if problems:
        count = len(problems)
        raise SubscriberListError(
            "\n".join(problems)
            + f"\n{count} problem{'s' if count > 1 else ''} in the subscriber list; "
            "nothing was sent. Fix each line above, then run the command again."
        )
    return subscribers
