"""`invoke serve` as the coach meets it: a build's problems at the top of every
open page (in Chromium) until the next good build, settings edits, deleted and
renamed articles, a busy port, and `invoke serve --publish` (what `invoke
preview` points to)."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import expect
from test_tasks import fetch, free_port, wait_for
from test_theme_in_browser import browser  # noqa: F401 (the shared Chromium fixture)

from conftest import run_invoke
from project import start_serve

# A settings edit: the site's name, written last so it wins wherever it is set.
RENAMED = '\nSITENAME = "Sam Coaches"\n'


@contextmanager
def serving(project: Path, log_path: Path, *options: str):
    """`invoke serve` on a free port until the block ends; yields its address."""
    port = free_port()
    log = log_path.open("w+")
    server = start_serve(project, port, log, *options)
    address = f"http://localhost:{port}/"
    try:
        assert wait_for(lambda: "</body>" in fetch(address), 60), log_path.read_text()
        yield address
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_build_problem_shows_on_every_open_page_until_the_next_good_build(
    browser,  # noqa: F811
    project_copy,
    tmp_path,
):
    broken = project_copy / "content/articles/broken.md"
    log = tmp_path / "serve.log"
    with serving(project_copy, log) as address:
        context = browser.new_context()
        pages = [context.new_page() for _ in range(2)]
        pages[0].goto(address)
        pages[1].goto(address + "coaching-or-therapy/")
        broken.write_text("Title:\nDate: 2026-01-01\nId: 2026-01-01-broken\n\nText.\n")
        for page in pages:  # each reloads by itself and shows the terminal's lines
            box = page.locator("aside.preview-problems")
            expect(box).to_be_visible(timeout=30_000)
            # Each problem as the terminal prints it: file, line, what is wrong, the fix.
            printed = [x for x in log.read_text().splitlines() if x.startswith("content/")]
            shown = box.locator("li").all_text_contents()
            assert len(shown) == 1 and shown[0] in printed  # (printed once a failed build)
            assert shown[0].startswith("content/articles/broken.md:1: Title is empty. Fix: ")
            assert box.locator("li code").all_text_contents() == ["content/articles/broken.md:1"]
            assert "1 content problem in 1 file" in box.text_content()
            assert page.locator("main#main h1").count() == 1, "the last good page stays under it"
            # At the top, in the site's notice style (its stylesheet's border and surface).
            top = page.evaluate("document.body.firstElementChild.className")
            assert "preview-problems" in top
            style = box.evaluate("b => getComputedStyle(b).borderLeftWidth")
            assert style == "4px"
        built = [p for p in (project_copy / "output").rglob("*") if p.is_file()]
        assert built and not [p for p in built if b"preview-problems" in p.read_bytes()]

        broken.unlink()
        for page in pages:
            expect(page.locator("aside.preview-problems")).to_have_count(0, timeout=30_000)
        assert "preview-problems" not in fetch(address)
        context.close()


def test_when_the_first_build_fails_its_problems_are_the_home_page(project_copy, tmp_path):
    shutil.rmtree(project_copy / "output", ignore_errors=True)
    broken = project_copy / "content/articles/broken.md"
    broken.write_text("Title:\nDate: 2026-01-01\nId: 2026-01-01-broken\n\nText.\n")
    with serving(project_copy, tmp_path / "serve.log") as address:
        page = fetch(address)
        assert "<code>content/articles/broken.md:1</code>: Title is empty." in page
        broken.unlink()
        assert wait_for(lambda: "preview-problems" not in fetch(address))
        assert "Coaching or Therapy" in fetch(address)


def test_a_settings_edit_a_deleted_and_a_renamed_article_show_on_every_page(project_copy, tmp_path):
    settings = project_copy / "pelicanconf.py"
    articles = project_copy / "content/articles"
    log = tmp_path / "serve.log"
    with serving(project_copy, log) as address:
        settings.write_text(settings.read_text() + RENAMED)
        pages = [address, address + "about/", address + "coaching-or-therapy/"]
        assert wait_for(lambda: all("Sam Coaches</a>" in fetch(p) for p in pages)), log.read_text()

        assert "Small Steps" in fetch(address)
        # Even while a build reads the folder (the one of the settings may still run).
        (articles / "small-steps-after-a-session.md").unlink()
        gone = [address, address + "archives/", address + "tag/coaching/"]
        assert wait_for(
            lambda: (
                status_of(address + "small-steps-after-a-session/") == 404
                and not any("Small Steps" in fetch(p) for p in gone)
            )
        ), log.read_text()

        (articles / "meeting-your-inner-critic.md").rename(articles / "your-inner-critic.md")
        assert wait_for(
            lambda: (
                status_of(address + "meeting-your-inner-critic/") == 404
                and "your-inner-critic/" in fetch(address)
                and "meeting-your-inner-critic/" not in fetch(address)
            )
        ), log.read_text()
        assert "Meeting Your Inner Critic" in fetch(address + "your-inner-critic/")
        assert "Build failed" not in log.read_text()


def test_a_settings_file_python_cannot_read_is_named_in_the_page(project_copy, tmp_path):
    settings = project_copy / "pelicanconf.py"
    with serving(project_copy, tmp_path / "serve.log") as address:
        text = settings.read_text()
        settings.write_text(text + 'SITE_TAGLINE = "Coaching, with the closing quote forgotten\n')
        line = len(text.splitlines()) + 1
        assert wait_for(lambda: "preview-problems" in fetch(address))
        page = fetch(address)
        assert f"<code>pelicanconf.py:{line}</code>: unterminated string literal" in page
        assert "<strong>Fix:</strong> correct that line" in page
        assert "Traceback" not in page
        settings.write_text(text)
        assert wait_for(lambda: "preview-problems" not in fetch(address))


def test_a_busy_port_is_one_line_with_the_fix(project_copy, tmp_path):
    with serving(project_copy, tmp_path / "serve.log") as address:
        port = int(address.rstrip("/").rsplit(":", 1)[1])
        second = run_invoke(project_copy, "serve", "--port", str(port))
    assert second.returncode == 1
    assert "Traceback" not in second.stderr and second.stdout == ""
    assert second.stderr.strip() == (
        f"Port {port} is already in use (perhaps by another `invoke serve`, at "
        f"http://localhost:{port}/). Fix: stop that one with Ctrl+C, or pick another "
        f"port: invoke serve --port {port + 1}"
    )


def test_preview_says_how_to_look_at_it_and_serve_publish_shows_it_styled(
    browser,  # noqa: F811
    project_copy,
    tmp_path,
):
    preview = run_invoke(project_copy, "preview")
    assert preview.returncode == 0, preview.stderr
    assert "`invoke serve --publish`, then open http://localhost:8000" in preview.stdout
    with serving(project_copy, tmp_path / "serve.log", "--publish") as address:
        assert status_of(address + "drafts/what-a-first-session-looks-like/") == 404
        context = browser.new_context()
        page = context.new_page()
        stylesheets = []
        page.on("response", lambda r: stylesheets.append(r) if r.url.endswith(".css") else None)
        page.goto(address + "coaching-or-therapy/")
        assert [r.status for r in stylesheets] == [200]
        assert stylesheets[0].url.startswith(address + "theme/site.")
        # The site's own look: its paper background, not the browser's white.
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(251, 247, 242)"
        canonical = page.locator("link[rel=canonical]").get_attribute("href")
        assert canonical == address + "coaching-or-therapy/"
        context.close()

        # publishconf.py takes pelicanconf.py's edits too (it imports that file).
        settings = project_copy / "pelicanconf.py"
        settings.write_text(settings.read_text() + RENAMED)
        assert wait_for(lambda: "Sam Coaches</a>" in fetch(address + "about/"))
        # A problem shows there too (the publish build empties its folder first).
        broken = project_copy / "content/articles/broken.md"
        broken.write_text("Title:\nDate: 2026-01-01\nId: 2026-01-01-broken\n\nText.\n")
        article = address + "coaching-or-therapy/"
        assert wait_for(lambda: "content/articles/broken.md:1</code>" in fetch(article))
        broken.unlink()
        assert wait_for(lambda: "preview-problems" not in fetch(article))
        assert "Coaching or Therapy" in fetch(article)
