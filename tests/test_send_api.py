"""Contract tests: the Buttondown and Mailchimp backends against local stand-in
servers (http.server on 127.0.0.1) that check each request's endpoint, method,
headers and body against the providers' documented APIs, and a resumed run that
asks the provider before sending again."""

from __future__ import annotations

import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sending_helpers import recorded_issues, send


class StandIn:
    """Answers `routes[(method, path)]` = (status, body) and keeps every request."""

    def __init__(self, routes: dict):
        self.routes = routes
        self.requests: list[dict] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                stand_in.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": json.loads(raw) if raw else None,
                    }
                )
                status, body = stand_in.routes.get((self.command, self.path), (404, {}))
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> StandIn:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def env_for(backend: str, config: dict, **variables) -> dict:
    return dict(
        os.environ, DIGEST_SEND=json.dumps({"backend": backend, backend: config}), **variables
    )


def sent_calls(stand_in: StandIn) -> list[tuple[str, str]]:
    return [(r["method"], r["path"]) for r in stand_in.requests]


def composed_html(project) -> str:
    return (project / "newsletter-issue/email.html").read_text()


BUTTONDOWN_KEY = "bd-test-key-123"


def buttondown_routes(status_after_send="about_to_send") -> dict:
    return {
        ("POST", "/v1/emails"): (201, {"id": "em_1", "status": "draft"}),
        ("PATCH", "/v1/emails/em_1"): (200, {"id": "em_1", "status": status_after_send}),
        ("GET", "/v1/emails/em_1"): (200, {"id": "em_1", "status": status_after_send}),
        ("POST", "/v1/emails/em_2/send-draft"): (200, {}),
    }


def test_contract_buttondown_creates_a_draft_then_sends_it(composed_project):
    with StandIn(buttondown_routes()) as api:
        env = env_for("buttondown", {"api_url": f"{api.url}/v1"}, BUTTONDOWN_API_KEY=BUTTONDOWN_KEY)
        result = send(composed_project, env)
        assert result.returncode == 0, result.stdout + result.stderr
        again = send(composed_project, env)
    assert again.returncode == 0 and "Nothing to send" in again.stdout
    assert sent_calls(api) == [("POST", "/v1/emails"), ("PATCH", "/v1/emails/em_1")]
    create, patch = api.requests
    for request in api.requests:
        assert request["headers"]["Authorization"] == f"Token {BUTTONDOWN_KEY}"
        assert request["headers"]["Content-Type"] == "application/json"
    assert set(create["body"]) == {"subject", "body", "status"}
    assert create["body"]["status"] == "draft"
    assert create["body"]["subject"].startswith("Parts & Purpose Coaching #1: ")
    expected = composed_html(composed_project).replace("*|UNSUB|*", "{{ unsubscribe_url }}")
    assert create["body"]["body"] == expected
    assert patch["body"] == {"status": "about_to_send"}
    assert recorded_issues(composed_project) == [1]


def test_contract_buttondown_resume_asks_before_sending_again(composed_project):
    routes = buttondown_routes()
    routes[("PATCH", "/v1/emails/em_1")] = (503, {"detail": "Service unavailable"})
    with StandIn(routes) as api:
        env = env_for("buttondown", {"api_url": f"{api.url}/v1"}, BUTTONDOWN_API_KEY=BUTTONDOWN_KEY)
        first = send(composed_project, env)
        assert first.returncode == 1 and "HTTP 503" in first.stdout
        assert recorded_issues(composed_project) == []
        routes[("PATCH", "/v1/emails/em_1")] = (200, {"id": "em_1", "status": "about_to_send"})
        routes[("GET", "/v1/emails/em_1")] = (200, {"id": "em_1", "status": "draft"})
        second = send(composed_project, env)
        assert second.returncode == 0, second.stdout + second.stderr
    assert sent_calls(api) == [
        ("POST", "/v1/emails"),
        ("PATCH", "/v1/emails/em_1"),
        ("GET", "/v1/emails/em_1"),
        ("PATCH", "/v1/emails/em_1"),
    ], "the draft is reused: no second email is created"
    assert recorded_issues(composed_project) == [1]


def test_contract_buttondown_test_send_uses_send_draft(composed_project):
    routes = buttondown_routes()
    routes[("POST", "/v1/emails")] = (201, {"id": "em_2", "status": "draft"})
    with StandIn(routes) as api:
        env = env_for("buttondown", {"api_url": f"{api.url}/v1"}, BUTTONDOWN_API_KEY=BUTTONDOWN_KEY)
        result = send(composed_project, env, "--test", "coach@example.org")
        assert result.returncode == 0, result.stdout + result.stderr
    create, test = api.requests
    assert create["body"]["subject"].startswith("[TEST] ") and create["body"]["status"] == "draft"
    assert (test["method"], test["path"]) == ("POST", "/v1/emails/em_2/send-draft")
    assert test["body"] == {"recipients": ["coach@example.org"]}
    assert recorded_issues(composed_project) == []


def test_buttondown_without_its_key_says_which_variable_to_set(composed_project):
    env = env_for("buttondown", {"api_url": "http://127.0.0.1:9/v1"})
    env.pop("BUTTONDOWN_API_KEY", None)
    result = send(composed_project, env)
    assert result.returncode == 1 and "BUTTONDOWN_API_KEY" in result.stderr


MAILCHIMP_KEY = "0123456789abcdef0123456789abcdef-us6"


def mailchimp_routes() -> dict:
    return {
        ("POST", "/3.0/campaigns"): (200, {"id": "c42", "status": "save"}),
        ("PUT", "/3.0/campaigns/c42/content"): (200, {"html": "..."}),
        ("POST", "/3.0/campaigns/c42/actions/send"): (204, None),
        ("POST", "/3.0/campaigns/c42/actions/test"): (204, None),
        ("GET", "/3.0/campaigns/c42"): (200, {"id": "c42", "status": "sent"}),
    }


def mailchimp_env(api: StandIn) -> dict:
    config = {"audience": "aud123", "api_url": f"{api.url}/3.0"}
    return env_for("mailchimp", config, MAILCHIMP_API_KEY=MAILCHIMP_KEY)


def test_contract_mailchimp_creates_a_regular_campaign_sets_content_and_sends(composed_project):
    with StandIn(mailchimp_routes()) as api:
        result = send(composed_project, mailchimp_env(api))
        assert result.returncode == 0, result.stdout + result.stderr
    assert sent_calls(api) == [
        ("POST", "/3.0/campaigns"),
        ("PUT", "/3.0/campaigns/c42/content"),
        ("POST", "/3.0/campaigns/c42/actions/send"),
    ]
    basic = base64.b64encode(f"newsletter:{MAILCHIMP_KEY}".encode()).decode()
    for request in api.requests:
        assert request["headers"]["Authorization"] == f"Basic {basic}"
    create, content, go = api.requests
    assert create["body"]["type"] == "regular"
    assert create["body"]["recipients"] == {"list_id": "aud123"}
    settings = create["body"]["settings"]
    assert settings["subject_line"].startswith("Parts & Purpose Coaching #1: ")
    assert settings["from_name"] == "Jordan Avery"
    assert settings["reply_to"] == "hello@example.com"
    assert content["headers"]["Content-Type"] == "application/json"
    assert content["body"]["html"] == composed_html(composed_project)
    assert "*|UNSUB|*" in content["body"]["html"] and "*|UNSUB|*" in content["body"]["plain_text"]
    assert go["body"] is None
    assert recorded_issues(composed_project) == [1]


def test_contract_mailchimp_test_send_uses_the_test_action(composed_project):
    with StandIn(mailchimp_routes()) as api:
        result = send(composed_project, mailchimp_env(api), "--test", "coach@example.org")
        assert result.returncode == 0, result.stdout + result.stderr
    assert api.requests[-1]["path"] == "/3.0/campaigns/c42/actions/test"
    assert api.requests[-1]["body"] == {"test_emails": ["coach@example.org"], "send_type": "html"}
    assert api.requests[0]["body"]["settings"]["subject_line"].startswith("[TEST] ")
    assert recorded_issues(composed_project) == []


@pytest.mark.parametrize("key", ["nodatacenter", ""])
def test_mailchimp_key_problems_are_explained(composed_project, key):
    env = env_for("mailchimp", {"audience": "aud123"}, MAILCHIMP_API_KEY=key)
    result = send(composed_project, env)
    assert result.returncode == 1
    assert "MAILCHIMP_API_KEY" in result.stderr or "data center" in result.stderr


def test_mailchimp_data_center_comes_from_the_key(composed_project):
    with StandIn({}) as api:
        result = send(composed_project, mailchimp_env(api), "--dry-run")
    assert result.returncode == 0, result.stderr
    env = env_for("mailchimp", {"audience": "aud123"}, MAILCHIMP_API_KEY=MAILCHIMP_KEY)
    result = send(composed_project, env, "--dry-run")
    assert "https://us6.api.mailchimp.com/3.0/campaigns" in result.stdout
    assert api.requests == [], "a dry run makes no request"
