"""A newsletter file broken by hand or by a merge (the composed issue in
newsletter-issue/, the record of sent issues, a note) stops every command that
reads it with one line: the file and where in it, what is wrong, the fix. The
commands run for real (invoke, in a copy of the project) against a real SMTP
server on 127.0.0.1, which must receive nothing; the damaged file is left byte for
byte as it was, and a copy is kept beside it where composing again writes over it."""

from __future__ import annotations

import json
import sqlite3

import pytest

from conftest import run_invoke
from mail_server import MailServer
from sending_helpers import recorded_issues, send, smtp_env, write_subscribers

ISSUE = "newsletter-issue/issue.json"
RECORD = "content/newsletter/issues.json"
LEDGER = "content/newsletter/sending.sqlite"
NEWEST_ID = "2026-09-08-small-steps-after-a-session"
COMPOSE_AGAIN = "Fix: run `invoke digest` to compose the issue again and read it, then run"


def without_comma_after_number(text: str) -> str:
    assert '  "number": 1,\n' in text, "issue.json's layout moved: update this test"
    return text.replace('  "number": 1,\n', '  "number": 1\n')


def in_conflict(text: str) -> str:
    """What git leaves after two branches composed different issues."""
    return text.replace(
        '  "number": 1,\n', '<<<<<<< HEAD\n  "number": 1,\n=======\n  "number": 2,\n>>>>>>> other\n'
    )


def without_subject(text: str) -> str:
    data = json.loads(text)
    del data["subject"]
    return json.dumps(data, indent=2)


def articles_as_text(text: str) -> str:
    data = json.loads(text)
    data["articles"] = NEWEST_ID
    return json.dumps(data, indent=2)


def subject_column(text: str) -> int:
    """The column (from 1) of the "a" of "Small" on the subject's line, line 3."""
    return text.splitlines()[2].index("Small") + 3


# Each damage: how it is made from the composed issue.json (text to bytes), and
# what the message says (it may need the composed text, for a column).
DAMAGES = {
    "not JSON": (
        lambda text: without_comma_after_number(text).encode(),
        lambda text: (
            "issue.json:3:3: the composed newsletter issue cannot be read: it is not "
            "valid JSON (Expecting ',' delimiter at line 3, column 3)"
        ),
    ),
    "empty": (lambda text: b"", lambda text: "issue.json: the composed newsletter issue "),
    "not UTF-8": (
        lambda text: text.replace("Small", "Sm\xe1ll", 1).encode("latin-1"),
        lambda text: (
            f"issue.json:3:{subject_column(text)}: the composed newsletter issue "
            "cannot be read: it is not UTF-8 text (byte 0xe1 cannot be read"
        ),
    ),
    "merge conflict": (
        lambda text: in_conflict(text).encode(),
        lambda text: (
            "issue.json:2:1: the composed newsletter issue cannot be read: it holds a "
            "merge conflict (the marker `<<<<<<<` on line 2"
        ),
    ),
    "a field missing": (
        lambda text: without_subject(text).encode(),
        lambda text: 'cannot be read: the field "subject" is missing',
    ),
    "a field of the wrong type": (
        lambda text: articles_as_text(text).encode(),
        lambda text: (
            f'cannot be read: the field "articles" is "{NEWEST_ID}" (text in quotes), '
            "not a list of article Ids in quotes"
        ),
    ),
}
EMPTY_SAYS = "it is empty (0 bytes)"


def damage_issue(project, damage: str) -> tuple[bytes, str]:
    """Damage the composed issue.json as `damage` says; its bytes, and what the
    message must say."""
    path = project / ISSUE
    text = path.read_text(encoding="utf-8")
    make, says = DAMAGES[damage]
    path.write_bytes(make(text))
    return path.read_bytes(), says(text)


def begun_issues(project) -> list[int]:
    if not (project / LEDGER).exists():
        return []
    with sqlite3.connect(project / LEDGER) as db:
        return [number for (number,) in db.execute("SELECT number FROM issues")]


def assert_refused(project, result, server, *said: str) -> str:
    """One line on stderr saying each of `said`, exit status 1, nothing sent,
    recorded or begun. The line."""
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output
    line = result.stderr.strip()
    assert "\n" not in line, output
    for words in said:
        assert words in line, line
    assert "Nothing was sent or recorded" in line, line
    assert server.mailbox.received == []
    assert recorded_issues(project) == []
    assert begun_issues(project) == []
    return line


def refused_send(project, starts: str) -> str:
    """`invoke send-digest` stops with a message starting `starts`, with exit
    status 1, no traceback and nothing sent. Its stderr."""
    with MailServer() as server:
        result = send(project, smtp_env(server.port))
        output = result.stdout + result.stderr
        assert result.returncode == 1 and "Traceback" not in output, output
        assert result.stderr.strip().startswith(starts), output
        assert server.mailbox.received == []
    return result.stderr


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_issue_is_refused_by_send_digest_and_kept(composed_project, damage):
    damaged, says = damage_issue(composed_project, damage)
    write_subscribers(composed_project, 2)
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port))
        line = assert_refused(
            composed_project, result, server, says, COMPOSE_AGAIN + " `invoke send-digest` again"
        )
    assert line.startswith(f"{ISSUE}"), line
    if damage == "empty":
        assert EMPTY_SAYS in line, line
    assert (composed_project / ISSUE).read_bytes() == damaged
    assert f"a copy is kept in {ISSUE}.damaged," in line, line
    assert (composed_project / f"{ISSUE}.damaged").read_bytes() == damaged


@pytest.mark.parametrize(
    "command",
    [
        ("send-digest", "--dry-run"),
        ("send-digest", "--test", "coach@example.org"),
        ("digest", "--mark-sent"),
    ],
)
def test_every_command_that_reads_the_issue_refuses_a_damaged_one(composed_project, command):
    damaged, says = damage_issue(composed_project, "merge conflict")
    write_subscribers(composed_project, 2)
    with MailServer() as server:
        result = run_invoke(composed_project, *command, env=smtp_env(server.port))
        assert_refused(
            composed_project, result, server, says, f"{COMPOSE_AGAIN} `invoke {' '.join(command)}`"
        )
    assert (composed_project / ISSUE).read_bytes() == damaged


def test_composing_again_as_the_message_says_sends_the_issue_and_keeps_the_damaged_copy(
    composed_project,
):
    damaged, _ = damage_issue(composed_project, "not JSON")
    write_subscribers(composed_project, 2)
    with MailServer() as server:
        env = smtp_env(server.port)
        assert send(composed_project, env).returncode == 1
        composed = run_invoke(composed_project, "digest", env=env)
        assert composed.returncode == 0, composed.stdout + composed.stderr
        sent = send(composed_project, env)
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert server.mailbox.per_recipient() == {
            "reader0@example.org": 1,
            "reader1@example.org": 1,
        }
    assert recorded_issues(composed_project) == [1]
    assert json.loads((composed_project / ISSUE).read_text())["number"] == 1
    assert (composed_project / f"{ISSUE}.damaged").read_bytes() == damaged


def test_digest_keeps_a_copy_of_a_damaged_issue_it_writes_over(composed_project):
    damaged, _ = damage_issue(composed_project, "a field missing")
    composed = run_invoke(composed_project, "digest")
    assert composed.returncode == 0, composed.stdout + composed.stderr
    assert f"a copy is kept in {ISSUE}.damaged" in composed.stdout
    assert (composed_project / f"{ISSUE}.damaged").read_bytes() == damaged
    assert "subject" in json.loads((composed_project / ISSUE).read_text())


def test_an_email_to_fill_in_that_is_not_utf8_is_refused(composed_project):
    path = composed_project / "newsletter-issue/to-send.txt"
    damaged = path.read_bytes().replace(b"Small", b"Sm\xe1ll", 1)
    path.write_bytes(damaged)
    write_subscribers(composed_project, 2)
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port))
        line = assert_refused(
            composed_project, result, server, "it is not UTF-8 text (byte 0xe1", COMPOSE_AGAIN
        )
    assert line.startswith("newsletter-issue/to-send.txt:"), line
    assert path.read_bytes() == damaged


RECORD_CONFLICT = """{
<<<<<<< HEAD
  "issues": []
=======
  "issues": [{"number": 1, "date": "2026-10-01T09:00:00-04:00", "subject": "One",
              "articles": ["2026-09-08-small-steps-after-a-session"]}]
>>>>>>> other
}
"""
# Read letter by letter, this would leave the article out of the record and mail it again.
RECORD_ARTICLES_AS_TEXT = json.dumps(
    {
        "issues": [
            {
                "number": 1,
                "date": "2026-10-01T09:00:00-04:00",
                "subject": "One",
                "articles": NEWEST_ID,
            }
        ]
    }
)


@pytest.mark.parametrize(
    "damage, said",
    [
        (
            RECORD_CONFLICT,
            f"{RECORD}:2:1: the newsletter record of sent issues cannot be read: it holds a "
            "merge conflict (the marker `<<<<<<<` on line 2",
        ),
        (
            RECORD_ARTICLES_AS_TEXT,
            f"{RECORD}: the newsletter record of sent issues cannot be read: issue 1 in the list "
            '(#1): "articles" is text in quotes, not a list of article Ids in quotes',
        ),
    ],
)
def test_a_damaged_record_of_sent_issues_stops_the_send(composed_project, damage, said):
    record = composed_project / RECORD
    record.write_text(damage, encoding="utf-8")
    write_subscribers(composed_project, 2)
    said_instead = refused_send(composed_project, said)
    assert "Nothing was sent or recorded" in said_instead and "Fix: " in said_instead
    assert record.read_text(encoding="utf-8") == damage
    assert begun_issues(composed_project) == []


def test_a_note_with_a_merge_conflict_is_not_mailed(composed_project):
    note = composed_project / "content/newsletter/notes/1.md"
    note.parent.mkdir(parents=True, exist_ok=True)
    damage = "Dear reader,\n\n<<<<<<< HEAD\nSee you soon.\n=======\nTalk soon.\n>>>>>>> other\n"
    note.write_text(damage, encoding="utf-8")
    write_subscribers(composed_project, 2)
    refused_send(composed_project, "content/newsletter/notes/1.md:3: holds a merge conflict")
    assert note.read_text(encoding="utf-8") == damage
    assert recorded_issues(composed_project) == []


def test_a_line_of_equals_signs_in_an_article_is_no_merge_conflict(composed_project):
    """Markdown's "=======" is an article's own line in the text email: sent, not refused."""
    conf = composed_project / "pelicanconf.py"
    text = conf.read_text(encoding="utf-8")
    assert '"newest_in_full": False' in text, "the setting moved: update this test"
    conf.write_text(text.replace('"newest_in_full": False', '"newest_in_full": True'))
    article = composed_project / "content/articles/small-steps-after-a-session.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n\n=======\n\nAfter the line.\n")
    write_subscribers(composed_project, 2)
    with MailServer() as server:
        env = smtp_env(server.port)
        composed = run_invoke(composed_project, "digest", env=env)
        assert composed.returncode == 0, composed.stdout + composed.stderr
        to_send = (composed_project / "newsletter-issue/to-send.txt").read_text(encoding="utf-8")
        assert "\n=======\n" in to_send
        sent = send(composed_project, env)
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert len(server.mailbox.received) == 2
    assert recorded_issues(composed_project) == [1]


def test_a_subscriber_list_with_a_merge_conflict_sends_to_no_one(composed_project):
    listed = (
        "email,name\n<<<<<<< HEAD\nana@example.org,Ana\n=======\nbo@example.org,Bo\n>>>>>>> other\n"
    )
    path = composed_project / "subscribers.csv"
    path.write_text(listed, encoding="utf-8")
    said = refused_send(
        composed_project, "subscribers.csv:2: This is a merge conflict's marker line (<<<<<<<)"
    )
    assert "subscribers.csv:4:" in said and "subscribers.csv:6:" in said
    assert path.read_text(encoding="utf-8") == listed
    assert recorded_issues(composed_project) == []
