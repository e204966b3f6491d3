"""Local stand-ins for Buttondown's and Mailchimp's APIs (http.server on 127.0.0.1)
that keep state the way the providers document it, so a test can check what a
send leaves behind: how many emails or campaigns exist, in which status.

Buttondown (buttondown/docs: public/openapi.json and content/pages/): emails with
the statuses of its EmailStatus enum; POST /v1/emails honours X-Idempotency-Key
(api-idempotency-keys.mdoc: a repeated key gets the first answer); a 429 carries
Retry-After (api-rate-limits.mdoc). Mailchimp (its generated clients): campaigns
created as "save", content set by PUT, sent by actions/send, deleted by DELETE.

Faults a test sets: `fail(method, path, *answers)` serves those answers to the next
matching requests before the normal behaviour (429 with Retry-After, 500, ...);
`slow_after_create` answers a create only after that many seconds, once the email
or campaign exists (a timeout after creating).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int
    body: dict | None = None
    headers: dict = field(default_factory=dict)


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
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    if data:
                        self.send_header("Content-Type", "application/json")
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
