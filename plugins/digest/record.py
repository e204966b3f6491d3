"""The record of sent newsletter issues: a small JSON file in the repository.

"New" is decided by article Id against this record, never by date, so an
article that changes its date or text is never sent twice.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime

from scheduling import is_scheduled

from .stored_text import Damage, kind_of, read_stored_json, shown


class RecordError(SystemExit):
    """The record cannot be read: stops with a message saying how to fix it."""


@dataclass(frozen=True)
class SentIssue:
    number: int
    date: str  # ISO 8601 with time zone, when it was sent
    subject: str
    articles: tuple[str, ...]  # article Ids, newest first

    @property
    def sent_on(self) -> datetime:
        return datetime.fromisoformat(self.date)


RECORD_FIX = (
    "Fix: undo the last hand edit of this file (`git diff` shows it), then run the command again"
)
MERGE_FIX = (
    "Fix: keep the issues of both sides, each issue once and numbered in the order they were "
    "sent, delete the marker lines (<<<<<<<, =======, >>>>>>>), commit the file, then run the "
    "command again"
)


def _record_error(where: str, what: str, conflict: bool = False) -> RecordError:
    return RecordError(
        f"{where}: the newsletter record of sent issues cannot be read: {what}. Nothing was "
        f"sent or recorded, and the file is left as it is. {MERGE_FIX if conflict else RECORD_FIX}"
    )


def _issue_problem(item: object) -> str:
    """What is wrong with one issue of the record ("" when it can be read)."""
    if not isinstance(item, dict):
        return f"it is {kind_of(item)}, not an issue's fields in {{ }}"
    for name in ("number", "date", "subject", "articles"):
        if name not in item:
            return f'the field "{name}" is missing'
    number, date, articles = item["number"], item["date"], item["articles"]
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        return f'"number" is {json.dumps(number)}, not a whole number from 1 up'
    if not isinstance(item["subject"], str):
        return f'"subject" is {kind_of(item["subject"])}, not text in quotes'
    # A string here would be read letter by letter as Ids, and the articles it
    # carried would be mailed again.
    if not isinstance(articles, list) or not all(isinstance(i, str) for i in articles):
        return f'"articles" is {kind_of(articles)}, not a list of article Ids in quotes'
    try:
        datetime.fromisoformat(date)
    except (TypeError, ValueError):
        return f'"date" is {json.dumps(date)}, not a date and time like 2026-12-07T09:00:00-05:00'
    return ""


def record_problem(data: object) -> str:
    """What is wrong with the record's content ("" when every issue can be read)."""
    if not isinstance(data, dict):
        return f'it holds {kind_of(data)}, not {{"issues": [...]}}'
    if "issues" not in data:
        return 'the field "issues" is missing (an empty record is {"issues": []})'
    if not isinstance(data["issues"], list):
        return f'"issues" is {kind_of(data["issues"])}, not a list in [ ]'
    for place, item in enumerate(data["issues"], 1):
        problem = _issue_problem(item)
        if problem:
            number = item.get("number") if isinstance(item, dict) else None
            named = f" (#{number})" if isinstance(number, int) else ""
            return f"issue {place} in the list{named}: {problem}"
    numbers = sorted(item["number"] for item in data["issues"])
    if numbers != list(range(1, len(numbers) + 1)):
        shown_numbers = ", ".join(map(str, numbers))
        return f"the issues are numbered {shown_numbers}: each number once, from 1 up"
    return ""


def load_record(path: str) -> list[SentIssue]:
    if not os.path.exists(path):
        return []
    try:
        data = read_stored_json(path)
    except Damage as damage:
        raise _record_error(damage.where(shown(path)), damage.what, damage.conflict) from None
    problem = record_problem(data)
    if problem:
        raise _record_error(shown(path), problem)
    issues = [
        SentIssue(item["number"], item["date"], item["subject"], tuple(item["articles"]))
        for item in data["issues"]
    ]
    return sorted(issues, key=lambda issue: issue.number)


def never_mailed(path: str) -> set[str]:
    """The Ids under "never_mail" in the record: articles that are on the site but
    go in no issue (the sample articles a coach kept, `invoke init`)."""
    ids = _read_json(path).get("never_mail", [])
    if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
        raise RecordError(
            f'{path}: "never_mail" must be a list of article Ids in quotes, like '
            '["2026-01-05-my-article"]. Fix: undo the last hand edit (git diff shows it)'
        )
    return set(ids)


def save_never_mailed(path: str, ids: set[str]) -> None:
    """Keep these Ids out of every issue (none: the key goes)."""
    data = _read_json(path) or {"issues": []}
    data.pop("never_mail", None)
    if ids:
        data["never_mail"] = sorted(ids)
    _write_json(path, data)


def _read_json(path: str) -> dict:
    """The record's JSON ({} when there is none); load_record reports a broken one."""
    if not os.path.exists(path):
        return {}
    load_record(path)
    return read_stored_json(path)


def save_record(path: str, issues: list[SentIssue]) -> None:
    """Write atomically: a crash leaves the old record or the new one, never half.
    Keys other than the issues (never_mail) stay as they were."""
    data = _read_json(path)
    data["issues"] = [dict(asdict(issue), articles=list(issue.articles)) for issue in issues]
    _write_json(path, data)


def _write_json(path: str, data: dict) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=folder, delete=False, suffix=".tmp"
    ) as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    os.replace(handle.name, path)


def carried_ids(issues: list[SentIssue]) -> set[str]:
    return {article_id for issue in issues for article_id in issue.articles}


def new_articles(
    articles: list, issues: list[SentIssue], now: datetime, never_mail: set[str] = frozenset()
) -> list:
    """Published, live at the build's moment `now` (not scheduled), carried by no
    earlier issue and not kept out of every issue; newest first."""
    sent = carried_ids(issues) | never_mail
    fresh = [
        article
        for article in articles
        if article.status == "published"
        and not is_scheduled(article, now)
        and article.metadata["id"] not in sent
    ]
    return sorted(fresh, key=lambda article: article.date, reverse=True)
