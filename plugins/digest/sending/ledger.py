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
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

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


class LedgerError(SystemExit):
    """The ledger cannot be trusted or written: which file, what is wrong, what to do."""


# A ledger that cannot be read may have known who already got the issue.
RESTORE = (
    "Nothing was sent: it records who already got each issue, and without it everyone "
    "would get the issue again. Fix: put back a good copy (from your backup, or the "
    "Actions cache of the last Newsletter run); only if you are sure no one has got the "
    "issue being sent, delete it and run the command again"
)


def ledger_file_problem(path: str, writing: bool) -> str:
    """Why the ledger file at `path` cannot be used ("" when it can), checked before
    SQLite opens it: SQLite would take a 0-byte file for a new, empty ledger."""
    shown = os.path.relpath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        return (
            f"{shown} is a folder, but the sending ledger is a file. Nothing was sent. Fix: move "
            'that folder away, or set DIGEST["send"]["ledger"] to a file path like '
            '"newsletter/sending.sqlite"'
        )
    if not os.path.exists(path):
        if writing and os.path.isdir(folder) and not os.access(folder, os.W_OK):
            return (
                f"The folder {os.path.relpath(folder)}, where send-digest keeps its ledger, "
                f"cannot be written. Nothing was sent. Fix: chmod u+w {os.path.relpath(folder)}"
            )
        return ""
    if os.path.getsize(path) == 0:
        return f"{shown} is empty (0 bytes). {RESTORE}"
    if not os.access(path, os.R_OK):
        return f"{shown} cannot be read (no permission). Nothing was sent. Fix: chmod u+r {shown}"
    mode = os.stat(path).st_mode
    # The write bit, not os.access: that says yes to root, but a ledger someone
    # marked read-only is not written to behind their back.
    if writing and (not os.access(path, os.W_OK) or not mode & stat.S_IWUSR):
        return (
            f"{shown} is read-only, and send-digest writes in it who got the issue, one by "
            f"one. Nothing was sent. Fix: make it writable (chmod u+w {shown}) and run the "
            "command again"
        )
    if writing and not os.access(folder, os.W_OK):
        return (
            f"The folder {os.path.relpath(folder)} cannot be written, and the ledger {shown} "
            "keeps its journal beside it. Nothing was sent. Fix: chmod u+w that folder"
        )
    return ""


def _create(path: str) -> None:
    """A new ledger with its tables, made aside and moved in place whole: a run killed
    while making it leaves no empty file, which the next run would refuse."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    aside = f"{path}.new"
    if os.path.exists(aside):
        os.remove(aside)
    db = sqlite3.connect(aside, isolation_level=None)
    try:
        db.executescript(SCHEMA)
    finally:
        db.close()
    os.replace(aside, path)


class Ledger:
    """`writing`: False opens the file read-only (a dry run changes nothing)."""

    def __init__(self, path: str, writing: bool = True):
        self.path = path
        problem = ledger_file_problem(path, writing)
        if problem:
            raise LedgerError(problem)
        try:
            self._open(writing)
        except sqlite3.DatabaseError as error:
            raise LedgerError(
                f"{os.path.relpath(path)} cannot be read as the sending ledger ({error}: cut "
                f"short or damaged). {RESTORE}"
            ) from error

    def _open(self, writing: bool) -> None:
        if not writing:
            self.db = sqlite3.connect(
                f"{Path(self.path).resolve().as_uri()}?mode=ro", uri=True, isolation_level=None
            )
        else:
            if not os.path.exists(self.path):
                _create(self.path)
            # Autocommit: each state change is its own durable transaction.
            self.db = sqlite3.connect(self.path, isolation_level=None)
        # Addresses are compared in SQL through the same Python function as everywhere.
        self.db.create_function("address_key", 1, address_key, deterministic=True)
        (check,) = self.db.execute("PRAGMA quick_check(1)").fetchone()
        if check != "ok":
            raise sqlite3.DatabaseError(check)
        if writing:
            # Write-ahead log, synced at every commit: each state change survives a kill
            # or a power cut, at one sync per change (a rollback journal needs several).
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = FULL")
            self.db.executescript(SCHEMA)
        # A file of some other program: its tables are not ours.
        self.db.execute("SELECT number, finished FROM issues LIMIT 0")
        self.db.execute("SELECT issue, email, state FROM recipients LIMIT 0")

    def close(self) -> None:
        self.db.close()

    def unfinished_issue(self) -> IssueSnapshot | None:
        row = self.db.execute(
            "SELECT * FROM issues WHERE finished = '' ORDER BY number LIMIT 1"
        ).fetchone()
        return self._snapshot(row) if row else None

    def latest_issue(self) -> IssueSnapshot | None:
        row = self.db.execute("SELECT * FROM issues ORDER BY number DESC LIMIT 1").fetchone()
        return self._snapshot(row) if row else None

    def reopen(self, number: int) -> None:
        """A finished issue is unfinished again (--retry-failed after it was recorded)."""
        self.db.execute("UPDATE issues SET finished = '' WHERE number = ?", (number,))

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

    def sync_recipients(
        self, number: int, subscribers: Iterable, add_new: bool = True
    ) -> tuple[int, int]:
        """Add new subscribers as pending (unless not `add_new`: an issue recorded as
        sent goes to no one who joined since); drop those who left and were not yet
        sent to. Returns (added, dropped). Set operations over a temporary table, so the time
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
                " WHERE ? AND key NOT IN"
                " (SELECT address_key(email) FROM recipients WHERE issue = ?)"
                " ORDER BY ord",
                (number, start, add_new, number),
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
