"""Prose: typographic quotes, dashes and ellipses for every Markdown file.

Adds to the build: the `TypographyExtension` (typography.py) to Pelican's
Markdown settings, in place of Python-Markdown's much slower smarty extension.
"""

from __future__ import annotations

from pelican import signals

from .typography import TypographyExtension, smarten

__all__ = ["TypographyExtension", "register", "smarten"]


def add_typography(pelican) -> None:
    extensions = pelican.settings["MARKDOWN"].setdefault("extensions", [])
    if not any(isinstance(e, TypographyExtension) for e in extensions):
        extensions.append(TypographyExtension())


def register() -> None:
    signals.initialized.connect(add_typography)
