"""Running Pagefind over the written site, as a plain function of its folder."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess

from .errors import SearchIndexError
from .stable_filters import stabilise_filters

# The index's folder inside the output folder, as Pagefind names it by default.
BUNDLE = "pagefind"
# Pagefind's ready-made interfaces: our search page has its own, so they are not shipped.
UNUSED = [
    "pagefind-ui.*",
    "pagefind-modular-ui.*",
    "pagefind-component-ui.*",
    "pagefind-highlight.js",
]
# What Pagefind writes into the bundle folder (removed before each run, so an
# old index never mixes with a new one; anything else there is left alone).
WRITTEN = ["index", "fragment", "filter", "pagefind*.js", "pagefind*.css", "pagefind-entry.json"]
WRITTEN += ["*.pf_meta", "wasm.*.pagefind"]


def pagefind_program() -> str:
    try:
        from pagefind_bin import get_executable

        return str(get_executable())
    except (ImportError, FileNotFoundError) as missing:
        raise SearchIndexError(
            "the Pagefind program is not installed (package pagefind-bin). "
            "Fix: run `python3 -m pip install -r requirements.txt`, then build again"
        ) from missing


def remove_bundle(output: str) -> None:
    folder = os.path.join(output, BUNDLE)
    for pattern in WRITTEN:
        for path in glob.glob(os.path.join(folder, pattern)):
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)


def index_site(output: str, language: str | None = None) -> None:
    """Index every page of `output` that marks its body with data-pagefind-body
    (Pagefind leaves out every page without one) into output/pagefind/, its
    filter files in one order (stable_filters)."""
    remove_bundle(output)
    command = [pagefind_program(), "--site", output, "--output-subdir", BUNDLE, "--quiet"]
    if language:
        command += ["--force-language", language]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        raise SearchIndexError(
            f"Pagefind could not index {output} (exit {result.returncode}): "
            f"{(result.stderr or result.stdout).strip()}"
        )
    for pattern in UNUSED:
        for path in glob.glob(os.path.join(output, BUNDLE, pattern)):
            os.remove(path)
    try:
        stabilise_filters(os.path.join(output, BUNDLE))
    except Exception:
        remove_bundle(output)  # no index rather than a half-rewritten one
        raise


def wasm_file(output: str) -> str:
    """The WebAssembly file the search page loads: Pagefind's own for the indexed
    language, or its generic one for a language it has no stemmer for."""
    with open(os.path.join(output, BUNDLE, "pagefind-entry.json"), encoding="utf-8") as handle:
        (language,) = json.load(handle)["languages"].values()  # one: index_site forces it
    return f"wasm.{language.get('wasm') or 'unknown'}.pagefind"


def preload_wasm_file(page: str, language: str | None, wasm: str) -> None:
    """Point the search page's preload of the language's WebAssembly at the file
    Pagefind wrote (`wasm`), when they differ."""
    planned = f"/{BUNDLE}/wasm.{(language or 'unknown').lower()}.pagefind"
    with open(page, encoding="utf-8") as handle:
        html = handle.read()
    if planned in html and planned != f"/{BUNDLE}/{wasm}":
        with open(page, "w", encoding="utf-8") as handle:
            handle.write(html.replace(planned, f"/{BUNDLE}/{wasm}"))
