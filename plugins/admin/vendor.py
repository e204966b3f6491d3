"""The editor's own files, from the pinned npm packages (package.json), made to
load nothing from another host.

Sveltia CMS 0.221 has no option for where its fonts and code-highlighting files
come from: it writes jsDelivr addresses into its @font-face rules and imports
Shiki and Immutable.js from unpkg (sveltia/sveltia-cms#909). So the copy the
build serves is its bundle with those addresses replaced by files of the build,
each taken from the npm package jsDelivr and unpkg serve it from, at the
version the bundle names. Two requests to other hosts are left out: its check
for a newer version (unpkg; package.json pins it) and GitHub's status page.
Four more replacements let our file format see and write a file's exact
bytes (the bundle changes CRLF to LF in a file read from a folder, trims the
text and changes CRLF to LF again before a custom format reads it, and trims
what it writes). Every replacement must match exactly
once: when an upgrade of the package moves one, the build stops and says so.
"""

from __future__ import annotations

import glob
import json
import os

SVELTIA = "@sveltia/cms"
BUNDLE = "@sveltia/cms/dist/sveltia-cms.js"
REACT_DOM_CHUNK = "@sveltia/cms/dist/chunks/react-dom.js"
# The Shiki engine the bundle imports from @sveltia/ui on unpkg; the package's
# own module build carries the same engine as a chunk.
SHIKI_ENGINE = "@sveltia/cms/npm/chunks/shiki-engine-*.js"
SHIKI_VERSION = "4.4.3"
UI_VERSION = "0.77.0"
# Modules the bundle imports from unpkg at the version of its package.json, each
# pinned at that version in ours: (package, file).
MODULES = [("immutable", "dist/immutable.es.js")]

# Font address in the bundle -> (npm package file, name in admin/fonts/).
FONTS = {
    "https://cdn.jsdelivr.net/fontsource/fonts/source-sans-3:vf@5.3.0/latin-wght-normal.woff2": (
        "@fontsource-variable/source-sans-3/files/source-sans-3-latin-wght-normal.woff2",
        "source-sans-3-latin-wght-normal.woff2",
    ),
    "https://cdn.jsdelivr.net/fontsource/fonts/noto-mono@5.3.0/latin-400-normal.woff2": (
        "@fontsource/noto-mono/files/noto-mono-latin-400-normal.woff2",
        "noto-mono-latin-400-normal.woff2",
    ),
    "https://cdn.jsdelivr.net/fontsource/fonts/material-symbols-outlined:vf@5.3.7/"
    "latin-wght-normal.woff2": (
        "@fontsource-variable/material-symbols-outlined/files/"
        "material-symbols-outlined-latin-wght-normal.woff2",
        "material-symbols-outlined-latin-wght-normal.woff2",
    ),
}

# (what the bundle says, what our copy says, why). The font rules sit in a
# <style> of the page, so their addresses are relative to /admin/; imports are
# relative to the script, which is in /admin/ too.
REPLACEMENTS = [
    *((address, f"fonts/{name}", "a font from jsDelivr") for address, (_, name) in FONTS.items()),
    (
        "`https://unpkg.com/@shikijs`",
        "`./vendor/shikijs`",
        "code highlighting languages and themes from unpkg",
    ),
    (
        "`https://unpkg.com/@sveltia/ui`",
        "`./vendor/sveltia-ui`",
        "the code highlighting engine from unpkg",
    ),
    (
        "JW=e=>{let t=`https://unpkg.com/${e}`",
        "JW=e=>{let t=`./vendor/${e}`",
        "modules from unpkg (Immutable.js, for our save hook)",
    ),
    (
        "LSe=async()=>{try{let e=await fetch(NSe);",
        "LSe=async()=>{return;try{let e=await fetch(NSe);",
        "the check for a newer version on unpkg (package.json pins it)",
    ),
    (
        "kye=async()=>{try{let{status:{indicator:e}}=await ez(Oye);",
        "kye=async()=>{return`unknown`;try{let{status:{indicator:e}}=await ez(Oye);",
        "GitHub's status page (www.githubstatus.com), asked on sign-in",
    ),
    (
        "bde=async e=>(await e.text()).replace(/\\r\\n?/g,`\n`)",
        "bde=async e=>await e.text()",
        "a file read from a folder (its test and local modes) as it is",
    ),
    (
        "if(r&&!a)throw Error(`Collection file not found`);e=e.trim()",
        "if(r&&!a)throw Error(`Collection file not found`);let rawText=e;e=e.trim()",
        "a custom format reads the file as it is",
    ),
    (
        "c=GP.get(s)?.parser;if(c)return c(e);",
        "c=GP.get(s)?.parser;if(c)return c(rawText);",
        "a custom format reads the file as it is",
    ),
    (
        "if(i)return`${(await i(e)).trim()}\\n`;",
        "if(i)return await i(e);",
        "a custom format's text is written as it is",
    ),
]


class EditorFilesError(Exception):
    """The editor's npm packages are missing or not the version we read."""


def package_file(node_modules: str, path: str) -> str:
    full = os.path.join(node_modules, path)
    if not os.path.isfile(full):
        raise EditorFilesError(
            f"The editor's file {path} is not installed. Fix: run `npm ci --ignore-scripts` "
            "in the project folder (it installs the versions in package-lock.json)"
        )
    return full


def patched_bundle(node_modules: str) -> str:
    """Sveltia's bundle with every replacement made (each exactly once)."""
    with open(package_file(node_modules, BUNDLE), encoding="utf-8") as handle:
        text = handle.read()
    for old, new, why in REPLACEMENTS:
        count = text.count(old)
        if count != 1:
            raise EditorFilesError(
                f"The editor's bundle ({BUNDLE}) holds {count} times, not once, the code for "
                f"{why}. Fix: keep {SVELTIA} at the version in package.json, or read "
                "plugins/admin/vendor.py against the new version and update REPLACEMENTS"
            )
        text = text.replace(old, new)
    return text.replace("//# sourceMappingURL=sveltia-cms.js.map", "")


class FolderWriter:
    """Writes files into one folder, each only when its bytes changed (a kept
    output/ keeps its dates, as the rest of the build does), and removes what
    an earlier build left there and this one did not write."""

    def __init__(self, folder: str):
        self.folder = folder
        self.written: set[str] = set()

    def write(self, name: str, data: bytes) -> None:
        path = os.path.join(self.folder, name)
        self.written.add(os.path.normpath(path))
        try:
            with open(path, "rb") as handle:
                if handle.read() == data:
                    return
        except FileNotFoundError:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(data)

    def copy(self, source: str, name: str) -> None:
        with open(source, "rb") as handle:
            self.write(name, handle.read())

    def remove_the_rest(self) -> None:
        for parent, _, files in os.walk(self.folder, topdown=False):
            for file in files:
                path = os.path.normpath(os.path.join(parent, file))
                if path not in self.written:
                    os.remove(path)
            if parent != self.folder and not os.listdir(parent):
                os.rmdir(parent)


def copy_vendor_files(node_modules: str, admin: FolderWriter) -> None:
    """The bundle, its fonts and the modules it imports into the editor's folder."""
    admin.write("sveltia-cms.js", patched_bundle(node_modules).encode("utf-8"))
    # React's renderer, which our file name field needs: the bundle loads it
    # from chunks/ beside itself (and from unpkg only where that fails).
    admin.copy(package_file(node_modules, REACT_DOM_CHUNK), "chunks/react-dom.js")
    for source, name in FONTS.values():
        admin.copy(package_file(node_modules, source), f"fonts/{name}")
    engines = glob.glob(os.path.join(node_modules, SHIKI_ENGINE))
    if len(engines) != 1:
        raise EditorFilesError(
            f"The editor's code highlighting engine ({SHIKI_ENGINE}) is missing. "
            "Fix: run `npm ci --ignore-scripts` in the project folder"
        )
    admin.copy(engines[0], f"vendor/sveltia-ui@{UI_VERSION}/dist/shiki-engine.js")
    with open(package_file(node_modules, f"{SVELTIA}/package.json"), encoding="utf-8") as handle:
        wanted = json.load(handle)["dependencies"]
    for name, path in MODULES:
        with open(package_file(node_modules, f"{name}/package.json"), encoding="utf-8") as handle:
            version = json.load(handle)["version"]
        if version != wanted[name].lstrip("^~"):
            raise EditorFilesError(
                f"The editor needs {name} {wanted[name].lstrip('^~')}, not {version}. Fix: run "
                "`npm ci --ignore-scripts` (package.json pins the version it needs)"
            )
        admin.copy(package_file(node_modules, f"{name}/{path}"), f"vendor/{name}@{version}/{path}")
    for kind in ("langs", "themes"):
        source = os.path.join(
            os.path.dirname(package_file(node_modules, f"@shikijs/{kind}/package.json")), "dist"
        )
        for file in sorted(os.listdir(source)):
            if file.endswith(".mjs") and not file.endswith(".d.mts"):
                admin.copy(
                    os.path.join(source, file), f"vendor/shikijs/{kind}@{SHIKI_VERSION}/dist/{file}"
                )
