"""Local stand-ins for Buttondown's and Mailchimp's APIs (http.server on 127.0.0.1)
that keep state the way the providers document it, so a test can check what a
send leaves behind: how many emails or campaigns exist, in which status.

Buttondown (buttondown/docs: public/openapi.json and content/pages/): emails with
the statuses of its EmailStatus enum; POST /v1/emails honours X-Idempotency-Key
(api-idempotency-keys.mdoc: a repeated key gets the first answer); a 429 carries
Retry-After (api-rate-limits.mdoc). Mailchimp (its generated clients): campaigns
created as "save", content set by PUT, sent by actions/send, deleted by DELETE.

Kit (developers.kit.com, API v4) and MailerLite (developers.mailerlite.com): see
their classes below.

Faults a test sets: `fail(method, path, *answers)` serves those answers to the next
matching requests before the normal behaviour (429 with Retry-After, 500, ...);
`slow_after_create` answers a create only after that many seconds, once the email
or campaign exists (a timeout after creating).
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Answer:
    status: int
    body: dict | None = None
    headers: dict = field(default_factory=dict)
    text: str | None = None  # a plain-text body instead (Kit's 429: "Retry later")


class StandIn:
    prefix = ""

    def __init__(self):
        self.requests: list[dict] = []
        self.faults: list[tuple[str, re.Pattern, list[Answer]]] = []
        self.slow_after_create = 0.0
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                request = {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": json.loads(raw) if raw else None,
                    "at": time.monotonic(),
                }
                with stand_in.lock:
                    stand_in.requests.append(request)
                    answer = stand_in._fault(request) or stand_in.route(request)
                delay = answer.headers.pop("X-Stand-In-Delay", 0)
                if delay:
                    time.sleep(float(delay))
                data = json.dumps(answer.body).encode() if answer.body is not None else b""
                kind = "application/json"
                if answer.text is not None:
                    data, kind = answer.text.encode(), "text/plain; charset=utf-8"
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    if data:
                        self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: that is the point of a slow answer

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}{self.prefix}"

    def fail(self, method: str, path: str, *answers: Answer) -> None:
        """The next requests to `path` (a regular expression) get `answers`, in order."""
        self.faults.append((method, re.compile(path + "$"), list(answers)))

    def _fault(self, request: dict) -> Answer | None:
        for method, pattern, answers in self.faults:
            if answers and method == request["method"] and pattern.match(request["path"]):
                return answers.pop(0)
        return None

    def calls(self) -> list[tuple[str, str]]:
        return [(r["method"], r["path"]) for r in self.requests]

    def route(self, request: dict) -> Answer:
        raise NotImplementedError

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


# Buttondown's EmailStatus enum (public/openapi.json, components.schemas.EmailStatus).
BUTTONDOWN_STATUSES = (
    "draft",
    "managed_by_rss",
    "about_to_send",
    "scheduled",
    "in_flight",
    "paused",
    "deleted",
    "errored",
    "sent",
    "imported",
    "throttled",
    "resending",
    "transactional",
    "suppressed",
)


class Buttondown(StandIn):
    prefix = "/v1"

    def __init__(self):
        super().__init__()
        self.emails: dict[str, dict] = {}
        self.numbers = itertools.count(1)
        self.by_key: dict[str, dict] = {}  # idempotency key -> the first answer
        self.test_sends: list[tuple[str, list[str]]] = []

    def route(self, request: dict) -> Answer:
        method, path, body = request["method"], request["path"], request["body"]
        if method == "POST" and path == "/v1/emails":
            key = request["headers"].get("X-Idempotency-Key")
            if key in self.by_key:  # the first answer again, nothing created
                return Answer(201, dict(self.by_key[key]))
            email_id = f"em_{next(self.numbers)}"
            self.emails[email_id] = {"id": email_id, **body}
            if key:
                self.by_key[key] = dict(self.emails[email_id])
            headers = {"X-Stand-In-Delay": self.slow_after_create} if self.slow_after_create else {}
            return Answer(201, dict(self.emails[email_id]), headers)
        found = re.fullmatch(r"/v1/emails/(\w+)(/send-draft)?", path)
        if not found or found[1] not in self.emails:
            return Answer(404, {"detail": "Not found."})
        email = self.emails[found[1]]
        if method == "GET" and not found[2]:
            return Answer(200, dict(email))
        if method == "PATCH" and not found[2]:
            if email["status"] != "draft" and body.get("status") == "about_to_send":
                return Answer(400, {"detail": f"Cannot send an email that is {email['status']}."})
            email.update(body)
            return Answer(200, dict(email))
        if method == "POST" and found[2]:
            self.test_sends.append((found[1], body["recipients"]))
            return Answer(200, {})
        if method == "DELETE" and not found[2]:
            del self.emails[found[1]]
            return Answer(204)
        return Answer(405, {"detail": "Method not allowed."})


# Mailchimp's campaign statuses (generated clients and the API's campaign schema).
MAILCHIMP_STATUSES = (
    "save",
    "paused",
    "schedule",
    "sending",
    "sent",
    "canceled",
    "canceling",
    "archived",
)


class Mailchimp(StandIn):
    prefix = "/3.0"

    def __init__(self):
        super().__init__()
        self.campaigns: dict[str, dict] = {}
        self.numbers = itertools.count(41)
        self.test_sends: list[tuple[str, list[str]]] = []

    def route(self, request: dict) -> Answer:
        method, path, body = request["method"], request["path"], request["body"]
        if method == "POST" and path == "/3.0/campaigns":
            campaign_id = f"c{next(self.numbers)}"
            self.campaigns[campaign_id] = {"id": campaign_id, "status": "save", **body}
            headers = {"X-Stand-In-Delay": self.slow_after_create} if self.slow_after_create else {}
            return Answer(200, dict(self.campaigns[campaign_id]), headers)
        found = re.fullmatch(r"/3.0/campaigns/(\w+)(/content|/actions/send|/actions/test)?", path)
        if not found or found[1] not in self.campaigns:
            return Answer(404, {"title": "Resource Not Found", "detail": "No such campaign."})
        campaign, action = self.campaigns[found[1]], found[2]
        if method == "GET" and not action:
            return Answer(200, dict(campaign))
        if method == "DELETE" and not action:
            del self.campaigns[found[1]]
            return Answer(204)
        if method == "PUT" and action == "/content":
            campaign["content"] = body
            return Answer(200, body)
        if method == "POST" and action in ("/actions/send", "/actions/test"):
            if "content" not in campaign:
                return Answer(
                    400, {"title": "Bad Request", "detail": "The campaign has no content."}
                )
            if action == "/actions/test":
                self.test_sends.append((found[1], body["test_emails"]))
            elif campaign["status"] != "save":
                return Answer(400, {"detail": f"The campaign is {campaign['status']}."})
            else:
                campaign["status"] = "sending"
            return Answer(204)
        return Answer(405, {"detail": "Method not allowed."})


def _query(path: str) -> tuple[str, dict]:
    parts = urlsplit(path)
    return parts.path, dict(parse_qsl(parts.query))


def _cursor(broadcast_id: int) -> str:
    """Kit's cursors as its pagination page shows them: "WzE0XQ==" is base64 of "[14]"."""
    return base64.b64encode(json.dumps([broadcast_id]).encode()).decode()


# Kit's broadcast statuses (https://developers.kit.com/changelog: "one of draft,
# scheduled, sending, completed, or aborted").
KIT_STATUSES = ("draft", "scheduled", "sending", "completed", "aborted")


class Kit(StandIn):
    """Kit's API v4 broadcasts, as developers.kit.com/api-reference documents them:
    POST /v4/broadcasts answers 201 {"broadcast": {...}} (send_at null: a draft; a
    timestamp: scheduled); GET and PUT /v4/broadcasts/{id}; GET /v4/broadcasts pages
    newest first with cursors (per_page default 500, at most 1000; after=<end_cursor>;
    pagination {has_previous_page, has_next_page, start_cursor, end_cursor, per_page});
    errors {"errors": [...]}; the key in X-Kit-Api-Key. Its 429 (rate-limits page) is
    the plain text "Retry later" with no Retry-After: a test serves it with `fail`."""

    prefix = "/v4"

    def __init__(self):
        super().__init__()
        self.broadcasts: dict[int, dict] = {}
        self.numbers = itertools.count(101)

    def add(self, subject: str, description: str = "", status: str = "completed") -> dict:
        """A broadcast the account already has (another issue, another tool)."""
        number = next(self.numbers)
        self.broadcasts[number] = self._made(
            number, {"subject": subject, "description": description}
        )
        self.broadcasts[number]["status"] = status
        return self.broadcasts[number]

    @staticmethod
    def _made(number: int, body: dict) -> dict:
        broadcast = {
            "id": number,
            "publication_id": number,
            "created_at": "2026-12-06T10:00:00Z",
            "subject": body.get("subject"),
            "preview_text": body.get("preview_text"),
            "description": body.get("description"),
            "content": body.get("content"),
            "public": bool(body.get("public")),
            "published_at": body.get("published_at"),
            "send_at": body.get("send_at"),
            "thumbnail_alt": None,
            "thumbnail_url": None,
            "public_url": None,
            "email_address": body.get("email_address") or "hello@coach.test",
            "email_template": {"id": body.get("email_template_id") or 2, "name": "Classic"},
            "subscriber_filter": body.get("subscriber_filter")
            or [{"all": [{"type": "all_subscribers"}]}],
        }
        broadcast["status"] = "scheduled" if broadcast["send_at"] else "draft"
        return broadcast

    def route(self, request: dict) -> Answer:
        method, body = request["method"], request["body"]
        path, query = _query(request["path"])
        if not request["headers"].get("X-Kit-Api-Key"):
            return Answer(401, {"errors": ["The access token is invalid"]})
        if path == "/v4/broadcasts" and method == "POST":
            number = next(self.numbers)
            self.broadcasts[number] = self._made(number, body)
            headers = {"X-Stand-In-Delay": self.slow_after_create} if self.slow_after_create else {}
            return Answer(201, {"broadcast": dict(self.broadcasts[number])}, headers)
        if path == "/v4/broadcasts" and method == "GET":
            per_page = min(int(query.get("per_page") or 500), 1000)
            newest_first = sorted(self.broadcasts, reverse=True)
            if query.get("after"):
                (after,) = json.loads(base64.b64decode(query["after"]))
                newest_first = [n for n in newest_first if n < after]
            page = newest_first[:per_page]
            return Answer(
                200,
                {
                    "broadcasts": [dict(self.broadcasts[n]) for n in page],
                    "pagination": {
                        "has_previous_page": bool(query.get("after")),
                        "has_next_page": len(newest_first) > per_page,
                        "start_cursor": _cursor(page[0]) if page else None,
                        "end_cursor": _cursor(page[-1]) if page else None,
                        "per_page": per_page,
                    },
                },
            )
        found = re.fullmatch(r"/v4/broadcasts/(\d+)", path)
        if not found or int(found[1]) not in self.broadcasts:
            return Answer(404, {"errors": ["Not Found"]})
        broadcast = self.broadcasts[int(found[1])]
        if method == "GET":
            return Answer(200, {"broadcast": dict(broadcast)})
        if method == "PUT":
            if broadcast["status"] in ("sending", "completed"):
                return Answer(422, {"errors": ["A sent broadcast cannot be changed"]})
            status = broadcast["status"]
            broadcast.update({k: v for k, v in body.items() if k in broadcast})
            if body.get("send_at"):
                status = "scheduled"
            broadcast["status"] = status
            return Answer(200, {"broadcast": dict(broadcast)})
        return Answer(405, {"errors": ["Method not allowed"]})


# MailerLite's campaign statuses: the values of filter[status] in its campaigns
# reference (https://developers.mailerlite.com/docs/campaigns.html).
MAILERLITE_STATUSES = ("draft", "ready", "sent")


class MailerLite(StandIn):
    """MailerLite's campaigns as developers.mailerlite.com documents them: JSON with
    "Authorization: Bearer KEY" (else 401 {"message": "Unauthenticated."}); POST
    /api/campaigns answers 201 {"data": {...,"status": "draft"}} or 422 {"message",
    "errors"}; POST /api/campaigns/{id}/schedule with "delivery"; GET
    /api/campaigns/{id}; GET /api/campaigns with filter[status] (sent, draft, ready;
    ready by default), limit (25 by default) and page, answering data, links and meta
    (current_page, last_page, ...). Its 429 carries Retry-After: a test serves it
    with `fail`."""

    prefix = "/api"

    def __init__(self):
        super().__init__()
        self.campaigns: dict[str, dict] = {}
        self.numbers = itertools.count(71706700654118001)

    def add(self, name: str, subject: str, status: str = "sent") -> dict:
        campaign = self._made({"name": name, "type": "regular", "emails": [{"subject": subject}]})
        campaign["status"] = status
        return campaign

    def _made(self, body: dict) -> dict:
        campaign_id = str(next(self.numbers))
        self.campaigns[campaign_id] = {
            "id": campaign_id,
            "account_id": "1",
            "name": body["name"],
            "type": body["type"],
            "status": "draft",
            "groups": body.get("groups") or [],
            "delivery_schedule": None,
            "scheduled_for": None,
            "emails": [
                {"id": str(next(self.numbers)), "emailable_id": campaign_id, **email}
                for email in body["emails"]
            ],
        }
        return self.campaigns[campaign_id]

    def route(self, request: dict) -> Answer:
        method, body = request["method"], request["body"]
        path, query = _query(request["path"])
        if not request["headers"].get("Authorization", "").startswith("Bearer "):
            return Answer(401, {"message": "Unauthenticated."})
        if path == "/api/campaigns" and method == "POST":
            problems = {}
            if not body.get("name"):
                problems["name"] = ["The name field is required."]
            if body.get("type") not in ("regular", "ab", "resend"):
                problems["type"] = ["The selected type is invalid."]
            emails = body.get("emails") or [{}]
            for key in ("subject", "from_name", "from"):
                if not emails[0].get(key):
                    problems[f"emails.0.{key}"] = [f"The emails.0.{key} field is required."]
            if problems:
                return Answer(422, {"message": "The given data was invalid.", "errors": problems})
            campaign = self._made(body)
            headers = {"X-Stand-In-Delay": self.slow_after_create} if self.slow_after_create else {}
            return Answer(201, {"data": dict(campaign)}, headers)
        if path == "/api/campaigns" and method == "GET":
            status = query.get("filter[status]", "ready")
            if status not in MAILERLITE_STATUSES:
                return Answer(422, {"message": "The selected filter.status is invalid."})
            limit, page = int(query.get("limit") or 25), int(query.get("page") or 1)
            chosen = [c for c in self.campaigns.values() if c["status"] == status]
            last = max(1, -(-len(chosen) // limit))
            return Answer(
                200,
                {
                    "data": [dict(c) for c in chosen[(page - 1) * limit : page * limit]],
                    "links": {"first": None, "last": None, "prev": None, "next": None},
                    "meta": {
                        "current_page": page,
                        "last_page": last,
                        "per_page": limit,
                        "total": len(chosen),
                    },
                },
            )
        found = re.fullmatch(r"/api/campaigns/(\d+)(/schedule)?", path)
        if not found or found[1] not in self.campaigns:
            return Answer(404, {"message": "Resource not found."})
        campaign = self.campaigns[found[1]]
        if method == "GET" and not found[2]:
            return Answer(200, {"data": dict(campaign)})
        if method == "POST" and found[2]:
            if body.get("delivery") not in ("instant", "scheduled", "timezone_based"):
                return Answer(422, {"message": "The selected delivery is invalid."})
            if campaign["status"] != "draft":
                return Answer(422, {"message": "Only a draft campaign can be scheduled."})
            campaign.update(status="ready", delivery_schedule=body["delivery"])
            return Answer(200, {"data": dict(campaign)})
        return Answer(405, {"message": "Method not allowed."})
