"""The speed layer's one switch: SPEED_LAYER=0 builds with Pelican's own code,
serially, and the site it writes is the very site the layer writes, every byte
of every file (the search index included: stable_filters.py writes its one
unsteady file in one order)."""

from __future__ import annotations

import re
import runpy
import shutil
import sys

import pytest

from conftest import ROOT, run_pelican
from speed import LAYER, layer_is_on, speed_plugins

sys.path.insert(0, str(ROOT / "bench"))
from run import differences  # noqa: E402

from corpus import write_corpus  # noqa: E402

# Above parallel_build's MIN_FILES and MIN_PAGES, so the layer's workers read and render.
ARTICLES = 200


def build(content, output, layer: bool, cache=None):
    """A build of `content` (cold unless `cache` is an earlier build's), logging
    what the layer did (-v)."""
    cache = cache or f"{output}-cache"
    env = {"SPEED_LAYER": "1" if layer else "0", "BUILD_WORKERS": "2"}
    result = run_pelican(
        content, output, "pelicanconf.py", "-v", "-e", f'CACHE_PATH="{cache}"', env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The sample content and a generated corpus."""
    folder = tmp_path_factory.mktemp("speed") / "content"
    shutil.copytree(ROOT / "content", folder)
    write_corpus(ARTICLES, folder)
    return folder


def test_the_sample_site_is_the_same_with_the_layer_on_and_off(tmp_path):
    build(ROOT / "content", tmp_path / "on", layer=True)
    build(ROOT / "content", tmp_path / "off", layer=False)
    assert (tmp_path / "on" / "sitemap.xml").exists()
    assert differences(tmp_path / "on", tmp_path / "off") == []


def test_a_corpus_is_the_same_with_the_layer_on_cold_and_warm_and_off(corpus):
    work = corpus.parent
    on = build(corpus, work / "on", layer=True)
    # The layer really worked: two processes read and rendered.
    assert re.search(r"Read \d{3} files on 2 processes", on), on
    assert re.search(r"Rendered \d+ pages in [\d.]+ s \(0 in this", on), on
    build(corpus, work / "warm", layer=True, cache=work / "on-cache")
    off = build(corpus, work / "off", layer=False)
    assert "Rendered" not in off and "files on 2 processes" not in off
    assert list((work / "on" / "pagefind").glob("fragment/*")), "the search index was made"
    assert len(list((work / "on").rglob("*.html"))) > ARTICLES
    assert differences(work / "on", work / "off") == []
    assert differences(work / "warm", work / "off") == []


def test_the_switch_reads_the_environment():
    assert layer_is_on({}) and layer_is_on({"SPEED_LAYER": "1"})
    assert not layer_is_on({"SPEED_LAYER": "0"}) and not layer_is_on({"SPEED_LAYER": " Off"})
    with pytest.raises(SystemExit, match="SPEED_LAYER environment variable is 'maybe'"):
        layer_is_on({"SPEED_LAYER": "maybe"})
    assert speed_plugins(False, *LAYER) == []
    assert speed_plugins(True, "content_cache") == ["speed.content_cache"]


def test_the_switch_off_leaves_every_speed_plugin_out_of_plugins(monkeypatch):
    def speed_plugins_listed() -> list[str]:
        plugins = runpy.run_path(str(ROOT / "pelicanconf.py"))["PLUGINS"]
        return [plugin for plugin in plugins if plugin.startswith("speed.")]

    monkeypatch.delenv("SPEED_LAYER", raising=False)
    assert speed_plugins_listed() == [f"speed.{name}" for name in LAYER]
    monkeypatch.setenv("SPEED_LAYER", "0")
    assert speed_plugins_listed() == []


def test_the_switch_given_with_e_comes_too_late_and_says_so(tmp_path):
    result = run_pelican(
        ROOT / "content", tmp_path / "out", "pelicanconf.py", "-e", "SPEED_LAYER=false"
    )
    assert result.returncode != 0
    assert "SPEED_LAYER=0 pelican" in result.stdout + result.stderr
    assert not (tmp_path / "out" / "index.html").exists()
