"""`Template:` must name a template Pelican can load: one of the theme's own
(or of THEME_TEMPLATES_OVERRIDES), or of Pelican's "simple" theme, which its
generators fall back to. Else the build stops half-way with a traceback."""

from __future__ import annotations

import difflib
import os

import pelican
from jinja2 import FileSystemLoader

from .problems import display_path
from .source import SourceFile

SIMPLE_THEME = os.path.join(os.path.dirname(pelican.__file__), "themes", "simple", "templates")


def loadable_templates(settings: dict) -> list[str]:
    """Every template file name Pelican's generators can load, as they name them."""
    theme = FileSystemLoader(_theme_folder(settings)).list_templates()
    simple = FileSystemLoader(SIMPLE_THEME).list_templates()
    prefixed = [f"!theme/{name}" for name in theme] + [f"!simple/{name}" for name in simple]
    return sorted({*_own_templates(settings), *simple, *prefixed})


def check_template(source: SourceFile, settings: dict) -> None:
    name = source.metadata.get("template", "").strip()
    if not name:  # none, or empty (the schema reports that)
        return
    loadable = set(loadable_templates(settings))
    if any(name + ext in loadable for ext in settings["TEMPLATE_EXTENSIONS"]):
        return
    if any(name.lower() + ext in loadable for ext in settings["TEMPLATE_EXTENSIONS"]):
        source.problem(  # a template is a file, and its name is read as written
            source.key_lines["template"],
            f'Template "{name}" is written with capitals, but template names are in lower case',
            f'write it in lower case: "Template: {name.lower()}"',
        )
        return
    own = sorted({os.path.splitext(n)[0] for n in _own_templates(settings) if "/" not in n})
    close = difflib.get_close_matches(name, own, n=1, cutoff=0.6)
    hint = f'did you mean "Template: {close[0]}"? ' if close else ""
    source.problem(
        source.key_lines["template"],
        f'Template "{name}" is not one of the theme\'s templates '
        f"(in {display_path(_theme_folder(settings))})",
        f"{hint}Use one of {', '.join(own)}, or remove the line to use the usual one",
    )


def _theme_folder(settings: dict) -> str:
    return os.path.join(settings["THEME"], "templates")


def _own_templates(settings: dict) -> list[str]:
    folders = [*settings["THEME_TEMPLATES_OVERRIDES"], _theme_folder(settings)]
    return FileSystemLoader(folders).list_templates()
