"""A content problem: where it is, what is wrong and how to fix it."""

from __future__ import annotations

import os
from dataclasses import dataclass

from .characters import IN_TEXT


@dataclass(frozen=True, order=True)
class Problem:
    path: str  # absolute path of the offending file
    line: int | None  # 1-based line, when the problem sits on one line
    what: str
    fix: str

    def format(self, relative_to: str | None = None) -> str:
        shown = display_path(self.path, relative_to)
        where = f"{shown}:{self.line}" if self.line else shown
        return visible(f"{where}: {self.what}. Fix: {self.fix}")

    def annotation(self) -> str:
        """The problem as a GitHub Actions error, shown on the commit's file and line."""
        where = f"file={display_path(self.path)}" + (f",line={self.line}" if self.line else "")
        text = visible(f"{self.what}. Fix: {self.fix}").replace("%", "%25").replace("\n", "%0A")
        return f"::error {where}::{text}"


def visible(text: str) -> str:
    """`text` with each invisible character written as its code
    (<U+202E>): a message quoting the coach's line must not turn itself around."""
    return IN_TEXT.sub(lambda match: f"<U+{ord(match.group()):04X}>", text)


def display_path(path: str, base: str | None = None) -> str:
    """The path relative to the working folder when inside it, else absolute."""
    path = os.path.abspath(path)
    relative = os.path.relpath(path, base or os.getcwd())
    return path if relative.startswith("..") else relative


def report(problems: list[Problem]) -> str:
    """All problems, one line each, sorted by file and line, then a summary."""
    ordered = sorted(set(problems), key=_sort_key)
    lines = [p.format() for p in ordered]
    files = len({p.path for p in problems})
    noun = "problem" if len(lines) == 1 else "problems"
    lines.append(
        f"{len(lines)} content {noun} in {files} file{'s' if files != 1 else ''}; "
        "nothing was published. Fix each line above, then build again."
    )
    if os.environ.get("GITHUB_ACTIONS") == "true":
        lines += [p.annotation() for p in ordered]
    return "\n".join(lines)


def _sort_key(problem: Problem) -> tuple:
    return (problem.path, problem.line or 0, problem.what)
