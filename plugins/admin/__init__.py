"""Admin: the editor at /admin/ (Sveltia CMS), in every build.

Adds to the build, once the site is written: output/admin/ with the editor's
page, its config (config.json, from the EDITOR setting), our file format, new
files named as `invoke new` names them (pelican-slug.js, with the tables of
the Python packages it uses, slug_tables.py) and the editor's own files from
the pinned npm packages (vendor.py); or, while EDITOR names no repository, a
page saying what to set. The page has its own Content-Security-Policy (the
headers plugin writes it to `_headers`; publish builds also carry it in a
<meta> tag) and is `noindex`; it is a file of its own, so it is in no list,
feed, sitemap or search index.
"""

from __future__ import annotations

import html
import json
import os
import sys

from pelican import signals

from .config import EditorSettingError, cms_config, editor_policy, editor_setting
from .slug_tables import slug_tables_script
from .vendor import EditorFilesError, FolderWriter, copy_vendor_files

FOLDER = "admin"
STATIC = os.path.join(os.path.dirname(__file__), "static")
OUR_SCRIPTS = ["setup.js", "pelican-format.js", "pelican-slug.js", "editor.js"]
# Written by the build from Python's packages (slug_tables.py).
SLUG_TABLES = "slug-tables.js"


def planned_outputs(settings: dict) -> list[str]:
    """The editor's page and config, for the content check's collision planning."""
    return [f"{FOLDER}/index.html", f"{FOLDER}/config.json"]


def own_policies(settings: dict) -> dict[str, str]:
    """The editor's folder -> its Content-Security-Policy (for `_headers`)."""
    return {f"/{FOLDER}/*": editor_policy()}


def node_modules(settings: dict) -> str:
    return settings.get("NODE_MODULES") or "node_modules"


def feed_links(settings: dict) -> str:
    """The site's feeds, linked from every page as the theme's head does."""
    base = settings.get("SITEURL") or ".."
    site = html.escape(settings["SITENAME"])
    return "".join(
        f'<link rel="alternate" type="application/{kind}+xml" title="{site} ({label})" '
        f'href="{html.escape(base)}/{html.escape(settings[key])}">\n'
        for kind, label, key in (
            ("atom", "Atom", "FEED_ATOM_PATH"),
            ("rss", "RSS", "FEED_RSS_PATH"),
        )
    )


def page(settings: dict, title: str, head: str, body: str) -> str:
    meta = ""
    if settings.get("CSP_IN_META"):
        policy = html.escape(editor_policy(for_meta=True))
        meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        f"{meta}<title>{html.escape(title)}</title>\n{feed_links(settings)}{head}</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )


def editor_page(settings: dict, preview_css: str) -> str:
    scripts = "".join(
        f'<script src="{name}"></script>\n'
        for name in [
            "setup.js",
            "sveltia-cms.js",
            "pelican-format.js",
            SLUG_TABLES,
            "pelican-slug.js",
            "editor.js",
        ]
    )
    head = (
        '<link href="config.json" type="application/json" rel="cms-config-url">\n'
        f'<meta name="preview-stylesheet" content="{html.escape(preview_css)}">\n'
        f'<meta name="site-timezone" content="{html.escape(settings["TIMEZONE"])}">\n'
        f"{scripts}"
    )
    return page(settings, f"{settings['SITENAME']}: editor", head, "")


def setup_page(settings: dict, stylesheet: str, reason: str) -> str:
    head = f'<link rel="stylesheet" href="{html.escape(stylesheet)}">\n'
    body = (
        '<main class="prose">\n<h1>The editor is not set up yet</h1>\n'
        f"<p>{html.escape(reason)}</p>\n"
        "<p>Then commit and push; the next build puts the editor here. "
        "docs/writing.md, “Writing from a browser”, says how to sign in.</p>\n</main>\n"
    )
    return page(settings, f"{settings['SITENAME']}: editor", head, body)


NOT_SET = (
    "Set the GitHub repository the editor saves to: run `invoke init`, or write "
    'it in site.toml under [editor], like repo = "your-name/your-site", with your '
    "repository's owner and name (and branch, the branch the site is built from)."
)


def preview_stylesheet(settings: dict) -> str:
    """The theme's stylesheet for the editor's preview pane, where the article's
    body is not in `.prose` but in Sveltia CMS's `[data-rich-text-preview]`."""
    path = os.path.join(settings["THEME"], "static", "site.css")
    with open(path, encoding="utf-8") as handle:
        css = handle.read()
    return css.replace(".prose", ":is(.prose, [data-rich-text-preview])")


def write_admin(pelican) -> None:
    from fingerprint import theme_assets

    settings = pelican.settings
    admin = FolderWriter(os.path.join(pelican.output_path, FOLDER))
    stylesheet = "../" + theme_assets(settings)["site.css"]
    editor = editor_setting(settings)
    if editor is None:
        text = setup_page(settings, stylesheet, NOT_SET)
    else:
        try:
            copy_vendor_files(node_modules(settings), admin)
        except EditorFilesError as missing:  # a writing build: check_setting said so
            admin.written.clear()
            admin.write("index.html", setup_page(settings, stylesheet, str(missing)).encode())
            admin.remove_the_rest()
            return
        for name in OUR_SCRIPTS:
            admin.copy(os.path.join(STATIC, name), name)
        cache = settings.get("CACHE_PATH") if settings.get("CACHE_CONTENT") else None
        admin.write(SLUG_TABLES, slug_tables_script(cache).encode("ascii"))
        config = json.dumps(cms_config(settings, editor), indent=1, ensure_ascii=False)
        admin.write("config.json", config.encode("utf-8"))
        admin.write("preview.css", preview_stylesheet(settings).encode("utf-8"))
        text = editor_page(settings, "preview.css")
    admin.write("index.html", text.encode("utf-8"))
    admin.remove_the_rest()


def check_setting(pelican) -> None:
    """A wrong EDITOR stops any run (a build, `invoke check`, `invoke digest`)
    before it writes, in one line naming the setting and its fix."""
    try:
        editor_setting(pelican.settings)
    except EditorSettingError as problem:
        raise SystemExit(str(problem)) from None


def check_files(generators: list) -> None:
    """Before a build writes: missing editor files stop a publish build
    (EDITOR_REQUIRED); a writing build says so and makes /admin/ a page saying
    it, so `invoke build` works before `npm ci` has been run."""
    settings = generators[0].settings
    try:
        if editor_setting(settings) is not None:
            from .vendor import patched_bundle

            patched_bundle(node_modules(settings))
    except EditorFilesError as problem:
        if settings.get("EDITOR_REQUIRED"):
            raise SystemExit(str(problem)) from None
        print(f"/admin/ shows no editor in this build: {problem}", file=sys.stderr)


def register() -> None:
    signals.initialized.connect(check_setting)
    signals.all_generators_finalized.connect(check_files)
    signals.finalized.connect(write_admin)
