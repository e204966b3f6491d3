"""Shared helpers: build real sites with Pelican into temporary folders and
read them back."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html

from project import copy_project

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def run_pelican(
    content: Path,
    output: Path,
    settings: str = "pelicanconf.py",
    *extra: str,
    fatal=True,
    env: dict | None = None,
):
    """Build like the coach's tools do (warnings are fatal); returns the finished process.
    `env` adds environment variables."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pelican",
            str(content),
            "-s",
            settings,
            "-o",
            str(output),
            *(["--fatal", "warnings"] if fatal else []),
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def run_invoke(project: Path, *args: str, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


PROBLEM_LINE = re.compile(
    r"^(?P<path>[^:\s]+)(?::(?P<line>\d+))?: (?P<what>.+)\. Fix: (?P<fix>.+)$"
)


def problem_lines(stderr: str) -> list[re.Match]:
    """The content check's report lines: path, line, what is wrong, the fix."""
    return [m for m in map(PROBLEM_LINE.match, stderr.splitlines()) if m]


def parse(path: Path):
    return html.fromstring(path.read_bytes())


def html_pages(site: Path) -> list[Path]:
    """The readers' pages (not the editor at /admin/, a tool of the coach's: test_admin.py)."""
    return sorted(page for page in site.rglob("*.html") if page.parts[len(site.parts)] != "admin")


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample content of content/, built once with the writing settings."""
    output = tmp_path_factory.mktemp("site")
    result = run_pelican(ROOT / "content", output)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A copy of the project the tasks can change freely."""
    return copy_project(tmp_path / "project")


def with_own_forms(project: Path) -> Path:
    """`project` with its own form accounts in place of the shipped examples
    ("your-..."), as a site must have before it is deployed."""
    settings = project / "site.toml"
    text = settings.read_text()
    assert '"your-' in text, "the shipped examples moved: update this helper"
    settings.write_text(text.replace('"your-', '"coach-'))
    return project


# The public address and the sender a coach sets before composing a newsletter.
OWN_SITE = "https://coach.test"
OWN_SENDER = "jordan@coach.test"


def with_own_addresses(project: Path) -> Path:
    """`project` with the coach's own public address and sender in site.toml, in
    place of the shipped placeholders (which `invoke digest` and `invoke
    send-digest` refuse)."""
    settings = project / "site.toml"
    text = settings.read_text()
    shipped = ('address = "https://www.example.com"', "<hello@example.com>")
    assert all(value in text for value in shipped), "the placeholders moved: update this helper"
    text = text.replace(shipped[0], f'address = "{OWN_SITE}"')
    settings.write_text(text.replace(shipped[1], f"<{OWN_SENDER}>"))
    return project


@pytest.fixture
def newsletter_copy(project_copy) -> Path:
    """A copy of the project set up to compose and send its newsletter."""
    return with_own_addresses(project_copy)


def build_site(output: Path, settings: str, *folders: Path, extra: tuple = ()) -> Path:
    """Build the sample content plus fixture folders (merged) into `output`."""
    content = output.parent / f"{output.name}-content"
    shutil.copytree(ROOT / "content", content)
    for folder in folders:
        shutil.copytree(folder, content, dirs_exist_ok=True)
    result = run_pelican(content, output, settings, *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="session")
def published_site(tmp_path_factory) -> Path:
    """The sample content plus a one-line article, built as it will be published."""
    output = tmp_path_factory.mktemp("published") / "output"
    return build_site(output, "publishconf.py", FIXTURES / "one_line")


@pytest.fixture(scope="session")
def browsed_site(tmp_path_factory) -> Path:
    """The sample content plus a one-line article, with four articles a page so
    that the lists are paginated; relative addresses, served on loopback."""
    output = tmp_path_factory.mktemp("browsed") / "output"
    return build_site(
        output, "pelicanconf.py", FIXTURES / "one_line", extra=("-e", "DEFAULT_PAGINATION=4")
    )


BIO_WITHOUT_NAME = "A life coach trained in Internal Family Systems."


@pytest.fixture(scope="session")
def booking_site(tmp_path_factory) -> Path:
    """The sample content, built to publish, with a booking page (written without
    https://), a logo, a bio that does not name the coach, and an article whose
    tags and category are written in lower case."""
    output = tmp_path_factory.mktemp("booking") / "output"
    return build_site(
        output,
        "publishconf.py",
        FIXTURES / "tag_spellings",
        extra=(
            "-e",
            'BOOKING_URL="cal.com/jordan-avery"',
            'SITE_LOGO="{static}/images/path-through-hills.svg"',
            f'AUTHOR_BIO="{BIO_WITHOUT_NAME}"',
        ),
    )


def tool_missing(what: str) -> None:
    """Skip loudly when a checking tool is absent; in CI (CI set) fail instead."""
    message = (
        f"\n\n*** SKIPPED: {what} is not installed; "
        "run .ci/run or see docs/developers/testing.md. ***\n"
    )
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI but missing")
    pytest.skip(message)


@pytest.fixture(scope="session")
def composed_template(tmp_path_factory) -> Path:
    """A project copy with issue #1 composed into newsletter-issue/ (built once)."""
    copy = with_own_addresses(copy_project(tmp_path_factory.mktemp("composed") / "project"))
    result = run_invoke(copy, "digest")
    assert result.returncode == 0, result.stderr
    return copy


@pytest.fixture
def composed_project(composed_template, tmp_path) -> Path:
    """A fresh copy of the project with issue #1 composed and nothing sent yet."""
    copy = tmp_path / "project"
    shutil.copytree(composed_template, copy)
    return copy
