"""Delivery through Mailchimp's Marketing API 3.0: POST /campaigns (type regular,
the audience as recipients.list_id), its id kept in the ledger at once, then PUT
/campaigns/{id}/content (html, plain_text) and POST /campaigns/{id}/actions/send.
A resumed run reads the campaign's status and goes on with the same campaign. A
test is POST /campaigns/{id}/actions/test on a campaign of its own, deleted
afterwards (DELETE /campaigns/{id}). HTTP basic authentication with the API key as
password; the key's suffix ("-us6") names the data center:
https://us6.api.mailchimp.com/3.0.
"""

from __future__ import annotations

import os
from email.utils import parseaddr

import requests

from .api import ApiClient, api_key, field, trusted_status
from .errors import ApiError, SendSetupError, number_setting
from .ledger import IssueSnapshot, Ledger
from .letters import personalise

# Campaign statuses, from Mailchimp's generated clients (mailchimp-marketing-python-sdk
# campaigns/types/list_campaigns_request_status.py: save, paused, schedule, sending,
# sent) and the API's campaign schema, which adds canceled, canceling and archived.
READY = "save"
DELIVERING = {"sending", "sent"}
STOPPED = {
    "paused": "it is paused (an RSS or automated campaign); check it in Mailchimp",
    "schedule": "it is scheduled; unschedule it in Mailchimp (Campaigns → the campaign → "
    "Unschedule) to send it now, or wait until it has gone out",
    "canceled": "its sending was cancelled in Mailchimp, so not everyone got it; replicate it "
    "in Mailchimp and send that copy to the rest, then run `invoke digest --mark-sent`",
    "canceling": "its sending is being cancelled in Mailchimp; see the campaign there",
    "archived": "it was archived in Mailchimp; check there whether it went out",
    # Not a Mailchimp status: the campaign is gone (404).
    "deleted": "it no longer exists in Mailchimp; delete the ledger "
    "(content/newsletter/sending.sqlite) to send the issue afresh as a new campaign",
}


def check_status(status: str, campaign_id: str) -> str:
    """The status when it is a draft or delivering; otherwise ProviderStateError."""
    states = {"ready": READY, "delivering": DELIVERING, "stopped": STOPPED}
    return trusted_status(status, states, "Mailchimp", f"campaign {campaign_id}")


class Mailchimp:
    name = "mailchimp"
    title = "Mailchimp"
    item = "campaign"
    merge_tag = "*|UNSUB|*"

    def __init__(self, settings: dict, environ=os.environ):
        self.settings = settings
        send = settings["DIGEST"]["send"]
        config = send.get("mailchimp") or {}
        self.audience = config.get("audience", "")
        if not self.audience:
            raise SendSetupError(
                'DIGEST["send"]["mailchimp"]["audience"] is empty. Fix: set it to your audience '
                "ID (Mailchimp: Audience → Settings → Audience name and defaults → Audience ID)"
            )
        key = api_key(config, "MAILCHIMP_API_KEY", environ)
        if "-" not in key:
            raise SendSetupError(
                "The Mailchimp API key has no data center suffix (like -us6). "
                "Fix: copy the whole key from Mailchimp: Profile → Extras → API keys"
            )
        datacenter = key.rsplit("-", 1)[1]
        self.datacenter = datacenter
        base = config.get("api_url") or f"https://{datacenter}.api.mailchimp.com/3.0"
        session = requests.Session()
        session.auth = ("newsletter", key)
        session.headers.update({"Accept": "application/json"})
        timeout = number_setting(
            config, "timeout", 60, 'DIGEST["send"]["mailchimp"]', positive=True
        )
        self.api = ApiClient(base, session, send, timeout)

    def describe(self) -> str:
        return f"a regular Mailchimp campaign ({self.api.base}/campaigns) to {self.audience}"

    def where(self, campaign_id: str) -> str:
        return (
            f"https://{self.datacenter}.admin.mailchimp.com/campaigns/ (Mailchimp: Campaigns, "
            f"the draft with the id {campaign_id})"
        )

    def status(self, campaign_id: str) -> str:
        return check_status(self._status(campaign_id), campaign_id)

    def is_draft(self, status: str) -> bool:
        return status == READY

    def create_draft(self, issue: IssueSnapshot, ledger: Ledger) -> str:
        """The issue's campaign, kept in the ledger at once, with its content set."""
        campaign_id = issue.remote_id
        if not campaign_id:
            campaign_id = self._create(issue.subject, issue)
            ledger.set_remote(issue.number, campaign_id, READY)
        self._set_content(campaign_id, issue)  # a PUT repeats safely
        return campaign_id

    def _create(self, subject: str, issue: IssueSnapshot) -> str:
        """A new campaign's id. Not repeated on a lost answer: Mailchimp has no
        idempotency key, and a repeat would leave a second campaign."""
        digest = self.settings["DIGEST"]
        name, address = parseaddr(digest["from"])
        reply_to = parseaddr(digest.get("reply_to") or "")[1] or address
        answer = self.api.request(
            "POST",
            "/campaigns",
            "Creating the Mailchimp campaign",
            {
                "type": "regular",
                "recipients": {"list_id": self.audience},
                "settings": {
                    "subject_line": subject,
                    "title": f"Newsletter #{issue.number}",
                    "from_name": name or self.settings["SITENAME"],
                    "reply_to": reply_to,
                },
            },
            repeatable=False,
        )
        return field(answer, "id", "Creating the Mailchimp campaign")

    def _set_content(self, campaign_id: str, issue: IssueSnapshot) -> None:
        page, text = personalise(issue, self.merge_tag)
        self.api.request(
            "PUT",
            f"/campaigns/{campaign_id}/content",
            "Setting the Mailchimp campaign's content",
            {"html": page, "plain_text": text},
        )

    def _status(self, campaign_id: str) -> str:
        try:
            answer = self.api.request(
                "GET", f"/campaigns/{campaign_id}", "Reading the Mailchimp campaign"
            )
        except ApiError as error:
            if error.status == 404:
                return "deleted"
            raise
        return answer.get("status", "")

    def send(self, issue: IssueSnapshot, ledger: Ledger) -> str:
        campaign_id = issue.remote_id
        if not campaign_id:
            campaign_id = self._create(issue.subject, issue)
            ledger.set_remote(issue.number, campaign_id, READY)  # before anything can fail
            status = READY
        else:
            status = check_status(self._status(campaign_id), campaign_id)
            ledger.set_remote(issue.number, campaign_id, status)
        if status == READY:
            self._set_content(campaign_id, issue)  # again on a resume: a PUT repeats safely
            self.api.request(
                "POST",
                f"/campaigns/{campaign_id}/actions/send",
                "Sending the Mailchimp campaign",
                repeatable=False,
            )
            status = "sending"
            ledger.set_remote(issue.number, campaign_id, status)
        return status

    def send_test(self, issue: IssueSnapshot, address: str) -> str:
        """Sends a [TEST] copy to `address` from a campaign of its own, then deletes
        it; returns a note when it could not be deleted."""
        campaign_id = self._create(f"[TEST] {issue.subject}", issue)
        try:
            self._set_content(campaign_id, issue)
            self.api.request(
                "POST",
                f"/campaigns/{campaign_id}/actions/test",
                "Sending the Mailchimp test",
                {"test_emails": [address], "send_type": "html"},
            )
        finally:
            note = self._delete(campaign_id)
        return note

    def _delete(self, campaign_id: str) -> str:
        try:
            self.api.request("DELETE", f"/campaigns/{campaign_id}", "Deleting the test campaign")
        except ApiError as error:
            return (
                f"The test campaign {campaign_id} is left in Mailchimp ({error}); delete it there."
            )
        return ""
