"""A build on several cores writes exactly what a serial build writes, reports
a broken file exactly as a serial build does, and every way of staying serial
builds the same site."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import FIXTURES, ROOT, parse

sys.path.insert(0, str(ROOT / "bench"))
from run import differences  # noqa: E402
from test_pictures import ARTICLE as PHOTO_ARTICLE  # noqa: E402
from test_pictures import phone_photo  # noqa: E402

from corpus import write_corpus  # noqa: E402

# Above parallel_build's MIN_FILES and MIN_PAGES, so workers read and render.
ARTICLES = 120


def build(content: Path, output: Path, *extra: str, prelude="", verbose=True, cache=None):
    """A build of `content` in a child process, cold (its own empty cache) unless
    `cache` is another build's. `prelude` is Python run before Pelican starts,
    to stage a platform."""
    cache = cache or Path(f"{output}-cache")
    command = ["-s", "pelicanconf.py", "-o", str(output), "--fatal", "warnings"]
    command += ["-e", f'CACHE_PATH="{cache}"', *extra] + (["-v"] if verbose else [])
    argv = ["pelican", str(content), *command]
    code = f"{prelude}\nimport sys\nfrom pelican import main\nsys.argv = {argv!r}\nmain()"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "400"},  # one log record, one line
    )


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    """The sample content, an article without summary (whose picture Pelican's
    summary must not fix early), one with a phone photo (made in WebP and JPEG
    sizes) and a generated corpus of coaching articles."""
    folder = tmp_path_factory.mktemp("parallel") / "content"
    shutil.copytree(ROOT / "content", folder)
    shutil.copytree(FIXTURES / "no_summary", folder, dirs_exist_ok=True)
    (folder / "images" / "phone-photo.jpg").write_bytes(phone_photo(1600, 1200))
    (folder / "articles" / "phone-photo.md").write_text(PHOTO_ARTICLE, encoding="utf-8")
    write_corpus(ARTICLES, folder)
    return folder


@pytest.fixture(scope="module")
def parallel_site(content) -> Path:
    output = content.parent / "parallel"
    result = build(content, output, "BUILD_WORKERS=2")
    assert result.returncode == 0, result.stdout + result.stderr
    logged = result.stdout + result.stderr
    # The corpus really was read and rendered by two workers.
    assert re.search(rf"Read {ARTICLES + 9} files on 2 processes", logged), logged
    assert re.search(r"Rendered \d+ pages in [\d.]+ s \(0 in this process\)", logged), logged
    return output


def test_parallel_and_serial_builds_write_the_same_bytes(content, parallel_site):
    serial = content.parent / "serial"
    result = build(content, serial, "BUILD_WORKERS=1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Reading 129 files serially: BUILD_WORKERS is 1" in result.stdout + result.stderr
    assert "Writing serially: BUILD_WORKERS is 1" in result.stdout + result.stderr
    assert differences(parallel_site, serial) == []
    # Turned: 1,200 wide at most (480, 800, 1200); and the search result's 160 px thumbnail.
    assert len(list(parallel_site.glob("images/phone-photo.*.webp"))) == 4
    pages = list(parallel_site.rglob("*.html"))
    assert len(pages) > ARTICLES + 20  # articles, pages, lists, tags, archives


def test_an_article_without_summary_keeps_its_picture_in_parallel_and_serial(content, tmp_path):
    # With absolute addresses, as published: Pelican's summary, once worked out,
    # is kept for that address, so one made too early would stay unresolved.
    absolute = ('SITEURL="https://www.example.com"', "RELATIVE_URLS=false")
    sites = []
    for workers in (2, 1):
        output = tmp_path / f"workers-{workers}"
        result = build(content, output, f"BUILD_WORKERS={workers}", *absolute, verbose=False)
        assert result.returncode == 0, result.stdout + result.stderr
        picture = parse(output / "no-summary/index.html").xpath("//div[@class='prose']//img/@src")
        assert picture == ["https://www.example.com/images/path-through-hills.svg"]
        sites.append(output)
    assert differences(*sites) == []


def test_a_warm_build_writes_the_same_bytes(content, parallel_site):
    """The cache the parallel build saved serves the next build, which reads nothing."""
    warm = content.parent / "warm"
    result = build(content, warm, "BUILD_WORKERS=2", cache=Path(f"{parallel_site}-cache"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Reading 0 files serially: only 0 files" in result.stdout + result.stderr
    assert differences(parallel_site, warm) == []


def test_a_fresh_clone_with_the_cache_reads_only_what_changed(tmp_path, content, parallel_site):
    """A clone dates every file anew (CI restores the cache into one each run):
    the cache goes by each file's bytes, so only a changed file is read again."""
    clone = tmp_path / "clone"
    shutil.copytree(content, clone)
    cache = tmp_path / "cache"
    shutil.copytree(Path(f"{parallel_site}-cache"), cache)
    later = time.time() + 3600
    for path in clone.rglob("*"):
        os.utime(path, (later, later))
    # The cache is keyed by where files are: the clone sits where the content was.
    moved = content.with_name("original")
    content.rename(moved)
    clone.rename(content)
    try:
        result = build(content, tmp_path / "again", "BUILD_WORKERS=2", cache=cache)
        logged = result.stdout + result.stderr
        assert result.returncode == 0, logged
        assert "Reading 0 files serially: only 0 files" in logged
        assert differences(parallel_site, tmp_path / "again") == []
        article = next(content.rglob("*.md"))
        article.write_text(article.read_text() + "\nOne more line.\n")
        result = build(content, tmp_path / "changed", "BUILD_WORKERS=2", cache=cache)
        assert "Reading 1 files serially: only 1 files" in result.stdout + result.stderr
    finally:
        shutil.rmtree(content)
        moved.rename(content)


# Each way of staying serial (or of writing in several batches), staged in the child.
FALLBACKS = {
    "no fork": (
        "import multiprocessing\nmultiprocessing.get_all_start_methods = lambda: ['spawn']",
        "this platform cannot fork processes",
    ),
    "threads": (
        "import threading\nthreading.Thread(target=threading.Event().wait, daemon=True).start()",
        "other threads are running",
    ),
    "small batches": (
        f"import sys\nsys.path.insert(0, {str(ROOT / 'plugins')!r})\n"
        "import speed.parallel_build.writing as w\nw.BATCH, w.MIN_PAGES = 25, 10",
        r"Rendered 25 pages in [\d.]+ s \(0 in this process\)",
    ),
}


@pytest.mark.parametrize("name", FALLBACKS)
def test_every_fallback_builds_the_same_site(content, parallel_site, name):
    prelude, said = FALLBACKS[name]
    output = content.parent / name.replace(" ", "-")
    result = build(content, output, "BUILD_WORKERS=2", prelude=prelude)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(said, result.stdout + result.stderr)
    assert differences(parallel_site, output) == []


def test_a_broken_file_is_reported_as_in_a_serial_build(tmp_path):
    content = write_corpus(ARTICLES, tmp_path / "content")
    articles = content / "articles"
    # Pelican's reader fails on two of these in different ways: bytes that are
    # not UTF-8 and a date it cannot read. A key written twice it reads (keeping
    # the first), with a warning left to the check, which names the line.
    (articles / "not-utf8.md").write_bytes(
        b"Title: Caf\xe9 notes\nDate: 2026-01-02 10:00\nId: cafe\n\nText.\n"
    )
    (articles / "bad-date.md").write_text(
        "Title: A date\nDate: the second of June\nId: bad-date\n\nText.\n"
    )
    (articles / "twice.md").write_text(
        "Title: Twice\nDate: 2026-01-03 10:00\nId: twice\nTags: a\nTags: b\n\nText.\n"
    )
    # Pelican reads these two without a word; only the content check, which the
    # workers run on each file they read, finds what is wrong.
    (articles / "missing-picture.md").write_text(
        "Title: A walk\nDate: 2026-01-04 10:00\nId: walk\n\n![The hills](images/nope.jpg)\n"
    )
    (articles / "odd-status.md").write_text(
        "Title: Soon\nDate: 2026-01-05 10:00\nId: soon\nStatus: publishd\n\nText.\n"
    )
    parallel = build(content, tmp_path / "parallel", "BUILD_WORKERS=2", verbose=False)
    serial = build(content, tmp_path / "serial", "BUILD_WORKERS=1", verbose=False)
    assert parallel.returncode == serial.returncode == 1
    assert _without_times(parallel.stdout) == _without_times(serial.stdout)
    assert _without_times(parallel.stderr) == _without_times(serial.stderr)
    for name in ("not-utf8.md", "bad-date.md", "twice.md", "missing-picture.md", "odd-status.md"):
        assert f"content/articles/{name}:" in parallel.stderr, parallel.stderr
    # and the workers did read (and check) the rest: the two were left to the serial pass
    verbose = build(content, tmp_path / "verbose", "BUILD_WORKERS=2")
    logged = verbose.stdout + verbose.stderr
    assert f"Read {ARTICLES + 3} files on 2 processes" in logged
    assert "2 left to the serial pass" in logged
    # The two it could not read, and the one Pelican leaves out (an unknown
    # status: no dates of Pelican's to compare with) are checked again here.
    assert f"{ARTICLES + 2} checked where they were read, 3 checked here" in logged, logged


def _without_times(text: str) -> str:
    return re.sub(r"\[\d\d:\d\d:\d\d\]", "", text)


def test_a_wrong_number_of_workers_is_named(tmp_path, content):
    result = build(content, tmp_path / "out", "BUILD_WORKERS=0", verbose=False)
    assert result.returncode != 0
    assert "BUILD_WORKERS is 0" in result.stdout + result.stderr
    assert "whole number of 1 or more" in result.stdout + result.stderr
    assert not (tmp_path / "out" / "index.html").exists()


def test_sitemap_dates_lists_by_the_newest_content(parallel_site):
    """The lists' lastmod is the newest date of the published content, not the
    time of the build, so two builds of the same content write the same sitemap."""
    space = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    entries = ElementTree.parse(parallel_site / "sitemap.xml").getroot().findall("s:url", space)
    lastmod = {
        e.findtext("s:loc", namespaces=space): datetime.fromisoformat(
            e.findtext("s:lastmod", namespaces=space)
        )
        for e in entries
    }
    newest_article = max(v for loc, v in lastmod.items() if "/article-" in loc)
    assert lastmod["/"] == max(lastmod.values())
    assert lastmod["/"] >= newest_article
    assert lastmod["/"] in [v for loc, v in lastmod.items() if loc != "/" and "/tag/" not in loc]


def test_a_file_written_twice_is_handled_as_pelican_handles_it(tmp_path):
    """The parallel writer's overwrite rules, messages and results are Pelican's."""
    from jinja2 import Environment
    from pelican.settings import read_settings
    from pelican.writers import FileOverwriteFailedError, Writer

    from speed.parallel_build import ParallelWriter, finish_writing

    settings = read_settings(str(ROOT / "pelicanconf.py"))
    template = Environment().from_string("{{ output_file }}: {{ text }}")
    steps = [  # (file, text, override)
        ("a.html", "first", False),
        ("a.html", "second", False),  # refused
        ("b.html", "kept", True),
        ("b.html", "skipped", False),  # skipped: b.html was overridden
        ("b.html", "again", True),  # refused: a second override
        ("c.html", "first", False),
        ("c.html", "replaced", True),  # allowed overwrite
    ]

    def run(writer_class, output: Path) -> list[str]:
        writer = writer_class(str(output), settings=settings)
        assert getattr(writer, "deferring", True)  # the parallel one records pages
        outcomes = []
        for name, text, override in steps:
            try:
                writer.write_file(
                    name, template, {"localsiteurl": ""}, override_output=override, text=text
                )
                outcomes.append("written")
            except FileOverwriteFailedError as error:
                outcomes.append(str(error).replace(str(output), "OUT"))
        finish_writing(None)
        return outcomes

    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert run(ParallelWriter, parallel) == run(Writer, serial)
    assert differences(serial, parallel) == []
    assert (parallel / "c.html").read_text() == "c.html: replaced"
    assert (parallel / "b.html").read_text() == "b.html: kept"


@pytest.mark.parametrize("workers", [2, 1])
def test_a_rebuild_writes_only_the_files_that_changed(tmp_path, content, parallel_site, workers):
    """Pages whose bytes are already in the output folder are left untouched
    (same modification time); a page that differs, even one that only starts
    with the right bytes, is written whole."""
    output = tmp_path / "output"
    shutil.copytree(parallel_site, output)
    long_ago = 1_000_000_000  # 2001
    written = list(output.rglob("*.html"))
    for path in written:
        os.utime(path, (long_ago, long_ago))
    article = output / "article-00003/index.html"
    shortened, lengthened = article, output / "index.html"
    shortened.write_bytes(shortened.read_bytes()[:-100])  # the right start, the end missing
    lengthened.write_bytes(lengthened.read_bytes() + b"<!-- left over -->")
    result = build(content, output, f"BUILD_WORKERS={workers}", cache=tmp_path / "cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert differences(parallel_site, output) == []
    rewritten = {path for path in written if path.stat().st_mtime != long_ago}
    assert rewritten == {shortened, lengthened}
    assert len(written) > ARTICLES + 20


def test_a_failed_parallel_build_leaves_no_pages_for_the_next_build(tmp_path):
    """`invoke serve` builds again and again in one process: its first build
    is parallel, later ones serial. Pages a build recorded before it failed
    are never written by a later build, whatever its mode."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    page_template = theme / "templates" / "page.html"
    good_template = page_template.read_text()
    page_template.write_text(good_template + "{% if %}")  # the pages' generator stops here
    article = content / "articles" / "coaching-or-therapy.md"
    text = article.read_text()
    article.write_text(text + "\nOLDTEXT\n")
    output, cache = tmp_path / "output", tmp_path / "cache"

    def run(workers: int, output: Path, cache: Path) -> str:
        override = {
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "CACHE_PATH": str(cache),
            "THEME": str(theme),
            "BUILD_WORKERS": workers,
        }
        return f"run({override!r})"

    edit = (
        f"pathlib.Path({str(page_template)!r}).write_text({good_template!r})\n"
        f"pathlib.Path({str(article)!r}).write_text({text + chr(10) + 'NEWTEXT' + chr(10)!r})"
    )
    code = (
        "import pathlib\n"
        "from pelican import Pelican\n"
        "from pelican.settings import read_settings\n"
        "def run(override):\n"
        "    try:\n"
        "        Pelican(read_settings('pelicanconf.py', override=override)).run()\n"
        "        print('built')\n"
        "    except Exception as error:\n"
        "        print('failed:', type(error).__name__)\n"
        f"{run(2, output, cache)}\n{edit}\n{run(1, output, cache)}\n"
        f"{run(1, tmp_path / 'cold', tmp_path / 'cold-cache')}\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    said = [line for line in result.stdout.splitlines() if line.startswith(("built", "failed"))]
    assert said == ["failed: TemplateSyntaxError", "built", "built"], result.stdout + result.stderr
    assert differences(tmp_path / "cold", output) == []
    page = (output / "coaching-or-therapy" / "index.html").read_text()
    assert "NEWTEXT" in page and "OLDTEXT" not in page


def test_build_workers_in_the_environment_is_honoured(tmp_path, content):
    """As BUILD_MOMENT is: `BUILD_WORKERS=1 invoke build` builds in one process."""
    environment = 'import os\nos.environ["BUILD_WORKERS"] = "{}"'
    result = build(content, tmp_path / "serial", prelude=environment.format(1))
    assert result.returncode == 0, result.stdout + result.stderr
    logged = result.stdout + result.stderr
    assert f"Reading {ARTICLES + 9} files serially: BUILD_WORKERS is 1" in logged, logged
    assert "Writing serially: BUILD_WORKERS is 1" in logged

    wrong = build(content, tmp_path / "wrong", prelude=environment.format("two"), verbose=False)
    assert wrong.returncode != 0
    assert (wrong.stdout + wrong.stderr).strip().splitlines()[-1] == (
        "BUILD_WORKERS is 'two', which is not a number of processes. Fix: set it to a whole "
        "number of 1 or more (1 builds serially), or remove it to use every core."
    )
    assert not (tmp_path / "wrong" / "index.html").exists()
