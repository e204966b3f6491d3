"""One broken or odd file is named, and changes nothing else: whatever order
Pelican reads the files in, and whatever the content cache holds afterwards."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from pelican.settings import read_settings

from conftest import FIXTURES, ROOT, problem_lines, run_pelican
from prose import TypographyExtension
from prose.reader import ReusingMarkdownReader

BROKEN = FIXTURES / "broken"

# fixture folder -> (the one offending file, words its message must hold)
BREAKAGES = {
    "deep_nesting": ("articles/deep.md", "nested too deeply"),
    "impossible_date": ("articles/month-13.md", 'Date "2025-13-45" is not valid'),
    "emoji_names": ("articles/emoji.md", "gives an empty web address"),
    "control_characters": ("articles/pasted.md", "invisible control character"),
    "line_separators": ("articles/separated.md", "U+2028, line separator"),
    "vertical_tab": ("articles/tabbed.md", "U+000B, vertical tab"),
    "long_names": ("articles/long.md", "a file name can hold at most 255"),
    "hidden_file": ("articles/.almost-done.md", "starts with a dot"),
}
SEEDS = (1, 2, 3)


def sample_sources() -> list[Path]:
    return sorted((ROOT / "content").rglob("*.md"))


def new_reader() -> ReusingMarkdownReader:
    settings = read_settings(str(ROOT / "pelicanconf.py"))
    settings["MARKDOWN"]["extensions"] = [TypographyExtension()]
    return ReusingMarkdownReader(settings)


@pytest.fixture(scope="module")
def reference() -> dict[Path, tuple]:
    """Each sample file read on its own, by a reader that has read nothing else."""
    return {path: new_reader().read(str(path)) for path in sample_sources()}


@pytest.mark.parametrize("fixture", BREAKAGES)
def test_one_reader_in_any_order_gives_every_valid_file_the_same_result(fixture, reference):
    broken = BROKEN / fixture / BREAKAGES[fixture][0]
    for seed in SEEDS:
        order = [*sample_sources(), broken, *sample_sources()]
        random.Random(seed).shuffle(order)
        reader = new_reader()
        for path in order:
            try:
                result = reader.read(str(path))
            except Exception:
                assert path == broken, f"seed {seed}: {path.name} failed after {broken.name}"
                continue
            if path != broken:
                assert result == reference[path], f"seed {seed}: {path.name} read differently"


@pytest.fixture(scope="module")
def clean_build(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("clean") / "output"
    result = run_pelican(ROOT / "content", output, "pelicanconf.py", *no_cache())
    assert result.returncode == 0, result.stderr
    return output


def no_cache() -> tuple[str, ...]:
    return ("-e", "CACHE_CONTENT=false", "LOAD_CONTENT_CACHE=false")


def article_pages(output: Path) -> dict[str, bytes]:
    return {
        str(page.relative_to(output)): page.read_bytes()
        for source in (ROOT / "content/articles").glob("*.md")
        for page in output.glob(f"*{source.stem}/index.html")
    }


@pytest.mark.parametrize("fixture", BREAKAGES)
def test_a_broken_file_is_named_alone_and_leaves_nothing_in_the_cache(
    fixture, clean_build, tmp_path
):
    offender, words = BREAKAGES[fixture]
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    shutil.copytree(BROKEN / fixture, content, dirs_exist_ok=True)
    cache = ("-e", f'CACHE_PATH="{tmp_path / "cache"}"')

    # Pelican reads files in the order of a set: another hash seed, another order.
    for seed in SEEDS[:2]:
        env = {"PYTHONHASHSEED": str(seed)}
        result = run_pelican(content, tmp_path / "failed", "pelicanconf.py", *cache, env=env)
        assert result.returncode == 1, result.stderr
        lines = problem_lines(result.stderr)
        named = {(ROOT / m["path"]).resolve() for m in lines}
        assert named == {(content / offender).resolve()}, result.stderr
        assert any(words in m["what"] for m in lines), result.stderr
        assert "Traceback" not in result.stderr
        assert not list((tmp_path / "failed").rglob("*.html")), "nothing is written"

    (content / offender).unlink()
    result = run_pelican(content, tmp_path / "fixed", "pelicanconf.py", *cache)
    assert result.returncode == 0, result.stderr
    assert article_pages(tmp_path / "fixed") == article_pages(clean_build)
