"""Shared helpers: build real sites with Pelican into temporary folders and
read them back."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROJECT_FILES = ["pelicanconf.py", "publishconf.py", "tasks.py", "plugins", "theme", "content"]


def run_pelican(
    content: Path, output: Path, settings: str = "pelicanconf.py", *extra: str, fatal=True
):
    """Build like the coach's tools do (warnings are fatal); returns the finished process."""
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


def parse(path: Path):
    return html.fromstring(path.read_bytes())


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
    copy = tmp_path / "project"
    copy.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    return copy


@pytest.fixture(scope="session")
def composed_template(tmp_path_factory) -> Path:
    """A project copy with issue #1 composed into newsletter-issue/ (built once)."""
    copy = tmp_path_factory.mktemp("composed") / "project"
    copy.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    result = run_invoke(copy, "digest")
    assert result.returncode == 0, result.stderr
    return copy


@pytest.fixture
def composed_project(composed_template, tmp_path) -> Path:
    """A fresh copy of the project with issue #1 composed and nothing sent yet."""
    copy = tmp_path / "project"
    shutil.copytree(composed_template, copy)
    return copy
