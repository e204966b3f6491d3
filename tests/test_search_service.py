"""Pagefind fed page by page (plugins/search/service.py): the pages go to
Pagefind in the order given whatever order they are finished in, a page
finished twice makes the index be read from the written pages again, and a
Pagefind that stops is a clear error, in the build as well as on its own."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from test_search import by_page, indexed

from conftest import FIXTURES, ROOT, run_pelican
from corpus import write_corpus
from search.index import index_pages, index_site, pagefind_program
from search.service import PageFeed

# More than parallel_build's writer hands its workers at once (writing.BATCH, 500).
ARTICLES = 550
PAGES = ["garden/index.html", "river/index.html", "notes/winter.html", "hill/index.html"]


def site(folder: Path) -> Path:
    """Four searchable pages, each with a word of its own and words they share."""
    for number, page in enumerate(PAGES):
        path = folder / page
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"<!doctype html><html lang='en'><title>t</title><main data-pagefind-body>"
            f"<h1>Page {number}</h1><p>Words about {path.parent.name} and walking, "
            f"page {number} of four.</p></main></html>"
        )
    return folder


def bundle(output: Path) -> dict[str, bytes]:
    folder = output / "pagefind"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.*")}


def test_pages_finished_in_any_order_go_to_pagefind_in_the_order_given(tmp_path):
    in_order = site(tmp_path / "in-order")
    assert index_pages(str(in_order), "en", PAGES)
    shuffled = site(tmp_path / "shuffled")
    feed = PageFeed(pagefind_program(), str(shuffled), PAGES, "en")
    for page in [PAGES[2], PAGES[0], PAGES[3]]:
        feed.finished(page)
        assert not feed.complete
    assert feed.sent == 1  # the first page only: the second is not finished yet
    feed.finished(PAGES[1])
    assert feed.complete and feed.sent == len(PAGES)
    assert index_pages(str(shuffled), "en", PAGES, feed)
    assert bundle(shuffled) == bundle(in_order)
    assert set(indexed(shuffled)) == {"/garden/", "/river/", "/notes/winter.html", "/hill/"}


def test_another_order_gives_another_numbering_of_the_same_index(tmp_path):
    """Why the order is fixed: Pagefind numbers pages as it gets them (and
    Pagefind over a folder, as the file system lists them)."""
    first, second = site(tmp_path / "first"), site(tmp_path / "second")
    assert index_pages(str(first), "en", PAGES)
    assert index_pages(str(second), "en", PAGES[::-1])
    assert bundle(first) != bundle(second)
    assert by_page(first) == by_page(second)
    index_site(str(second), "en")  # Pagefind over the folder
    assert by_page(second) == by_page(first)


def test_a_page_finished_twice_is_read_again_from_the_written_pages(tmp_path):
    output = site(tmp_path / "site")
    feed = PageFeed(pagefind_program(), str(output), PAGES, "en")
    feed.finished(PAGES[0])
    (output / PAGES[0]).write_text(
        "<!doctype html><html lang='en'><main data-pagefind-body><p>Rewritten: heron</p></main>"
    )
    feed.finished(PAGES[0])  # rewritten after it was sent
    for page in PAGES[1:]:
        feed.finished(page)
    assert not feed.complete
    assert index_pages(str(output), "en", PAGES, feed)
    assert "heron" in indexed(output)["/garden/"]["content"]


def stopping_program(folder: Path) -> str:
    """A program that says something on stderr and stops at once."""
    program = folder / "stops"
    program.write_text("#!/bin/sh\necho 'out of memory' >&2\nexit 3\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return str(program)


def test_a_pagefind_that_stops_is_a_clear_error(tmp_path):
    output = site(tmp_path / "site")
    # It may stop before its first request is written (then starting it is the error).
    with pytest.raises(Exception, match="Pagefind stopped") as raised:
        feed = PageFeed(stopping_program(tmp_path), str(output), PAGES, "en")
        feed._service.wait()
        for page in PAGES:
            feed.finished(page)
        feed.write(str(output / "pagefind"))
    assert "out of memory" in str(raised.value)
    assert not (output / "pagefind").exists()


def test_a_build_whose_pagefind_stops_while_fed_reads_the_pages_afterwards(tmp_path):
    """Pagefind stops mid-build: the build indexes the written pages once the
    site is written (another Pagefind), and ships the same index."""
    content = tmp_path / "content"
    for source in (ROOT / "content", FIXTURES / "search"):
        for path in source.rglob("*"):
            if path.is_file():
                target = content / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
    wrapper = tmp_path / "run.py"
    # The build, with the first Pagefind started for the feed replaced by one that stops.
    wrapper.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'plugins')!r})\n"
        "import search, search.service\n"
        "real, stops = search.pagefind_program, iter([True])\n"
        f"search.pagefind_program = lambda: {stopping_program(tmp_path)!r} "
        "if next(stops, False) else real()\n"
        "from pelican import main\n"
        "sys.argv = ['pelican', *sys.argv[1:]]\n"
        "main()\n"
    )
    outputs = {}
    for name, command in (
        ("stopped", [sys.executable, str(wrapper)]),
        ("plain", [sys.executable, "-m", "pelican"]),
    ):
        outputs[name] = tmp_path / name
        arguments = [str(content), "-s", "publishconf.py", "-o", str(outputs[name])]
        arguments += ["-e", f'CACHE_PATH="{tmp_path / name}-cache"']
        result = subprocess.run(
            [*command, *arguments, "-v"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": "400"},
        )
        assert result.returncode == 0, result.stdout + result.stderr
        if name == "stopped":
            assert "Pagefind stopped reading pages" in result.stdout + result.stderr
    assert bundle(outputs["stopped"]) == bundle(outputs["plain"])


def test_pages_rendered_by_workers_are_fed_as_they_come_and_give_the_serial_index(tmp_path):
    """More pages than the parallel writer hands its workers at once:
    the first batch's pages are fed while the next are recorded; every
    article reaches Pagefind before the site is written, in Pelican's order,
    so the index has the serial build's bytes."""
    content = tmp_path / "content"
    write_corpus(ARTICLES, content)
    bundles = {}
    for name, overrides in (("parallel", []), ("serial", ["BUILD_WORKERS=1"])):
        output = tmp_path / name
        settings = ["-e", f'CACHE_PATH="{tmp_path / name}-cache"', *overrides]
        result = run_pelican(
            content, output, "pelicanconf.py", *settings, "-v", env={"COLUMNS": "400"}
        )
        logged = result.stdout + result.stderr
        assert result.returncode == 0, logged
        assert f"Pagefind read {ARTICLES} of {ARTICLES} pages as written" in logged
        bundles[name] = bundle(output)
    assert bundles["parallel"] == bundles["serial"]
    assert len([name for name in bundles["parallel"] if name.startswith("fragment/")]) == ARTICLES
