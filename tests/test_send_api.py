"""The Buttondown and Mailchimp backends against local stand-ins that keep state the
way the providers document it (provider_stand_ins.py): each request's endpoint,
headers and body; every documented status on resume; idempotent creates; retries
on 429 (Retry-After), 5xx and timeouts; test sends that leave nothing behind."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from provider_stand_ins import (
    BUTTONDOWN_STATUSES,
    MAILCHIMP_STATUSES,
    Answer,
    Buttondown,
    Mailchimp,
)

from digest.sending.api import retry_after_seconds
from mail_server import MailServer
from sending_helpers import (
    footer_link,
    quote_in_newest_summary,
    recorded_issues,
    send,
    set_unsubscribe,
    smtp_env,
    write_subscribers,
)

BUTTONDOWN_KEY = "bd-test-key-123"
MAILCHIMP_KEY = "0123456789abcdef0123456789abcdef-us6"
FAST = {"retries": 2, "backoff_seconds": 0.01}


def env_for(backend: str, config: dict, send_settings: dict | None = None, **variables) -> dict:
    settings = {"backend": backend, backend: config, **FAST, **(send_settings or {})}
    return dict(os.environ, DIGEST_SEND=json.dumps(settings), **variables)


def buttondown_env(api: Buttondown, timeout: float = 5, **send_settings) -> dict:
    config = {"api_url": api.url, "timeout": timeout}
    return env_for("buttondown", config, send_settings, BUTTONDOWN_API_KEY=BUTTONDOWN_KEY)


def mailchimp_env(api: Mailchimp, timeout: float = 5, **send_settings) -> dict:
    config = {"audience": "aud123", "api_url": api.url, "timeout": timeout}
    return env_for("mailchimp", config, send_settings, MAILCHIMP_API_KEY=MAILCHIMP_KEY)


def composed_html(project) -> str:
    return (project / "newsletter-issue/email.html").read_text()


# --- Buttondown -------------------------------------------------------------------


def test_contract_buttondown_creates_a_draft_then_sends_it(composed_project):
    with Buttondown() as api:
        result = send(composed_project, buttondown_env(api))
        assert result.returncode == 0, result.stdout + result.stderr
        again = send(composed_project, buttondown_env(api))
    assert again.returncode == 0 and "Nothing to send" in again.stdout
    assert api.calls() == [("POST", "/v1/emails"), ("PATCH", "/v1/emails/em_1")]
    create, patch = api.requests
    for request in api.requests:
        assert request["headers"]["Authorization"] == f"Token {BUTTONDOWN_KEY}"
        assert request["headers"]["Content-Type"] == "application/json"
    assert set(create["body"]) == {"subject", "body", "status"}
    assert create["body"]["status"] == "draft"
    assert create["body"]["subject"].startswith("Parts & Purpose Coaching #1: ")
    assert 0 < len(create["headers"]["X-Idempotency-Key"]) <= 200
    expected = composed_html(composed_project).replace("*|UNSUB|*", "{{ unsubscribe_url }}")
    assert create["body"]["body"] == expected
    assert patch["body"] == {"status": "about_to_send"}
    assert api.emails["em_1"]["status"] == "about_to_send"
    assert recorded_issues(composed_project) == [1]


def test_buttondown_resume_reuses_the_draft(composed_project):
    with Buttondown() as api:
        api.fail("PATCH", "/v1/emails/em_1", *[Answer(503, {"detail": "Unavailable"})] * 3)
        first = send(composed_project, buttondown_env(api))
        assert first.returncode == 1 and "HTTP 503" in first.stdout
        assert "failed 3 times" in first.stdout, "retries are bounded (retries=2)"
        assert recorded_issues(composed_project) == []
        second = send(composed_project, buttondown_env(api))
        assert second.returncode == 0, second.stdout + second.stderr
    assert api.calls()[4:] == [("GET", "/v1/emails/em_1"), ("PATCH", "/v1/emails/em_1")]
    assert list(api.emails) == ["em_1"], "no second email is created"
    assert recorded_issues(composed_project) == [1]


DELIVERING = {"about_to_send", "in_flight", "throttled", "sent", "resending"}


@pytest.mark.parametrize("status", [*BUTTONDOWN_STATUSES, "something_new"])
def test_buttondown_each_documented_status_on_resume(composed_project, status):
    with Buttondown() as api:
        api.fail("PATCH", "/v1/emails/em_1", *[Answer(500, {"detail": "Oops"})] * 3)
        assert send(composed_project, buttondown_env(api)).returncode == 1
        api.emails["em_1"]["status"] = status  # what happened meanwhile in Buttondown
        result = send(composed_project, buttondown_env(api))
    if status == "draft" or status in DELIVERING:
        assert result.returncode == 0, result.stdout + result.stderr
        assert recorded_issues(composed_project) == [1]
        patched = api.calls().count(("PATCH", "/v1/emails/em_1"))
        assert patched == (4 if status == "draft" else 3), "a delivering email is not sent again"
    else:
        assert result.returncode == 1, result.stdout
        assert f'The Buttondown email em_1 for this issue is "{status}": ' in result.stdout
        assert "Nothing is recorded as sent" in result.stdout
        assert "Traceback" not in result.stdout + result.stderr
        assert recorded_issues(composed_project) == []


def test_buttondown_a_create_that_times_out_after_creating_is_not_made_twice(composed_project):
    with Buttondown() as api:
        api.slow_after_create = 1.0  # the email exists; the answer comes after the timeout
        first = send(composed_project, buttondown_env(api, timeout=0.3, retries=0))
        assert first.returncode == 1 and "no answer within 0.3 s" in first.stdout
        api.slow_after_create = 0
        second = send(composed_project, buttondown_env(api, timeout=0.3))
        assert second.returncode == 0, second.stdout + second.stderr
    creates = [r for r in api.requests if r["method"] == "POST"]
    assert len(creates) == 2
    keys = {r["headers"]["X-Idempotency-Key"] for r in creates}
    assert len(keys) == 1, "the repeated create carries the same key"
    assert list(api.emails) == ["em_1"] and api.emails["em_1"]["status"] == "about_to_send"
    assert recorded_issues(composed_project) == [1]


def test_buttondown_429_waits_as_long_as_retry_after_says(composed_project):
    with Buttondown() as api:
        api.fail("POST", "/v1/emails", Answer(429, {"detail": "Slow down"}, {"Retry-After": "1"}))
        result = send(composed_project, buttondown_env(api))
        assert result.returncode == 0, result.stdout + result.stderr
    first, second = (r for r in api.requests if r["method"] == "POST")
    assert second["at"] - first["at"] >= 1.0, "Retry-After: 1 is honoured (backoff is 0.01 s)"
    assert list(api.emails) == ["em_1"]
    assert recorded_issues(composed_project) == [1]


def test_buttondown_500s_are_retried_with_backoff(composed_project):
    with Buttondown() as api:
        api.fail("PATCH", "/v1/emails/em_1", Answer(500, {}), Answer(502, None))
        result = send(composed_project, buttondown_env(api))
        assert result.returncode == 0, result.stdout + result.stderr
    assert api.calls().count(("PATCH", "/v1/emails/em_1")) == 3
    assert recorded_issues(composed_project) == [1]


def test_contract_buttondown_test_send_leaves_no_draft(composed_project):
    with Buttondown() as api:
        result = send(composed_project, buttondown_env(api), "--test", "coach@example.org")
        assert result.returncode == 0, result.stdout + result.stderr
        again = send(composed_project, buttondown_env(api), "--test", "coach@example.org")
        assert again.returncode == 0, again.stdout + again.stderr
    create, test, delete = api.requests[:3]
    assert create["body"]["subject"].startswith("[TEST] ") and create["body"]["status"] == "draft"
    assert (test["method"], test["path"]) == ("POST", "/v1/emails/em_1/send-draft")
    assert test["body"] == {"recipients": ["coach@example.org"]}
    assert (delete["method"], delete["path"]) == ("DELETE", "/v1/emails/em_1")
    assert api.test_sends == [("em_1", ["coach@example.org"]), ("em_2", ["coach@example.org"])]
    assert api.emails == {}, "each test deletes its own draft"
    assert recorded_issues(composed_project) == []


def test_buttondown_a_failed_test_send_still_deletes_its_draft(composed_project):
    with Buttondown() as api:
        api.fail("POST", "/v1/emails/em_1/send-draft", *[Answer(400, {"detail": "Bad"})])
        result = send(composed_project, buttondown_env(api), "--test", "coach@example.org")
    assert result.returncode == 1 and "HTTP 400: Bad" in result.stdout
    assert api.emails == {}


def test_buttondown_without_its_key_says_which_variable_to_set(composed_project):
    env = env_for("buttondown", {"api_url": "http://127.0.0.1:9/v1"})
    env.pop("BUTTONDOWN_API_KEY", None)
    result = send(composed_project, env)
    assert result.returncode == 1 and "BUTTONDOWN_API_KEY" in result.stderr


def test_an_unreachable_provider_is_retried_then_explained(composed_project):
    env = env_for("buttondown", {"api_url": "http://127.0.0.1:9/v1"}, BUTTONDOWN_API_KEY="k")
    result = send(composed_project, env)
    assert result.returncode == 1
    assert "Creating the Buttondown email failed 3 times; the last time: no connection" in (
        result.stdout
    )
    assert "Traceback" not in result.stdout + result.stderr


# --- Mailchimp --------------------------------------------------------------------


def test_contract_mailchimp_creates_a_regular_campaign_sets_content_and_sends(composed_project):
    with Mailchimp() as api:
        result = send(composed_project, mailchimp_env(api))
        assert result.returncode == 0, result.stdout + result.stderr
    assert api.calls() == [
        ("POST", "/3.0/campaigns"),
        ("PUT", "/3.0/campaigns/c41/content"),
        ("POST", "/3.0/campaigns/c41/actions/send"),
    ]
    basic = base64.b64encode(f"newsletter:{MAILCHIMP_KEY}".encode()).decode()
    for request in api.requests:
        assert request["headers"]["Authorization"] == f"Basic {basic}"
    create, content, go = api.requests
    assert create["body"]["type"] == "regular"
    assert create["body"]["recipients"] == {"list_id": "aud123"}
    settings = create["body"]["settings"]
    assert settings["subject_line"].startswith("Parts & Purpose Coaching #1: ")
    assert settings["from_name"] == "Jordan Avery"
    assert settings["reply_to"] == "jordan@coach.test"
    assert content["headers"]["Content-Type"] == "application/json"
    assert content["body"]["html"] == composed_html(composed_project)
    assert "*|UNSUB|*" in content["body"]["html"] and "*|UNSUB|*" in content["body"]["plain_text"]
    assert go["body"] is None
    assert api.campaigns["c41"]["status"] == "sending"
    assert recorded_issues(composed_project) == [1]


def test_mailchimp_a_failed_content_upload_leaves_no_orphan_campaign(composed_project):
    with Mailchimp() as api:
        api.fail("PUT", "/3.0/campaigns/c41/content", *[Answer(500, {"detail": "Down"})] * 3)
        first = send(composed_project, mailchimp_env(api))
        assert first.returncode == 1 and "HTTP 500" in first.stdout
        second = send(composed_project, mailchimp_env(api))
        assert second.returncode == 0, second.stdout + second.stderr
    assert api.calls().count(("POST", "/3.0/campaigns")) == 1, "the stored campaign is reused"
    assert list(api.campaigns) == ["c41"] and api.campaigns["c41"]["status"] == "sending"
    assert recorded_issues(composed_project) == [1]


@pytest.mark.parametrize("status", [*MAILCHIMP_STATUSES, "something_new"])
def test_mailchimp_each_documented_status_on_resume(composed_project, status):
    with Mailchimp() as api:
        api.fail("POST", "/3.0/campaigns/c41/actions/send", Answer(500, {"detail": "Oops"}))
        first = send(composed_project, mailchimp_env(api))
        assert first.returncode == 1
        assert api.calls().count(("POST", "/3.0/campaigns/c41/actions/send")) == 1, (
            "a send that may have happened is not repeated blindly"
        )
        api.campaigns["c41"]["status"] = status
        result = send(composed_project, mailchimp_env(api))
    if status in ("save", "sending", "sent"):
        assert result.returncode == 0, result.stdout + result.stderr
        assert recorded_issues(composed_project) == [1]
        sends = api.calls().count(("POST", "/3.0/campaigns/c41/actions/send"))
        assert sends == (2 if status == "save" else 1)
    else:
        assert result.returncode == 1, result.stdout
        assert f'The Mailchimp campaign c41 for this issue is "{status}": ' in result.stdout
        assert "Traceback" not in result.stdout + result.stderr
        assert recorded_issues(composed_project) == []


def test_mailchimp_429_on_send_is_retried(composed_project):
    with Mailchimp() as api:
        api.fail(
            "POST",
            "/3.0/campaigns/c41/actions/send",
            Answer(429, {"detail": "Too many"}, {"Retry-After": "0"}),
        )
        result = send(composed_project, mailchimp_env(api))
        assert result.returncode == 0, result.stdout + result.stderr
    assert api.calls().count(("POST", "/3.0/campaigns/c41/actions/send")) == 2
    assert recorded_issues(composed_project) == [1]


def test_mailchimp_a_create_that_times_out_is_not_repeated(composed_project):
    with Mailchimp() as api:
        api.slow_after_create = 1.0
        result = send(composed_project, mailchimp_env(api, timeout=0.3))
    assert result.returncode == 1 and "no answer within 0.3 s" in result.stdout
    assert api.calls() == [("POST", "/3.0/campaigns")], "a repeat could leave a second campaign"
    assert recorded_issues(composed_project) == []


def test_contract_mailchimp_test_send_deletes_its_campaign(composed_project):
    with Mailchimp() as api:
        result = send(composed_project, mailchimp_env(api), "--test", "coach@example.org")
        assert result.returncode == 0, result.stdout + result.stderr
    assert api.calls() == [
        ("POST", "/3.0/campaigns"),
        ("PUT", "/3.0/campaigns/c41/content"),
        ("POST", "/3.0/campaigns/c41/actions/test"),
        ("DELETE", "/3.0/campaigns/c41"),
    ]
    assert api.requests[2]["body"] == {"test_emails": ["coach@example.org"], "send_type": "html"}
    assert api.requests[0]["body"]["settings"]["subject_line"].startswith("[TEST] ")
    assert api.test_sends == [("c41", ["coach@example.org"])] and api.campaigns == {}
    assert recorded_issues(composed_project) == []


@pytest.mark.parametrize("key", ["nodatacenter", ""])
def test_mailchimp_key_problems_are_explained(composed_project, key):
    env = env_for("mailchimp", {"audience": "aud123"}, MAILCHIMP_API_KEY=key)
    result = send(composed_project, env)
    assert result.returncode == 1
    assert "MAILCHIMP_API_KEY" in result.stderr or "data center" in result.stderr


def test_mailchimp_data_center_comes_from_the_key(composed_project):
    with Mailchimp() as api:
        result = send(composed_project, mailchimp_env(api), "--dry-run")
    assert result.returncode == 0, result.stderr
    env = env_for("mailchimp", {"audience": "aud123"}, MAILCHIMP_API_KEY=MAILCHIMP_KEY)
    result = send(composed_project, env, "--dry-run")
    assert "https://us6.api.mailchimp.com/3.0/campaigns" in result.stdout
    assert api.requests == [], "a dry run makes no request"


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    assert retry_after_seconds("45") == 45
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0, "a date gone by: at once"
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= retry_after_seconds(later) <= 30


@pytest.mark.parametrize("provider", ["buttondown", "mailchimp"])
def test_a_draft_deleted_at_the_provider_is_explained_not_retried(composed_project, provider):
    stand_in, env, path = {
        "buttondown": (Buttondown, buttondown_env, "/v1/emails/em_1"),
        "mailchimp": (Mailchimp, mailchimp_env, "/3.0/campaigns/c41/content"),
    }[provider]
    with stand_in() as api:
        method = "PATCH" if provider == "buttondown" else "PUT"
        api.fail(method, path, *[Answer(500, {"detail": "Oops"})] * 3)
        assert send(composed_project, env(api)).returncode == 1
        made = api.emails if provider == "buttondown" else api.campaigns
        made.clear()
        result = send(composed_project, env(api))
        assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
        assert 'for this issue is "deleted": ' in result.stdout
        assert "delete the ledger (content/newsletter/sending.sqlite)" in result.stdout
        assert recorded_issues(composed_project) == []
        (composed_project / "content/newsletter/sending.sqlite").unlink()
        afresh = send(composed_project, env(api))
    assert afresh.returncode == 0, afresh.stdout + afresh.stderr
    assert list(made) == (["em_2"] if provider == "buttondown" else ["c42"])
    assert recorded_issues(composed_project) == [1]


@pytest.mark.parametrize("provider", ["buttondown", "mailchimp"])
def test_the_providers_merge_tag_replaces_the_footer_link_alone(composed_project, provider):
    """Buttondown fills in {{ unsubscribe_url }} and Mailchimp *|UNSUB|* for each
    reader; a setting that starts another link, or a quote of it, stays as it is."""
    setting = "https://www.example.com/newsletter/"
    set_unsubscribe(composed_project, setting)
    quote_in_newest_summary(composed_project, setting)
    stand_in, env, tag = {
        "buttondown": (Buttondown, buttondown_env, "{{ unsubscribe_url }}"),
        "mailchimp": (Mailchimp, mailchimp_env, "*|UNSUB|*"),
    }[provider]
    with stand_in() as api:
        result = send(composed_project, env(api))
        assert result.returncode == 0, result.stdout + result.stderr
    body = api.requests[0]["body"]["body"] if provider == "buttondown" else None
    if provider == "mailchimp":
        content = api.campaigns["c41"]["content"]
        body = content["html"]
        assert content["plain_text"].count(tag) == 1
        assert f"Quoting {setting} here." in content["plain_text"]
    assert footer_link(body) == tag and body.count(tag) == 1
    assert 'href="https://coach.test/newsletter/1/"' in body
    assert f"Quoting {setting} here." in body
    composed = composed_html(composed_project)
    assert footer_link(composed) == setting, "the composed email keeps the setting to paste"
    assert body == composed.replace(f'href="{setting}"', f'href="{tag}"')


def test_changing_the_backend_in_the_middle_of_an_issue_sends_nothing(composed_project):
    """Buttondown holds a draft of issue #1; switching to SMTP now would mail it a
    second time to everyone, so the run stops, naming both backends and the draft."""
    write_subscribers(composed_project, 3)
    with Buttondown() as api, MailServer() as server:
        api.fail("PATCH", "/v1/emails/em_1", *[Answer(503, {"detail": "Unavailable"})] * 3)
        assert send(composed_project, buttondown_env(api)).returncode == 1
        result = send(composed_project, smtp_env(server.port))
        assert server.mailbox.received == []
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert result.stderr.startswith(
        'Issue #1 was begun with the backend "buttondown" (its id there: em_1), but '
        'DIGEST["send"]["backend"] is now "smtp"'
    ), result.stderr
    assert 'Fix: set it back to "buttondown"' in result.stderr
    assert api.emails["em_1"]["status"] == "draft"
    assert recorded_issues(composed_project) == []


@pytest.mark.parametrize(
    "variable, key",
    [
        ("BUTTONDOWN_API_KEY", "bd-secret-key-123\n"),
        ("BUTTONDOWN_API_KEY", " bd-secret-key-123"),
        ("MAILCHIMP_API_KEY", "0123456789abcdef0123456789abcdef-us6\r\n"),
    ],
)
def test_an_api_key_with_a_space_or_line_break_is_refused_without_showing_it(
    composed_project, variable, key
):
    provider = variable.split("_")[0].lower()
    stand_in, env = {
        "buttondown": (Buttondown, buttondown_env),
        "mailchimp": (Mailchimp, mailchimp_env),
    }[provider]
    with stand_in() as api:
        result = send(composed_project, dict(env(api), **{variable: key}))
    assert result.returncode == 1 and api.requests == []
    output = result.stdout + result.stderr
    assert result.stderr.startswith(
        f"{variable} has a space or line break at its start or end. Fix: copy the key again"
    ), output
    assert key.strip() not in output and "Traceback" not in output
    assert recorded_issues(composed_project) == []
