"""The sending ledger: one SQLite file next to the record of sent issues that
remembers, for each issue, what was sent (a snapshot of the email) and each
recipient's state.

A recipient is marked "sending" (committed) before its message goes out and
"sent" (committed) once the server accepted it, so a run killed at any point
and started again resends only the one message that was in flight.

States: pending, sending, then one final state: sent, failed (the server
refused the address for good, its reply kept; or the message could not be made,
the reason kept) or dropped (left the list before it was sent to them).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from .addresses import address_key

FINAL = ("sent", "failed", "dropped")

SCHEMA = """
CREATE TABLE IF NOT EXISTS issues (
    number INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    articles TEXT NOT NULL,
    html TEXT NOT NULL,
    text TEXT NOT NULL,
    backend TEXT NOT NULL,
    started TEXT NOT NULL,
    remote_id TEXT NOT NULL DEFAULT '',
    remote_state TEXT NOT NULL DEFAULT '',
    finished TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS recipients (
    issue INTEGER NOT NULL REFERENCES issues(number),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    unsubscribe_url TEXT NOT NULL,
    position INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL DEFAULT '',
    updated TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (issue, email)
);
"""


@dataclass(frozen=True)
class IssueSnapshot:
    """The issue exactly as it was when sending started; a resumed run sends this."""

    number: int
    subject: str
    articles: tuple[str, ...]
    html: str
    text: str
    backend: str = ""
    remote_id: str = ""
    remote_state: str = ""
    finished: str = ""
    started: str = ""  # when the ledger began it: a new start (ledger deleted) is a new send


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    unsubscribe_url: str
    state: str = "pending"
    attempts: int = 0
    detail: str = ""


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Ledger:
    def __init__(self, path: str):
        self.path = path
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        # Autocommit: each state change is its own durable transaction.
        self.db = sqlite3.connect(path, isolation_level=None)
        # Write-ahead log, synced at every commit: each state change survives a kill
        # or a power cut, at one sync per change (a rollback journal needs several).
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = FULL")
        self.db.executescript(SCHEMA)
        # Addresses are compared in SQL through the same Python function as everywhere.
        self.db.create_function("address_key", 1, address_key, deterministic=True)

    def close(self) -> None:
        self.db.close()

    def unfinished_issue(self) -> IssueSnapshot | None:
        row = self.db.execute(
            "SELECT * FROM issues WHERE finished = '' ORDER BY number LIMIT 1"
        ).fetchone()
        return self._snapshot(row) if row else None

    def issue(self, number: int) -> IssueSnapshot | None:
        row = self.db.execute("SELECT * FROM issues WHERE number = ?", (number,)).fetchone()
        return self._snapshot(row) if row else None

    def _snapshot(self, row) -> IssueSnapshot:
        names = [d[0] for d in self.db.execute("SELECT * FROM issues LIMIT 0").description]
        data = dict(zip(names, row, strict=True))
        data["articles"] = tuple(json.loads(data["articles"]))
        return IssueSnapshot(**data)

    def begin_issue(self, issue: IssueSnapshot) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO issues (number, subject, articles, html, text, backend, started)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                issue.number,
                issue.subject,
                json.dumps(list(issue.articles)),
                issue.html,
                issue.text,
                issue.backend,
                datetime.now(UTC).isoformat(),  # to the microsecond: a start is unique
            ),
        )
        self._into_main_file()

    def set_remote(self, number: int, remote_id: str, remote_state: str) -> None:
        self.db.execute(
            "UPDATE issues SET remote_id = ?, remote_state = ? WHERE number = ?",
            (remote_id, remote_state, number),
        )
        self._into_main_file()

    def _into_main_file(self) -> None:
        """Move what the write-ahead log holds into the main file, so a copy of that
        one file (a CI cache after a killed job) still knows the provider's id."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def finish(self, number: int) -> None:
        self.db.execute("UPDATE issues SET finished = ? WHERE number = ?", (_now(), number))

    def sync_recipients(self, number: int, subscribers: Iterable) -> tuple[int, int]:
        """Add new subscribers as pending; drop those who left and were not yet sent to.
        Returns (added, dropped). Set operations over a temporary table, so the time
        grows with the list, not with its square; one transaction: a kill leaves all
        or nothing."""
        wanted = {}
        for subscriber in subscribers:
            wanted.setdefault(address_key(subscriber.email), subscriber)
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS wanted (key TEXT PRIMARY KEY, email TEXT,"
                " name TEXT, unsubscribe_url TEXT, ord INTEGER)"
            )
            self.db.execute("DELETE FROM temp.wanted")
            self.db.executemany(
                "INSERT INTO temp.wanted VALUES (?, ?, ?, ?, ?)",
                (
                    (key, s.email, s.name, s.unsubscribe_url, order)
                    for order, (key, s) in enumerate(wanted.items(), start=1)
                ),
            )
            (start,) = self.db.execute(
                "SELECT COALESCE(MAX(position), 0) FROM recipients WHERE issue = ?", (number,)
            ).fetchone()
            added = self.db.execute(
                "INSERT INTO recipients (issue, email, name, unsubscribe_url, position)"
                " SELECT ?, email, name, unsubscribe_url, ? + ord FROM temp.wanted"
                " WHERE key NOT IN (SELECT address_key(email) FROM recipients WHERE issue = ?)"
                " ORDER BY ord",
                (number, start, number),
            ).rowcount
            # Who left and came back before it was sent to them gets it after all.
            added += self.db.execute(
                "UPDATE recipients SET state = 'pending', detail = '', updated = ?"
                " WHERE issue = ? AND state = 'dropped'"
                " AND address_key(email) IN (SELECT key FROM temp.wanted)",
                (_now(), number),
            ).rowcount
            dropped = self.db.execute(
                "UPDATE recipients SET state = 'dropped', detail = ?, updated = ?"
                " WHERE issue = ? AND state = 'pending'"
                " AND address_key(email) NOT IN (SELECT key FROM temp.wanted)",
                ("left the subscriber list before it was sent", _now(), number),
            ).rowcount
            self.db.execute("DELETE FROM temp.wanted")
        return added, dropped

    def waiting(self, number: int) -> list[Recipient]:
        """Recipients without a final state, the one in flight at a crash first."""
        rows = self.db.execute(
            "SELECT email, name, unsubscribe_url, state, attempts, detail FROM recipients"
            " WHERE issue = ? AND state IN ('pending', 'sending')"
            " ORDER BY state = 'sending' DESC, position",
            (number,),
        )
        return [Recipient(*row) for row in rows]

    def recipients(self, number: int) -> list[Recipient]:
        rows = self.db.execute(
            "SELECT email, name, unsubscribe_url, state, attempts, detail FROM recipients"
            " WHERE issue = ? ORDER BY position",
            (number,),
        )
        return [Recipient(*row) for row in rows]

    def mark(self, number: int, email: str, state: str, detail: str = "") -> None:
        self.db.execute(
            "UPDATE recipients SET state = ?, detail = ?, updated = ?,"
            " attempts = attempts + (? = 'sending') WHERE issue = ? AND email = ?",
            (state, detail, _now(), state, number, email),
        )

    def retry_failed(self, number: int) -> int:
        """Recipients refused for good go back to pending (the coach fixed the cause);
        returns how many."""
        return self.db.execute(
            "UPDATE recipients SET state = 'pending', detail = '', updated = ?"
            " WHERE issue = ? AND state = 'failed'",
            (_now(), number),
        ).rowcount

    def waiting_count(self, number: int) -> int:
        """How many recipients of issue `number` have no final state yet."""
        counts = self.counts(number)
        return counts.get("pending", 0) + counts.get("sending", 0)

    def counts(self, number: int) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT state, COUNT(*) FROM recipients WHERE issue = ? GROUP BY state", (number,)
        )
        return dict(rows.fetchall())
