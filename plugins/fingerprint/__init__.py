"""Fingerprint: names with a content hash for the theme's own files.

Adds to the build: the template filter `asset` ('site.css' becomes
'theme/site.3f9a1c2e.css'), and, once the site is written, a copy of each theme
file under that name in output/theme/ (stylesheets and scripts minified, with
rcssmin and rjsmin). A changed file gets a new name the
moment it changes, so browsers may keep every hashed name for a year (the
_headers file says so); the plain names stay for anything that links them.
"""

from __future__ import annotations

import hashlib
import os
import shutil

import jinja2
import rcssmin
import rjsmin
from pelican import signals

MINIFIERS = {".css": rcssmin.cssmin, ".js": rjsmin.jsmin}


def fingerprinted_names(static_folders: list[str]) -> dict[str, str]:
    """Each file's name under the static folders -> its name with a content hash."""
    names = {}
    for folder in static_folders:
        for parent, _, files in os.walk(folder):
            for file in files:
                path = os.path.join(parent, file)
                relative = os.path.relpath(path, folder).replace(os.sep, "/")
                with open(path, "rb") as handle:
                    digest = hashlib.sha256(handle.read()).hexdigest()[:10]
                stem, extension = os.path.splitext(relative)
                names[relative] = f"{stem}.{digest}{extension}"
    return names


def theme_assets(settings: dict) -> dict[str, str]:
    """Each theme file's name -> its fingerprinted path in the output folder."""
    folders = [os.path.join(settings["THEME"], p) for p in settings["THEME_STATIC_PATHS"]]
    static_dir = settings["THEME_STATIC_DIR"]
    return {name: f"{static_dir}/{hashed}" for name, hashed in fingerprinted_names(folders).items()}


def asset_path(assets: dict[str, str], name: str) -> str:
    """The output path of a theme file by its fingerprinted name."""
    if name not in assets:
        raise ValueError(f"the theme has no static file {name!r} (template filter `asset`)")
    return assets[name]


def add_filter(generator) -> None:
    assets = theme_assets(generator.settings)

    # Taking the context keeps Jinja from working `"site.css"|asset` out when it
    # compiles the template: compiled templates are kept between builds
    # (template_cache), and a folded name would outlive a changed stylesheet.
    @jinja2.pass_context
    def asset(context, name: str) -> str:
        return asset_path(assets, name)

    generator.env.filters["asset"] = asset


def planned_outputs(settings: dict) -> list[str]:
    """The theme's files as Pelican copies them and as this plugin names them,
    for the content check's collision planning."""
    static_dir = settings["THEME_STATIC_DIR"]
    assets = theme_assets(settings)
    return [f"{static_dir}/{name}" for name in assets] + list(assets.values())


def copy_fingerprinted(pelican) -> None:
    settings = pelican.settings
    static_dir = settings["THEME_STATIC_DIR"]
    for name, path in theme_assets(settings).items():
        source = os.path.join(pelican.output_path, static_dir, name)
        target = os.path.join(pelican.output_path, path)
        minify = MINIFIERS.get(os.path.splitext(name)[1])
        if not os.path.exists(source):
            continue
        if minify:
            with open(source, encoding="utf-8") as original, open(target, "w") as small:
                small.write(minify(original.read()))
        else:
            shutil.copy2(source, target)


def register() -> None:
    signals.generator_init.connect(add_filter)
    signals.finalized.connect(copy_fingerprinted)
