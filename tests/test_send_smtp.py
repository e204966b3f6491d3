"""`invoke send-digest` through a real SMTP server (aiosmtpd on 127.0.0.1): every
subscriber gets their own copy once, faults are retried or recorded, and a bad
subscriber list stops everything before a single message goes out."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from conftest import run_invoke
from mail_server import MailServer
from sending_helpers import (
    footer_link,
    ledger_rows,
    quote_in_newest_summary,
    recorded_issues,
    send,
    set_unsubscribe,
    smtp_env,
    write_subscribers,
)

TEMPLATE = "https://www.example.com/unsubscribe?email={email}"


def test_two_hundred_subscribers_each_get_their_own_copy_once(composed_project):
    addresses = write_subscribers(composed_project, 200, own_links=True)
    with MailServer() as server:
        env = smtp_env(server.port, unsubscribe_url=TEMPLATE)
        result = send(composed_project, env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert server.mailbox.per_recipient() == {a: 1 for a in addresses}
        assert server.mailbox.sessions == 1, "one connection reused for every message"
        messages = server.mailbox.messages()

        again = send(composed_project, env)
        assert again.returncode == 0 and "Nothing to send" in again.stdout
        assert len(server.mailbox.received) == 200

    ids = set()
    for (to,), message in messages:
        number = int(re.fullmatch(r"reader(\d+)@example.org", to)[1])
        assert message["To"].addresses[0].addr_spec == to
        assert message["To"].addresses[0].display_name == f"Reader {number}, Esq."
        assert message["Subject"].startswith("Parts & Purpose Coaching #1: ")
        assert message["From"].addresses[0].addr_spec == "jordan@coach.test"
        assert message["Date"].datetime.tzinfo is not None
        assert message["List-Id"] == "Parts & Purpose Coaching <newsletter.coach.test>"
        assert re.fullmatch(r"<newsletter-1\.[0-9a-f]{20}@coach\.test>", message["Message-ID"])
        ids.add(message["Message-ID"])
        own = (
            f"https://lists.example.org/leave/{number}?token=t{number}"
            if number % 2
            else f"https://www.example.com/unsubscribe?email=reader{number}%40example.org"
        )
        assert message["List-Unsubscribe"].strip() == f"<{own}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(("plain",)).get_content()
        page = message.get_body(("html",)).get_content()
        assert own in text and "*|UNSUB|*" not in text
        assert f'href="{own.replace("&", "&amp;")}"' in page and "*|UNSUB|*" not in page
        assert "https://coach.test/newsletter/1/" in page
    assert len(ids) == 200, "a Message-ID per recipient"
    assert recorded_issues(composed_project) == [1]
    assert set(state for state, _ in ledger_rows(composed_project).values()) == {"sent"}


def test_without_an_https_address_unsubscribing_is_by_mailto(composed_project):
    write_subscribers(composed_project, 2)
    with MailServer() as server:
        assert send(composed_project, smtp_env(server.port)).returncode == 0
        (_, message), _ = server.mailbox.messages()
    link = "mailto:jordan@coach.test?subject=unsubscribe%20reader0%40example.org"
    assert message["List-Unsubscribe"].strip() == f"<{link}>"
    assert message["List-Unsubscribe-Post"] is None
    assert link in message.get_body(("plain",)).get_content()


def test_temporary_refusals_are_retried_until_delivered(composed_project):
    addresses = write_subscribers(composed_project, 30)
    with MailServer() as server:
        server.mailbox.refuse_mail = 2  # 421 to MAIL FROM, twice
        server.mailbox.defer_rcpt = 3  # then 451 to RCPT TO, three times (5 of 5 retries)
        result = send(composed_project, smtp_env(server.port))
        assert result.returncode == 0, result.stdout + result.stderr
        assert server.mailbox.per_recipient() == {a: 1 for a in addresses}
    assert recorded_issues(composed_project) == [1]


def test_a_permanent_refusal_is_recorded_and_the_others_delivered(composed_project):
    addresses = write_subscribers(composed_project, 20)
    with MailServer() as server:
        server.mailbox.refuse_for_good = {"reader7@example.org"}
        result = send(composed_project, smtp_env(server.port))
        assert result.returncode == 0, result.stdout + result.stderr
        delivered = server.mailbox.per_recipient()
    assert delivered == {a: 1 for a in addresses if a != "reader7@example.org"}
    assert "reader7@example.org: refused for good: 550 5.1.1 No such mailbox here" in result.stdout
    assert ledger_rows(composed_project)["reader7@example.org"] == (
        "failed",
        "550 5.1.1 No such mailbox here",
    )
    assert recorded_issues(composed_project) == [1], "a failure is a final state"


def test_a_dropped_connection_is_reopened_and_the_batch_goes_on(composed_project):
    addresses = write_subscribers(composed_project, 40)
    with MailServer() as server:
        server.mailbox.drop_at = {5, 17, 18}
        result = send(composed_project, smtp_env(server.port))
        assert result.returncode == 0, result.stdout + result.stderr
        assert server.mailbox.per_recipient() == {a: 1 for a in addresses}
        assert server.mailbox.sessions == 4


def test_still_refused_after_every_retry_waits_for_the_next_run(composed_project):
    addresses = write_subscribers(composed_project, 5)
    with MailServer() as server:
        server.mailbox.defer_rcpt = 3
        env = smtp_env(server.port, retries=2)
        first = send(composed_project, env)
        assert first.returncode == 1 and "still waiting" in first.stdout
        assert "451 4.2.0 Mailbox busy" in first.stdout
        assert recorded_issues(composed_project) == []
        second = send(composed_project, env)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "Resuming issue #1" in second.stdout
        assert server.mailbox.per_recipient() == {a: 1 for a in addresses}
    assert recorded_issues(composed_project) == [1]


def test_a_bad_subscriber_list_is_reported_line_by_line_and_nothing_is_sent(composed_project):
    (composed_project / "subscribers.csv").write_text(
        "email,name\n"
        "ana@example.org,Ana\n"
        "not-an-address,Bo\n"
        "\n"
        "ANA@example.org,Ana again\n"
        "cy@example,Cy\n"
    )
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port))
        assert server.mailbox.received == []
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith('subscribers.csv:3: "not-an-address" is not an email address. Fix:')
    assert lines[1].startswith("subscribers.csv:5: ANA@example.org is already on line 2. Fix:")
    assert lines[2].startswith('subscribers.csv:6: "cy@example" is not an email address. Fix:')
    assert "3 problems in the subscriber list; nothing was sent" in lines[3]
    assert recorded_issues(composed_project) == []


def test_a_missing_column_is_named(composed_project):
    (composed_project / "subscribers.csv").write_text("address,name\nana@example.org,Ana\n")
    result = send(composed_project, smtp_env(1))
    assert result.returncode == 1
    assert result.stderr.startswith("subscribers.csv:1: The header line lacks the column email ")
    assert "'address,name', with commas between the columns" in result.stderr


def test_with_nothing_configured_it_is_a_dry_run_that_shows_who_would_get_it(composed_project):
    write_subscribers(composed_project, 3)
    result = run_invoke(composed_project, "send-digest")
    assert result.returncode == 0, result.stderr
    assert "a dry run" in result.stdout and "nothing is sent" in result.stdout
    assert "would send to Reader 2, Esq. <reader2@example.org>" in result.stdout
    assert "3 would be sent" in result.stdout
    assert not (composed_project / "content/newsletter/sending.sqlite").exists()
    assert recorded_issues(composed_project) == []


def test_dry_run_with_smtp_set_sends_nothing_and_skips_who_already_got_it(composed_project):
    write_subscribers(composed_project, 4)
    with MailServer() as server:
        server.mailbox.refuse_for_good = {"reader3@example.org"}
        env = smtp_env(server.port, retries=0)
        server.mailbox.defer_rcpt = 1
        assert send(composed_project, env).returncode == 1  # reader0 waits for a later run
        received = len(server.mailbox.received)
        result = send(composed_project, env, "--dry-run")
        assert len(server.mailbox.received) == received
    assert "would send to Reader 0, Esq. <reader0@example.org>" in result.stdout
    assert "already sent: reader1@example.org" in result.stdout
    assert "already failed: reader3@example.org" in result.stdout
    assert "1 would be sent" in result.stdout


def test_a_test_send_goes_to_one_address_marked_and_records_nothing(composed_project):
    write_subscribers(composed_project, 3)
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port), "--test", "coach@example.org")
        assert result.returncode == 0, result.stdout + result.stderr
        [(tos, message)] = server.mailbox.messages()
    assert tos == ["coach@example.org"]
    assert message["Subject"].startswith("[TEST] Parts & Purpose Coaching #1: ")
    assert not (composed_project / "content/newsletter/sending.sqlite").exists()
    assert recorded_issues(composed_project) == []


def test_the_content_check_and_build_accept_the_ledger(composed_project):
    write_subscribers(composed_project, 2)
    with MailServer() as server:
        assert send(composed_project, smtp_env(server.port)).returncode == 0
    assert (composed_project / "content/newsletter/sending.sqlite").exists()
    checked = run_invoke(composed_project, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert run_invoke(composed_project, "build").returncode == 0
    assert not list((composed_project / "output").rglob("*.sqlite*"))
    assert (composed_project / "output/newsletter/1/index.html").exists()


@pytest.mark.parametrize("setting", ["https://www.example.com/newsletter/", "*|UNSUB|*"])
def test_only_the_footer_link_and_the_header_carry_the_readers_own_link(composed_project, setting):
    """DIGEST["unsubscribe"] may be the start of another link (the newsletter page
    before the web version's /newsletter/1/) or quoted by an article: each reader's
    own link replaces the footer's link alone."""
    set_unsubscribe(composed_project, setting)
    quote_in_newest_summary(composed_project, setting)
    addresses = write_subscribers(composed_project, 2)
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port, unsubscribe_url=TEMPLATE))
        assert result.returncode == 0, result.stdout + result.stderr
        messages = dict((tos[0], message) for tos, message in server.mailbox.messages())
    assert sorted(messages) == addresses
    for address, message in messages.items():
        own = TEMPLATE.format(email=quote(address, safe=""))
        page = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        assert footer_link(page) == own
        assert page.count(own) == 1 and text.count(own) == 1
        assert 'href="https://coach.test/newsletter/1/"' in page, "the web version's link"
        assert "https://coach.test/newsletter/1/" in text
        assert f"Quoting {setting} here." in page and f"Quoting {setting} here." in text
        assert message["List-Unsubscribe"].strip() == f"<{own}>"
