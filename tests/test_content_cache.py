"""Pelican's reader cache, checked and saved at less cost (plugins/content_cache),
still does what Pelican's does: a warm build reads nothing and leaves the cache
file as it was, a changed file is read again and saved, and a stamp that could
not be taken is not kept. (That a file changed after its generator read it is
read again by the preview: tests/test_tasks.py, `invoke serve`.)"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from pelican.cache import FileStampDataCacher

from conftest import ROOT, parse, run_pelican
from speed.content_cache import KeptStamps

sys.path.insert(0, str(ROOT / "bench"))
from run import differences  # noqa: E402

from corpus import write_corpus  # noqa: E402

NEW_WORDS = "A heron stood in the shallows the whole morning."


def build(content: Path, output: Path, cache: Path) -> str:
    settings = ["-e", f'CACHE_PATH="{cache}"', "-v"]
    result = run_pelican(content, output, "pelicanconf.py", *settings, env={"COLUMNS": "400"})
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_a_warm_build_keeps_the_cache_file_and_a_changed_file_is_read_and_saved(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    write_corpus(60, content)  # above parallel_build's MIN_FILES: workers fill the cache
    cache = tmp_path / "cache"
    build(content, tmp_path / "cold", cache)
    saved = cache / "ArticlesGenerator-Readers"
    before = saved.stat().st_mtime_ns, saved.read_bytes()

    logged = build(content, tmp_path / "warm", cache)
    assert "Reading 0 files serially" in logged
    assert (saved.stat().st_mtime_ns, saved.read_bytes()) == before, "not written again"
    assert differences(tmp_path / "cold", tmp_path / "warm") == []

    article = sorted((content / "articles").glob("*.md"))[0]
    article.write_text(article.read_text() + f"\n{NEW_WORDS}\n")
    logged = build(content, tmp_path / "changed", cache)
    assert "Reading 1 files serially" in logged
    assert saved.stat().st_mtime_ns != before[0], "the cache with the new reading was saved"
    page = next((tmp_path / "changed").glob(f"{article.stem}/index.html"))
    assert NEW_WORDS in page.read_text()

    logged = build(content, tmp_path / "again", cache)
    assert "Reading 0 files serially" in logged, "the saved cache holds the new reading"
    assert differences(tmp_path / "changed", tmp_path / "again") == []


def pelican_stamp(tmp_path: Path):
    """Pelican's own SHA-256 stamp function, as the build's settings make it."""
    settings = {"CACHE_PATH": str(tmp_path / "cache"), "GZIP_CACHE": False}
    settings["CHECK_MODIFIED_METHOD"] = "sha256"
    return FileStampDataCacher(settings, "stamps", False, False)._filestamp_func


def test_a_stamp_is_kept_once_taken_and_a_failed_one_is_tried_again(tmp_path):
    stamp = pelican_stamp(tmp_path)
    kept = KeptStamps(stamp)
    path = tmp_path / "article.md"
    with pytest.raises(OSError):
        kept(str(path))  # no file yet: Pelican warns and stamps it ""
    path.write_text("Title: One\n\nFirst words.\n")
    first = kept(str(path))
    assert first == stamp(str(path)), "tried again once the file is there"
    path.write_text("Title: One\n\nOther words.\n")
    assert kept(str(path)) == first, "the stamp from before the file was read"
    assert stamp(str(path)) != first


def tag_links(output: Path, article: str) -> list[str]:
    """The addresses an article's page links its tags with."""
    page = parse(output / article / "index.html")
    return page.xpath('//a[@rel="tag"]/@href')


def test_a_cached_reading_takes_the_addresses_of_the_build_that_uses_it(tmp_path):
    """Tags read by an earlier build with other settings get this build's addresses."""
    cache = tmp_path / "cache"
    topics = ['TAG_URL="topic/{slug}/"', 'TAG_SAVE_AS="topic/{slug}/index.html"']
    underscored = [r'TAG_REGEX_SUBSTITUTIONS=[["[^\\w\\s-]", ""], ["[-\\s]+", "_"]]']
    builds = {"cold": [], "topic": topics, "plain": [], "underscored": underscored}
    for name, settings in builds.items():
        result = run_pelican(
            ROOT / "content",
            tmp_path / name,
            "pelicanconf.py",
            "-e",
            f'CACHE_PATH="{cache}"',
            *settings,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    article = "meeting-your-inner-critic"
    topic_links = tag_links(tmp_path / "topic", article)
    assert topic_links and all("topic/" in href for href in topic_links), topic_links
    for href in topic_links:
        slug = href.rstrip("/").rsplit("/", 1)[-1]
        assert (tmp_path / "topic" / "topic" / slug / "index.html").exists()
    plain_links = tag_links(tmp_path / "plain", article)
    assert plain_links and all("tag/" in href for href in plain_links), plain_links
    assert any(href.endswith("tag/self-compassion/") for href in plain_links), plain_links
    # Settings a slug is made with: the kept slug is made again.
    links = tag_links(tmp_path / "underscored", article)
    assert any(href.endswith("tag/self_compassion/") for href in links), links
    assert (tmp_path / "underscored" / "tag" / "self_compassion" / "index.html").exists()
