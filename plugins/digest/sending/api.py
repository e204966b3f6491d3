"""Delivery through a newsletter provider's API: the provider keeps the list and
sends to it, so the ledger keeps one line per issue, the provider's id of the
email or campaign, and a resumed run asks the provider before sending again.

Buttondown (https://docs.buttondown.com/api-emails-create): create the email as a
draft with POST /v1/emails, then set its status to about_to_send with PATCH
/v1/emails/{id}; a test goes through POST /v1/emails/{id}/send-draft. Header
`Authorization: Token KEY`.

Mailchimp Marketing API 3.0: POST /campaigns (type regular, the audience as
recipients.list_id), PUT /campaigns/{id}/content (html, plain_text), POST
/campaigns/{id}/actions/send; a test is POST /campaigns/{id}/actions/test. HTTP
basic authentication with the API key as password; the key's suffix ("-us6")
names the data center: https://us6.api.mailchimp.com/3.0.
"""

from __future__ import annotations

import os
from email.utils import parseaddr

import requests

from .ledger import IssueSnapshot, Ledger
from .letters import personalise
from .smtp_backend import SendSetupError


class ApiError(Exception):
    """The provider answered with an error: the message carries its reply."""


def _api_key(config: dict, default_variable: str, environ) -> str:
    variable = config.get("api_key_env", default_variable)
    key = environ.get(variable, "")
    if not key:
        raise SendSetupError(
            f"The API key is not set. Fix: put it in the environment variable {variable} "
            f"(export {variable}=...) before sending; never write it in a file in the repository"
        )
    return key


def _check(response: requests.Response, what: str) -> dict:
    if response.status_code >= 400:
        try:
            data = response.json()
            reply = data.get("detail") or data.get("message") or response.text
        except ValueError:
            reply = response.text
        raise ApiError(f"{what} failed: HTTP {response.status_code}: {str(reply)[:300]}")
    return response.json() if response.content else {}


def _draft_to_send(issue, ledger, draft_status: str, read_status, create) -> tuple:
    """(provider id, None) of the issue's draft, made now or by an earlier run, ready
    to send; or (id, status) when an earlier run already sent it."""
    remote_id = issue.remote_id
    if not remote_id:
        remote_id = create()
        ledger.set_remote(issue.number, remote_id, draft_status)
        return remote_id, None
    status = read_status(remote_id)
    if status == draft_status:
        return remote_id, None
    ledger.set_remote(issue.number, remote_id, status)
    return remote_id, status


class Buttondown:
    name = "buttondown"
    merge_tag = "{{ unsubscribe_url }}"

    def __init__(self, settings: dict, environ=os.environ, timeout: float = 60):
        self.settings = settings
        config = settings["DIGEST"]["send"].get("buttondown") or {}
        self.base = config.get("api_url", "https://api.buttondown.com/v1").rstrip("/")
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Token {_api_key(config, 'BUTTONDOWN_API_KEY', environ)}",
                "Accept": "application/json",
            }
        )
        self.timeout = timeout

    def describe(self) -> str:
        return f"a Buttondown email (POST {self.base}/emails) to your Buttondown subscribers"

    def _body(self, issue: IssueSnapshot) -> str:
        return personalise(issue, self.settings["DIGEST"]["unsubscribe"], self.merge_tag)[0]

    def _create_draft(self, subject: str, issue: IssueSnapshot) -> str:
        response = self.session.post(
            f"{self.base}/emails",
            json={"subject": subject, "body": self._body(issue), "status": "draft"},
            timeout=self.timeout,
        )
        return _check(response, "Creating the Buttondown email")["id"]

    def _status(self, email_id: str) -> str:
        response = self.session.get(f"{self.base}/emails/{email_id}", timeout=self.timeout)
        return _check(response, "Reading the Buttondown email")["status"]

    def send(self, issue: IssueSnapshot, ledger: Ledger) -> str:
        """Sends the issue once; returns the provider's status."""
        email_id, status = _draft_to_send(
            issue, ledger, "draft", self._status, lambda: self._create_draft(issue.subject, issue)
        )
        if status:
            return status
        response = self.session.patch(
            f"{self.base}/emails/{email_id}", json={"status": "about_to_send"}, timeout=self.timeout
        )
        status = _check(response, "Sending the Buttondown email").get("status", "about_to_send")
        ledger.set_remote(issue.number, email_id, status)
        return status

    def send_test(self, issue: IssueSnapshot, address: str) -> None:
        email_id = self._create_draft(f"[TEST] {issue.subject}", issue)
        response = self.session.post(
            f"{self.base}/emails/{email_id}/send-draft",
            json={"recipients": [address]},
            timeout=self.timeout,
        )
        _check(response, "Sending the Buttondown test")


class Mailchimp:
    name = "mailchimp"
    merge_tag = "*|UNSUB|*"

    def __init__(self, settings: dict, environ=os.environ, timeout: float = 60):
        self.settings = settings
        config = settings["DIGEST"]["send"].get("mailchimp") or {}
        self.audience = config.get("audience", "")
        if not self.audience:
            raise SendSetupError(
                'DIGEST["send"]["mailchimp"]["audience"] is empty. Fix: set it to your audience '
                "ID (Mailchimp: Audience → Settings → Audience name and defaults → Audience ID)"
            )
        key = _api_key(config, "MAILCHIMP_API_KEY", environ)
        if "-" not in key:
            raise SendSetupError(
                "The Mailchimp API key has no data center suffix (like -us6). "
                "Fix: copy the whole key from Mailchimp: Profile → Extras → API keys"
            )
        datacenter = key.rsplit("-", 1)[1]
        default = f"https://{datacenter}.api.mailchimp.com/3.0"
        self.base = (config.get("api_url") or default).rstrip("/")
        self.session = requests.Session()
        self.session.auth = ("newsletter", key)
        self.session.headers.update({"Accept": "application/json"})
        self.timeout = timeout

    def describe(self) -> str:
        return f"a regular Mailchimp campaign ({self.base}/campaigns) to {self.audience}"

    def _create(self, subject: str, issue: IssueSnapshot) -> str:
        digest = self.settings["DIGEST"]
        name, address = parseaddr(digest["from"])
        reply_to = parseaddr(digest.get("reply_to") or "")[1] or address
        response = self.session.post(
            f"{self.base}/campaigns",
            json={
                "type": "regular",
                "recipients": {"list_id": self.audience},
                "settings": {
                    "subject_line": subject,
                    "title": f"Newsletter #{issue.number}",
                    "from_name": name or self.settings["SITENAME"],
                    "reply_to": reply_to,
                },
            },
            timeout=self.timeout,
        )
        campaign_id = _check(response, "Creating the Mailchimp campaign")["id"]
        page, text = personalise(issue, digest["unsubscribe"], self.merge_tag)
        response = self.session.put(
            f"{self.base}/campaigns/{campaign_id}/content",
            json={"html": page, "plain_text": text},
            timeout=self.timeout,
        )
        _check(response, "Setting the Mailchimp campaign's content")
        return campaign_id

    def _status(self, campaign_id: str) -> str:
        response = self.session.get(f"{self.base}/campaigns/{campaign_id}", timeout=self.timeout)
        return _check(response, "Reading the Mailchimp campaign")["status"]

    def send(self, issue: IssueSnapshot, ledger: Ledger) -> str:
        campaign_id, status = _draft_to_send(
            issue, ledger, "save", self._status, lambda: self._create(issue.subject, issue)
        )
        if status:
            return status
        response = self.session.post(
            f"{self.base}/campaigns/{campaign_id}/actions/send", timeout=self.timeout
        )
        _check(response, "Sending the Mailchimp campaign")
        ledger.set_remote(issue.number, campaign_id, "sending")
        return "sending"

    def send_test(self, issue: IssueSnapshot, address: str) -> None:
        campaign_id = self._create(f"[TEST] {issue.subject}", issue)
        response = self.session.post(
            f"{self.base}/campaigns/{campaign_id}/actions/test",
            json={"test_emails": [address], "send_type": "html"},
            timeout=self.timeout,
        )
        _check(response, "Sending the Mailchimp test")


API_BACKENDS = {"buttondown": Buttondown, "mailchimp": Mailchimp}
