"""The editor at /admin/ in Debian's Chromium, with Sveltia CMS's test backend
(it keeps the repository in the browser's private file system): an article
written there is a file Pelican reads and `invoke check` lists as scheduled;
the page loads nothing from another host, and its icons are icons."""

from __future__ import annotations

import struct
import zlib
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from test_headers import free_port, serve_like_a_host
from test_theme_in_browser import browser  # noqa: F401 (the shared Chromium fixture)

from conftest import ROOT, run_invoke, run_pelican
from project import copy_project

ZONE = ZoneInfo("America/New_York")  # pelicanconf.py's TIMEZONE
TEST_BACKEND = '-e EDITOR={"backend":"test-repo"}'.split(" ", 1)[1]

# The files the test backend saved: a walk through the origin private file
# system under its folder (Sveltia CMS: `sveltia-cms-test`), path -> text.
SAVED_FILES = """async () => {
  const files = {};
  const walk = async (folder, prefix) => {
    for await (const [name, handle] of folder.entries()) {
      if (handle.kind === 'directory') await walk(handle, prefix + name + '/');
      else files[prefix + name] = await (await handle.getFile()).text();
    }
  };
  const root = await navigator.storage.getDirectory();
  await walk(await root.getDirectoryHandle('sveltia-cms-test'), '');
  return files;
}"""
# Every element showing a Material Symbols icon, and whether the icon font is
# what it is drawn with: a glyph is one font size wide, a name shown as a
# word (the font missing) several.
ICONS = """async () => {
  await document.fonts.ready;
  const icons = [...document.querySelectorAll('span')]
    .filter(e => getComputedStyle(e).fontFamily.includes('Material Symbols')
                 && e.getClientRects().length && e.textContent.trim());
  return {count: icons.length,
          loaded: document.fonts.check('24px "Material Symbols Outlined"', 'home'),
          wide: icons.filter(e => e.getBoundingClientRect().width
                                > 1.5 * parseFloat(getComputedStyle(e).fontSize))
                     .map(e => e.textContent)};
}"""


# Put files into the test backend's repository before it is opened.
PUT_FILES = """async (files) => {
  const root = await navigator.storage.getDirectory();
  for (const [path, text] of Object.entries(files)) {
    let folder = await root.getDirectoryHandle('sveltia-cms-test', {create: true});
    const parts = path.split('/');
    for (const part of parts.slice(0, -1)) {
      folder = await folder.getDirectoryHandle(part, {create: true});
    }
    const file = await folder.getFileHandle(parts.at(-1), {create: true});
    const writable = await file.createWritable();
    await writable.write(text);
    await writable.close();
  }
}"""


def png(width: int = 4, height: int = 3) -> bytes:
    """A small real PNG picture (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x80\x40\x20" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def editor_site(tmp_path_factory):
    """The site built as it will be published, the editor on the test backend,
    served by a local host that applies _headers; yields (output, address)."""
    port = free_port()
    output = tmp_path_factory.mktemp("editor") / "output"
    result = run_pelican(
        ROOT / "content",
        output,
        "publishconf.py",
        "-e",
        f'SITEURL="http://127.0.0.1:{port}"',
        "-e",
        TEST_BACKEND,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    server = serve_like_a_host(output, port)
    yield output, f"http://127.0.0.1:{port}/"
    server.shutdown()


def watched_page(context, host: str):
    """A new page of `context` that may ask nothing of another host (such a
    request is aborted), with the lists it fills: the addresses it asked of
    other hosts, and the Content-Security-Policy violations it reported."""
    elsewhere, violations = [], []
    context.on(
        "request",
        lambda request: (
            urlsplit(request.url).scheme in ("http", "https")
            and urlsplit(request.url).netloc != host
            and elsewhere.append(request.url)
        ),
    )
    context.route(lambda url: urlsplit(url).netloc not in (host, ""), lambda route: route.abort())
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and violations.append(message.text)
        ),
    )
    return page, elsewhere, violations


def open_editor(browser, address, files=None):  # noqa: F811 (the fixture's value, passed on)
    # A browser on another continent's clock: dates are still the site's.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="Pacific/Auckland"
    )
    context.set_default_timeout(20_000)
    page, elsewhere, violations = watched_page(context, urlsplit(address).netloc)
    page.goto(address + "admin/", wait_until="networkidle")
    if files:
        page.evaluate(PUT_FILES, files)
    page.get_by_role("button", name="Work with Test Repository").click()
    return context, page, elsewhere, violations


def test_an_article_written_in_the_editor_is_read_checked_and_scheduled(
    browser,  # noqa: F811
    editor_site,
    tmp_path,
):
    _, address = editor_site
    context, page, elsewhere, violations = open_editor(browser, address)
    picture = tmp_path / "hill.png"
    picture.write_bytes(png())
    tomorrow = datetime.now(ZONE).date() + timedelta(days=1)
    at = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, 0, tzinfo=ZONE)

    page.goto(address + "admin/#/collections/articles/new", wait_until="networkidle")
    field = lambda key: page.locator(f'section[data-key-path="{key}"]')  # noqa: E731
    field("title").locator("input").fill("Walking with your inner critic")
    field("date").locator('input[type="datetime-local"]').fill(f"{at:%Y-%m-%dT%H:%M}")
    field("status").get_by_text("published (scheduled while the date is later)").click()
    field("tags").locator("input").first.fill("parts")
    field("tags").locator('button[data-label^="Add"]').click()
    field("tags").locator("input").nth(1).fill("walking")
    field("summary").locator("textarea").fill("A walk, a voice, and what it wants for you.")
    field("image").locator('input[type="file"]').first.set_input_files(str(picture))
    field("body").locator("textarea:visible").fill(
        "The critic talks loudest on a walk.\n\n- notice it\n- thank it\n\n"
        "> It is trying to help.\n\n![A hill at dusk](/images/hill.png)"
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_timeout(2000)
    saved = page.evaluate(SAVED_FILES)
    # Opened again, its preview shows the picture, in the theme's style.
    page.goto(address + "admin/#/collections/articles/entries/walking-with-your-inner-critic")
    preview = page.frame_locator("iframe").first
    picture_shown = preview.locator('img[alt="A hill at dusk"]')
    expect(picture_shown).to_be_visible()
    assert picture_shown.evaluate("e => e.decode().then(() => e.naturalWidth)") == 4
    quote = preview.locator("blockquote")
    assert quote.evaluate("e => getComputedStyle(e).borderLeftWidth") == "4px", "the theme's"
    # The list says it is scheduled.
    page.goto(address + "admin/#/collections/articles")
    expect(
        page.get_by_text(f"scheduled for {at:%Y-%m-%d %H:%M} (America/New_York)")
    ).to_be_visible()
    context.close()

    assert "content/images/hill.png" in saved
    text = saved["content/articles/walking-with-your-inner-critic.md"]
    assert text.startswith(
        "Title: Walking with your inner critic\n"
        f"Date: {at:%Y-%m-%d %H:%M}\n"
        f"Id: {at:%Y-%m-%d}-walking-with-your-inner-critic\n"
        "Status: published\n"
    ), text
    assert "Tags: parts, walking\n" in text
    assert "Image: {static}/images/hill.png\n" in text
    assert "![A hill at dusk]({static}/images/hill.png)" in text
    assert violations == [] and elsewhere == []

    project = copy_project(tmp_path / "project")
    (project / "content/articles/walking-with-your-inner-critic.md").write_text(text)
    (project / "content/images/hill.png").write_bytes(picture.read_bytes())
    from pelican.readers import MarkdownReader
    from pelican.settings import read_settings

    settings = read_settings(str(project / "pelicanconf.py"))
    body, metadata = MarkdownReader(settings).read(
        str(project / "content/articles/walking-with-your-inner-critic.md")
    )
    assert metadata["title"] == "Walking with your inner critic"
    assert [str(tag) for tag in metadata["tags"]] == ["parts", "walking"]
    assert metadata["status"] == "published" and metadata["date"].hour == 9
    assert "<blockquote>" in body and "<li>notice it</li>" in body
    result = run_invoke(project, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "content/articles/walking-with-your-inner-critic.md: Scheduled for" in result.stdout


def test_the_editor_loads_nothing_from_elsewhere_and_its_icons_are_icons(
    browser,  # noqa: F811
    editor_site,
):
    _, address = editor_site
    context, page, elsewhere, violations = open_editor(browser, address)
    page.goto(address + "admin/#/collections/articles/new", wait_until="networkidle")
    page.locator('section[data-key-path="body"]').wait_for()
    icons = page.evaluate(ICONS)
    context.close()
    assert icons["count"] > 5 and icons["loaded"], icons
    assert icons["wide"] == [], "an icon drawn as its name: the icon font did not load"
    assert elsewhere == [] and violations == []


def test_a_title_without_letters_or_digits_is_refused_and_nothing_is_saved(
    browser,  # noqa: F811
    editor_site,
):
    _, address = editor_site
    context, page, _, _ = open_editor(browser, address)
    page.goto(address + "admin/#/collections/articles/new", wait_until="networkidle")
    field = lambda key: page.locator(f'section[data-key-path="{key}"]')  # noqa: E731
    field("title").locator("input").fill("🌱 — 🌱")
    field("date").locator('input[type="datetime-local"]').fill("2026-03-04T09:00")
    field("body").locator("textarea:visible").fill("Text.")
    refusal = "Give the title letters or digits: the article's address is made of them"
    # Said as the title is typed, where the file name is shown, and again on Save.
    expect(field("file_name").get_by_text(refusal)).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(refusal).nth(1)).to_be_visible()
    saved = page.evaluate(SAVED_FILES)
    context.close()
    assert not [name for name in saved if name.startswith("content/articles/")]


def test_a_new_article_is_named_as_invoke_new_names_it(
    browser,  # noqa: F811
    editor_site,
    tmp_path,
):
    _, address = editor_site
    title = "Don’t wait: Ελπίδα & the “right time”"
    project = copy_project(tmp_path / "project", content=False)
    (project / "content/articles").mkdir(parents=True)
    result = run_invoke(project, "new", title)
    assert result.returncode == 0, result.stderr
    (made,) = (project / "content/articles").glob("*.md")
    assert made.stem == "dont-wait-elpida-the-right-time"

    context, page, _, _ = open_editor(browser, address)
    page.goto(address + "admin/#/collections/articles/new", wait_until="networkidle")
    field = lambda key: page.locator(f'section[data-key-path="{key}"]')  # noqa: E731
    field("title").locator("input").fill(title)
    expect(field("file_name").get_by_text(f"content/articles/{made.stem}.md")).to_be_visible()
    field("date").locator('input[type="datetime-local"]').fill("2026-03-04T09:00")
    field("body").locator("textarea:visible").fill("Text.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_timeout(2000)
    saved = page.evaluate(SAVED_FILES)
    context.close()
    text = saved[f"content/articles/{made.stem}.md"]
    assert text.startswith(f"Title: {title}\nDate: 2026-03-04 09:00\nId: 2026-03-04-{made.stem}\n")
    assert "file_name" not in text.lower()


def test_on_github_the_editor_asks_for_a_token_and_nothing_else(browser, tmp_path):  # noqa: F811
    port = free_port()
    output = tmp_path / "output"
    result = run_pelican(
        ROOT / "content",
        output,
        "publishconf.py",
        "-e",
        f'SITEURL="http://127.0.0.1:{port}"',
        'EDITOR={"repo": "jordan-avery/coaching-site", "branch": "main"}',
    )
    assert result.returncode == 0, result.stdout + result.stderr
    server = serve_like_a_host(output, port)
    try:
        context = browser.new_context()
        host = f"127.0.0.1:{port}"
        page, elsewhere, violations = watched_page(context, host)
        page.goto(f"http://{host}/admin/", wait_until="networkidle")
        expect(page.get_by_role("button", name="Sign In Using Access Token")).to_be_visible()
        assert page.get_by_role("button", name="Sign In with GitHub").count() == 0
        context.close()
    finally:
        server.shutdown()
    assert elsewhere == [] and violations == []


def test_an_edited_file_changes_only_the_line_of_the_changed_field(browser, editor_site):  # noqa: F811
    _, address = editor_site
    original = (
        "Title: Written on Windows\r\nDate: 2026-01-02 09:00\r\nId: 2026-01-02-windows\r\n"
        "Tags: parts,habits\r\nModified: 2026-01-03 10:00\r\n"
        "Summary: The old summary.\r\n\r\nA paragraph.\r\n\r\n- one\r\n- two"
    )
    path = "content/articles/windows.md"
    context, page, elsewhere, _ = open_editor(browser, address, {path: original})
    page.goto(address + "admin/#/collections/articles/entries/windows")
    summary = page.locator('section[data-key-path="summary"] textarea')
    expect(summary).to_have_value("The old summary.")
    summary.fill("A new summary.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_timeout(2000)
    saved = page.evaluate(SAVED_FILES)[path]
    context.close()
    assert saved == original.replace("The old summary.", "A new summary.")
    assert elsewhere == []


def test_a_page_keeps_the_header_lines_the_editor_has_no_field_for(browser, editor_site):  # noqa: F811
    _, address = editor_site
    path = "content/pages/thanks-contact.md"
    original = (ROOT / path).read_text(encoding="utf-8")
    assert "Status: hidden" in original
    context, page, _, _ = open_editor(browser, address, {path: original})
    page.goto(address + "admin/#/collections/pages/entries/thanks-contact")
    summary = page.locator('section[data-key-path="summary"] textarea')
    summary.wait_for()
    summary.fill("Your message is on its way.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_timeout(2000)
    saved = page.evaluate(SAVED_FILES)[path]
    context.close()
    kept = [line for line in original.splitlines() if not line.startswith("Summary:")]
    assert [line for line in saved.splitlines() if not line.startswith("Summary:")] == kept
    assert "\nSummary: Your message is on its way.\n" in saved


def test_a_title_whose_file_name_is_taken_is_refused_and_nothing_is_saved(
    browser,  # noqa: F811
    editor_site,
):
    _, address = editor_site
    path = "content/articles/dont-stop.md"
    original = "Title: Don't stop\nDate: 2026-01-02 09:00\nId: 2026-01-02-dont-stop\n\nText.\n"
    context, page, _, _ = open_editor(browser, address, {path: original})
    page.goto(address + "admin/#/collections/articles/new", wait_until="networkidle")
    field = lambda key: page.locator(f'section[data-key-path="{key}"]')  # noqa: E731
    field("title").locator("input").fill("Don’t STOP!")
    expect(field("file_name").get_by_text(path)).to_be_visible()
    field("date").locator('input[type="datetime-local"]').fill("2026-03-04T09:00")
    field("body").locator("textarea:visible").fill("Another text.")
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text(f"{path} already exists; edit it, or choose another title.")
    ).to_be_visible()
    saved = page.evaluate(SAVED_FILES)
    context.close()
    assert [name for name in saved if name.startswith("content/articles/")] == [path]
    assert saved[path] == original
