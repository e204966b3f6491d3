"""Screenshots of the site and the newsletter as readers see them: the home
page, an article with a photo (bench/photo_article.py), About, a topic (tag)
page and the email, at 375 and 1280 px, light and dark: 20 PNGs in
docs/screenshots/, named PAGE-WIDTH-SCHEME.png (home-375-dark.png).

A copy of the project is built as it is published, with its public address on
loopback, and served there; the next newsletter issue is composed in the same
copy (`invoke digest`), so its pictures come from that site. Chromium is
Debian's (CHROMIUM_PATH to name another). Each shot is the whole page, its
colours reduced to a palette so the PNG stays small (under about 300 KB).

Run: python3 bench/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from photo_article import add_photo_article
from PIL import Image

from project import ROOT, copy_project

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
WIDTHS = (375, 1280)
SCHEMES = ("light", "dark")
MAX_BYTES = 300_000
# The coach's word that opens the issue (`invoke digest --note`).
NOTE = (
    "Hello,\n\nThis month I took my own advice and walked more slowly. "
    "It is surprising what the hurried parts say when they are not rushed.\n\n"
    "The newest article is about that walk.\n"
)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's name
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build(project: Path, address: str) -> tuple[Path, str]:
    """The published site of `project` and the slug of its photo article; the
    composed issue's email.html is put in the site as email/index.html."""
    slug = add_photo_article(project / "content")
    # `invoke digest` refuses the shipped example sender: a made-up one of the coach's.
    settings = project / "site.toml"
    settings.write_text(
        settings.read_text().replace("<hello@example.com>", "<jordan@parts-and-purpose.org>")
    )
    env = {**os.environ, "SITEURL": address, "BUILD_WORKERS": "1"}
    site = project / "output"
    pelican = [sys.executable, "-m", "pelican", "content", "-s", "publishconf.py", "-o", "output"]
    subprocess.run([*pelican, "-q"], cwd=project, env=env, check=True)
    issue = project / "issue"
    note = project / "note.md"
    note.write_text(NOTE, encoding="utf-8")
    invoke = [sys.executable, "-m", "invoke", "digest", "--out", str(issue), "--note", str(note)]
    subprocess.run(invoke, cwd=project, env=env, check=True, capture_output=True)
    (site / "email").mkdir()
    shutil.copyfile(issue / "email.html", site / "email" / "index.html")
    return site, slug


def small_png(shot: bytes, path: Path) -> int:
    """The screenshot with a palette of at most 256 colours (fewer if need be)."""
    with Image.open(io.BytesIO(shot)) as image:
        picture = image.convert("RGB")
    for colours in (256, 128, 64):
        picture.quantize(colours, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
        if path.stat().st_size <= MAX_BYTES:
            break
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    arguments = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    address = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="screenshots-") as folder:
        project = copy_project(Path(folder) / "project")
        site, slug = build(project, address)
        handler = functools.partial(QuietHandler, directory=site)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        pages = {
            "home": "",
            "article": f"{slug}/",
            "about": "about/",
            "tag": "tag/parts/",
            "email": "email/",
        }
        arguments.out.mkdir(parents=True, exist_ok=True)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM)
                for width in WIDTHS:
                    for scheme in SCHEMES:
                        context = browser.new_context(
                            viewport={"width": width, "height": 900},
                            color_scheme=scheme,
                            reduced_motion="reduce",
                        )
                        page = context.new_page()
                        for name, path in pages.items():
                            page.goto(f"{address}/{path}", wait_until="load")
                            # Lazy pictures further down are fetched before the shot.
                            page.evaluate(
                                "document.querySelectorAll('img[loading=lazy]')"
                                ".forEach(i => i.loading = 'eager')"
                            )
                            page.wait_for_function("[...document.images].every(i => i.complete)")
                            target = arguments.out / f"{name}-{width}-{scheme}.png"
                            size = small_png(page.screenshot(full_page=True), target)
                            print(f"{target.relative_to(ROOT)}: {size:,} B")
                        context.close()
                browser.close()
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main()
