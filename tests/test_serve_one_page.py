"""`invoke serve` rewrites just the page of an article whose text alone changed
(plugins/preview_server/builder.py); that page must be the very page a full
build writes, and a change the lists show (an automatic summary, the reading
time) must rebuild the whole site."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import parse, run_pelican
from project import copy_project

# Builds the project in the current folder as `invoke serve` does, then once
# more for each edit (argv: file, text to append), printing what was rebuilt.
PREVIEW = """
import sys
from pathlib import Path
sys.path.insert(0, "plugins")
from preview_server.builder import PreviewBuilder

builder = PreviewBuilder("pelicanconf.py")
assert builder.build()
path = Path(sys.argv[1]).resolve()
path.write_text(path.read_text() + sys.argv[2])
assert builder.build({str(path)})
"""

LONG_TEXT = (
    "\n"
    + "\n\n".join(
        "Noticing a part is different from obeying it, and naming it gives you a choice. " * 10
        for _ in range(20)
    )
    + "\n"
)  # about 1,500 words
PICTURE = "\n![Rolling hills at dawn]({static}/images/path-through-hills.svg)\n"


def edit_while_serving(tmp_path: Path, article: str, added: str) -> tuple[Path, Path, str]:
    """The preview's output after the edit, a full build's of the same content, and its log."""
    project = copy_project(tmp_path / "project")
    source = project / "content/articles" / f"{article}.md"
    preview = subprocess.run(
        [sys.executable, "-c", PREVIEW, str(source), added],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert preview.returncode == 0, preview.stdout + preview.stderr
    full = tmp_path / "full"
    cache = ["-e", f'CACHE_PATH="{tmp_path / "cache"}"']
    result = run_pelican(project / "content", full, "pelicanconf.py", *cache)
    assert result.returncode == 0, result.stdout + result.stderr
    return project / "output", full, preview.stdout


def same_pages(served: Path, full: Path) -> list[str]:
    """The pages (HTML) that differ between the two outputs."""
    pages = sorted(p.relative_to(full) for p in full.rglob("*.html"))
    assert pages
    return [str(p) for p in pages if (served / p).read_bytes() != (full / p).read_bytes()]


def test_a_picture_added_while_serving_gives_the_page_of_a_full_build(tmp_path):
    served, full, log = edit_while_serving(tmp_path, "meeting-your-inner-critic", PICTURE)
    assert "Rebuilt the page" in log, "the one-page fast path: a text edit, reading time kept"
    page = (served / "meeting-your-inner-critic/index.html").read_text()
    assert 'width="' in page and 'loading="lazy"' in page
    assert same_pages(served, full) == []


def test_an_edit_that_changes_the_reading_time_gives_the_pages_of_a_full_build(tmp_path):
    served, full, log = edit_while_serving(tmp_path, "meeting-your-inner-critic", LONG_TEXT)
    assert same_pages(served, full) == []
    assert LONG_TEXT.split()[0] in (served / "meeting-your-inner-critic/index.html").read_text()


NATURAL = (
    "\n![Rolling hills at dawn](images/path-through-hills.svg) and "
    "[the other article](/coaching-or-therapy/), [every article](archives/)\n"
)


def test_natural_addresses_added_while_serving_give_the_page_of_a_full_build(tmp_path):
    served, full, log = edit_while_serving(tmp_path, "meeting-your-inner-critic", NATURAL)
    assert "Rebuilt the page" in log
    page = (served / "meeting-your-inner-critic/index.html").read_text()
    assert 'src="../images/path-through-hills.svg"' in page
    assert 'href="../coaching-or-therapy/"' in page and 'href="../archives/"' in page
    assert same_pages(served, full) == []


def test_an_address_leading_nowhere_added_while_serving_is_refused(tmp_path):
    project = copy_project(tmp_path / "project")
    source = project / "content/articles/meeting-your-inner-critic.md"
    preview = subprocess.run(
        [sys.executable, "-c", PREVIEW, str(source), "\n[Gone](/no-such-article/)\n"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert preview.returncode == 1, "the second build failed (the script's assert)"
    assert 'The link "/no-such-article/" leads to no page of the site.' in preview.stderr
    page = (project / "output/meeting-your-inner-critic/index.html").read_text()
    assert "no-such-article" not in page, "the last good page stays"


def test_a_photo_added_while_serving_is_served_in_its_sizes_as_a_full_build_does(tmp_path):
    photo = "\n![Jordan at the desk](images/portrait.jpg)\n"
    served, full, log = edit_while_serving(tmp_path, "meeting-your-inner-critic", photo)
    assert "Rebuilt the page" in log
    page = parse(served / "meeting-your-inner-critic/index.html")
    (picture,) = page.xpath("//div[contains(@class,'prose')]//picture")
    addresses = [c.split()[0] for c in " ".join(picture.xpath(".//@srcset")).split(",")]
    assert any(a.endswith(".webp") for a in addresses)
    for address in addresses:  # the sizes made for the edit are on the preview site
        assert (served / "meeting-your-inner-critic" / address).resolve().is_file(), address
    assert same_pages(served, full) == []
