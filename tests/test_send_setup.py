"""`invoke send-digest` with sending settings and files that cannot work, through a
real SMTP server (aiosmtpd on 127.0.0.1): each is one line naming the setting or
file and the fix, before anyone is marked as being sent to; a ledger that cannot
be trusted beside an issue already begun stops the run (never everyone again);
--retry-failed reaches who refused an issue already recorded."""

from __future__ import annotations

import os
import sqlite3

import pytest

from mail_server import MailServer
from sending_helpers import ledger_rows, recorded_issues, send, smtp_env, write_subscribers

LEDGER = "content/newsletter/sending.sqlite"


def begun_issues(project) -> list[int]:
    path = project / LEDGER
    if not path.is_file() or not path.stat().st_size:
        return []
    with sqlite3.connect(path) as db:
        return [number for (number,) in db.execute("SELECT number FROM issues")]


def assert_stopped(project, result, server) -> str:
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output
    assert server.mailbox.received == []
    assert recorded_issues(project) == []
    return result.stderr


@pytest.mark.parametrize(
    "send_settings, first_words",
    [
        (
            {"smtp": "127.0.0.1"},
            'DIGEST["send"]["smtp"] is \'127.0.0.1\', but it holds a group of settings. '
            'Fix: write it in braces, like "smtp": {"host": ',
        ),
        (
            {"subscribers": ["ana@example.org"]},
            'DIGEST["send"]["subscribers"] is [\'ana@example.org\'], but it is the path of '
            'the subscriber list, a CSV file. Fix: write "subscribers.csv"',
        ),
        (
            {"smtp": {"host": "127.0.0.1", "port": 25, "security": "none", "timeout": 0}},
            'DIGEST["send"]["smtp"]["timeout"] is 0. Fix: write a number above 0, like 60',
        ),
    ],
)
def test_a_setting_of_the_wrong_kind_is_one_line_before_anyone_is_marked(
    composed_project, send_settings, first_words
):
    write_subscribers(composed_project, 3)
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port, **send_settings))
        stderr = assert_stopped(composed_project, result, server)
        dry = send(composed_project, smtp_env(server.port, **send_settings), "--dry-run")
    assert stderr.startswith(first_words), stderr
    assert len(stderr.strip().splitlines()) == 1
    assert dry.returncode == 1 and dry.stderr == stderr, "a dry run finds it too"
    assert begun_issues(composed_project) == [], "no one marked as being sent to"


def test_a_subscriber_list_that_is_a_folder_is_named(composed_project):
    (composed_project / "subscribers.csv").mkdir()
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port))
        stderr = assert_stopped(composed_project, result, server)
    assert stderr.startswith("subscribers.csv: This is a folder, not the subscriber list. Fix: ")
    assert begun_issues(composed_project) == []


def begin_issue_for_everyone_waiting(project, server) -> None:
    """A first run that begins issue #1 in the ledger and sends it to no one yet."""
    server.mailbox.refuse_mail = 10**6
    assert send(project, smtp_env(server.port, retries=0)).returncode == 1
    assert begun_issues(project) == [1]
    server.mailbox.refuse_mail = 0
    for journal in ("-wal", "-shm"):
        (project / f"{LEDGER}{journal}").unlink(missing_ok=True)


def cut_short(path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


@pytest.mark.parametrize(
    "damage, said",
    [
        (lambda path: path.write_bytes(b""), "is empty (0 bytes)"),
        (cut_short, "cannot be read as the sending ledger (database disk image is malformed"),
        (lambda path: os.chmod(path, 0o444), "is read-only"),
        (lambda path: (path.unlink(), path.mkdir()), "is a folder, but the sending ledger is"),
    ],
    ids=["empty", "cut-short", "read-only", "folder"],
)
def test_a_ledger_that_cannot_be_trusted_beside_a_begun_issue_stops_the_run(
    composed_project, damage, said
):
    write_subscribers(composed_project, 4)
    ledger = composed_project / LEDGER
    with MailServer() as server:
        begin_issue_for_everyone_waiting(composed_project, server)
        damage(ledger)
        result = send(composed_project, smtp_env(server.port))
        stderr = assert_stopped(composed_project, result, server)
        dry = send(composed_project, smtp_env(server.port), "--dry-run")
    assert stderr.startswith(f"{LEDGER} "), stderr
    assert said in stderr and "Fix: " in stderr and "Nothing was sent" in stderr
    assert len(stderr.strip().splitlines()) == 1
    if said == "is read-only":  # a dry run only reads it
        assert dry.returncode == 0 and "4 would be sent" in dry.stdout, dry.stderr
    else:
        assert dry.returncode == 1 and dry.stderr == stderr


def test_a_damaged_ledger_says_to_put_back_a_copy_not_to_start_afresh(composed_project):
    write_subscribers(composed_project, 2)
    with MailServer() as server:
        begin_issue_for_everyone_waiting(composed_project, server)
        (composed_project / LEDGER).write_bytes(b"")
        result = send(composed_project, smtp_env(server.port))
        assert_stopped(composed_project, result, server)
    assert "Fix: put back a good copy" in result.stderr
    assert "only if you are sure no one has got the issue being sent, delete it" in result.stderr


def test_retry_failed_after_the_issue_was_recorded_sends_to_who_refused_it(composed_project):
    addresses = write_subscribers(composed_project, 4)
    refused = addresses[1]
    with MailServer() as server:
        server.mailbox.refuse_for_good = {refused}
        first = send(composed_project, smtp_env(server.port))
        assert first.returncode == 0, first.stdout + first.stderr
        assert recorded_issues(composed_project) == [1], "recorded with one refusal"
        server.mailbox.refuse_for_good = set()
        # Someone who joins afterwards does not get an issue recorded before they came.
        with open(composed_project / "subscribers.csv", "a") as handle:
            handle.write("new@example.org,New\n")
        retried = send(composed_project, smtp_env(server.port), "--retry-failed")
        assert retried.returncode == 0, retried.stdout + retried.stderr
        received = server.mailbox.per_recipient()
    assert received == {a: 1 for a in addresses}, "the refused one once, no one twice"
    assert "--retry-failed: sending again to 1 refused for good." in retried.stdout
    assert "Issue #1 was already recorded as sent" in retried.stdout
    assert recorded_issues(composed_project) == [1]
    assert ledger_rows(composed_project)[refused][0] == "sent"
    assert "new@example.org" not in ledger_rows(composed_project)


def test_retry_failed_with_no_one_refused_says_so(composed_project):
    write_subscribers(composed_project, 2)
    with MailServer() as server:
        assert send(composed_project, smtp_env(server.port)).returncode == 0
        result = send(composed_project, smtp_env(server.port), "--retry-failed")
        assert len(server.mailbox.received) == 2
    assert result.returncode == 0
    assert "--retry-failed: no one refused issue #1 for good" in result.stdout
