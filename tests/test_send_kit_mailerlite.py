"""The Kit and MailerLite backends against local stand-ins that answer as their API
references say (provider_stand_ins.py): what each request sends, a crash after the
provider made the broadcast but before its id was known (one broadcast in the end),
429s waited out (Kit: no Retry-After, its documented window; MailerLite: Retry-After),
and statuses that stop the run."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time

import pytest
from provider_stand_ins import KIT_STATUSES, MAILERLITE_STATUSES, Answer, Kit, MailerLite

from sending_helpers import invoke_args, recorded_issues, send

KIT_KEY = "kit-test-key-123"
MAILERLITE_KEY = "ml-test-token-456"
FAST = {"retries": 2, "backoff_seconds": 0.01}


def kit_env(api: Kit, timeout: float = 5, window: float = 0.3, **send_settings) -> dict:
    config = {"api_url": api.url, "timeout": timeout, "rate_limit_wait_seconds": window}
    settings = {"backend": "kit", "kit": config, **FAST, **send_settings}
    return dict(os.environ, DIGEST_SEND=json.dumps(settings), KIT_API_KEY=KIT_KEY)


def mailerlite_env(api: MailerLite, timeout: float = 5, **send_settings) -> dict:
    config = {"api_url": api.url, "timeout": timeout, "groups": ["111", "222"]}
    settings = {"backend": "mailerlite", "mailerlite": config, **FAST, **send_settings}
    return dict(os.environ, DIGEST_SEND=json.dumps(settings), MAILERLITE_API_KEY=MAILERLITE_KEY)


def composed_html(project) -> str:
    return (project / "newsletter-issue/email.html").read_text()


def ledger_issue(project) -> tuple[str, str]:
    with sqlite3.connect(project / "content/newsletter/sending.sqlite") as db:
        return db.execute("SELECT remote_id, remote_state FROM issues").fetchone()


def ours(api) -> list[dict]:
    """The broadcasts or campaigns this ledger made (their marker: issue #1, begun 20..)."""
    if isinstance(api, Kit):
        made = [(b, b.get("description")) for b in api.broadcasts.values()]
    else:
        made = [(c, c["name"]) for c in api.campaigns.values()]
    return [item for item, mark in made if str(mark).startswith("Newsletter #1 (begun 20")]


# A schedule that fails: Kit's PUT may be repeated (retries=2: three answers), while
# MailerLite's schedule is not repeated blindly (one answer), as it may have acted.
FAILING_SCHEDULE = {
    "kit": ("PUT", r"/v4/broadcasts/\d+", 3),
    "mailerlite": ("POST", r"/api/campaigns/\d+/schedule", 1),
}


PROVIDERS = {"kit": (Kit, kit_env), "mailerlite": (MailerLite, mailerlite_env)}


# --- a send -------------------------------------------------------------------------


def test_contract_kit_makes_a_draft_broadcast_then_schedules_it_for_now(composed_project):
    with Kit() as api:
        result = send(composed_project, kit_env(api))
        assert result.returncode == 0, result.stdout + result.stderr
        again = send(composed_project, kit_env(api))
    assert again.returncode == 0 and "Nothing to send" in again.stdout
    assert api.calls() == [
        ("POST", "/v4/broadcasts"),
        ("GET", "/v4/broadcasts/101"),
        ("PUT", "/v4/broadcasts/101"),
    ]
    create, _, schedule = api.requests
    for request in api.requests:
        assert request["headers"]["X-Kit-Api-Key"] == KIT_KEY
    body = create["body"]
    assert body["send_at"] is None, "send_at null saves a draft"
    assert body["public"] is False
    assert body["subscriber_filter"] == [{"all": [{"type": "all_subscribers"}]}]
    assert body["subject"].startswith("Parts & Purpose Coaching #1: ")
    assert body["description"].startswith("Newsletter #1 (begun ")
    expected = composed_html(composed_project).replace("*|UNSUB|*", "{{ unsubscribe_url }}")
    assert body["content"] == expected
    assert schedule["body"]["send_at"].endswith("Z")
    assert schedule["body"]["subject"] == body["subject"]
    assert api.broadcasts[101]["status"] == "scheduled"
    assert recorded_issues(composed_project) == [1]
    assert ledger_issue(composed_project) == ("101", "scheduled")


def test_contract_mailerlite_makes_a_regular_campaign_then_schedules_it_instantly(
    composed_project,
):
    with MailerLite() as api:
        result = send(composed_project, mailerlite_env(api))
        assert result.returncode == 0, result.stdout + result.stderr
    [campaign] = api.campaigns.values()
    cid = campaign["id"]
    assert api.calls() == [
        ("POST", "/api/campaigns"),
        ("GET", f"/api/campaigns/{cid}"),
        ("POST", f"/api/campaigns/{cid}/schedule"),
    ]
    create, _, schedule = api.requests
    for request in api.requests:
        assert request["headers"]["Authorization"] == f"Bearer {MAILERLITE_KEY}"
        assert request["headers"]["Accept"] == "application/json"
    body = create["body"]
    assert body["type"] == "regular" and body["groups"] == ["111", "222"]
    assert body["name"].startswith("Newsletter #1 (begun ")
    [email] = body["emails"]
    assert email["subject"].startswith("Parts & Purpose Coaching #1: ")
    assert (email["from_name"], email["from"]) == ("Jordan Avery", "jordan@coach.test")
    expected = composed_html(composed_project).replace("*|UNSUB|*", "{$unsubscribe}")
    assert email["content"] == expected
    assert schedule["body"] == {"delivery": "instant"}
    assert campaign["status"] == "ready"
    assert recorded_issues(composed_project) == [1]


def test_mailerlite_without_groups_says_what_to_write(composed_project):
    env = dict(
        os.environ,
        DIGEST_SEND=json.dumps({"backend": "mailerlite", "mailerlite": {}}),
        MAILERLITE_API_KEY="x",
    )
    result = send(composed_project, env)
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert result.stderr.startswith('DIGEST["send"]["mailerlite"]["groups"] is []. Fix: write')


def test_a_refused_create_shows_the_providers_reply(composed_project):
    with MailerLite() as api:
        env = mailerlite_env(api)
        env["DIGEST_SEND"] = env["DIGEST_SEND"].replace('"backend"', '"retries": 0, "backend"')
        api.fail(
            "POST",
            "/api/campaigns",
            Answer(422, {"message": "The emails.0.from must be verified.", "errors": {}}),
        )
        result = send(composed_project, env)
    assert result.returncode == 1
    assert "Creating the MailerLite campaign failed: HTTP 422: The emails.0.from must be" in (
        result.stdout
    )
    assert recorded_issues(composed_project) == []


# --- a crash between create and send ------------------------------------------------


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_killed_after_the_provider_made_it_one_broadcast_in_the_end(composed_project, provider):
    """The create reaches the provider, then the run is killed before it learns the
    id: the next run finds the broadcast by subject and marker (paging past the
    account's other ones) instead of making a second one, then sends it."""
    stand_in, env = PROVIDERS[provider]
    with stand_in() as api:
        if provider == "mailerlite":  # 25 a page, oldest first: ours on the second page
            for n in range(30):
                api.add(f"Newsletter #{n} (begun long ago)", f"Old issue {n}", status="draft")
        api.slow_after_create = 30  # made at once, answered (too) late
        child = subprocess.Popen(
            invoke_args("send-digest"),
            cwd=composed_project,
            env=env(api, timeout=60),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not ours(api) and time.monotonic() < deadline:
            time.sleep(0.05)
        child.kill()  # SIGKILL: the id never reaches the ledger
        child.wait()
        assert len(ours(api)) == 1
        assert ledger_issue(composed_project) == ("", "creating")
        if provider == "kit":  # 1000 a page, newest first: ours on the second page
            for n in range(1005):
                api.add(f"Old issue {n}", f"Newsletter #{n % 3} (begun long ago)")
        api.slow_after_create = 0
        result = send(composed_project, env(api))
        assert result.returncode == 0, result.stdout + result.stderr
    [made] = ours(api)
    assert made["status"] in ("scheduled", "ready"), "sent: scheduled for now / in the outbox"
    creates = [r for r in api.requests if r["method"] == "POST" and r["path"].count("/") == 2]
    assert len(creates) == 1, "no second create"
    lookups = [r["path"] for r in api.requests if r["method"] == "GET" and "?" in r["path"]]
    assert len(lookups) == 2, "it looked, to the second page, where ours is"
    assert "after=" in lookups[1] or "page=2" in lookups[1]
    assert recorded_issues(composed_project) == [1]
    assert ledger_issue(composed_project) == (str(made["id"]), made["status"])


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_a_failed_schedule_resumes_with_the_same_broadcast(composed_project, provider):
    stand_in, env = PROVIDERS[provider]
    with stand_in() as api:
        method, path, count = FAILING_SCHEDULE[provider]
        api.fail(method, path, *[Answer(503, {"errors": ["Unavailable"]})] * count)
        first = send(composed_project, env(api))
        assert first.returncode == 1 and "HTTP 503" in first.stdout
        assert recorded_issues(composed_project) == []
        second = send(composed_project, env(api))
        assert second.returncode == 0, second.stdout + second.stderr
    assert len(ours(api)) == 1 and ours(api)[0]["status"] in ("scheduled", "ready")
    assert recorded_issues(composed_project) == [1]


# --- 429 ------------------------------------------------------------------------


def test_kit_429_without_retry_after_waits_its_window_then_doubles(composed_project):
    """Kit's 429 is the text "Retry later" with no Retry-After; the wait is the
    documented window (here shortened by rate_limit_wait_seconds=0.3), then twice it;
    backoff_seconds (0.01) is not what waits."""
    limited = Answer(429, text="Retry later")
    with Kit() as api:
        api.fail("POST", "/v4/broadcasts", limited, Answer(429, text="Retry later"))
        result = send(composed_project, kit_env(api, window=0.3))
        assert result.returncode == 0, result.stdout + result.stderr
    first, second, third = (r for r in api.requests if r["method"] == "POST")
    assert second["at"] - first["at"] >= 0.3
    assert third["at"] - second["at"] >= 0.6
    assert len(api.broadcasts) == 1 and recorded_issues(composed_project) == [1]


def test_kit_429s_past_the_retries_stop_with_kits_words(composed_project):
    with Kit() as api:
        api.fail("POST", "/v4/broadcasts", *[Answer(429, text="Retry later")] * 3)
        result = send(composed_project, kit_env(api, window=0.05))
    assert result.returncode == 1
    assert "Creating the Kit broadcast failed 3 times; the last time: HTTP 429: Retry later" in (
        result.stdout
    )
    assert api.broadcasts == {} and recorded_issues(composed_project) == []


def test_mailerlite_429_waits_as_long_as_retry_after_says(composed_project):
    limited = Answer(
        429,
        {"message": "Too Many Attempts."},
        {"Retry-After": "1", "X-RateLimit-Limit": "120", "X-RateLimit-Remaining": "0"},
    )
    with MailerLite() as api:
        api.fail("POST", "/api/campaigns", limited)
        result = send(composed_project, mailerlite_env(api))
        assert result.returncode == 0, result.stdout + result.stderr
    first, second = (r for r in api.requests if r["path"] == "/api/campaigns")
    assert second["at"] - first["at"] >= 1.0, "Retry-After: 1 is honoured (backoff is 0.01 s)"
    assert len(api.campaigns) == 1 and recorded_issues(composed_project) == [1]


# --- statuses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "provider, status",
    [("kit", s) for s in (*KIT_STATUSES, "something_new")]
    + [("mailerlite", s) for s in (*MAILERLITE_STATUSES, "something_new")],
)
def test_each_status_on_resume(composed_project, provider, status):
    stand_in, env = PROVIDERS[provider]
    with stand_in() as api:
        method, path, count = FAILING_SCHEDULE[provider]
        api.fail(method, path, *[Answer(500, {"errors": ["Oops"]})] * count)
        assert send(composed_project, env(api)).returncode == 1
        [made] = ours(api)
        schedule_path = {
            "kit": f"/v4/broadcasts/{made['id']}",
            "mailerlite": f"/api/campaigns/{made['id']}/schedule",
        }[provider]
        made["status"] = status  # what happened meanwhile in the provider
        if status == "scheduled":
            made["send_at"] = "2026-01-01T09:00:00Z"  # due: Kit sends it
        result = send(composed_project, env(api))
    schedules = [r for r in api.requests if (r["method"], r["path"]) == (method, schedule_path)]
    if status in ("draft", "scheduled", "sending", "completed", "ready", "sent"):
        assert result.returncode == 0, result.stdout + result.stderr
        assert recorded_issues(composed_project) == [1]
        assert len(schedules) == count + (status == "draft"), "a delivering one is left"
    else:
        assert result.returncode == 1, result.stdout
        title = {"kit": "Kit broadcast", "mailerlite": "MailerLite campaign"}[provider]
        assert f'The {title} {made["id"]} for this issue is "{status}": ' in result.stdout
        assert "Nothing is recorded as sent" in result.stdout
        assert "Traceback" not in result.stdout + result.stderr
        assert len(schedules) == count, "nothing is scheduled"
        assert recorded_issues(composed_project) == []


def test_kit_a_broadcast_scheduled_for_later_in_kit_stops_the_run(composed_project):
    with Kit() as api:
        api.fail("PUT", r"/v4/broadcasts/\d+", *[Answer(500, {"errors": ["Oops"]})] * 3)
        assert send(composed_project, kit_env(api)).returncode == 1
        api.broadcasts[101].update(status="scheduled", send_at="2099-05-01T09:00:00Z")
        result = send(composed_project, kit_env(api))
    assert result.returncode == 1
    assert 'The Kit broadcast 101 for this issue is "scheduled": it is scheduled for ' in (
        result.stdout
    )
    assert "2099-05-01T09:00:00Z" in result.stdout and recorded_issues(composed_project) == []


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_a_test_send_is_refused_with_the_way_to_test(composed_project, provider):
    stand_in, env = PROVIDERS[provider]
    with stand_in() as api:
        result = send(composed_project, env(api), "--test", "coach@example.org")
    assert result.returncode == 1 and api.requests == []
    assert "API has no test send. Nothing was sent." in result.stderr
    assert '"mode"] to "draft"' in result.stderr


def test_kit_sends_to_the_chosen_segments_and_tags_or_says_what_to_write(composed_project):
    with Kit() as api:
        env = kit_env(api)
        chosen = json.loads(env["DIGEST_SEND"])
        chosen["kit"].update(segment_ids=[18], tag_ids=[7, 9], email_template_id=2)
        good = dict(env, DIGEST_SEND=json.dumps(chosen))
        chosen["kit"]["tag_ids"] = "7"
        bad = dict(env, DIGEST_SEND=json.dumps(chosen))
        refused = send(composed_project, bad)
        assert refused.returncode == 1 and api.requests == []
        assert refused.stderr.startswith('DIGEST["send"]["kit"]["tag_ids"] is \'7\'. Fix: write')
        result = send(composed_project, good)
        assert result.returncode == 0, result.stdout + result.stderr
    body = api.requests[0]["body"]
    assert body["subscriber_filter"] == [
        {"any": [{"type": "segment", "ids": [18]}, {"type": "tag", "ids": [7, 9]}]}
    ]
    assert body["email_template_id"] == 2 and "email_address" not in body
