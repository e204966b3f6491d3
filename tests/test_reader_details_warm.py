"""A warm build (Pelican's content cache from the build before) shows every
reading time a cold build shows: the count Pelican's cache keeps for a file is
made again when the file changes."""

from __future__ import annotations

import re
import shutil
import sys

from conftest import ROOT, parse, run_pelican

sys.path.insert(0, str(ROOT / "bench"))
from run import differences  # noqa: E402


def minutes(site, slug: str) -> int:
    header = parse(site / slug / "index.html").xpath("string(//article//header)")
    return int(re.search(r"(\d+) min read", header)[1])


def test_a_changed_article_gets_its_new_reading_time_on_a_warm_build(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache = ("-e", f'CACHE_PATH="{tmp_path / "cache"}"')
    first, warm, cold = tmp_path / "first", tmp_path / "warm", tmp_path / "cold"
    assert run_pelican(content, first, "pelicanconf.py", *cache).returncode == 0
    article = content / "articles" / "coaching-or-therapy.md"
    article.write_text(article.read_text() + "\n" + "A few more words to read. " * 300 + "\n")
    result = run_pelican(content, warm, "pelicanconf.py", *cache)
    assert result.returncode == 0, result.stderr
    empty = ("-e", f'CACHE_PATH="{tmp_path / "empty"}"')
    assert run_pelican(content, cold, "pelicanconf.py", *empty).returncode == 0
    assert minutes(warm, "coaching-or-therapy") >= minutes(first, "coaching-or-therapy") + 6
    assert differences(cold, warm) == []
