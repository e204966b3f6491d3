"""`invoke send-digest` mails the site as it is at its own run, through a real SMTP
server (aiosmtpd on 127.0.0.1): an issue composed for a later moment, with another
public address, or with an article since set back to draft is refused, not sent;
a BUILD_MOMENT later than the clock is refused by everything that sends or
records; a dry run (with --test too) sends nothing anywhere and writes nothing a
later real send could take."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from provider_stand_ins import Buttondown

from conftest import run_invoke
from mail_server import MailServer
from sending_helpers import recorded_issues, send, smtp_env, write_subscribers

LATER_ID_NAME = "a-letter-for-later"
NEWEST = "content/articles/small-steps-after-a-session.md"
NEWEST_ID = "2026-09-08-small-steps-after-a-session"
LEDGER = "content/newsletter/sending.sqlite"


def site_now() -> datetime:
    return datetime.now(ZoneInfo("America/New_York")).replace(second=0, microsecond=0)


def schedule_article(project) -> tuple[str, str]:
    """A published article dated 200 days from now (scheduled); its Id and the moment
    a day after it, as BUILD_MOMENT writes it."""
    when = site_now() + timedelta(days=200)
    article_id = f"{when:%Y-%m-%d}-{LATER_ID_NAME}"
    (project / f"content/articles/{LATER_ID_NAME}.md").write_text(
        f"Title: A Letter for Later\nDate: {when:%Y-%m-%d %H:%M}\nId: {article_id}\n"
        "Status: published\nSummary: What the later day brings.\n\nLater words.\n"
    )
    return article_id, f"{when + timedelta(days=1):%Y-%m-%dT%H:%M}"


def carried_by_record(project) -> set[str]:
    record = json.loads((project / "content/newsletter/issues.json").read_text())
    return {i for issue in record["issues"] for i in issue["articles"]}


def bodies(server) -> list[str]:
    return [
        message.get_body(("html",)).get_content() + message.get_body(("plain",)).get_content()
        for _, message in server.mailbox.messages()
    ]


def refused_until_composed_again(project, message: str) -> list[str]:
    """send-digest refuses the stored issue, saying `message`; once `invoke
    digest` composed it again, it is sent to both subscribers. What they got."""
    write_subscribers(project, 2)
    with MailServer() as server:
        env = smtp_env(server.port)
        assert_refused(project, send(project, env), server, message)
        assert run_invoke(project, "digest").returncode == 0
        result = send(project, env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert len(server.mailbox.received) == 2
        return bodies(server)


def assert_refused(project, result, server, *said) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output and "Nothing was sent" in output, output
    for words in said:
        assert words in output, output
    assert server.mailbox.received == []
    assert recorded_issues(project) == []


def test_a_dry_run_for_a_later_day_leaves_nothing_that_a_send_today_mails(composed_project):
    """BUILD_MOMENT=<later> send-digest --dry-run, then send-digest today: the later
    article is shown by the dry run, and neither mailed nor recorded today."""
    later_id, moment = schedule_article(composed_project)
    write_subscribers(composed_project, 2)
    issue = composed_project / "newsletter-issue"
    for path in issue.iterdir():
        path.unlink()
    issue.rmdir()
    with MailServer() as server:
        env = smtp_env(server.port)
        dry = send(composed_project, dict(env, BUILD_MOMENT=moment), "--dry-run")
        assert dry.returncode == 0, dry.stdout + dry.stderr
        assert "A Letter for Later" in dry.stdout and "2 would be sent" in dry.stdout
        assert "BUILD_MOMENT is later than now" in dry.stdout
        assert not issue.exists(), "a dry run writes no issue"
        assert not (composed_project / LEDGER).exists()
        today = send(composed_project, env)
        assert today.returncode == 0, today.stdout + today.stderr
        assert len(server.mailbox.received) == 2
        assert not any(LATER_ID_NAME in body for body in bodies(server))
    assert later_id not in carried_by_record(composed_project)
    assert later_id not in json.loads((issue / "issue.json").read_text())["articles"]


def test_an_issue_composed_for_a_later_day_is_refused_today(composed_project):
    _, moment = schedule_article(composed_project)
    write_subscribers(composed_project, 2)
    composed = run_invoke(composed_project, "digest", env=dict(smtp_env(1), BUILD_MOMENT=moment))
    assert composed.returncode == 0, composed.stderr
    assert "(BUILD_MOMENT), later than now: a preview" in composed.stdout
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port))
        assert_refused(
            composed_project,
            result,
            server,
            "newsletter-issue: issue #1 there is not what the site makes now: it was composed for ",
            '"A Letter for Later" is not live now',
            "Fix: run `invoke digest` to compose it again as of now",
        )
    marked = run_invoke(composed_project, "digest", "--mark-sent")
    assert marked.returncode == 1 and "Traceback" not in marked.stderr
    assert "(BUILD_MOMENT), which has not come yet" in marked.stderr
    assert "Nothing was recorded" in marked.stderr
    assert recorded_issues(composed_project) == []


@pytest.mark.parametrize("args", [("send-digest",), ("send-digest", "--test", "coach@example.org")])
def test_a_build_moment_later_than_the_clock_sends_nothing(composed_project, args):
    _, moment = schedule_article(composed_project)
    write_subscribers(composed_project, 2)
    with MailServer() as server:
        env = dict(smtp_env(server.port), BUILD_MOMENT=moment)
        result = run_invoke(composed_project, *args, env=env)
        assert_refused(composed_project, result, server, "later than now (")
    assert result.stderr.startswith(f"BUILD_MOMENT is {moment.replace('T', ' ')}")
    assert "Fix: run it again without BUILD_MOMENT" in result.stderr
    assert not (composed_project / LEDGER).exists()


def test_a_build_moment_later_than_the_clock_records_nothing(composed_project):
    _, moment = schedule_article(composed_project)
    result = run_invoke(
        composed_project, "digest", "--mark-sent", env=dict(smtp_env(1), BUILD_MOMENT=moment)
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("BUILD_MOMENT is ")
    assert "`invoke digest --mark-sent` would record articles that are not live yet" in (
        result.stderr
    )
    assert recorded_issues(composed_project) == []


def test_an_article_set_back_to_draft_after_digest_is_not_mailed(composed_project):
    article = composed_project / NEWEST
    article.write_text(article.read_text().replace("Status: published", "Status: draft"))
    sent = refused_until_composed_again(
        composed_project, '"Small Steps Between Sessions" is not live now (a draft again'
    )
    assert not any("small-steps-after-a-session" in body for body in sent)
    assert NEWEST_ID not in carried_by_record(composed_project)


def test_an_issue_composed_with_a_wrong_address_is_not_mailed(composed_project):
    typo = run_invoke(
        composed_project, "digest", env=dict(smtp_env(1), SITEURL="https://wrong-typo.test")
    )
    assert typo.returncode == 0, typo.stderr
    sent = refused_until_composed_again(
        composed_project,
        "its links lead to https://wrong-typo.test, but SITEURL is now https://coach.test",
    )
    for body in sent:
        assert "wrong-typo.test" not in body and "https://coach.test/newsletter/1/" in body


@pytest.mark.parametrize("edit", ["article", "note"])
def test_an_issue_composed_before_an_edit_is_not_mailed(composed_project, edit):
    if edit == "article":
        article = composed_project / NEWEST
        text = article.read_text().replace("Summary: Most", "Summary: Edited. Most", 1)
        article.write_text(text)
    else:  # a note for the issue, written after it was composed and read
        notes = composed_project / "content/newsletter/notes"
        notes.mkdir(parents=True)
        (notes / "1.md").write_text("A word before you read on.\n")
    write_subscribers(composed_project, 2)
    with MailServer() as server:
        refused = send(composed_project, smtp_env(server.port))
        assert_refused(
            composed_project, refused, server, "an article, your note or a setting changed"
        )


def test_a_dry_run_test_sends_nothing_and_says_what_the_test_would_be(composed_project):
    write_subscribers(composed_project, 2)
    before = sorted(p.name for p in (composed_project / "newsletter-issue").iterdir())
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port), "--dry-run", "--test", "me@x.org")
        assert result.returncode == 0, result.stdout + result.stderr
        assert server.mailbox.received == []
    assert (
        f"Would send one [TEST] copy to me@x.org by SMTP through 127.0.0.1:{server.port}; "
        "nothing would be recorded." in result.stdout
    )
    assert not (composed_project / LEDGER).exists()
    assert sorted(p.name for p in (composed_project / "newsletter-issue").iterdir()) == before


def test_a_dry_run_test_makes_no_draft_at_the_provider(composed_project):
    with Buttondown() as api:
        env = smtp_env(1, backend="buttondown", buttondown={"api_url": api.url, "timeout": 5})
        env["BUTTONDOWN_API_KEY"] = "bd-test-key-123"
        result = send(composed_project, env, "--dry-run", "--test", "me@x.org")
        assert result.returncode == 0, result.stdout + result.stderr
    assert api.requests == [] and api.emails == {}
    assert "Would send one [TEST] copy to me@x.org through buttondown's API" in result.stdout


def test_a_dry_run_test_without_a_backend_says_what_to_set(composed_project):
    result = send(composed_project, smtp_env(1, backend=""), "--dry-run", "--test", "me@x.org")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "KeyError" not in result.stderr
    assert "Would send one [TEST] copy to me@x.org, but no sending backend is set" in (
        result.stdout
    )
    assert 'set DIGEST["send"]["backend"] to "smtp"' in result.stdout


def test_an_issue_whose_every_article_went_back_to_draft_is_not_sent(composed_project):
    for article in (composed_project / "content/articles").glob("*.md"):
        article.write_text(article.read_text().replace("Status: published", "Status: draft"))
    write_subscribers(composed_project, 2)
    with MailServer() as server:
        result = send(composed_project, smtp_env(server.port))
        assert server.mailbox.received == []
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "Nothing to send: nothing is new now. The issue composed in newsletter-issue (#1) is "
        'not sent: "Small Steps Between Sessions" is not live now' in result.stdout
    )
    assert recorded_issues(composed_project) == []
