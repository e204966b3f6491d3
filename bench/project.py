"""A copy of the project in another folder, for measuring or testing without
touching the real one."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = [
    "pelicanconf.py",
    "publishconf.py",
    "site.toml",
    "tasks.py",
    "requirements.txt",
    "plugins",
    "theme",
]


def copy_project(into: Path, content: bool = True) -> Path:
    """Copy the settings, commands, plugins and theme (and content/) into `into`."""
    into.mkdir(parents=True, exist_ok=True)
    for name in CODE + (["content"] if content else []):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, into / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, into / name)
    return into


def start_serve(
    project: Path, port: int, log=subprocess.DEVNULL, *options: str
) -> subprocess.Popen:
    """`invoke serve` in a project copy, as the coach starts it (with `options`,
    like "--publish"); the caller stops it."""
    return subprocess.Popen(
        [sys.executable, "-m", "invoke", "serve", "--port", str(port), *options],
        cwd=project,
        stdout=log,
        stderr=subprocess.STDOUT if log is not subprocess.DEVNULL else subprocess.DEVNULL,
    )
