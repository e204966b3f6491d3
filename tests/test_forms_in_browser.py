"""Both forms, for every provider, filled by keyboard in Chromium with JavaScript
on and off: the provider receives exactly the fields its contract names; the
site is served with its own _headers (so the CSP must allow the endpoints); a
failing endpoint keeps what was typed and says so."""

from __future__ import annotations

import http.server
import json
import threading
from urllib.parse import parse_qsl

import pytest
from test_headers import free_port, serve_like_a_host
from test_theme_in_browser import browser  # noqa: F401 (the shared Chromium fixture)

from conftest import ROOT, run_pelican

TYPED = {"email": "ana@example.org", "name": "Ana", "topic": "Sessions", "message": "Hello there"}


class Capture:
    """A stand-in for the form services on its own port (another origin)."""

    def __init__(self):
        self.posts: list[tuple[str, dict]] = []
        self.failing = False
        self.answer = b'{"ok": true}'  # what a JSON answer says
        capture = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                capture.posts.append((self.path, dict(parse_qsl(body, keep_blank_values=True))))
                if capture.failing == "dropped":  # the connection ends without an answer
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                wants_json = "application/json" in self.headers.get("Accept", "")
                self.send_response(500 if capture.failing else 200)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Content-Type", "application/json" if wants_json else "text/html")
                self.end_headers()
                self.wfile.write(capture.answer if wants_json else b"<p>Thank you</p>")

            def log_message(self, format, *args):  # noqa: A002
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def capture():
    service = Capture()
    yield service
    service.server.shutdown()


# (newsletter settings, contact settings) built together; "{capture}" is the stand-in.
BUILDS = {
    "mailchimp+formspree": (
        {
            "provider": "mailchimp",
            "dc": "us6",
            "u": "abc123",
            "id": "list9",
            "action": "{capture}/mailchimp",
        },
        {"provider": "formspree", "form_id": "f1", "action": "{capture}/formspree"},
    ),
    "buttondown+netlify": (
        {
            "provider": "buttondown",
            "username": "coach",
            "tag": "site",
            "action": "{capture}/buttondown",
        },
        {"provider": "netlify", "form_name": "contact"},
    ),
    "custom+basin": (
        {"provider": "custom", "action": "{capture}/custom-list", "background": True},
        {"provider": "basin", "form_id": "b1", "action": "{capture}/basin"},
    ),
    "kit+basin": (
        {"provider": "kit", "form_id": "1234567", "first_name": True, "action": "{capture}/kit"},
        {"provider": "basin", "form_id": "b1", "action": "{capture}/basin"},
    ),
    "mailerlite+formspree": (
        {
            "provider": "mailerlite",
            "account": "123456",
            "form_id": "98765432101234567",
            "action": "{capture}/mailerlite",
        },
        {"provider": "formspree", "form_id": "f1", "action": "{capture}/formspree"},
    ),
    "custom+custom": (
        {"provider": "custom", "action": "{capture}/custom-list", "honeypot": "website"},
        {
            "provider": "custom",
            "action": "{capture}/custom-contact",
            "fields": {"message": "body"},
            "honeypot": "website",
        },
    ),
}
NEWSLETTER_FIELDS = {
    "mailchimp+formspree": {"EMAIL": "ana@example.org", "FNAME": "Ana", "b_abc123_list9": ""},
    "buttondown+netlify": {"email": "ana@example.org", "embed": "1", "tag": "site"},
    "custom+basin": {"email": "ana@example.org", "name": "Ana"},
    "custom+custom": {"email": "ana@example.org", "name": "Ana", "website": ""},
    # Kit's embed code: email_address, fields[first_name] when the form asks for it
    "kit+basin": {"email_address": "ana@example.org", "fields[first_name]": "Ana"},
    # MailerLite's embed code: fields[email], ml-submit, anticsrf
    "mailerlite+formspree": {
        "fields[email]": "ana@example.org",
        "ml-submit": "1",
        "anticsrf": "true",
    },
}
TYPED_CONTACT = {"name": "Ana", "email": "ana@example.org", "topic": "Sessions"}
CONTACT_FIELDS = {
    "mailchimp+formspree": {
        **TYPED_CONTACT,
        "message": "Hello there",
        "_subject": "A message from the website",
        "_gotcha": "",
    },
    "buttondown+netlify": {
        **TYPED_CONTACT,
        "message": "Hello there",
        "form-name": "contact",
        "bot-field": "",
    },
    "custom+basin": {**TYPED_CONTACT, "message": "Hello there", "_gotcha": ""},
    "custom+custom": {**TYPED_CONTACT, "body": "Hello there", "website": ""},
    "kit+basin": {**TYPED_CONTACT, "message": "Hello there", "_gotcha": ""},
    "mailerlite+formspree": {
        **TYPED_CONTACT,
        "message": "Hello there",
        "_subject": "A message from the website",
        "_gotcha": "",
    },
}


@pytest.fixture(scope="module", params=list(BUILDS))
def site(request, tmp_path_factory, capture):
    name = request.param
    port = free_port()
    newsletter, contact = (
        json.loads(json.dumps(s).replace("{capture}", capture.address)) for s in BUILDS[name]
    )
    output = tmp_path_factory.mktemp(name) / "output"
    result = run_pelican(
        ROOT / "content",
        output,
        "publishconf.py",
        "-e",
        f'SITEURL="http://127.0.0.1:{port}"',
        f"NEWSLETTER={json.dumps(newsletter)}",
        f"CONTACT={json.dumps(contact)}",
    )
    assert result.returncode == 0, result.stderr
    site_posts = []
    server = serve_like_a_host(output, port, site_posts)
    yield name, f"http://127.0.0.1:{port}/", site_posts
    server.shutdown()


def fill(page, prefix, keys):
    """Type into the form's fields by keyboard: focus the first, Tab between them."""
    page.focus(f"#{prefix}-{keys[0]}")
    for index, key in enumerate(keys):
        page.keyboard.type(TYPED[key])
        if index + 1 < len(keys):
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.id") == f"{prefix}-{keys[index + 1]}"


def submitted(posts, before):
    assert len(posts) == before + 1, posts[before:]
    return posts[-1][1]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_newsletter_form_sends_the_providers_fields(browser, site, capture, javascript):  # noqa: F811
    name, address, _ = site
    context = browser.new_context(java_script_enabled=javascript)
    context.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', e => window.__violations.push("
        "e.violatedDirective));"
    )
    page = context.new_page()
    page.goto(address + "newsletter/")
    keys = ["email", "name"] if page.locator("#nl-name").count() else ["email"]
    stays = javascript and page.locator("form.signup[data-background]").count() == 1
    before = len(capture.posts)
    fill(page, "nl", keys)
    page.keyboard.press("Enter")
    _wait(lambda: len(capture.posts) > before)
    assert submitted(capture.posts, before) == NEWSLETTER_FIELDS[name]
    if stays:  # a plain post leaves the page; that it arrived shows the CSP let it go
        assert page.evaluate("window.__violations") == []
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_contact_form_sends_the_providers_fields(browser, site, capture, javascript):  # noqa: F811
    name, address, site_posts = site
    posts = site_posts if name == "buttondown+netlify" else capture.posts
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(address + "contact/")
    before = len(posts)
    fill(page, "ct", ["name", "email", "topic", "message"])
    page.keyboard.press("Tab")  # from the message to the button
    page.keyboard.press("Enter")
    _wait(lambda: len(posts) > before)
    fields = submitted(posts, before)
    if "formspree" in name:  # Formspree sends the reader on to our thank-you page
        assert fields.pop("_next") == address + "thanks/contact/"
    assert fields == CONTACT_FIELDS[name]
    if javascript:
        status = page.locator("form.contact [role=status]")
        _wait(lambda: "Thank you" in status.text_content())
        assert page.url == address + "contact/", "it stays on the page"
    context.close()


@pytest.mark.parametrize("failure", ["500", "dropped"])
@pytest.mark.parametrize(
    "site", [b for b in BUILDS if "netlify" not in b], indirect=True
)  # Netlify's contact form posts to the site itself
def test_a_failing_service_keeps_the_text_and_says_what_to_do(browser, site, capture, failure):  # noqa: F811
    _, address, _ = site
    context = browser.new_context()
    page = context.new_page()
    page.goto(address + "contact/")
    fill(page, "ct", ["name", "email", "topic", "message"])
    capture.failing = failure
    try:
        page.click("form.contact [type=submit]")
        status = page.locator("form.contact [role=status]")
        _wait(lambda: "could not be sent" in status.text_content())
        assert "hello@example.com" in status.text_content()
        assert page.input_value("#ct-message") == TYPED["message"], "what was typed stays"
        assert page.is_enabled("form.contact [type=submit]"), "and can be sent again"
    finally:
        capture.failing = False
    context.close()


@pytest.mark.parametrize(
    "failure, answer",
    [
        ("500", b'{"ok": true}'),
        ("dropped", b'{"ok": true}'),
        (False, b'{"status": "failed", "errors": {"messages": ["Email is invalid"]}}'),
        (False, b'{"success": false, "errors": {"fields": {"email": ["invalid"]}}}'),
    ],
    ids=["500", "dropped", "kit-refusal", "mailerlite-refusal"],
)
@pytest.mark.parametrize("site", ["kit+basin", "mailerlite+formspree"], indirect=True)
def test_a_failed_sign_up_keeps_what_was_typed(browser, site, capture, failure, answer):  # noqa: F811
    """Kit's and MailerLite's forms go in the background: an error, a dropped
    connection or the provider's own refusal leaves the reader's address in place."""
    name, address, _ = site
    context = browser.new_context()
    page = context.new_page()
    page.goto(address + "newsletter/")
    keys = ["email", "name"] if page.locator("#nl-name").count() else ["email"]
    fill(page, "nl", keys)
    capture.failing, capture.answer = failure, answer
    try:
        page.click("form.signup [type=submit]")
        status = page.locator("form.signup [role=status]")
        _wait(lambda: "could not be sent" in status.text_content())
        assert page.input_value("#nl-email") == TYPED["email"], "what was typed stays"
        assert page.url == address + "newsletter/"
        assert page.is_enabled("form.signup [type=submit]"), "and can be sent again"
    finally:
        capture.failing, capture.answer = False, b'{"ok": true}'
    context.close()


def test_an_invalid_field_is_marked_in_words(browser, site):  # noqa: F811
    _, address, _ = site
    context = browser.new_context()
    page = context.new_page()
    page.goto(address + "contact/")
    page.fill("#ct-email", "not an address")
    page.click("form.contact [type=submit]")
    assert page.get_attribute("#ct-email", "aria-invalid") == "true"
    assert page.text_content("#ct-email-error").strip()
    assert page.evaluate("document.activeElement.id") == "ct-name"
    context.close()


def test_a_filled_honeypot_is_sent_as_the_provider_expects(browser, site, capture):  # noqa: F811
    name, address, site_posts = site
    posts = site_posts if name == "buttondown+netlify" else capture.posts
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(address + "contact/")
    honeypot = page.get_attribute("form.contact .hp input", "name")
    page.evaluate(f"document.querySelector('[name=\"{honeypot}\"]').value = 'spam'")
    before = len(posts)
    fill(page, "ct", ["name", "email", "topic", "message"])
    page.click("form.contact [type=submit]")
    _wait(lambda: len(posts) > before)
    assert submitted(posts, before)[honeypot] == "spam"
    context.close()


def _wait(condition, seconds: float = 10):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.fixture(scope="module", params=["formspree", "netlify"])
def site_with_question(request, tmp_path_factory, capture):
    """The contact form with the spam question: sent in the background
    (Formspree, with forms.js) or as a plain post (Netlify)."""
    contact = {"provider": request.param, "question": True}
    contact |= {"form_id": "f1", "action": f"{capture.address}/formspree"}
    port = free_port()
    output = tmp_path_factory.mktemp(request.param) / "output"
    result = run_pelican(
        ROOT / "content",
        output,
        "publishconf.py",
        "-e",
        f'SITEURL="http://127.0.0.1:{port}"',
        f"CONTACT={json.dumps(contact)}",
    )
    assert result.returncode == 0, result.stderr
    site_posts = []
    server = serve_like_a_host(output, port, site_posts)
    yield f"http://127.0.0.1:{port}/", site_posts
    server.shutdown()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_wrong_spam_answer_is_answered_in_the_sites_words(
    browser,  # noqa: F811
    site_with_question,
    capture,
    javascript,
):
    address, site_posts = site_with_question
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(address + "contact/")
    fill(page, "ct", ["name", "email", "topic", "message"])
    page.fill("#ct-question", "8")
    before = len(capture.posts) + len(site_posts)
    page.click("form.contact [type=submit]")
    page.wait_for_timeout(300)
    assert len(capture.posts) + len(site_posts) == before, "a wrong answer sends nothing"
    question = page.locator("#ct-question")
    wrong = "That is not the answer to 1 + 6. Type it as one number, in digits."
    if javascript:
        # The browser's own bubble (plain post) and the words beside the field
        # (background) both say validationMessage.
        assert question.evaluate("q => q.validationMessage") == wrong
        if page.locator("form.contact[data-background]").count():
            assert page.text_content("#ct-question-error") == wrong
    else:
        # Without scripts Chromium says its own line and, under it, the title.
        assert (
            question.get_attribute("title") == "Type the answer to 1 + 6 as one number, in digits."
        )
    page.fill("#ct-question", " 7 ")
    assert question.evaluate("q => q.checkValidity()"), "the right answer, spaces and all"
    context.close()
