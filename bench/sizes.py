"""Bytes of what the site sends out: the feeds of the sample site, a
newsletter issue carrying 3 and 40 new articles, and the editor at /admin/
(never loaded by readers): its files, and what Chromium downloads to open it
and its new-article form (as sent, and gzip-compressed as hosts send it).

Run: python3 bench/sizes.py   (invoke bench runs it)
"""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from project import ROOT, copy_project

CHROMIUM = "/usr/bin/chromium"

PARAGRAPH = (
    "A part of you may want the change and another part may fear it. Both deserve a "
    "hearing, and coaching gives them room to speak before you choose the next step. "
)


def run(project: Path, *args: str) -> None:
    # The newsletter commands refuse the placeholder address: a site of its own.
    env = {**os.environ, "SITEURL": "https://coach.test"}
    subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=project,
        check=True,
        capture_output=True,
        env=env,
    )


def issue_sizes(count: int, workdir: Path) -> dict[str, int]:
    project = copy_project(workdir / f"project-{count}")
    settings = project / "pelicanconf.py"  # and a sender of its own
    settings.write_text(settings.read_text().replace("<hello@example.com>", "<jordan@coach.test>"))
    for article in (project / "content/articles").glob("*.md"):
        article.unlink()
    for number in range(count):
        (project / f"content/articles/note-{number}.md").write_text(
            f"Title: A note on parts and purpose, number {number}\n"
            f"Date: 2026-01-{1 + number % 28:02d} 09:00\nId: note-{number}\n"
            "Tags: parts, goals\n"
            f"Summary: {PARAGRAPH[:170]}\n\n" + (PARAGRAPH * 6 + "\n\n") * 5
        )
    out = workdir / f"issue-{count}"
    run(project, "digest", "--out", str(out))
    return {
        name: (out / name).stat().st_size for name in ("email.html", "email.txt", "message.eml")
    }


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's name
        pass


def admin_sizes(workdir: Path) -> dict[str, int]:
    """The editor's bytes: on disk, and downloaded to open its new-article form."""
    from playwright.sync_api import sync_playwright

    output = workdir / "admin-site"
    subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", str(output)]
        + ["-e", 'EDITOR={"backend": "test-repo"}'],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    on_disk = sum(f.stat().st_size for f in (output / "admin").rglob("*") if f.is_file())
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=output)
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"http://127.0.0.1:{server.server_port}/admin/"
    bodies: dict[str, bytes] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            page.on(
                "response",
                lambda response: (
                    response.url.startswith("http")
                    and response.ok
                    and bodies.setdefault(response.url, response.body())
                ),
            )
            page.goto(address, wait_until="networkidle")
            page.get_by_role("button", name="Work with Test Repository").click()
            page.goto(address + "#/collections/articles/new", wait_until="networkidle")
            page.wait_for_timeout(1000)
            browser.close()
    finally:
        server.shutdown()
    return {
        "files on disk": on_disk,
        "downloaded to open it": sum(len(body) for body in bodies.values()),
        "the same, gzip-compressed": sum(len(gzip.compress(b)) for b in bodies.values()),
        "of it, the icon font": sum(
            len(body) for url, body in bodies.items() if "material-symbols" in url
        ),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        site = copy_project(workdir / "site")
        run(site, "build")
        print("Feeds of the sample site (bytes):")
        for feed in sorted((site / "output/feeds").iterdir()):
            print(f"  {feed.name:10} {feed.stat().st_size:>8,}")
        for count in (3, 40):
            sizes = issue_sizes(count, workdir)
            print(f"Newsletter issue with {count} new articles (bytes):")
            for name, size in sizes.items():
                print(f"  {name:12} {size:>8,}")
        print("The editor at /admin/ (bytes; readers never load it):")
        for name, size in admin_sizes(workdir).items():
            print(f"  {name:26} {size:>11,}")


if __name__ == "__main__":
    main()
