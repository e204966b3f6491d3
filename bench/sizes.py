"""Bytes of what the site sends out: the feeds of the sample site, and a
newsletter issue carrying 3 and 40 new articles.

Run: python3 bench/sizes.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from project import copy_project

PARAGRAPH = (
    "A part of you may want the change and another part may fear it. Both deserve a "
    "hearing, and coaching gives them room to speak before you choose the next step. "
)


def run(project: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "invoke", *args], cwd=project, check=True, capture_output=True
    )


def issue_sizes(count: int, workdir: Path) -> dict[str, int]:
    project = copy_project(workdir / f"project-{count}")
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


if __name__ == "__main__":
    main()
