"""Addresses as mail servers see them, through a real SMTP server (aiosmtpd on
127.0.0.1): a domain with letters beyond ASCII goes in its IDNA form to any
server; only such letters before the @ need SMTPUTF8, which is asked of the
server's EHLO answer before anyone is marked; one mailbox written in both forms
is one subscriber."""

from __future__ import annotations

import sqlite3

from mail_server import MailServer
from sending_helpers import ledger_rows, recorded_issues, send, smtp_env

LEDGER = "content/newsletter/sending.sqlite"


def write_list(project, text: str) -> None:
    (project / "subscribers.csv").write_text(text, encoding="utf-8")


def test_a_domain_beyond_ascii_goes_in_its_idna_form_to_a_server_without_smtputf8(
    composed_project,
):
    write_list(composed_project, "email,name\nbo@bücher.test,Bo\nana@example.org,Ana\n")
    with MailServer(smtputf8=False) as server:
        result = send(composed_project, smtp_env(server.port))
        assert result.returncode == 0, result.stdout + result.stderr
        messages = {tos[0]: message for tos, message in server.mailbox.messages()}
    assert sorted(messages) == ["ana@example.org", "bo@xn--bcher-kva.test"]
    assert messages["bo@xn--bcher-kva.test"]["To"].addresses[0].addr_spec == (
        "bo@xn--bcher-kva.test"
    )
    assert ledger_rows(composed_project)["bo@bücher.test"][0] == "sent"
    assert recorded_issues(composed_project) == [1]


def test_both_forms_of_one_mailbox_are_one_subscriber(composed_project):
    write_list(composed_project, "email,name\nbo@bücher.test,Bo\nBO@XN--BCHER-KVA.test,Bo\n")
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port))
        assert result.returncode == 1 and server.mailbox.received == []
    assert result.stderr.startswith(
        "subscribers.csv:3: BO@XN--BCHER-KVA.test is already on line 2. Fix: delete one"
    ), result.stderr


def test_a_resumed_issue_takes_the_other_form_for_the_same_subscriber(composed_project):
    write_list(composed_project, "email,name\nbo@bücher.test,Bo\nana@example.org,Ana\n")
    with MailServer() as server:
        server.mailbox.refuse_mail = 10**6  # the first run: everyone waits
        assert send(composed_project, smtp_env(server.port, retries=0)).returncode == 1
        write_list(composed_project, "email,name\nbo@xn--bcher-kva.test,Bo\nana@example.org,Ana\n")
        server.mailbox.refuse_mail = 0
        result = send(composed_project, smtp_env(server.port))
        assert result.returncode == 0, result.stdout + result.stderr
        assert server.mailbox.per_recipient() == {"bo@xn--bcher-kva.test": 1, "ana@example.org": 1}
    assert "left the list" not in result.stdout
    assert len(ledger_rows(composed_project)) == 2


def test_letters_beyond_ascii_before_the_at_stop_before_anyone_is_marked(composed_project):
    write_list(composed_project, "email,name\nana@example.org,Ana\nåsa@example.se,Åsa\n")
    with MailServer(smtputf8=False) as server:
        result = send(composed_project, smtp_env(server.port))
        assert result.returncode == 1 and server.mailbox.received == []
    assert result.stderr.startswith(
        f"The mail server 127.0.0.1:{server.port} does not take addresses with letters beyond "
        "ASCII before the @ (its EHLO answer has no SMTPUTF8), and 1 subscriber has one: "
        "åsa@example.se. Nothing was sent. Fix: "
    ), result.stderr
    assert "Traceback" not in result.stderr
    assert recorded_issues(composed_project) == []
    if (composed_project / LEDGER).exists():
        with sqlite3.connect(composed_project / LEDGER) as db:
            assert db.execute("SELECT COUNT(*) FROM recipients").fetchone() == (0,)


def test_letters_beyond_ascii_before_the_at_go_to_a_server_with_smtputf8(composed_project):
    write_list(composed_project, "email,name\nåsa@bücher.test,Åsa\n")
    with MailServer(smtputf8=True) as server:
        result = send(composed_project, smtp_env(server.port))
        assert result.returncode == 0, result.stdout + result.stderr
        assert server.mailbox.per_recipient() == {"åsa@xn--bcher-kva.test": 1}


def test_a_domain_that_cannot_be_written_for_servers_is_named_by_line(composed_project):
    write_list(composed_project, "email,name\nana@example.org,Ana\nbo@☃.test,Bo\n")
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port))
        assert result.returncode == 1 and server.mailbox.received == []
    assert result.stderr.startswith(
        'subscribers.csv:3: "bo@☃.test": its domain cannot be written for mail servers'
    ), result.stderr
    assert "Fix: check the part after the @" in result.stderr
