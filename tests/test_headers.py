"""The `_headers` file: security headers and a Content-Security-Policy without
unsafe-inline that every page of the published site lives with in Chromium."""

from __future__ import annotations

import functools
import http.server
import re
import socket
import threading
from urllib.parse import parse_qsl

import pytest
from test_theme_in_browser import browser  # noqa: F401 (the shared Chromium fixture)

from conftest import ROOT, run_pelican
from headers.policy import EndpointError, content_security_policy


def parse_headers_file(text: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """(path pattern, [(name, value)]) blocks, as Netlify and Cloudflare Pages read
    them; `! Name` (Cloudflare: drop what an earlier rule set) is (Name, None)."""
    blocks = []
    for line in text.splitlines():
        if line and not line.startswith(" "):
            blocks.append((line.strip(), []))
        elif line.strip().startswith("! "):
            blocks[-1][1].append((line.strip()[2:], None))
        elif line.strip():
            name, value = line.strip().split(": ", 1)
            blocks[-1][1].append((name, value))
    return blocks


def headers_for(rules: list, path: str) -> dict[str, str]:
    """The headers a request for `path` gets, the strict way Cloudflare Pages
    combines rules: values of one name from several matching rules are joined
    (two policies, both enforced) unless a later rule drops the earlier with `!`."""
    sent: dict[str, str] = {}
    for pattern, values in rules:
        if pattern.match(path):
            for name, value in values:
                if value is None:
                    sent.pop(name, None)
                else:
                    sent[name] = f"{sent[name]}, {value}" if name in sent else value
    return sent


def directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in policy.split("; ")}


def test_policy_names_exactly_the_form_endpoints():
    policy = directives(
        content_security_policy(
            ["https://formspree.io/f/xyz", "https://us6.list-manage.com/subscribe/post?u=1&id=2"]
        )
    )
    expected = [
        "'self'",
        "https://formspree.io/f/xyz",
        "https://us6.list-manage.com/subscribe/post",
    ]
    assert policy["form-action"] == expected
    assert policy["connect-src"] == expected, "background submission goes to the same places"
    assert policy["default-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert "unsafe-inline" not in str(policy)
    meta = directives(content_security_policy([], for_meta=True))
    assert "frame-ancestors" not in meta, "a <meta> policy cannot carry frame-ancestors"
    with pytest.raises(EndpointError):
        content_security_policy(["https://evil.test/x; script-src *"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_like_a_host(output, port: int, posts: list | None = None):
    """Serve `output` on 127.0.0.1:port sending the headers its _headers file
    names, as Netlify or Cloudflare Pages would; POSTs to it land in `posts`."""
    rules = [
        (re.compile(re.escape(pattern).replace(r"\*", ".*") + "$"), values)
        for pattern, values in parse_headers_file((output / "_headers").read_text())
    ]

    class Host(http.server.SimpleHTTPRequestHandler):
        def end_headers(self):
            for name, value in headers_for(rules, self.path.split("?")[0]).items():
                self.send_header(name, value)
            super().end_headers()

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            (posts if posts is not None else []).append(
                (self.path, dict(parse_qsl(body, keep_blank_values=True)))
            )
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<p>Thank you</p>")

        def log_message(self, format, *args):  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(Host, directory=output)
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def hosted_site(tmp_path_factory):
    """The site built for publishing, served by a local host that applies _headers."""
    port = free_port()
    output = tmp_path_factory.mktemp("hosted") / "output"
    result = run_pelican(
        ROOT / "content", output, "publishconf.py", "-e", f'SITEURL="http://127.0.0.1:{port}"'
    )
    assert result.returncode == 0, result.stderr
    server = serve_like_a_host(output, port)
    yield output, f"http://127.0.0.1:{port}/"
    server.shutdown()


def test_headers_file_sets_security_headers_and_caches_fingerprinted_files(hosted_site):
    output, _ = hosted_site
    blocks = {
        path: dict(values) for path, values in parse_headers_file((output / "_headers").read_text())
    }
    every = blocks.pop("/*")
    for search_page in ("/search/", "/search/index.html"):  # test_search.py checks these
        blocks.pop(search_page)
    blocks.pop("/admin/*")  # the editor's own policy (test_admin.py)
    assert every["X-Content-Type-Options"] == "nosniff"
    assert every["Strict-Transport-Security"].startswith("max-age=")
    assert every["Referrer-Policy"] and every["Permissions-Policy"]
    assert directives(every["Content-Security-Policy"])["form-action"][0] == "'self'"
    assert any(path.endswith(".css") for path in blocks)
    for path, values in blocks.items():
        assert re.search(r"\.[0-9a-f]{10}\.\w+$", path), "only fingerprinted names cached long"
        assert (output / path.lstrip("/")).exists()
        assert values["Cache-Control"] == "public, max-age=31536000, immutable"


def test_every_page_loads_without_a_policy_violation(browser, hosted_site):  # noqa: F811
    output, address = hosted_site
    pages = sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html"))
    assert len(pages) >= 25
    context = browser.new_context()
    context.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    found = {}
    for path in pages:
        response = page.goto(address + path)
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert page.evaluate("getComputedStyle(document.body).fontFamily"), path
        violations = page.evaluate("window.__violations")
        if violations:
            found[path] = violations
    meta = page.locator("meta[http-equiv='Content-Security-Policy']").get_attribute("content")
    assert "form-action 'self'" in meta and "frame-ancestors" not in meta

    probe = output / "csp-probe.html"  # the listener does see what the policy blocks
    probe.write_text('<!doctype html><title>probe</title><p style="color:red">x</p>')
    page.goto(address + "csp-probe.html")
    assert page.evaluate("window.__violations"), "an inline style is reported"
    probe.unlink()
    context.close()
    assert found == {}
