"""`invoke digest`: what is new is decided by article Id against the record of
sent issues, and the composed email reads well and stays small."""

from __future__ import annotations

import email
import json
import re
import struct
import zlib
from datetime import datetime, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest
from lxml import html
from test_theme_in_browser import browser  # noqa: F401 - the Chromium fixture

from conftest import FIXTURES, OWN_SENDER, OWN_SITE, run_invoke, with_own_addresses
from mail_server import MailServer
from sending_helpers import footer_link, set_unsubscribe, smtp_env, write_subscribers


def site_now() -> datetime:
    """The clock in the site's time zone, in which header dates are written."""
    return datetime.now(ZoneInfo("America/New_York"))


TRICKY = '</script><script>alert(1)</script> "Quotes" & <b>tags</b>'


def compose(project, out):
    return run_invoke(project, "digest", "--out", str(out))


def read_eml(folder):
    with open(folder / "message.eml", "rb") as handle:
        return email.message_from_binary_file(handle, policy=policy.default)


def carried(folder) -> list[str]:
    return json.loads((folder / "issue.json").read_text())["articles"]


def write_article(project, name, title, when, status="published"):
    (project / f"content/articles/{name}.md").write_text(
        f"Title: {title}\nDate: {when:%Y-%m-%d %H:%M}\nId: {when:%Y-%m-%d}-{name}\n"
        f"Status: {status}\nSummary: About {title}.\n\nA paragraph about {title}.\n"
    )


def test_compose_mark_sent_publish_and_redate_sequence(newsletter_copy, tmp_path):
    first = tmp_path / "first"
    result = compose(newsletter_copy, first)
    assert result.returncode == 0, result.stderr
    assert "Subject: Parts & Purpose Coaching #1: Small Steps Between Sessions" in result.stdout
    assert str(first) in result.stdout
    assert len(carried(first)) == 6

    result = run_invoke(newsletter_copy, "digest", "--out", str(first), "--mark-sent")
    assert result.returncode == 0, result.stderr
    record = json.loads((newsletter_copy / "content/newsletter/issues.json").read_text())
    assert [i["number"] for i in record["issues"]] == [1]
    assert record["issues"][0]["articles"] == carried(first)

    again = run_invoke(newsletter_copy, "digest", "--out", str(first), "--mark-sent")
    assert again.returncode == 1 and "already recorded" in again.stderr

    nothing = tmp_path / "nothing"
    result = compose(newsletter_copy, nothing)
    assert result.returncode == 0 and "Nothing new" in result.stdout
    assert not nothing.exists()

    yesterday = site_now() - timedelta(days=1)
    write_article(newsletter_copy, "a-new-one", "A New One", yesterday)
    write_article(newsletter_copy, "not-yet", "Not Yet", site_now() + timedelta(days=30))
    write_article(newsletter_copy, "unfinished", "Unfinished", yesterday, status="draft")
    second = tmp_path / "second"
    assert compose(newsletter_copy, second).returncode == 0
    assert carried(second) == [f"{yesterday:%Y-%m-%d}-a-new-one"]

    old = newsletter_copy / "content/articles/coaching-or-therapy.md"
    text = re.sub(
        r"Date: .*",
        f"Date: {site_now() - timedelta(hours=1):%Y-%m-%d %H:%M}",
        old.read_text(),
        count=1,
    )
    old.write_text(text + "\nA paragraph added much later.\n")
    third = tmp_path / "third"
    assert compose(newsletter_copy, third).returncode == 0
    assert carried(third) == [f"{yesterday:%Y-%m-%d}-a-new-one"]
    assert read_eml(third)["Subject"] == "Parts & Purpose Coaching #2: A New One"


def test_sent_issues_get_web_pages_and_an_archive(newsletter_copy, tmp_path):
    out = tmp_path / "issue"
    assert compose(newsletter_copy, out).returncode == 0
    assert run_invoke(newsletter_copy, "digest", "--out", str(out), "--mark-sent").returncode == 0
    assert run_invoke(newsletter_copy, "build").returncode == 0

    issue_page = html.fromstring((newsletter_copy / "output/newsletter/1/index.html").read_bytes())
    titles = [a.text_content() for a in issue_page.xpath("//article//h2/a")]
    assert len(titles) == 6 and titles[0] == "Small Steps Between Sessions"
    pages = newsletter_copy / "output/newsletter"
    archive = html.fromstring((pages / "archive/index.html").read_bytes())
    assert archive.xpath("//a[contains(@href, 'newsletter/1/')]")
    newsletter_page = html.fromstring((pages / "index.html").read_bytes())
    assert newsletter_page.xpath("//main//a[contains(@href, 'newsletter/archive/')]")


def test_the_email_parses_with_both_parts_headers_and_absolute_links(newsletter_copy, tmp_path):
    out = tmp_path / "issue"
    assert compose(newsletter_copy, out).returncode == 0
    message = read_eml(out)

    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    page = message.get_body(("html",)).get_content()
    assert (out / "email.html").read_text().strip() == page.strip()
    assert (out / "email.txt").read_text().strip() == text.strip()
    assert "List-Unsubscribe" not in message, "a merge tag is no address: the provider adds it"
    assert "List-Unsubscribe-Post" not in message
    assert re.fullmatch(r"<newsletter-1@[\w.-]+>", message["Message-ID"])
    assert message["Date"].datetime.tzinfo is not None
    assert message["From"].addresses[0].addr_spec

    tree = html.fromstring(page)
    assert tree.get("lang") == "en"
    assert "<style>" in page and "@media" in page, "media queries stay for small screens"
    assert tree.xpath("//table[@role='presentation' and @width='600']")
    assert 'style="' in page, "CSS is inlined"
    hrefs = [a.get("href") for a in tree.iter("a")]
    assert all(h.startswith("https://") or h == "*|UNSUB|*" for h in hrefs), hrefs
    assert "https://coach.test/newsletter/1/" in hrefs, "links to its web version"
    assert "*|UNSUB|*" in hrefs
    assert all(img.get("alt") for img in tree.iter("img"))
    assert tree.xpath("//div[@class='preheader']")
    assert "Read the article" in text and "https://coach.test/coaching-or-therapy/" in text
    assert "Unsubscribe" in text and "<" not in text.replace("<*|", "")


def test_forty_new_articles_stay_under_80_kb(newsletter_copy, tmp_path):
    start = site_now() - timedelta(days=100)
    for number in range(34):
        write_article(newsletter_copy, f"note-{number}", f"Note number {number}", start)
    out = tmp_path / "issue"
    assert compose(newsletter_copy, out).returncode == 0
    assert len(carried(out)) == 40
    page = (out / "email.html").read_bytes()
    assert len(page) < 80_000
    tree = html.fromstring(page)
    assert len(tree.xpath("//h2")) == 10, "the first ten with summaries"
    assert len(tree.xpath("//ul[@class='more']/li")) == 30, "the rest as a list of titles"


def test_the_coachs_text_lands_as_text_in_the_email(newsletter_copy, tmp_path):
    for article in (newsletter_copy / "content/articles").glob("*.md"):
        article.unlink()
    tricky = (FIXTURES / "escaping/articles/tricky.md").read_text()
    (newsletter_copy / "content/articles/tricky.md").write_text(tricky)
    (newsletter_copy / "content/images/dot.png").write_bytes(png(1, 1))
    out = tmp_path / "issue"
    result = compose(newsletter_copy, out)
    assert result.returncode == 0, result.stderr

    message = read_eml(out)
    assert message["Subject"] == f"Parts & Purpose Coaching #1: {TRICKY}"
    page = message.get_body(("html",)).get_content()
    tree = html.fromstring(page)
    assert tree.xpath("//h2/a")[0].text_content() == TRICKY
    assert not tree.xpath("//script") and not tree.xpath("//h2//b")
    assert TRICKY in message.get_body(("plain",)).get_content()


@pytest.mark.parametrize("damage", ["{not json", '{"issues": [{"number": 1}]}'])
def test_a_damaged_record_is_reported_and_left_as_it_is(newsletter_copy, tmp_path, damage):
    record = newsletter_copy / "content/newsletter/issues.json"
    record.write_text(damage)
    result = compose(newsletter_copy, tmp_path / "issue")
    assert result.returncode == 1
    assert "content/newsletter/issues.json" in result.stderr and "Fix:" in result.stderr
    assert record.read_text() == damage


@pytest.mark.parametrize(
    "value, problem",
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("*|UNSUB|*\n", "has a line break or another control character"),
        ("<unsubscribe>", "is neither an https:// address nor a merge tag"),
        ("{{ unsubscribe_url|default:'x' }}", "is neither an https:// address nor a merge tag"),
        ("http://www.example.com/leave/", "is neither an https:// address nor a merge tag"),
        ("https://www.example.com/leave me/", "contains a space"),
    ],
)
def test_an_unsubscribe_setting_that_cannot_be_a_link_is_refused(newsletter_copy, value, problem):
    set_unsubscribe(newsletter_copy, value)
    result = run_invoke(newsletter_copy, "digest")
    assert result.returncode == 1
    assert result.stderr.startswith(f'pelicanconf.py: DIGEST["unsubscribe"] is {value!r}: ')
    assert problem in result.stderr and "Fix: write an https:// address" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (newsletter_copy / "newsletter-issue").exists(), "nothing is written"


@pytest.mark.parametrize("command", ["digest", "send-digest"])
@pytest.mark.parametrize(
    "siteurl, state",
    [
        (None, "still the placeholder https://www.example.com"),
        ("https://www.example.com/", "still the placeholder https://www.example.com"),
        ("", "not set"),
    ],
)
def test_no_issue_goes_out_without_the_public_address(
    project_copy, tmp_path, command, siteurl, state
):
    """An email composed without the site's address links to the placeholder (or to
    localhost) and would be recorded as sent all the same."""
    with_own_addresses(project_copy)
    (project_copy / "site.toml").write_text(
        (project_copy / "site.toml").read_text().replace(OWN_SITE, "https://www.example.com")
    )
    write_subscribers(project_copy, 2)
    record = (project_copy / "content/newsletter/issues.json").read_bytes()
    with MailServer() as server:
        env = {k: v for k, v in smtp_env(server.port).items() if k != "SITEURL"}
        if siteurl is not None:
            env["SITEURL"] = siteurl
        result = run_invoke(project_copy, command, env=env)
        assert result.returncode == 1
        assert result.stderr.startswith(f"SITEURL, the public address of the site, is {state},")
        assert f"SITEURL=https://your-domain invoke {command}`" in result.stderr
        assert "so the email's links would not lead to it" in result.stderr
        assert "Traceback" not in result.stderr
        assert server.mailbox.received == []
    assert not (project_copy / "newsletter-issue").exists(), "nothing composed"
    assert not (project_copy / "content/newsletter/sending.sqlite").exists()
    assert (project_copy / "content/newsletter/issues.json").read_bytes() == record


@pytest.mark.parametrize("command", ["digest", "send-digest"])
def test_no_issue_goes_out_from_the_example_sender(project_copy, command):
    project_copy = with_own_addresses(project_copy)
    settings = project_copy / "site.toml"
    settings.write_text(settings.read_text().replace(f"<{OWN_SENDER}>", "<hello@example.com>"))
    write_subscribers(project_copy, 2)
    with MailServer() as server:
        result = run_invoke(project_copy, command, env=smtp_env(server.port))
        assert result.returncode == 1
        assert result.stderr.startswith(
            "site.toml: sender is 'Jordan Avery <hello@example.com>': "
            "example.com is reserved for examples"
        )
        assert "Fix: run\n`invoke init` and give your own sending address" in result.stderr
        assert server.mailbox.received == []
    assert not (project_copy / "newsletter-issue").exists()


def png(width: int, height: int) -> bytes:
    """A blank greyscale PNG of that size (a real image for the browser to lay out)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_every_image_of_the_email_fits_its_600_px_layout(newsletter_copy, tmp_path, browser):  # noqa: F811
    """A summary made from the article's start keeps its picture's width="1600";
    the email must still be 600 px wide, in Chromium and in Outlook (which reads
    only the width attribute), and carry no SVG, which most email programs hide."""
    (newsletter_copy / "content/images/wide.png").write_bytes(png(1600, 900))
    when = site_now() - timedelta(hours=1)
    (newsletter_copy / "content/articles/wide-view.md").write_text(
        f"Title: A Wide View\nDate: {when:%Y-%m-%d %H:%M}\nId: wide-view\n\n"
        "![A lake under a wide sky](/images/wide.png){width=1600 height=900}\n\n"
        "Before the hills ![Hills at dusk](/images/path-through-hills.svg) we rest.\n"
    )
    out = tmp_path / "issue"
    result = compose(newsletter_copy, out)
    assert result.returncode == 0, result.stderr
    page = read_eml(out).get_body(("html",)).get_content()
    tree = html.fromstring(page)
    # Its 1200 px PNG (pictures plugin: never the original, no <picture> in an email).
    (picture,) = tree.xpath("//img[contains(@src, '/images/wide.')]")
    assert re.search(r"/images/wide\.[0-9a-f]{8}\.1200\.png$", picture.get("src"))
    assert not tree.xpath("//picture | //source")
    assert (picture.get("width"), picture.get("height")) == ("536", "302")
    assert "max-width:100%" in picture.get("style").replace(" ", "")
    assert not [i for i in tree.iter("img") if ".svg" in i.get("src")], "no SVG in an email"
    assert "Before the hills Hills at dusk we rest." in " ".join(tree.text_content().split())

    context = browser.new_context(viewport={"width": 900, "height": 800})
    try:
        tab = context.new_page()
        served = []

        def serve(route):
            served.append(route.request.url)
            if route.request.url == f"{OWN_SITE}/the-email":
                route.fulfill(body=page, content_type="text/html; charset=utf-8")
            elif route.request.url == picture.get("src"):
                route.fulfill(body=png(1200, 675), content_type="image/png")
            else:
                route.fulfill(status=404)

        tab.route("**/*", serve)
        tab.goto(f"{OWN_SITE}/the-email", wait_until="load")
        # A lazy image loads after the page's load event.
        tab.wait_for_function("() => [...document.images].every(i => i.naturalWidth)")
        assert picture.get("src") in served, served
        sheet = tab.eval_on_selector("table.sheet", "t => t.getBoundingClientRect().width")
        shown = tab.eval_on_selector("img[src*='/images/wide.']", "i => [i.naturalWidth, i.width]")
    finally:
        context.close()
    assert sheet == 600
    assert shown[0] == 1200 and shown[1] <= 536


def newest_in_full(project) -> None:
    settings = project / "pelicanconf.py"
    line = '    "newest_in_full": False,\n'
    assert line in settings.read_text()
    settings.write_text(settings.read_text().replace(line, '    "newest_in_full": True,\n'))


def test_the_text_part_keeps_code_blocks_and_nested_lists_as_written(newsletter_copy, tmp_path):
    newest_in_full(newsletter_copy)
    when = site_now() - timedelta(hours=1)
    (newsletter_copy / "content/articles/a-morning-check-in.md").write_text(
        f"Title: A Morning Check-in\nDate: {when:%Y-%m-%d %H:%M}\nId: morning\n"
        "Summary: Three questions.\n\n"
        "Ask yourself:\n\n"
        "```\n"
        "What do I need today?\n"
        "    From whom?\n"
        "        By when?\n"
        "```\n\n"
        "- Notice\n"
        "    - the part that hurries\n"
        "        - and what it fears\n"
        "- Rest\n"
    )
    out = tmp_path / "issue"
    assert compose(newsletter_copy, out).returncode == 0
    text = read_eml(out).get_body(("plain",)).get_content()
    assert "What do I need today?\n    From whom?\n        By when?\n" in text, text
    lines = text.splitlines()
    depth = {
        words: len(line) - len(line.lstrip())
        for words in ("Notice", "the part that hurries", "and what it fears", "Rest")
        for line in lines
        if line.strip().endswith(words) and line.strip()[0] in "*+o-"
    }
    assert depth["Notice"] == depth["Rest"] < depth["the part that hurries"]
    assert depth["the part that hurries"] < depth["and what it fears"]
    assert all(line == line.rstrip() for line in lines), "no trailing layout padding"


def test_an_article_too_long_for_gmail_is_sent_as_its_summary(newsletter_copy, tmp_path):
    """Gmail hides what follows 102 KB of HTML, the unsubscribe link with it."""
    newest_in_full(newsletter_copy)
    short = tmp_path / "short"
    result = compose(newsletter_copy, short)
    assert result.returncode == 0 and "Note:" not in result.stdout
    assert html.fromstring((short / "email.html").read_bytes()).xpath("//div[@class='full']")

    when = site_now() - timedelta(hours=1)
    paragraphs = "\n\n".join(
        f"Step {n}: notice which part of you answers first, and thank it for its care."
        for n in range(1500)
    )
    (newsletter_copy / "content/articles/the-long-walk.md").write_text(
        f"Title: The Long Walk\nDate: {when:%Y-%m-%d %H:%M}\nId: long-walk\n"
        f"Summary: A long walk, one step at a time.\n\n{paragraphs}\n"
    )
    out = tmp_path / "issue"
    result = compose(newsletter_copy, out)
    assert result.returncode == 0, result.stderr
    assert "Note: The newest article in full would make the email " in result.stdout
    assert "it shows the summary and a link to the article instead." in result.stdout
    message = read_eml(out)
    page = message.get_body(("html",)).get_content()
    assert len(page.encode()) < 100_000
    tree = html.fromstring(page)
    assert not tree.xpath("//div[@class='full']") and "Step 1499" not in page
    first = tree.xpath("//td[h2]")[0]
    assert first.xpath(".//div[@class='summary']")[0].text_content().strip() == (
        "A long walk, one step at a time."
    )
    assert first.xpath(".//a[.='Read the article']/@href") == ["https://coach.test/the-long-walk/"]
    assert tree.xpath("//a[starts-with(., 'Unsubscribe')]/@href") == ["*|UNSUB|*"]
    assert "Step 1499" not in message.get_body(("plain",)).get_content()


def test_the_hand_sent_email_has_one_click_unsubscribe_headers_only_for_an_address(
    newsletter_copy, tmp_path
):
    set_unsubscribe(newsletter_copy, "https://coach.test/leave/")
    out = tmp_path / "issue"
    assert compose(newsletter_copy, out).returncode == 0
    message = read_eml(out)
    assert message["List-Unsubscribe"] == "<https://coach.test/leave/>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert footer_link(message.get_body(("html",)).get_content()) == "https://coach.test/leave/"
