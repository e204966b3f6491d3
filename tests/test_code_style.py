"""The code follows the project's ruff rules (pyproject.toml)."""

import subprocess
import sys

from conftest import ROOT


def test_ruff_finds_no_problems():
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout
    style = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert style.returncode == 0, style.stdout
