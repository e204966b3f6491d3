"""Delivery through MailerLite's API (https://connect.mailerlite.com/api): the issue
becomes a regular campaign to the chosen groups (POST /api/campaigns), its id is
kept in the ledger, then it is scheduled for now (POST /api/campaigns/{id}/schedule
with delivery "instant"). Header `Authorization: Bearer KEY`, JSON both ways.

MailerLite documents no idempotency key, so the create is never repeated blindly:
the ledger says "creating" before it is sent, and a run that finds that state
without an id looks through GET /api/campaigns (each status, every page) for the
campaign with this issue's subject and marker (its internal `name`) first.

Documentation used:
- conventions, authentication, errors, rate limits:
  https://developers.mailerlite.com/docs/ (base URL https://connect.mailerlite.com/api;
  "Content-Type: application/json", "Accept: application/json";
  "Authorization: Bearer XXX"; 120 requests a minute, a 429 carries Retry-After and
  X-RateLimit-Remaining; a 422 has {"message", "errors"})
- campaigns: https://developers.mailerlite.com/docs/campaigns.html
  - create: POST /api/campaigns: name, type "regular", emails[{subject, from_name,
    from, content}], groups; 201 {"data": {"id", "status": "draft", ...}}
  - schedule: POST /api/campaigns/{campaign_id}/schedule, {"delivery": "instant"}
  - read: GET /api/campaigns/{campaign_id}; 404 for one that is gone
  - list: GET /api/campaigns: filter[status] one of sent, draft, ready (defaults to
    ready), filter[type], limit (defaults to 25), page; "meta": {"current_page",
    "last_page"}
"""

from __future__ import annotations

import os
from email.utils import parseaddr
from urllib.parse import urlencode

import requests

from .api import ApiClient, api_key, created_once, issue_marker
from .errors import ApiError, ProviderStateError, SendSetupError, number_setting
from .ledger import IssueSnapshot, Ledger
from .letters import personalise

# Campaign statuses: the values filter[status] takes (campaigns.html): a draft, a
# campaign "ready" in the outbox to go out, and a sent one.
READY = "draft"
DELIVERING = {"ready", "sent"}
LISTED = ("draft", "ready", "sent")
STOPPED = {
    # Not a MailerLite status: the campaign is gone (404).
    "deleted": "it no longer exists in MailerLite; delete the ledger "
    "(content/newsletter/sending.sqlite) to send the issue afresh as a new campaign",
}
PAGE_SIZE = 25  # the documented default of `limit`


class MailerLite:
    name = "mailerlite"
    title = "MailerLite"
    # MailerLite's variable for each reader's unsubscribe link (the plain-text
    # example in campaigns.html: "Click here to unsubscribe: {$unsubscribe}").
    merge_tag = "{$unsubscribe}"
    item = "campaign"

    def __init__(self, settings: dict, environ=os.environ):
        self.settings = settings
        send = settings["DIGEST"]["send"]
        config = send.get("mailerlite") or {}
        where = 'DIGEST["send"]["mailerlite"]'
        groups = config.get("groups") or []
        if not (isinstance(groups, list) and groups and all(str(g).strip() for g in groups)):
            raise SendSetupError(
                f'{where}["groups"] is {groups!r}. Fix: write the ids of the groups to send '
                'to, like ["123456789012345678"] (MailerLite: Subscribers → Groups → the '
                "group; its id is in the page's address)"
            )
        self.groups = [str(g).strip() for g in groups]
        base = config.get("api_url", "https://connect.mailerlite.com/api").rstrip("/")
        session = requests.Session()
        session.headers.update(
            {
                "Authorization": f"Bearer {api_key(config, 'MAILERLITE_API_KEY', environ)}",
                "Accept": "application/json",
            }
        )
        timeout = number_setting(config, "timeout", 60, where, positive=True)
        self.api = ApiClient(base, session, send, timeout)

    def describe(self) -> str:
        return (
            f"a regular MailerLite campaign (POST {self.api.base}/campaigns) to the groups "
            + ", ".join(self.groups)
            + ', scheduled with delivery "instant"'
        )

    def where(self, campaign_id: str) -> str:
        return (
            "https://dashboard.mailerlite.com/campaigns (MailerLite: Campaigns → Drafts, "
            f"the campaign {campaign_id})"
        )

    def _campaign(self, answer: dict, what: str) -> dict:
        data = answer.get("data")
        if not isinstance(data, dict) or not str(data.get("id") or ""):
            raise ApiError(f"{what}: the answer has no campaign id: {str(answer)[:200]}")
        return data

    def status(self, campaign_id: str) -> str:
        try:
            answer = self.api.request(
                "GET", f"/campaigns/{campaign_id}", "Reading the MailerLite campaign"
            )
        except ApiError as error:
            if error.status == 404:
                return self._check("deleted", campaign_id)
            raise
        status = str(self._campaign(answer, "Reading the MailerLite campaign").get("status"))
        return self._check(status, campaign_id)

    def _check(self, status: str, campaign_id: str) -> str:
        if status == READY or status in DELIVERING:
            return status
        todo = STOPPED.get(status) or (
            "MailerLite's documentation does not list this status, so it is not trusted; "
            "look at the campaign in MailerLite (Campaigns)"
        )
        raise ProviderStateError(
            f'The MailerLite campaign {campaign_id} for this issue is "{status}": {todo}. '
            "Nothing is recorded as sent; run the command again afterwards"
        )

    def is_draft(self, status: str) -> bool:
        return status == READY

    def find(self, issue: IssueSnapshot) -> str:
        """The id of this issue's campaign made by a create whose answer was lost, or
        "": each listed status, every page up to meta.last_page."""
        marker = issue_marker(issue)
        for status in LISTED:
            page = 1
            while True:
                query = {"filter[status]": status, "limit": PAGE_SIZE, "page": page}
                answer = self.api.request(
                    "GET", f"/campaigns?{urlencode(query)}", "Looking for the MailerLite campaign"
                )
                for campaign in answer.get("data") or []:
                    subjects = {e.get("subject") for e in campaign.get("emails") or []}
                    if campaign.get("name") == marker and issue.subject in subjects:
                        return str(campaign["id"])
                last = (answer.get("meta") or {}).get("last_page") or 1
                if page >= int(last):
                    break
                page += 1
        return ""

    def _body(self, issue: IssueSnapshot) -> dict:
        digest = self.settings["DIGEST"]
        sender_name, sender = parseaddr(digest["from"])
        return {
            "name": issue_marker(issue),  # the internal name, never shown to readers
            "type": "regular",
            "emails": [
                {
                    "subject": issue.subject,
                    "from_name": sender_name or self.settings["SITENAME"],
                    "from": sender,
                    "content": personalise(issue, self.merge_tag)[0],
                }
            ],
            "groups": self.groups,
        }

    def create_draft(self, issue: IssueSnapshot, ledger: Ledger) -> str:
        """The id of the issue's draft campaign (see created_once)."""

        def create() -> str:
            answer = self.api.request(
                "POST",
                "/campaigns",
                "Creating the MailerLite campaign",
                self._body(issue),
                repeatable=False,
            )
            return str(self._campaign(answer, "Creating the MailerLite campaign")["id"])

        return created_once(issue, ledger, READY, self.find, create)

    def send(self, issue: IssueSnapshot, ledger: Ledger) -> str:
        """Schedules the issue's campaign for now, once; returns MailerLite's status
        once it is delivering. ProviderStateError for any other status."""
        campaign_id = self.create_draft(issue, ledger)
        status = self.status(campaign_id)
        ledger.set_remote(issue.number, campaign_id, status)
        if status == READY:
            answer = self.api.request(
                "POST",
                f"/campaigns/{campaign_id}/schedule",
                "Scheduling the MailerLite campaign",
                {"delivery": "instant"},
                repeatable=False,
            )
            status = self._check(
                str(self._campaign(answer, "Scheduling the MailerLite campaign").get("status")),
                campaign_id,
            )
            ledger.set_remote(issue.number, campaign_id, status)
            if status == READY:
                raise ProviderStateError(
                    f"MailerLite kept the campaign {campaign_id} as a draft. Nothing is "
                    "recorded as sent; run the command again"
                )
        return status

    def send_test(self, issue: IssueSnapshot, address: str) -> str:
        raise SendSetupError(
            "MailerLite's API has no test send. Nothing was sent. Fix: set "
            'DIGEST["send"]["mode"] to "draft", run `invoke send-digest`, and use "Send a '
            'test email" on that draft in MailerLite'
        )
