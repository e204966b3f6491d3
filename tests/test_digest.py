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
    write_note(newsletter_copy, "Dear reader,\n\nSee [my story](about/) and <i>this</i>.\n")
    out = tmp_path / "issue"
    assert compose(newsletter_copy, out).returncode == 0
    assert run_invoke(newsletter_copy, "digest", "--out", str(out), "--mark-sent").returncode == 0
    assert run_invoke(newsletter_copy, "build").returncode == 0

    issue_page = html.fromstring((newsletter_copy / "output/newsletter/1/index.html").read_bytes())
    titles = [a.text_content() for a in issue_page.xpath("//article//h2/a")]
    assert len(titles) == 6 and titles[0] == "Small Steps Between Sessions"
    (letter,) = issue_page.xpath("//section[contains(@class, 'letter')]")
    assert " ".join(letter.text_content().split()) == (
        "Dear reader, See my story and <i>this</i>. Jordan Avery"
    ), "the note opens the web version too, signed"
    assert letter.xpath(".//a/@href") == ["/about/"] and letter.xpath(
        ".//img[@class='portrait small']"
    )
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


# The letter (issue 25): a note from the coach, signed; the newest article's picture;
# the theme's colours; a text part that reads as text.

NOTE = (
    "Dear reader,\n\nThis month I kept noticing how *small* steps add up -- it's true. Start "
    "with "
    "[the newest article](small-steps-after-a-session/) and <b>write back</b> & tell me.\n\n"
    "[A trap](javascript:alert(1))\n"
)


def theme_accent() -> str:
    """The light theme's accent colour, as theme/static/site.css declares it."""
    css = (FIXTURES.parent.parent / "theme/static/site.css").read_text()
    return re.search(r"--accent:\s*(#[0-9a-f]{6})", css)[1]


def style_of(element) -> dict:
    pairs = (part.split(":", 1) for part in element.get("style", "").split(";") if ":" in part)
    return {key.strip(): value.strip() for key, value in pairs}


def email_parts(folder) -> tuple:
    message = read_eml(folder)
    page = message.get_body(("html",)).get_content()
    return html.fromstring(page), message.get_body(("plain",)).get_content()


def write_note(project, text: str | bytes, number: int = 1):
    notes = project / "content/newsletter/notes"
    notes.mkdir(parents=True, exist_ok=True)
    path = notes / f"{number}.md"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_a_note_opens_the_issue_signed_with_the_coachs_name_and_portrait(newsletter_copy, tmp_path):
    write_note(newsletter_copy, NOTE)
    out = tmp_path / "issue"
    result = compose(newsletter_copy, out)
    assert result.returncode == 0, result.stderr
    tree, text = email_parts(out)

    cells = tree.xpath("//table[@class='sheet']/tr/td | //table[@class='sheet']/tbody/tr/td")
    classes = [cell.get("class") for cell in cells]
    assert classes[:3] == ["masthead", "intro", "cell note"], classes
    note = cells[2]
    words = " ".join(note.text_content().split())
    assert words.startswith(
        "Dear reader, This month I kept noticing how small steps add up \u2013 it\u2019s true."
    ), "typographic, as the articles"
    assert "<b>write back</b> & tell me." in words, "raw HTML in a note is text"
    assert not note.xpath(".//b") and not note.xpath(".//script")
    links = note.xpath(".//a/@href")
    assert links == ["https://coach.test/small-steps-after-a-session/"], "no javascript: link"
    assert "A trap" in words

    (portrait,) = note.xpath(".//img[@class='portrait']")
    assert portrait.get("src") == f"{OWN_SITE}/images/portrait.jpg"
    assert (portrait.get("width"), portrait.get("height")) == ("64", "64")
    assert portrait.get("alt") == "Illustrated portrait of Jordan Avery, smiling"
    assert note.xpath(".//td[@class='name']")[0].text_content() == "Jordan Avery"
    assert tree.xpath("//h2")[0].text_content() == "Small Steps Between Sessions"

    assert text.index("Dear reader,") < text.index("Jordan Avery") < text.index("Small Steps")
    assert "the newest article (https://coach.test/small-steps-after-a-session/)" in text
    assert "<b>write back</b> & tell me." in text
    assert "](" not in text and "javascript" not in text


def test_without_a_note_the_issue_opens_with_the_newest_article_and_its_picture(
    newsletter_copy, tmp_path
):
    (newsletter_copy / "content/images/lake.png").write_bytes(png(1600, 900))
    when = site_now() - timedelta(hours=1)
    (newsletter_copy / "content/articles/by-the-lake.md").write_text(
        f"Title: By the Lake\nDate: {when:%Y-%m-%d %H:%M}\nId: by-the-lake\n"
        "Image: {static}/images/lake.png\nSummary: A walk by the water.\n\nA paragraph.\n"
    )
    out = tmp_path / "issue"
    assert compose(newsletter_copy, out).returncode == 0
    tree, text = email_parts(out)

    assert not tree.xpath("//td[contains(@class, 'note')]")
    assert not tree.xpath("//img[@class='portrait']"), "a signature belongs to a note"
    first = tree.xpath("//td[contains(@class, 'cell')]")[0]
    assert first.xpath(".//h2")[0].text_content() == "By the Lake"
    (picture,) = first.xpath(".//a/img[@class='picture']")
    # The 1200 px PNG the site serves (a large original is not on the site).
    assert re.fullmatch(rf"{OWN_SITE}/images/lake\.[0-9a-f]{{8}}\.1200\.png", picture.get("src"))
    assert (picture.get("width"), picture.get("height")) == ("536", "302")
    assert picture.get("alt") == "By the Lake"
    assert picture.getparent().get("href") == f"{OWN_SITE}/by-the-lake/"
    assert len(tree.xpath("//img[@class='picture']")) == 1, "the newest article's alone"

    (web,) = tree.xpath("//a[@class='web-version']")
    assert web.get("href") == f"{OWN_SITE}/newsletter/1/"
    assert style_of(web)["color"] == theme_accent(), "the theme's colour, not default blue"

    assert "](" not in text and "[" not in text.replace("*|UNSUB|*", "")
    assert "Unsubscribe with one click: *|UNSUB|*" in text
    assert "Read the article: https://coach.test/by-the-lake/" in text
    assert "Read this issue on the web (https://coach.test/newsletter/1/)" in text
    assert text.count("https://coach.test/by-the-lake/") == 1, "each address once"


@pytest.mark.parametrize(
    "note, problem",
    [
        (b"Caf\xe9 au lait\n", "is not UTF-8 text"),
        ("Hello \u202eworld\n".encode(), "holds an invisible text-direction character (U+202E"),
        ("Hello\u200bworld\n".encode(), "holds an invisible zero-width character (U+200B"),
        (b"\n  \n", "is empty"),
    ],
)
def test_a_note_the_issue_cannot_carry_is_refused_in_one_line(
    newsletter_copy, tmp_path, note, problem
):
    path = write_note(newsletter_copy, note)
    out = tmp_path / "issue"
    result = compose(newsletter_copy, out)
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("content/newsletter/notes/1.md") and problem in line
    assert "Fix: " in line and "Nothing was composed" in line
    assert not out.exists() and path.read_bytes() == note, "nothing written, nothing lost"


def test_digest_note_puts_the_note_where_send_digest_reads_it(newsletter_copy, tmp_path):
    mine = tmp_path / "my note.md"
    mine.write_text("\ufeffWritten in my own editor.\r\n")
    out = tmp_path / "issue"
    result = run_invoke(newsletter_copy, "digest", "--out", str(out), "--note", str(mine))
    assert result.returncode == 0, result.stderr
    assert "content/newsletter/notes/1.md" in result.stdout
    kept = newsletter_copy / "content/newsletter/notes/1.md"
    assert kept.read_bytes() == mine.read_bytes()
    tree, text = email_parts(out)
    assert tree.xpath("//td[contains(@class, 'note')]/p")[0].text == "Written in my own editor."

    other = tmp_path / "other.md"
    other.write_text("Another note.\n")
    again = run_invoke(newsletter_copy, "digest", "--out", str(out), "--note", str(other))
    assert again.returncode == 1
    assert again.stderr.startswith("content/newsletter/notes/1.md: already holds a different note")
    assert kept.read_bytes() == mine.read_bytes(), "the first note is kept"
    both = run_invoke(newsletter_copy, "digest", "--mark-sent", "--note", str(other))
    assert both.returncode == 1 and both.stderr.startswith("--note opens an issue being composed")
    assert not (newsletter_copy / "content/newsletter/issues.json").read_text().count('"number"')

    # send-digest composes afresh from the content folder: the same issue, note and all.
    write_subscribers(newsletter_copy, 2)
    with MailServer() as server:
        sent = run_invoke(
            newsletter_copy, "send-digest", "--out", str(out), env=smtp_env(server.port)
        )
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert len(server.mailbox.received) == 2
        _, data = server.mailbox.received[0]
        body = email.message_from_bytes(data, policy=policy.default)
        body = body.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body.startswith(text.split("\n\n")[0]) and "Written in my own editor." in body


def test_a_letter_of_ten_articles_stays_under_80_kb_and_fits_a_phone(
    newsletter_copy,
    tmp_path,
    browser,  # noqa: F811
):
    start = site_now() - timedelta(days=1)
    for number in range(4):
        write_article(newsletter_copy, f"note-{number}", f"Note number {number}", start)
    (newsletter_copy / "content/images/lake.png").write_bytes(png(1600, 900))
    (newsletter_copy / "content/articles/by-the-lake.md").write_text(
        f"Title: By the Lake\nDate: {site_now() - timedelta(hours=1):%Y-%m-%d %H:%M}\n"
        "Id: by-the-lake\nImage: {static}/images/lake.png\nSummary: By the water.\n\nText.\n"
    )
    write_note(newsletter_copy, NOTE * 3)
    out = tmp_path / "issue"
    assert compose(newsletter_copy, out).returncode == 0
    assert len(carried(out)) == 11
    page = (out / "email.html").read_bytes()
    assert len(page) <= 80_000, len(page)

    portrait = (newsletter_copy / "content/images/portrait.jpg").read_bytes()
    for width in (375, 600):
        context = browser.new_context(viewport={"width": width, "height": 800})
        try:
            tab = context.new_page()

            def serve(route):
                url = route.request.url
                if url == f"{OWN_SITE}/the-email":
                    route.fulfill(body=page, content_type="text/html; charset=utf-8")
                elif re.search(r"/images/lake\.[0-9a-f]{8}\.1200\.png$", url):
                    route.fulfill(body=png(1200, 675), content_type="image/png")
                elif url.endswith("/images/portrait.jpg"):
                    route.fulfill(body=portrait, content_type="image/jpeg")
                else:
                    route.fulfill(status=404)

            tab.route("**/*", serve)
            tab.goto(f"{OWN_SITE}/the-email", wait_until="load")
            tab.wait_for_function("() => [...document.images].every(i => i.naturalWidth)")
            scroll = tab.evaluate("() => document.documentElement.scrollWidth")
            shown = tab.eval_on_selector("img.picture", "i => i.getBoundingClientRect().right")
        finally:
            context.close()
        assert scroll <= width, f"horizontal scroll at {width} px"
        assert shown <= width


def test_the_signature_is_text_whatever_the_coachs_name_and_portrait_text(
    newsletter_copy, tmp_path
):
    settings = newsletter_copy / "site.toml"
    text = re.sub(
        r"(?m)^author = .*$",
        lambda _: 'author = "Jo <b>Avery</b> & \\"Co\\""',
        settings.read_text(),
    )
    text = re.sub(
        r"(?m)^portrait_alt = .*$", lambda _: 'portrait_alt = "</td><script>x</script>"', text
    )
    settings.write_text(text)
    write_note(newsletter_copy, "Hello.\n")
    out = tmp_path / "issue"
    result = compose(newsletter_copy, out)
    assert result.returncode == 0, result.stderr
    tree, plain = email_parts(out)
    assert tree.xpath("//td[@class='name']")[0].text_content() == 'Jo <b>Avery</b> & "Co"'
    assert tree.xpath("//img[@class='portrait']/@alt") == ["</td><script>x</script>"]
    assert not tree.xpath("//b") and not tree.xpath("//script")
    assert 'Jo <b>Avery</b> & "Co"' in plain
