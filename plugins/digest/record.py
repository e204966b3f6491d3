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


def load_record(path: str) -> list[SentIssue]:
    if not os.path.exists(path):
        return []
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        issues = [
            SentIssue(
                number=int(item["number"]),
                date=str(item["date"]),
                subject=str(item["subject"]),
                articles=tuple(item["articles"]),
            )
            for item in data["issues"]
        ]
        for issue in issues:
            issue.sent_on  # noqa: B018 (a date that cannot be read fails here, not mid-build)
    except json.JSONDecodeError as error:
        raise RecordError(
            f"{path}:{error.lineno}: The newsletter record is not valid JSON ({error.msg}). "
            "Fix: undo the last hand edit of this file (git diff shows it)"
        ) from error
    except KeyError as error:
        raise RecordError(
            f"{path}: An issue in the newsletter record lacks {error}. Fix: every issue needs "
            "number, date, subject and articles; undo the last hand edit (git diff shows it)"
        ) from error
    except (TypeError, ValueError) as error:
        raise RecordError(
            f"{path}: An issue in the newsletter record has a value that cannot be read "
            f"({error}). Fix: undo the last hand edit of this file (git diff shows it)"
        ) from error
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
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


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
