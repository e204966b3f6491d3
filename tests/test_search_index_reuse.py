"""The search index is made by Pagefind reading the searchable pages alone (the
same bytes as reading the whole site), and reused from the cache when nothing
it is made from changed: a warm build gives the same bundle without running
Pagefind, a changed article is indexed again (its new word found in Chromium),
a damaged cache entry is never shipped but built again, and a failed run
stores nothing."""

from __future__ import annotations

import json
import os
import re
import runpy
import shutil
from pathlib import Path

import pytest
from test_headers import free_port, serve_like_a_host
from test_search import by_page, indexed, search_for
from test_theme_in_browser import browser, open_context  # noqa: F401 (the shared Chromium fixture)

from conftest import FIXTURES, ROOT, run_pelican
from search.index import SearchIndexError, index_site, page_glob
from search.reuse import FOLDER, MANIFEST, index_or_reuse

NEW_WORD = "marshwort"
WALK = "/a-walk-by-the-water/"


@pytest.fixture
def content(tmp_path) -> Path:
    """The sample content plus the search fixtures."""
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    shutil.copytree(FIXTURES / "search", folder, dirs_exist_ok=True)
    return folder


def build(content: Path, output: Path, cache: Path, *extra: str, siteurl="") -> str:
    """A publishing build (its output emptied first) with its own cache; its log."""
    settings = ["-e", f'CACHE_PATH="{cache}"'] + ([f'SITEURL="{siteurl}"'] if siteurl else [])
    result = run_pelican(
        content, output, "publishconf.py", *settings, "-v", *extra, env={"COLUMNS": "400"}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def bundle(output: Path) -> dict[str, bytes]:
    folder = output / "pagefind"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.*")}


def entries(cache: Path) -> list[Path]:
    return sorted((cache / FOLDER).iterdir())


def test_the_index_fed_while_writing_says_what_pagefind_over_the_site_says(content, tmp_path):
    """The build gives Pagefind the searchable pages as they are written, in
    Pelican's order; Pagefind over the folder reads every page in the order the
    file system lists them. The same pages, words, places, filters and
    fragment files; only the page numbers differ (by_page maps them away)."""
    output = tmp_path / "output"
    logged = build(content, output, tmp_path / "cache")
    fed = int(re.search(r"Pagefind read (\d+) of (\d+) pages as written", logged)[1])
    assert fed == len(indexed(output)) > 2, logged
    from_pages = by_page(output)
    index_site(str(output), "en")  # Pagefind over every page, as before
    assert by_page(output) == from_pages
    assert {WALK, "/about/"} <= set(indexed(output))


def test_the_index_has_the_same_bytes_fed_or_read_afterwards_serial_or_parallel(content, tmp_path):
    """Fed while written (every core, or one), or read once the site is
    written (without the writer that says when a page is finished): the pages
    in the same order, so the same bytes."""
    plugins = runpy.run_path(str(ROOT / "pelicanconf.py"))["PLUGINS"]
    without = json.dumps([name for name in plugins if name != "speed.parallel_build"])
    logs, bundles = {}, {}
    for name, overrides in (
        ("parallel", []),
        ("serial", ["BUILD_WORKERS=1"]),
        ("afterwards", [f"PLUGINS={without}"]),
    ):
        output = tmp_path / name
        settings = ["-e", f'CACHE_PATH="{tmp_path / name}-cache"', *overrides]
        result = run_pelican(
            content, output, "publishconf.py", *settings, "-v", env={"COLUMNS": "400"}
        )
        assert result.returncode == 0, result.stdout + result.stderr
        logs[name], bundles[name] = result.stdout + result.stderr, bundle(output)
    fed = {
        name: re.search(r"Pagefind read (\d+) of (\d+) pages as written", logged).groups()
        for name, logged in logs.items()
    }
    pages = fed["parallel"][1]
    assert int(pages) > 2 and fed == {
        "parallel": (pages, pages),
        "serial": (pages, pages),
        "afterwards": ("0", pages),
    }
    assert bundles["parallel"] == bundles["serial"] == bundles["afterwards"]


def test_the_glob_names_exactly_the_pages_given(tmp_path):
    site = tmp_path / "site"
    listed = ["notes.v2/index.html", "_drafts-like/page.html", "plain/index.html"]
    for page in [*listed, "decoy/index.html"]:
        (site / page).parent.mkdir(parents=True, exist_ok=True)
        (site / page).write_text(
            f"<!doctype html><html lang='en'><title>t</title><main data-pagefind-body>"
            f"<p>words of {page}</p></main></html>"
        )
    index_site(str(site), "en", listed)
    assert set(indexed(site)) == {"/notes.v2/", "/_drafts-like/page.html", "/plain/"}
    # A path the glob would read as a pattern: every page is read instead.
    assert page_glob(["odd {name}/index.html", "plain/index.html"]) is None
    assert page_glob(["../outside.html"]) is None


def test_a_warm_build_reuses_the_index_without_running_pagefind(content, tmp_path):
    cache = tmp_path / "cache"
    cold = tmp_path / "cold"
    assert "Search index built" in build(content, cold, cache)
    warm = tmp_path / "warm"
    logged = build(content, warm, cache)
    assert "Search index reused" in logged and "Search index built" not in logged
    assert bundle(warm) == bundle(cold)
    (entry,) = entries(cache)
    for name in bundle(warm):  # the cache's own files, not a new run's
        assert os.path.samefile(warm / "pagefind" / name, entry / "pagefind" / name), name
    assert (warm / "search/index.html").read_bytes() == (cold / "search/index.html").read_bytes()


def test_ignoring_the_cache_runs_pagefind_again(content, tmp_path):
    cache = tmp_path / "cache"
    build(content, tmp_path / "first", cache)
    assert "Search index built" in build(content, tmp_path / "again", cache, "--ignore-cache")


def test_a_changed_article_is_indexed_again_and_its_new_word_found(
    browser,  # noqa: F811
    content,
    tmp_path,
):
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    cache, output = tmp_path / "cache", tmp_path / "output"
    build(content, output, cache, siteurl=address)
    (first,) = entries(cache)
    article = content / "articles/a-walk-by-the-water.md"
    article.write_text(article.read_text() + f"\nA patch of {NEW_WORD} grew by the gate.\n")
    logged = build(content, output, cache, siteurl=address)
    assert "Search index built" in logged
    assert NEW_WORD in indexed(output)[WALK]["content"]
    (second,) = entries(cache)
    assert second.name != first.name, "the new index replaced the old one"
    server = serve_like_a_host(output, port)
    try:
        context = open_context(browser)
        results = search_for(context.new_page(), f"{address}/", NEW_WORD)
        context.close()
    finally:
        server.shutdown()
    assert [result["href"] for result in results] == [WALK]


def damage_a_fragment(entry: Path) -> None:
    """One byte changed in place (in the last output too: a hard link); the size stays."""
    fragment = sorted((entry / "pagefind/fragment").iterdir())[0]
    with fragment.open("r+b") as handle:
        handle.seek(-1, os.SEEK_END)
        last = handle.read(1)
        handle.seek(-1, os.SEEK_END)
        handle.write(bytes([last[0] ^ 0xFF]))


def remove_a_fragment(entry: Path) -> None:
    sorted((entry / "pagefind/fragment").iterdir())[0].unlink()


def cut_the_manifest_short(entry: Path) -> None:
    text = (entry / MANIFEST).read_text()
    (entry / MANIFEST).write_text(text[: len(text) // 2])


def edit_the_manifest(entry: Path) -> None:
    """Valid JSON naming fewer files (as if the entry had been half written)."""
    manifest = json.loads((entry / MANIFEST).read_text())
    manifest["files"] = {"pagefind.js": manifest["files"]["pagefind.js"]}
    (entry / MANIFEST).write_text(json.dumps(manifest))


def remove_the_manifest(entry: Path) -> None:
    (entry / MANIFEST).unlink()


@pytest.mark.parametrize(
    "damage",
    [damage_a_fragment, remove_a_fragment, cut_the_manifest_short, edit_the_manifest],
)
def test_a_damaged_cache_entry_is_built_again(content, tmp_path, damage):
    cache = tmp_path / "cache"
    first = tmp_path / "first"
    build(content, first, cache)
    whole = bundle(first)
    (entry,) = entries(cache)
    damage(entry)
    second = tmp_path / "second"
    logged = build(content, second, cache)
    assert "is damaged" in logged and "Search index built" in logged
    assert bundle(second) == whole
    assert "Search index reused" in build(content, tmp_path / "third", cache), "stored again"


def test_an_entry_without_its_manifest_is_built_again(content, tmp_path):
    cache = tmp_path / "cache"
    build(content, tmp_path / "first", cache)
    (entry,) = entries(cache)
    remove_the_manifest(entry)
    assert "Search index built" in build(content, tmp_path / "second", cache)
    assert [path.name for path in entries(cache)] == [entry.name]
    assert (entry / MANIFEST).is_file()


def test_a_failed_index_stores_nothing(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "empty.html").write_text("<!doctype html><title>x</title>")
    cache = tmp_path / "cache"
    with pytest.raises(SearchIndexError, match="not able to build an index"):
        index_or_reuse(str(site), "en", ["empty.html", "never-written.html"], str(cache))
    assert not (cache / FOLDER).exists() or not list((cache / FOLDER).iterdir())


def test_pages_without_a_word_get_no_index_and_store_nothing(tmp_path):
    site = tmp_path / "site"
    (site / "pagefind").mkdir(parents=True)
    (site / "pagefind" / "pagefind.js").write_text("// an older index")
    page = '<!doctype html><html lang="en"><body data-pagefind-body><img src="a.svg" alt="">'
    (site / "picture.html").write_text(page)
    cache = tmp_path / "cache"
    assert not index_or_reuse(str(site), "en", ["picture.html"], str(cache))
    assert not (site / "pagefind" / "pagefind.js").exists(), "the older index is gone"
    assert not (cache / FOLDER).exists() or not list((cache / FOLDER).iterdir())


def small_site(folder: Path) -> list[str]:
    """Two searchable pages; their paths."""
    pages = ["one/index.html", "two/index.html"]
    for number, page in enumerate(pages):
        (folder / page).parent.mkdir(parents=True, exist_ok=True)
        (folder / page).write_text(
            f"<!doctype html><html lang='en'><title>t</title><main data-pagefind-body>"
            f"<h1>Page {number}</h1><p>Words about gardens and page {number}.</p></main></html>"
        )
    return pages


def test_reusing_into_a_bundle_of_other_files_leaves_the_entrys_files_alone(tmp_path):
    """The bundle a reuse leaves is the entry's, whatever output/pagefind held:
    files of another index (in its folders or not, in new folders) are removed,
    a copy or a changed file is replaced by the entry's own, and files Pagefind
    never writes stay."""
    site, cache = tmp_path / "site", tmp_path / "cache"
    site.mkdir()
    pages = small_site(site)
    assert not index_or_reuse(str(site), "en", pages, str(cache))
    (entry,) = entries(cache)
    stored = entry / "pagefind"
    names = sorted(p.relative_to(stored).as_posix() for p in stored.rglob("*") if p.is_file())
    fragment = next(name for name in names if name.startswith("fragment/"))
    bundle_of_site = site / "pagefind"
    extras = ["fragment/stale.pf_fragment", "index/old/stale.pf_index", "pagefind-old.js"]
    for name in extras:
        (bundle_of_site / name).parent.mkdir(parents=True, exist_ok=True)
        (bundle_of_site / name).write_bytes(b"stale")
    (bundle_of_site / "filter" / "empty-folder").mkdir(parents=True)
    (bundle_of_site / "notes.txt").write_text("not Pagefind's")
    copy = bundle_of_site / fragment
    copy.unlink()
    copy.write_bytes((stored / fragment).read_bytes())  # the same bytes, another file
    changed = bundle_of_site / "pagefind.js"
    changed.unlink()
    changed.write_text("changed")

    assert index_or_reuse(str(site), "en", pages, str(cache))
    left = sorted(
        p.relative_to(bundle_of_site).as_posix() for p in bundle_of_site.rglob("*") if p.is_file()
    )
    assert left == sorted([*names, "notes.txt"])
    for name in names:
        assert os.path.samefile(bundle_of_site / name, stored / name), name
    assert not (bundle_of_site / "index/old").exists()
    assert not (bundle_of_site / "filter/empty-folder").exists()

    (bundle_of_site / fragment).unlink()  # one file missing: linked again alone
    assert index_or_reuse(str(site), "en", pages, str(cache))
    assert os.path.samefile(bundle_of_site / fragment, stored / fragment)
