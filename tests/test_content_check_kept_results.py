"""The content check keeps the results of files that passed and uses them while
the files are unchanged, yet every build still reports every problem: a file
changed since is checked again, a problem is reported on every build, a link
to a file deleted since is caught in an unchanged file, and a damaged record
is ignored."""

from __future__ import annotations

import gc
import pickle
import shutil
from pathlib import Path

import pytest
from pelican.settings import read_settings

from conftest import ROOT, problem_lines, run_pelican
from content_check.kept_results import FILE_NAME, KeptResults
from content_check.problems import Problem


@pytest.fixture
def site(tmp_path) -> tuple[Path, Path]:
    """A copy of the sample content and a cache folder, after one passing build."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache = tmp_path / "cache"
    assert build(content, tmp_path, cache).returncode == 0
    return content, cache


def build(content: Path, tmp_path: Path, cache: Path):
    return run_pelican(
        content, tmp_path / "output", "pelicanconf.py", "-e", f'CACHE_PATH="{cache}"'
    )


def reported(result) -> list[tuple[str, str]]:
    return [(Path(m["path"]).name, m["what"]) for m in problem_lines(result.stderr)]


def kept(cache: Path) -> dict:
    with open(cache / FILE_NAME, "rb") as handle:
        _, passed = pickle.load(handle)
    return passed


def test_a_passing_build_keeps_every_markdown_file(site):
    content, cache = site
    markdown = {str(path) for path in content.rglob("*.md")}
    assert set(kept(cache)) == markdown
    assert not [source for _, source in kept(cache).values() if source.problems]


def test_an_unchanged_file_is_not_checked_again_and_a_changed_one_is(site, tmp_path):
    """Shown with a problem written into the record: reported while the file is
    unchanged (its kept result was used), gone once it changes (checked again)."""
    content, cache = site
    article = content / "articles" / "coaching-or-therapy.md"
    with open(cache / FILE_NAME, "rb") as handle:
        context, passed = pickle.load(handle)
    key, source = passed[str(article)]
    planted = Problem(str(article), 1, "A problem only the record holds", "none")
    source.problems.append(planted)
    with open(cache / FILE_NAME, "wb") as handle:
        pickle.dump((context, passed), handle)
    result = build(content, tmp_path, cache)
    assert result.returncode == 1
    assert reported(result) == [(article.name, "A problem only the record holds")]
    article.write_text(article.read_text() + "\nOne more line.\n")
    assert build(content, tmp_path, cache).returncode == 0


def test_a_problem_is_reported_on_every_build(site, tmp_path):
    content, cache = site
    article = content / "articles" / "coaching-or-therapy.md"
    article.write_text(article.read_text() + "\n![](/images/nowhere.png)\n")
    for _ in range(2):
        result = build(content, tmp_path, cache)
        assert result.returncode == 1
        assert (article.name, "An image has no alt text") in reported(result)
    assert str(article) in kept(cache), "the record of its last pass is kept as it was"


def test_a_link_to_a_deleted_file_is_caught_in_an_unchanged_file(site, tmp_path):
    content, cache = site
    (content / "articles" / "coaching-or-therapy.md").unlink()
    result = build(content, tmp_path, cache)
    assert result.returncode == 1
    linking = {name for name, what in reported(result) if "coaching-or-therapy.md" in what}
    assert linking == {"what-a-first-session-looks-like.md", "when-a-part-resists-action.md"}


def test_a_damaged_record_is_ignored_and_written_again(site, tmp_path):
    content, cache = site
    (cache / FILE_NAME).write_bytes(b"not a pickle")
    assert build(content, tmp_path, cache).returncode == 0
    assert set(kept(cache)) == {str(path) for path in content.rglob("*.md")}


@pytest.mark.parametrize("record", [None, b"not a pickle"])
def test_loading_the_record_leaves_the_cycle_collector_as_it_was(site, record):
    """The record loads with Python's cycle collector paused, which must run
    again afterwards, even when the record is damaged, and stay off if it was off."""
    content, cache = site
    if record is not None:
        (cache / FILE_NAME).write_bytes(record)
    settings = {**read_settings(str(ROOT / "pelicanconf.py")), "PATH": str(content)}
    settings["CACHE_PATH"] = str(cache)
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            loaded = KeptResults(settings).kept
            assert gc.isenabled() is enabled
            assert bool(loaded) is (record is None)
    finally:
        gc.enable()


def test_other_rules_for_addresses_check_every_file_again(site, tmp_path):
    """A tag that gives an address under the site's rules passes; under rules
    that drop digits it gives none, and the unchanged file is checked again."""
    content, cache = site
    article = content / "articles" / "coaching-or-therapy.md"
    article.write_text(article.read_text().replace("Tags: ", "Tags: 2025, ", 1))
    assert build(content, tmp_path, cache).returncode == 0
    assert str(article) in kept(cache)
    no_digits = 'TAG_REGEX_SUBSTITUTIONS=[["[^a-z]+", "-"]]'
    settings = ("-e", f'CACHE_PATH="{cache}"', no_digits)
    result = run_pelican(content, tmp_path / "output", "pelicanconf.py", *settings)
    assert result.returncode == 1
    assert (
        article.name,
        'The tag "2025" gives an empty web address: it has no letters or '
        "digits (emoji and punctuation are dropped)",
    ) in reported(result)


def test_a_template_gone_from_the_theme_checks_every_file_again(site, tmp_path):
    """A page naming a template passes while the theme has it; once the template
    is gone, the unchanged page is checked again, not built into a traceback."""
    content, cache = site
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    settings = ("-e", f'CACHE_PATH="{cache}"', f'THEME="{theme}"')
    assert run_pelican(content, tmp_path / "output", "pelicanconf.py", *settings).returncode == 0
    (theme / "templates" / "contact.html").unlink()
    result = run_pelican(content, tmp_path / "output", "pelicanconf.py", *settings)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert reported(result) == [
        (
            "contact.md",
            f'Template "contact" is not one of the theme\'s templates (in {theme}/templates)',
        )
    ]
