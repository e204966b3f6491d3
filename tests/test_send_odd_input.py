"""`invoke send-digest` with odd subscriber lists and settings, through a real SMTP
server (aiosmtpd on 127.0.0.1): every problem stops the send before the first
message with a `file:line` message and records nothing; one odd row that reaches
the sending loop anyway never stops the others; nothing is recorded as sent that
no one received."""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest

from conftest import run_invoke
from digest.compose import UNSUBSCRIBE_SLOT
from mail_server import MailServer
from sending_helpers import (
    ledger_rows,
    recorded_issues,
    send,
    set_unsubscribe,
    smtp_env,
    write_subscribers,
)

LEDGER = "content/newsletter/sending.sqlite"


def write_list(project, text: str) -> None:
    (project / "subscribers.csv").write_text(text, encoding="utf-8")


def begun_issues(project) -> list[int]:
    if not (project / LEDGER).exists():
        return []
    with sqlite3.connect(project / LEDGER) as db:
        return [number for (number,) in db.execute("SELECT number FROM issues")]


def assert_nothing_sent(project, result, server) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert server.mailbox.received == []
    assert recorded_issues(project) == []


@pytest.mark.parametrize(
    "row, problem",
    [
        ('ana@example.org,"Ana\nLima",', "The name 'Ana\\nLima' has a line break"),
        ('ana@example.org,Ana,"https://lists.example.org/le\rave/1"', "The unsubscribe_url"),
        (
            'ana@example.org,Ana,"https://lists.example.org/a\r\nBcc: x@evil.test"',
            "has a line break or another control character",
        ),
        (
            'ana@example.org,Ana,"https://x.example/a>, <mailto:evil@attacker.org"',
            "contains a space, <, > or a comma",
        ),
        ("ana@example.org,Ana,http://lists.example.org/leave/1", "is not an https:// address"),
        ("ana@example.org,Ana,https://lists.example.org/léave", "must be percent-encoded"),
        ("ana@example.org,Ana,https://lists.example.org/100%", "must be percent-encoded"),
        ("ana\x01@example.org,Ana,", "control character"),
    ],
)
def test_a_bad_field_stops_the_send_and_the_dry_run_before_anything(composed_project, row, problem):
    write_list(composed_project, f"email,name,unsubscribe_url\nbo@example.org,Bo,\n{row}\n")
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port))
        assert_nothing_sent(composed_project, result, server)
        dry = send(composed_project, smtp_env(server.port), "--dry-run")
    assert result.stderr.startswith("subscribers.csv:3: "), result.stderr
    assert problem in result.stderr and "Fix:" in result.stderr
    assert "1 problem in the subscriber list; nothing was sent" in result.stderr
    assert dry.returncode == 1 and dry.stderr == result.stderr
    assert begun_issues(composed_project) == []


def test_a_line_number_is_where_a_multi_line_cell_starts(composed_project):
    write_list(composed_project, 'email,name\nbo@example.org,"Bo\nBerg"\ncy@example,Cy\n')
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port))
        assert_nothing_sent(composed_project, result, server)
    lines = result.stderr.splitlines()
    assert lines[0].startswith("subscribers.csv:2: The name 'Bo\\nBerg'")
    assert lines[1].startswith('subscribers.csv:4: "cy@example" is not an email address')


@pytest.mark.parametrize("text", ["email,name,unsubscribe_url\n", "email,name\n\n,\n", ""])
def test_a_list_without_subscribers_sends_and_records_nothing(composed_project, text):
    write_list(composed_project, text)
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port))
        assert_nothing_sent(composed_project, result, server)
    assert "nothing was sent or recorded" in result.stderr
    assert begun_issues(composed_project) == [], "no issue is begun in the ledger"


def test_a_semicolon_separated_list_is_read(composed_project):
    write_list(composed_project, "email;name\nana@example.org;Lima, Ana\nbo@example.org;Bo\n")
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port))
        assert result.returncode == 0, result.stdout + result.stderr
        assert set(server.mailbox.per_recipient()) == {"ana@example.org", "bo@example.org"}
        (_, first), _ = server.mailbox.messages()
    assert first["To"].addresses[0].display_name == "Lima, Ana"


def test_a_wrong_header_names_the_separator_it_saw(composed_project):
    write_list(composed_project, "E-Mail;Name\nana@example.org;Ana\n")
    result = send(composed_project, smtp_env(1))
    assert result.returncode == 1
    assert "'E-Mail;Name', with semicolons between the columns" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_cell_past_the_csv_size_limit_is_named_by_line(composed_project):
    write_list(
        composed_project, f'email,name\nbo@example.org,Bo\nana@example.org,"{"A" * 200_000}"\n'
    )
    result = send(composed_project, smtp_env(1))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("subscribers.csv:3: This line cannot be read as CSV")
    assert "field larger than field limit" in result.stderr


@pytest.mark.parametrize(
    "value, named",
    [
        ("{backend: smtp}", "is not valid JSON"),
        ('["smtp"]', "must be a JSON object"),
    ],
)
def test_malformed_digest_send_is_explained(composed_project, value, named):
    result = send(composed_project, dict(os.environ, DIGEST_SEND=value))
    assert result.returncode == 1
    assert result.stderr.startswith("The DIGEST_SEND environment variable ")
    assert named in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "setting, value, named",
    [
        ("unsubscribe_url", "https://x.example/u?e={email}>, <mailto:evil@attacker.org", "a space"),
        ("unsubscribe_url", "https://x.example/unsubscribe", "has no {email}"),
        ("unsubscribe_url", "https://x.example/{mail}", "cannot be filled in"),
        ("unsubscribe_mailto", "leave@x.example>, <https://evil.test", "not an email address"),
    ],
)
def test_unsubscribe_settings_that_would_break_the_header_stop_the_send(
    composed_project, setting, value, named
):
    write_subscribers(composed_project, 2)
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port, **{setting: value}))
        assert_nothing_sent(composed_project, result, server)
    assert result.stderr.startswith(f'DIGEST["send"]["{setting}"] is ')
    assert named in result.stderr


def test_one_odd_row_in_the_ledger_never_stops_the_rest(composed_project):
    """A row that reached the ledger before the list was checked (an older version's
    ledger, a hand edit) fails alone; everyone after it still gets the issue."""
    addresses = write_subscribers(composed_project, 6)
    with MailServer() as server:
        server.mailbox.refuse_mail = 10**6  # the first run: everyone waits
        first = send(composed_project, smtp_env(server.port, retries=0))
        assert first.returncode == 1 and server.mailbox.received == []
        with sqlite3.connect(composed_project / LEDGER) as db:
            db.execute(
                "UPDATE recipients SET name = 'Reader\nTwo' WHERE email = 'reader2@example.org'"
            )
        server.mailbox.refuse_mail = 0
        second = send(composed_project, smtp_env(server.port))
        assert second.returncode == 0, second.stdout + second.stderr
        received = server.mailbox.per_recipient()
    assert received == {a: 1 for a in addresses if a != "reader2@example.org"}
    state, detail = ledger_rows(composed_project)["reader2@example.org"]
    assert state == "failed" and detail.startswith("not sent: ")
    assert "reader2@example.org: not sent: " in second.stdout
    assert recorded_issues(composed_project) == [1]


def test_an_issue_no_one_received_is_not_recorded(composed_project):
    addresses = write_subscribers(composed_project, 3)
    with MailServer() as server:
        server.mailbox.refuse_for_good = set(addresses)
        result = send(composed_project, smtp_env(server.port))
    assert result.returncode == 1
    assert "No one has received issue #1, so it is not recorded as sent" in result.stdout
    assert recorded_issues(composed_project) == []


def test_resuming_after_the_list_shrank_drops_who_left_and_adds_who_joined(composed_project):
    addresses = write_subscribers(composed_project, 300)
    with MailServer() as server:
        server.mailbox.refuse_mail = 10**6
        assert send(composed_project, smtp_env(server.port, retries=0)).returncode == 1
        stayed = addresses[:40:2]
        lines = ["email,name"] + [f"{a},Stayed" for a in stayed] + ["new@example.org,New"]
        write_list(composed_project, "\n".join(lines) + "\n")
        server.mailbox.refuse_mail = 0
        result = send(composed_project, smtp_env(server.port))
        assert result.returncode == 0, result.stdout + result.stderr
        received = server.mailbox.per_recipient()
    assert received == {a: 1 for a in [*stayed, "new@example.org"]}
    assert "280 who left the list since the last run will not get it." in result.stdout
    states = [state for state, _ in ledger_rows(composed_project).values()]
    assert states.count("dropped") == 280 and states.count("sent") == 21
    assert recorded_issues(composed_project) == [1]


def test_a_list_with_every_field_well_formed_goes_out_with_one_unsubscribe_target(
    composed_project,
):
    write_list(
        composed_project,
        "email,name,unsubscribe_url\n"
        'ana@example.org,"Lima, Ana (she/her)",https://lists.example.org/leave?u=1&t=%C3%A9\n'
        "bo@example.org,Bø Berg,\n",
    )
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port))
        assert result.returncode == 0, result.stdout + result.stderr
        messages = dict((tos[0], m) for tos, m in server.mailbox.messages())
    header = messages["ana@example.org"]["List-Unsubscribe"].strip()
    assert header == "<https://lists.example.org/leave?u=1&t=%C3%A9>"
    assert messages["bo@example.org"]["To"].addresses[0].display_name == "Bø Berg"


def test_a_test_address_that_is_not_one_address_is_refused(composed_project):
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port), "--test", "me@x.org\nBcc: y@x.org")
        assert result.returncode == 1 and server.mailbox.received == []
    assert result.stderr.startswith("--test 'me@x.org\\nBcc: y@x.org' is not one email address")


@pytest.mark.parametrize(
    "send_settings, named",
    [
        ({"retries": "many"}, 'DIGEST["send"]["retries"] is \'many\'. Fix: write a whole number'),
        ({"backoff_seconds": -1}, 'DIGEST["send"]["backoff_seconds"] is -1.'),
        ({"smtp": {"host": "127.0.0.1", "port": "smtp"}}, 'DIGEST["send"]["smtp"]["port"]'),
        (
            {"backend": "buttondown", "buttondown": {"timeout": "1 min"}},
            'DIGEST["send"]["buttondown"]["timeout"] is \'1 min\'',
        ),
    ],
)
def test_a_number_setting_that_is_not_a_number_is_named(composed_project, send_settings, named):
    write_subscribers(composed_project, 2)
    env = smtp_env(1, **send_settings)
    env["BUTTONDOWN_API_KEY"] = "key"
    result = send(composed_project, env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(named), result.stderr


def test_an_empty_unsubscribe_setting_stops_the_send_before_anything(composed_project):
    set_unsubscribe(composed_project, "")
    write_subscribers(composed_project, 3)
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port))
        assert_nothing_sent(composed_project, result, server)
    assert result.stderr.startswith("pelicanconf.py: DIGEST[\"unsubscribe\"] is '': it is empty")
    assert begun_issues(composed_project) == []


def test_an_issue_without_its_one_unsubscribe_place_is_not_sent(composed_project):
    """The copy send-digest fills in was edited: the reader's link would land nowhere."""
    page = composed_project / "newsletter-issue/to-send.html"
    page.write_text(page.read_text().replace(UNSUBSCRIBE_SLOT, "https://www.example.com/"))
    write_subscribers(composed_project, 3)
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port))
        assert_nothing_sent(composed_project, result, server)
    assert result.stderr.startswith(
        "Issue #1 cannot be sent: its HTML has no single place for the unsubscribe link"
    )
    assert begun_issues(composed_project) == []


def test_an_address_with_a_non_ascii_capital_gets_the_issue_and_resumes(composed_project):
    """Åsa@example.se is one address to the list and to the ledger (both lower-case
    it the same way): never taken for someone who left, never added twice."""
    write_list(composed_project, "email,name\nÅsa@example.se,Åsa\nbo@example.org,Bo\n")
    with MailServer(smtputf8=True) as server:
        server.mailbox.refuse_mail = 10**6  # the first run: everyone waits
        first = send(composed_project, smtp_env(server.port, retries=0))
        assert first.returncode == 1 and "left the list" not in first.stdout, first.stdout
        assert ledger_rows(composed_project)["Åsa@example.se"][0] == "pending"
        server.mailbox.refuse_mail = 0
        second = send(composed_project, smtp_env(server.port))
        assert second.returncode == 0, second.stdout + second.stderr
        assert server.mailbox.per_recipient() == {"Åsa@example.se": 1, "bo@example.org": 1}
    assert recorded_issues(composed_project) == [1]


def test_an_issue_everyone_refused_is_sent_again_with_retry_failed(composed_project):
    """550 for every address (a settings mistake at the server): after the fix, the
    command the message names sends the issue to them, and the issue is recorded."""
    addresses = write_subscribers(composed_project, 3)
    with MailServer() as server:
        server.mailbox.refuse_for_good = set(addresses)
        first = send(composed_project, smtp_env(server.port))
        assert first.returncode == 1
        assert "run `invoke send-digest --retry-failed`" in first.stdout, first.stdout
        server.mailbox.refuse_for_good = set()
        again = send(composed_project, smtp_env(server.port))
        assert again.returncode == 1 and server.mailbox.received == [], "failed stays failed"
        retried = send(composed_project, smtp_env(server.port), "--retry-failed")
        assert retried.returncode == 0, retried.stdout + retried.stderr
        assert "--retry-failed: sending again to 3 refused for good." in retried.stdout
        assert server.mailbox.per_recipient() == {a: 1 for a in addresses}
    assert recorded_issues(composed_project) == [1]
    assert {state for state, _ in ledger_rows(composed_project).values()} == {"sent"}


@pytest.mark.parametrize(
    "send_settings, args, said",
    [
        ({"backend": "buttondown"}, (), 'DIGEST["send"]["backend"] is "buttondown"'),
        ({"backend": ""}, (), 'DIGEST["send"]["backend"] is not set'),
        ({}, ("--dry-run",), "goes with neither --test nor --dry-run"),
        ({}, ("--test", "me@example.org"), "goes with neither --test nor --dry-run"),
    ],
)
def test_retry_failed_where_it_cannot_apply_is_refused_not_ignored(
    composed_project, send_settings, args, said
):
    write_subscribers(composed_project, 2)
    with MailServer() as server:
        env = smtp_env(server.port, **send_settings)
        result = send(composed_project, env, "--retry-failed", *args)
        assert result.returncode != 0
        output = result.stdout + result.stderr
        assert said in output and "Nothing was sent" in output, output
        assert "Traceback" not in output
        assert server.mailbox.received == []
    assert recorded_issues(composed_project) == []


def test_mark_sent_refuses_an_issue_send_digest_is_still_sending(composed_project):
    addresses = write_subscribers(composed_project, 3)
    with MailServer() as server:
        server.mailbox.refuse_mail = 10**6  # every one waits for a later run
        assert send(composed_project, smtp_env(server.port, retries=0)).returncode == 1
        marked = run_invoke(composed_project, "digest", "--mark-sent")
        assert marked.returncode == 1 and "Traceback" not in marked.stderr
        assert marked.stderr.startswith(
            "Issue #1 is being sent by `invoke send-digest`: 3 subscribers have not got it yet"
        ), marked.stderr
        assert "run `invoke send-digest`" in marked.stderr
        assert recorded_issues(composed_project) == []
        server.mailbox.refuse_mail = 0
        assert send(composed_project, smtp_env(server.port)).returncode == 0
        assert server.mailbox.per_recipient() == {a: 1 for a in addresses}
    assert recorded_issues(composed_project) == [1]


def test_an_issue_recorded_meanwhile_still_goes_to_who_waits_for_it(composed_project):
    """Recorded as sent by other means (an older --mark-sent, a hand edit) while the
    ledger still has subscribers waiting: they get it, and it is said, not skipped."""
    addresses = write_subscribers(composed_project, 3)
    ledger = composed_project / LEDGER
    with MailServer() as server:
        server.mailbox.refuse_mail = 10**6
        assert send(composed_project, smtp_env(server.port, retries=0)).returncode == 1
        shutil.move(ledger, ledger.with_name("aside.sqlite"))
        assert run_invoke(composed_project, "digest", "--mark-sent").returncode == 0
        shutil.move(ledger.with_name("aside.sqlite"), ledger)
        server.mailbox.refuse_mail = 0
        result = send(composed_project, smtp_env(server.port))
        assert result.returncode == 0, result.stdout + result.stderr
        assert server.mailbox.per_recipient() == {a: 1 for a in addresses}
    assert "Issue #1 is recorded as sent, but 3 subscribers have not got it" in result.stdout
    assert recorded_issues(composed_project) == [1]
    assert {state for state, _ in ledger_rows(composed_project).values()} == {"sent"}
