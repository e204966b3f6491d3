"""Draft mode (DIGEST["send"]["mode"] = "draft") for every provider: the issue is
made once as a draft in the provider, the command says where to open it, the ledger
says "created, not sent", later runs make no second draft and record nothing, and
`invoke send-digest --mark-sent` records the issue only once the provider says the
coach sent it."""

from __future__ import annotations

import sqlite3

import pytest
from provider_stand_ins import Buttondown, Kit, Mailchimp, MailerLite
from test_send_api import buttondown_env, mailchimp_env
from test_send_kit_mailerlite import kit_env, mailerlite_env

from sending_helpers import recorded_issues, send

# stand-in, settings, what it holds, its name, where to open it, a status once sent
PROVIDERS = {
    "buttondown": (
        Buttondown,
        buttondown_env,
        "emails",
        "Buttondown",
        "https://buttondown.com/emails/",
        "sent",
    ),
    "mailchimp": (
        Mailchimp,
        mailchimp_env,
        "campaigns",
        "Mailchimp",
        "https://us6.admin.mailchimp.com/campaigns/",
        "sent",
    ),
    "kit": (Kit, kit_env, "broadcasts", "Kit", "https://app.kit.com/campaigns/", "completed"),
    "mailerlite": (
        MailerLite,
        mailerlite_env,
        "campaigns",
        "MailerLite",
        "https://dashboard.mailerlite.com/campaigns",
        "sent",
    ),
}
DRAFT_STATUS = {"buttondown": "draft", "mailchimp": "save", "kit": "draft", "mailerlite": "draft"}


def ledger_issue(project) -> tuple[str, str, str]:
    with sqlite3.connect(project / "content/newsletter/sending.sqlite") as db:
        return db.execute("SELECT remote_id, remote_state, finished FROM issues").fetchone()


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_draft_mode_makes_one_draft_across_three_runs_then_mark_sent(composed_project, provider):
    stand_in, env_for, held, title, where, sent = PROVIDERS[provider]
    with stand_in() as api:
        env = env_for(api, mode="draft")
        runs = [send(composed_project, env) for _ in range(3)]
        made = getattr(api, held)
        for result in runs:
            assert result.returncode == 0, result.stdout + result.stderr
            assert "Traceback" not in result.stdout + result.stderr
        assert len(made) == 1, "one draft, however many runs"
        [(remote_id, item)] = made.items()
        assert item["status"] == DRAFT_STATUS[provider], "left as a draft, not sent"
        first, *later = (r.stdout for r in runs)
        assert f"Issue #1 is a draft in {title}, not sent" in first
        assert f"open it at {where}" in first and str(remote_id) in first
        assert "run `invoke send-digest --mark-sent`" in first
        for output in later:
            assert f"Issue #1 is already a draft in {title}" in output
            assert "no second one made" in output and where in output
        assert ledger_issue(composed_project) == (str(remote_id), "created, not sent", "")
        assert recorded_issues(composed_project) == []
        if provider == "mailchimp":  # a draft with its content, ready to look at
            assert "*|UNSUB|*" in item["content"]["html"]

        early = send(composed_project, env, "--mark-sent")
        assert early.returncode == 1 and "Traceback" not in early.stdout + early.stderr
        assert f"{title} says the" in early.stderr and "is still a draft" in early.stderr
        assert recorded_issues(composed_project) == []

        item["status"] = sent  # the coach sent it from the provider's site
        marked = send(composed_project, env, "--mark-sent")
        assert marked.returncode == 0, marked.stdout + marked.stderr
        assert f'Issue #1: {title} says "{sent}".' in marked.stdout
        assert recorded_issues(composed_project) == [1]
        again = send(composed_project, env, "--mark-sent")
    assert again.returncode == 1 and "none is waiting" in again.stderr
    assert recorded_issues(composed_project) == [1]
    creates = [r for r in api.requests if r["method"] == "POST" and r["path"].count("/") == 2]
    assert len(creates) == 1


def test_a_draft_sent_from_the_provider_is_noticed_but_recorded_only_by_mark_sent(
    composed_project,
):
    with Kit() as api:
        assert send(composed_project, kit_env(api, mode="draft")).returncode == 0
        api.broadcasts[101]["status"] = "completed"
        result = send(composed_project, kit_env(api, mode="draft"))
    assert result.returncode == 0
    assert 'Issue #1 is "completed" in Kit' in result.stdout
    assert "run `invoke send-digest --mark-sent` to record it" in result.stdout
    assert recorded_issues(composed_project) == [] and len(api.broadcasts) == 1


def test_switching_from_draft_to_send_sends_that_same_draft(composed_project):
    with MailerLite() as api:
        assert send(composed_project, mailerlite_env(api, mode="draft")).returncode == 0
        result = send(composed_project, mailerlite_env(api))
        assert result.returncode == 0, result.stdout + result.stderr
    [campaign] = api.campaigns.values()
    assert campaign["status"] == "ready" and recorded_issues(composed_project) == [1]


@pytest.mark.parametrize(
    "settings, words",
    [
        ({"mode": "drafts"}, 'DIGEST["send"]["mode"] is \'drafts\'. Fix: write "send"'),
        ({"mode": "draft", "backend": "smtp"}, 'is "draft", but SMTP has no drafts'),
    ],
)
def test_a_mode_that_cannot_work_is_refused(composed_project, settings, words):
    with Kit() as api:
        result = send(composed_project, kit_env(api, **settings))
    assert result.returncode == 1 and api.requests == []
    assert words in result.stderr and "Traceback" not in result.stderr


def test_mark_sent_without_a_provider_draft_points_to_digest_mark_sent(composed_project):
    with Kit() as api:
        result = send(composed_project, kit_env(api), "--mark-sent")
    assert result.returncode == 1 and api.requests == []
    assert "`invoke digest --mark-sent`" in result.stderr
    assert recorded_issues(composed_project) == []
