"""Draft mode (DIGEST["send"]["mode"] = "draft") and `invoke send-digest --mark-sent`.

In draft mode the issue is made in the provider as a draft and left there: the
ledger records it as "created, not sent" with the provider's id, so a later run
neither makes a second draft nor records the issue as sent. The coach looks at it,
sends it from the provider's site, then runs `invoke send-digest --mark-sent`,
which asks the provider first and records the issue only once the provider says
it went out (or is going out).
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import SendSetupError
from .ledger import IssueSnapshot, Ledger

MODES = ("send", "draft")
DRAFT_CREATED = "created, not sent"  # the ledger's remote_state for a draft left to the coach


def send_mode(send: dict, backend: str) -> str:
    """DIGEST["send"]["mode"], checked: "send" (the default) or "draft" (a provider only)."""
    mode = send.get("mode") or "send"
    if mode not in MODES:
        raise SendSetupError(
            f'DIGEST["send"]["mode"] is {mode!r}. Fix: write "send" (send the issue) or '
            '"draft" (make it a draft in your provider, to look at and send yourself)'
        )
    if mode == "draft" and backend == "smtp":
        raise SendSetupError(
            'DIGEST["send"]["mode"] is "draft", but SMTP has no drafts. Nothing was sent. '
            'Fix: set "mode" to "send", or run `invoke digest` and read '
            "newsletter-issue/email.html (or `invoke send-digest --test you@example.com`)"
        )
    return mode


def _after(backend) -> str:
    return (
        f"After you sent it from {backend.title}, run `invoke send-digest --mark-sent` "
        "to record it."
    )


def make_draft(backend, issue: IssueSnapshot, ledger: Ledger, say: Callable) -> int:
    """Makes the issue a draft in the provider once and says where to open it."""
    where = f"{backend.title} {backend.item}"
    if issue.remote_id:
        status = backend.status(issue.remote_id)  # ProviderStateError when stopped or gone
        if issue.remote_state == DRAFT_CREATED and backend.is_draft(status):
            say(
                f"Issue #{issue.number} is already a draft in {backend.title} ({where} "
                f"{issue.remote_id}; no second one made): open it at "
                f"{backend.where(issue.remote_id)}. " + _after(backend)
            )
            return 0
        if not backend.is_draft(status):
            say(
                f'Issue #{issue.number} is "{status}" in {backend.title} ({where} '
                f"{issue.remote_id}): it has gone out or is going out. Nothing is recorded "
                "yet: run `invoke send-digest --mark-sent` to record it as sent."
            )
            return 0
    remote_id = backend.create_draft(issue, ledger)
    ledger.set_remote(issue.number, remote_id, DRAFT_CREATED)
    say(
        f"Issue #{issue.number} is a draft in {backend.title}, not sent ({where} "
        f"{remote_id}): open it at {backend.where(remote_id)}. " + _after(backend)
    )
    return 0


def check_mark_sent(backend, issue: IssueSnapshot | None) -> str:
    """The provider's status of the issue the coach says they sent; SendSetupError
    when there is none, or it is still a draft (so nothing is recorded)."""
    if issue is None or not issue.remote_id:
        raise SendSetupError(
            "--mark-sent records an issue that send-digest made as a draft in your "
            "provider, and none is waiting. Nothing was recorded. Fix: for an issue you "
            "sent another way, run `invoke digest --mark-sent`"
        )
    if issue.backend != backend.name:
        raise SendSetupError(
            f'Issue #{issue.number} was made with the backend "{issue.backend}", but '
            f'DIGEST["send"]["backend"] is now "{backend.name}". Nothing was recorded. Fix: '
            f'set it back to "{issue.backend}" and run `invoke send-digest --mark-sent` again'
        )
    status = backend.status(issue.remote_id)
    if backend.is_draft(status):
        raise SendSetupError(
            f"{backend.title} says the {backend.item} {issue.remote_id} for issue "
            f'#{issue.number} is still a draft ("{status}"), so it is not recorded as sent. '
            f"Fix: send it from {backend.where(issue.remote_id)}, then run "
            "`invoke send-digest --mark-sent` again"
        )
    return status
