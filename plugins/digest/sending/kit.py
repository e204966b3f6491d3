"""Delivery through Kit's API v4 (formerly ConvertKit): the issue becomes a draft
broadcast (POST /v4/broadcasts with send_at null), its id is kept in the ledger,
then the broadcast is scheduled for now (PUT /v4/broadcasts/{id} with send_at).
Header `X-Kit-Api-Key: KEY` (https://developers.kit.com/api-reference/authentication).

Kit documents no idempotency key, so the create is never repeated blindly: the
ledger says "creating" before it is sent, and a run that finds that state without
an id pages through GET /v4/broadcasts for the broadcast with this issue's subject
and marker (in `description`) before creating again.

Documentation used:
- create:  https://developers.kit.com/api-reference/broadcasts/create-a-broadcast
  (subject, content, description, public, send_at: null saves a draft, a timestamp
  schedules it; email_template_id, email_address; subscriber_filter
  [{"all": [{"type": "all_subscribers"}]}], segment or tag ids; 201 {"broadcast": {...}};
  422 {"errors": [...]})
- update:  https://developers.kit.com/api-reference/broadcasts/update-a-broadcast
- read:    https://developers.kit.com/api-reference/broadcasts/get-a-broadcast
- list:    https://developers.kit.com/api-reference/broadcasts/list-broadcasts and
  https://developers.kit.com/api-reference/pagination (cursor pagination: per_page up
  to 1000, after=<end_cursor>, pagination.has_next_page)
- status:  https://developers.kit.com/changelog ("Every V4 broadcast response now
  includes a status field with one of draft, scheduled, sending, completed, or aborted")
- limits:  https://developers.kit.com/api-reference/rate-limits (120 requests in 60 s
  per API key; a 429 has the plain-text body "Retry later" and no Retry-After; "A
  wait of up to 60 seconds resets the limit", then back off exponentially)
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import requests

from .api import ApiClient, api_key, created_once, issue_marker
from .errors import ApiError, ProviderStateError, SendSetupError, number_setting
from .ledger import IssueSnapshot, Ledger
from .letters import personalise

# Broadcast statuses (https://developers.kit.com/changelog, 2025: the status field).
READY = "draft"
DELIVERING = {"sending", "completed"}
SCHEDULED = "scheduled"  # delivering when its send_at has come (we set it to now)
STOPPED = {
    "aborted": "its sending was stopped in Kit, so not everyone got it; look at the "
    "broadcast in Kit (Send → Broadcasts), send the rest from there, then run "
    "`invoke send-digest --mark-sent`",
    # Not a Kit status: the broadcast is gone (404).
    "deleted": "it no longer exists in Kit; delete the ledger "
    "(content/newsletter/sending.sqlite) to send the issue afresh as a new broadcast",
}
# A broadcast scheduled to go later than this is the coach's doing, not ours.
SCHEDULE_SLACK = timedelta(minutes=15)
# The documented window: "A wait of up to 60 seconds resets the limit".
LIMIT_WINDOW_SECONDS = 60
# The largest page the pagination page allows (fewest requests while looking).
PAGE_SIZE = 1000


def _when(value) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class Kit:
    name = "kit"
    title = "Kit"
    # Kit's Liquid tag for each reader's unsubscribe link, as its broadcast content
    # guide writes it (https://developers.kit.com/api-reference/broadcasts/create-a-broadcast:
    # "content": the HTML of the email; Kit fills in {{ unsubscribe_url }}).
    merge_tag = "{{ unsubscribe_url }}"
    item = "broadcast"

    def __init__(self, settings: dict, environ=os.environ, clock=None):
        self.settings = settings
        send = settings["DIGEST"]["send"]
        config = send.get("kit") or {}
        where = 'DIGEST["send"]["kit"]'
        self.config = config
        base = config.get("api_url", "https://api.kit.com/v4").rstrip("/")
        session = requests.Session()
        session.headers.update(
            {"X-Kit-Api-Key": api_key(config, "KIT_API_KEY", environ), "Accept": "application/json"}
        )
        timeout = number_setting(config, "timeout", 60, where, positive=True)
        window = number_setting(config, "rate_limit_wait_seconds", LIMIT_WINDOW_SECONDS, where)
        self.api = ApiClient(base, session, send, timeout, limit_window=window)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.filter = self._subscriber_filter(config)

    @staticmethod
    def _subscriber_filter(config: dict) -> list:
        """Everyone, or the subscribers with any of the chosen segments or tags."""
        chosen = []
        for key, kind in (("segment_ids", "segment"), ("tag_ids", "tag")):
            ids = config.get(key) or []
            if not isinstance(ids, list) or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in ids
            ):
                raise SendSetupError(
                    f'DIGEST["send"]["kit"]["{key}"] is {ids!r}. Fix: write a list of '
                    f"numbers, like [18] (the {kind}'s id is in its address in Kit), or [] for all"
                )
            if ids:
                chosen.append({"type": kind, "ids": ids})
        if not chosen:
            return [{"all": [{"type": "all_subscribers"}]}]
        return [{"any": chosen}]  # "Only a single filter group is supported"

    def describe(self) -> str:
        return f"a Kit broadcast (POST {self.api.base}/broadcasts), scheduled for now"

    def where(self, broadcast_id: str) -> str:
        return f"https://app.kit.com/campaigns/{broadcast_id}/draft (Kit: Send → Broadcasts)"

    def _fields(self, issue: IssueSnapshot, send_at: str | None) -> dict:
        body = {
            "subject": issue.subject,
            "content": personalise(issue, self.merge_tag)[0],
            "description": issue_marker(issue),  # internal, never shown to readers
            "public": bool(self.config.get("public", False)),
            "send_at": send_at,
            "subscriber_filter": self.filter,
        }
        for key in ("email_template_id", "email_address"):
            if self.config.get(key):
                body[key] = self.config[key]
        return body

    def _broadcast(self, answer: dict, what: str) -> dict:
        broadcast = answer.get("broadcast")
        if not isinstance(broadcast, dict) or not str(broadcast.get("id") or ""):
            raise ApiError(f"{what}: the answer has no broadcast id: {str(answer)[:200]}")
        return broadcast

    def read(self, broadcast_id: str) -> dict:
        try:
            answer = self.api.request(
                "GET", f"/broadcasts/{broadcast_id}", "Reading the Kit broadcast"
            )
        except ApiError as error:
            if error.status == 404:
                return {"id": broadcast_id, "status": "deleted"}
            raise
        return self._broadcast(answer, "Reading the Kit broadcast")

    def status(self, broadcast_id: str) -> str:
        return self._state(self.read(broadcast_id))

    def _state(self, broadcast: dict) -> str:
        """The broadcast's status, "scheduled" counted as delivering once its
        send_at has come (or nearly); ProviderStateError for any other state."""
        status = str(broadcast.get("status") or "")
        if status == READY or status in DELIVERING:
            return status
        if status == SCHEDULED:
            when = _when(broadcast.get("send_at"))
            if when is not None and when <= self.clock() + SCHEDULE_SLACK:
                return status
            todo = (
                f"it is scheduled for {broadcast.get('send_at')}; unschedule it in Kit to "
                "send it now (or wait until it has gone out, then run `invoke send-digest "
                "--mark-sent`)"
            )
        else:
            todo = STOPPED.get(status) or (
                "Kit's documentation does not list this status, so it is not trusted; "
                "look at the broadcast in Kit (Send → Broadcasts)"
            )
        raise ProviderStateError(
            f'The Kit broadcast {broadcast.get("id")} for this issue is "{status}": {todo}. '
            "Nothing is recorded as sent; run the command again afterwards"
        )

    def is_draft(self, status: str) -> bool:
        return status == READY

    def find(self, issue: IssueSnapshot) -> str:
        """The id of this issue's broadcast made by a create whose answer was lost,
        or "" (every page of GET /v4/broadcasts, following pagination.end_cursor)."""
        marker, after, seen = issue_marker(issue), "", set()
        while True:
            query = {"per_page": PAGE_SIZE, **({"after": after} if after else {})}
            answer = self.api.request(
                "GET", f"/broadcasts?{urlencode(query)}", "Looking for the Kit broadcast"
            )
            for broadcast in answer.get("broadcasts") or []:
                if (
                    broadcast.get("subject") == issue.subject
                    and broadcast.get("description") == marker
                ):
                    return str(broadcast["id"])
            page = answer.get("pagination") or {}
            after = page.get("end_cursor") or ""
            if not page.get("has_next_page") or not after or after in seen:
                return ""
            seen.add(after)

    def create_draft(self, issue: IssueSnapshot, ledger: Ledger) -> str:
        """The id of the issue's draft broadcast (see created_once)."""

        def create() -> str:
            answer = self.api.request(
                "POST",
                "/broadcasts",
                "Creating the Kit broadcast",
                self._fields(issue, None),  # send_at null: "To save a draft"
                repeatable=False,
            )
            return str(self._broadcast(answer, "Creating the Kit broadcast")["id"])

        return created_once(issue, ledger, READY, self.find, create)

    def send(self, issue: IssueSnapshot, ledger: Ledger) -> str:
        """Schedules the issue's broadcast for now, once; returns Kit's status once it
        is delivering. ProviderStateError for any other status."""
        broadcast_id = self.create_draft(issue, ledger)
        status = self.status(broadcast_id)
        ledger.set_remote(issue.number, broadcast_id, status)
        if status == READY:
            now = self.clock().replace(microsecond=0).isoformat().replace("+00:00", "Z")
            answer = self.api.request(
                "PUT",
                f"/broadcasts/{broadcast_id}",
                "Scheduling the Kit broadcast",
                self._fields(issue, now),  # "To schedule ... provide a send_at timestamp"
            )
            status = self._state(self._broadcast(answer, "Scheduling the Kit broadcast"))
            ledger.set_remote(issue.number, broadcast_id, status)
            if status == READY:
                raise ProviderStateError(
                    f"Kit kept the broadcast {broadcast_id} as a draft. Nothing is recorded "
                    "as sent; run the command again"
                )
        return status

    def send_test(self, issue: IssueSnapshot, address: str) -> str:
        raise SendSetupError(
            "Kit's API has no test send. Nothing was sent. Fix: set "
            'DIGEST["send"]["mode"] to "draft", run `invoke send-digest`, and use "Send a '
            'test" on that draft in Kit'
        )
