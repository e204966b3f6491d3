"""A writing build into a kept output folder (invoke build, invoke serve) leaves
no page an earlier build wrote and this one did not: the later pages of a list
that shrank, the pages of a deleted article and of the tag, category and author
only it had. The coach's own files stay, and a build that fails removes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, parse, problem_lines, run_invoke, run_pelican
from project import copy_project
from scheduling.written_record import FOLDER

FIVE_A_PAGE = "DEFAULT_PAGINATION=5"


def step(number: int, tags: str = "stepping-stones") -> str:
    return (
        f"Title: Step {number}\nDate: 2025-03-{number:02d} 09:00\nId: step-{number}\n"
        f"Tags: {tags}\nSummary: About step {number}.\n\nA paragraph about step {number}.\n"
    )


def content_with_steps(base: Path, count: int) -> Path:
    """The sample content plus `count` articles tagged stepping-stones."""
    content = base / "content"
    shutil.copytree(ROOT / "content", content)
    for number in range(1, count + 1):
        (content / "articles" / f"step-{number}.md").write_text(step(number))
    return content


def build(content: Path, output: Path, *settings: str):
    """A writing build; the settings (KEY=JSON) go in one -e (a second replaces the first)."""
    extra = ("-v", "-e", *settings) if settings else ("-v",)
    wide = {"COLUMNS": "400"}  # one log line a file removed
    return run_pelican(content, output, "pelicanconf.py", *extra, env=wide)


def built(content: Path, output: Path, *settings: str) -> str:
    result = build(content, output, *settings)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def empty_folders(output: Path) -> list[str]:
    return [
        os.path.relpath(folder, output)
        for folder, subfolders, files in os.walk(output)
        if not subfolders and not files
    ]


def linked_steps(page: Path) -> set[str]:
    """The step articles a list page links to."""
    hrefs = parse(page).xpath("//main//a/@href")
    return {href.strip("./").split("/")[-1] for href in hrefs if "step-" in href}


def test_a_shrunk_list_loses_its_later_pages(tmp_path):
    content = content_with_steps(tmp_path, 12)
    output = tmp_path / "output"
    built(content, output, FIVE_A_PAGE)
    tag = output / "tag" / "stepping-stones"
    later = [tag / "page" / "2" / "index.html", tag / "page" / "3" / "index.html"]
    assert all(page.is_file() for page in later)
    assert (output / "page" / "4" / "index.html").is_file()  # 18 public articles on the home pages

    for number in range(1, 9):
        (content / "articles" / f"step-{number}.md").unlink()
    log = built(content, output, FIVE_A_PAGE)

    assert not any(page.exists() for page in later) and not (tag / "page").exists()
    assert linked_steps(tag / "index.html") == {"step-9", "step-10", "step-11", "step-12"}
    assert not parse(tag / "index.html").xpath("//a[@rel='next']")
    assert not (output / "page" / "3").exists() and (output / "page" / "2").is_dir()
    assert not (output / "step-1").exists()
    assert empty_folders(output) == []
    assert "Removed tag/stepping-stones/page/3/index.html" in log


def test_a_deleted_articles_own_tag_category_and_author_pages_go(tmp_path):
    content = content_with_steps(tmp_path, 0)
    lonely = content / "articles" / "lonely.md"
    lonely.write_text(
        "Title: A Lonely Article\nDate: 2024-02-02 09:00\nId: lonely\nTags: only-here\n"
        "Category: Lonely Corner\nAuthor: Sam Solo\nSummary: Alone.\n\nOne paragraph.\n"
    )
    output = tmp_path / "output"
    built(content, output)
    own = ["lonely", "tag/only-here", "category/lonely-corner", "author/sam-solo", "archives/2024"]
    assert all((output / address / "index.html").is_file() for address in own)

    lonely.unlink()
    built(content, output)

    assert [address for address in own if (output / address).exists()] == []
    assert (output / "tag" / "coaching" / "index.html").is_file()  # the rest stays
    assert empty_folders(output) == []


def test_the_coaches_own_files_stay(tmp_path):
    """Files Pelican copies from content/ are the coach's, even at an address a
    page of an earlier build had."""
    content = content_with_steps(tmp_path, 0)
    offer = content / "articles" / "old-offer.md"
    offer.write_text(
        "Title: Old Offer\nDate: 2024-05-05 09:00\nId: old-offer\nSummary: An offer.\n\nIt ends.\n"
    )
    output = tmp_path / "output"
    settings = (
        'STATIC_PATHS=["images", "extra"]',
        'EXTRA_PATH_METADATA={"extra/old-offer.html": {"path": "old-offer/index.html"}}',
    )
    built(content, output, *settings)
    assert "Old Offer" in (output / "old-offer" / "index.html").read_text()

    offer.unlink()
    (content / "extra").mkdir()
    (content / "extra" / "old-offer.html").write_text("<p>The coach's own page.</p>\n")
    (content / "extra" / "plan.txt").write_text("A plan.\n")
    built(content, output, *settings)

    assert (output / "old-offer" / "index.html").read_text() == "<p>The coach's own page.</p>\n"
    assert (output / "extra" / "plan.txt").read_text() == "A plan.\n"
    assert (output / "images" / "path-through-hills.svg").is_file()


def test_a_build_that_fails_the_content_check_removes_nothing(tmp_path):
    content = content_with_steps(tmp_path, 12)
    output = tmp_path / "output"
    built(content, output, FIVE_A_PAGE)
    later = output / "tag" / "stepping-stones" / "page" / "3" / "index.html"
    for number in range(1, 9):
        (content / "articles" / f"step-{number}.md").unlink()
    broken = content / "articles" / "step-12.md"
    broken.write_text(step(12).replace("Title: Step 12", "Title: "))

    failed = build(content, output, FIVE_A_PAGE)

    assert failed.returncode == 1 and problem_lines(failed.stderr), failed.stderr
    assert later.is_file() and (output / "step-1" / "index.html").is_file()
    # The record of the last good build was kept: the next good one removes them.
    broken.write_text(step(12))
    built(content, output, FIVE_A_PAGE)
    assert not later.exists() and not (output / "step-1").exists()


def test_an_edited_pagination_setting_takes_its_later_pages_along(tmp_path):
    """Editing pelicanconf.py starts a new cache folder (CACHE_PATH): the record
    of the build before the edit still counts."""
    project = copy_project(tmp_path / "project")
    settings = project / "pelicanconf.py"
    text = settings.read_text()
    assert "DEFAULT_PAGINATION = 10\n" in text, "the setting moved: update this test"
    settings.write_text(text.replace("DEFAULT_PAGINATION = 10\n", "DEFAULT_PAGINATION = 2\n"))
    result = run_invoke(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    home_pages = project / "output" / "page"
    assert (home_pages / "3" / "index.html").is_file()  # 6 public sample articles, 2 a page

    settings.write_text(text)
    result = run_invoke(project, "build")

    assert result.returncode == 0, result.stdout + result.stderr
    assert not home_pages.exists()
    assert empty_folders(project / "output") == []


def test_each_output_folder_keeps_its_own_record(tmp_path):
    content = content_with_steps(tmp_path, 12)
    first, second = tmp_path / "first", tmp_path / "second"
    built(content, first, FIVE_A_PAGE)
    built(content, second, FIVE_A_PAGE)
    for number in range(1, 9):
        (content / "articles" / f"step-{number}.md").unlink()
    built(content, second, FIVE_A_PAGE)
    built(content, first, FIVE_A_PAGE)
    for output in (first, second):
        assert not (output / "tag" / "stepping-stones" / "page").exists()
        assert not (output / "step-1").exists()


def test_an_unreadable_record_removes_nothing_and_is_written_again(tmp_path):
    """A damaged cache file never stops the build, nor costs a page."""
    project = copy_project(tmp_path / "project")
    content = project / "content"
    for number in range(1, 13):
        (content / "articles" / f"step-{number}.md").write_text(step(number))
    output = project / "output"
    building = [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", "output"]
    building += ["--fatal", "warnings", "-e", FIVE_A_PAGE]
    subprocess.run(building, cwd=project, check=True, capture_output=True)
    [record] = (project / "cache").glob(f"*/{FOLDER}/*.json")
    record.write_text('{"output": "cut short')
    later = output / "tag" / "stepping-stones" / "page" / "3" / "index.html"
    for number in range(1, 9):
        (content / "articles" / f"step-{number}.md").unlink()

    subprocess.run(building, cwd=project, check=True, capture_output=True)
    assert later.is_file()  # kept: nothing says it is stale
    assert str(output) in record.read_text()  # this build's record took its place
    (content / "articles" / "step-12.md").unlink()
    subprocess.run(building, cwd=project, check=True, capture_output=True)
    assert not (output / "step-12").exists()
