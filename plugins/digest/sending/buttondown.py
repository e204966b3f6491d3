"""Delivery through Buttondown's API (https://docs.buttondown.com/api-emails-create):
the issue becomes a draft (POST /v1/emails, with an X-Idempotency-Key so a create
repeated after a timeout returns the same email instead of a second one), then its
status is set to about_to_send (PATCH /v1/emails/{id}). A test goes through POST
/v1/emails/{id}/send-draft on a draft of its own, deleted afterwards
(DELETE /v1/emails/{id}). Header `Authorization: Token KEY`.
"""

from __future__ import annotations

import hashlib
import os
import uuid

import requests

from .api import ApiClient, api_key, field, trusted_status
from .errors import ApiError, ProviderStateError, number_setting
from .ledger import IssueSnapshot, Ledger
from .letters import personalise

# Email statuses, from Buttondown's OpenAPI file (buttondown/docs public/openapi.json,
# components.schemas.EmailStatus) and its status page (content/pages/api-emails-status.mdoc).
READY = "draft"
# Queued, being sent, sent, or sent and being resent: Buttondown delivers from here.
DELIVERING = {"about_to_send", "in_flight", "throttled", "sent", "resending"}
# Anything else stops the send: what to do about it in Buttondown.
STOPPED = {
    "scheduled": "it is scheduled to go out at its publish date; unschedule it (back to a "
    "draft) in Buttondown to send it now, or wait until it has gone out",
    "paused": "its sending was paused; resume it in Buttondown",
    "errored": "Buttondown hit an error while sending it; see the email in Buttondown and "
    "write to Buttondown's support",
    "deleted": "it was deleted in Buttondown; restore it there, or delete the ledger "
    "(content/newsletter/sending.sqlite) to send the issue afresh as a new email",
    "suppressed": "Buttondown suppressed it (see its suppression_reason in Buttondown); "
    "write to Buttondown's support",
    "managed_by_rss": "Buttondown's RSS automation owns it; finish it in Buttondown",
    "imported": "it is marked as imported from another service, not sent; check it in Buttondown",
    "transactional": "it is a transactional email, not a newsletter; check it in Buttondown",
}


def check_status(status: str, email_id: str) -> str:
    """The status when it is a draft or delivering; otherwise ProviderStateError."""
    states = {"ready": READY, "delivering": DELIVERING, "stopped": STOPPED}
    return trusted_status(status, states, "Buttondown", f"email {email_id}")


class Buttondown:
    name = "buttondown"
    title = "Buttondown"
    item = "email"
    merge_tag = "{{ unsubscribe_url }}"

    def __init__(self, settings: dict, environ=os.environ):
        self.settings = settings
        send = settings["DIGEST"]["send"]
        config = send.get("buttondown") or {}
        base = config.get("api_url", "https://api.buttondown.com/v1").rstrip("/")
        session = requests.Session()
        session.headers.update(
            {
                "Authorization": f"Token {api_key(config, 'BUTTONDOWN_API_KEY', environ)}",
                "Accept": "application/json",
            }
        )
        timeout = number_setting(
            config, "timeout", 60, 'DIGEST["send"]["buttondown"]', positive=True
        )
        self.api = ApiClient(base, session, send, timeout)

    def describe(self) -> str:
        return f"a Buttondown email (POST {self.api.base}/emails) to your Buttondown subscribers"

    def where(self, email_id: str) -> str:
        return f"https://buttondown.com/emails/{email_id} (Buttondown: Emails → Drafts)"

    def status(self, email_id: str) -> str:
        return check_status(self._status(email_id), email_id)

    def is_draft(self, status: str) -> bool:
        return status == READY

    def create_draft(self, issue: IssueSnapshot, ledger: Ledger) -> str:
        """The issue's draft (the same one on a repeated create: the idempotency key)."""
        if issue.remote_id:
            return issue.remote_id
        email_id = self._create_draft(issue.subject, issue, self._issue_key(issue))
        ledger.set_remote(issue.number, email_id, READY)
        return email_id

    def _body(self, issue: IssueSnapshot) -> str:
        return personalise(issue, self.merge_tag)[0]

    def _create_draft(self, subject: str, issue: IssueSnapshot, key: str) -> str:
        body = self._body(issue)
        answer = self.api.request(
            "POST",
            "/emails",
            "Creating the Buttondown email",
            {"subject": subject, "body": body, "status": "draft"},
            headers={"X-Idempotency-Key": key},
        )
        return field(answer, "id", "Creating the Buttondown email")

    def _issue_key(self, issue: IssueSnapshot) -> str:
        """The same issue, begun once in the ledger, always gets the same key: a create
        repeated after a timeout (in this run or the next) returns the email the first
        one made; a ledger deleted to start afresh makes a new one."""
        content = "\n".join([self.api.base, issue.started, issue.subject, self._body(issue)])
        return f"newsletter-{issue.number}-{hashlib.sha256(content.encode()).hexdigest()[:40]}"

    def _status(self, email_id: str) -> str:
        try:
            answer = self.api.request("GET", f"/emails/{email_id}", "Reading the Buttondown email")
        except ApiError as error:
            if error.status == 404:  # gone for good: the same advice as "deleted"
                return "deleted"
            raise
        return answer.get("status", "")

    def send(self, issue: IssueSnapshot, ledger: Ledger) -> str:
        """Sends the issue once; returns Buttondown's status once it is delivering.
        Raises ProviderStateError for any other status, ApiError when it cannot ask."""
        email_id = issue.remote_id
        if not email_id:
            email_id = self._create_draft(issue.subject, issue, self._issue_key(issue))
            ledger.set_remote(issue.number, email_id, READY)
            status = READY
        else:
            status = check_status(self._status(email_id), email_id)
            ledger.set_remote(issue.number, email_id, status)
        if status == READY:
            answer = self.api.request(
                "PATCH",
                f"/emails/{email_id}",
                "Sending the Buttondown email",
                {"status": "about_to_send"},
            )
            status = check_status(answer.get("status", "about_to_send"), email_id)
            ledger.set_remote(issue.number, email_id, status)
            if status == READY:
                raise ProviderStateError(
                    f"Buttondown kept the email {email_id} as a draft. Nothing is recorded as "
                    "sent; run the command again"
                )
        return status

    def send_test(self, issue: IssueSnapshot, address: str) -> str:
        """Sends a [TEST] copy to `address` from a draft of its own, then deletes that
        draft; returns a note when the draft could not be deleted."""
        email_id = self._create_draft(f"[TEST] {issue.subject}", issue, f"test-{uuid.uuid4()}")
        try:
            self.api.request(
                "POST",
                f"/emails/{email_id}/send-draft",
                "Sending the Buttondown test",
                {"recipients": [address]},
            )
        finally:
            note = self._delete(email_id)
        return note

    def _delete(self, email_id: str) -> str:
        try:
            self.api.request("DELETE", f"/emails/{email_id}", "Deleting the test draft")
        except ApiError as error:
            return f"The test draft {email_id} is left in Buttondown ({error}); delete it there."
        return ""
