"""Pelican shortcuts: cheaper functions in place of Pelican's, only with the versions read.

Stands in for: nothing of Pelican's; the version gate through which
content_cache, frozen_urls and article_lists replace Pelican functions. Saves nothing itself.

content_cache, frozen_urls and article_lists each put a cheaper function
giving the same answers in place of one of Pelican's, through `take_shortcut`.
Such a change is only right for the code it was checked against, so it is made
only when the installed package is the version in CHECKED; with any other
version Pelican's own function stays and the build is the same, only slower.
Adds to the build: one line in the log (`-v`) saying so when a version
differs. After an upgrade, tests/test_pelican_shortcuts.py fails until each
shortcut has been read again against the new code and CHECKED raised. Keep
this plugin before those three (they import it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import metadata

from pelican import signals

__all__ = ["CHECKED", "take_shortcut", "register"]

logger = logging.getLogger(__name__)

# The versions (as requirements.txt pins them) whose code the shortcuts were read against.
CHECKED = {"pelican": "4.12.0"}


def _checked(package: str) -> bool:
    return metadata.version(package) == CHECKED[package]


def take_shortcut(
    owner: object,
    name: str,
    shortcut: Callable[[Callable], Callable],
    package: str = "pelican",
) -> bool:
    """Put `shortcut(original)` in place of `owner.name` (a class's method, a
    module's function, an object's attribute), once; False, and nothing
    changed, when `package` is not the version the shortcut was checked against."""
    original = getattr(owner, name)
    if getattr(original, "shortcut_for", None) is not None:
        return True
    if not _checked(package):
        return False
    replacement = shortcut(original)
    replacement.shortcut_for = original
    replacement.__wrapped__ = original
    setattr(owner, name, replacement)
    return True


def say_which_are_off(pelican_object) -> None:
    """initialized: one line when a package is not the version read."""
    for package, version in CHECKED.items():
        if not _checked(package):
            logger.info(
                "%s %s is not %s, the version the build's shortcuts were checked against: "
                "its own (slower) code runs instead",
                package,
                metadata.version(package),
                version,
            )


def refuse_late_switch(pelican_object) -> None:
    """initialized: `-e SPEED_LAYER=false` cannot unload the plugins already loaded."""
    if pelican_object.settings.get("SPEED_LAYER", True) is False:
        raise SystemExit(
            "SPEED_LAYER is false in the settings, but the speed layer's plugins are "
            "already loaded: pelicanconf.py reads the switch from the environment when it "
            "makes PLUGINS. Fix: SPEED_LAYER=0 pelican ... (or SPEED_LAYER=0 invoke build) "
            "instead of -e SPEED_LAYER=false"
        )


def register() -> None:
    signals.initialized.connect(refuse_late_switch)
    signals.initialized.connect(say_which_are_off)
