"""Tag, category and author lists that answer `in` at once give the same answers
as Pelican's plain lists, and the site built with them is the same, every byte."""

from __future__ import annotations

import json
import pickle
import runpy
import shutil
import sys

from conftest import ROOT, run_pelican
from speed.article_lists import ArticleList

sys.path.insert(0, str(ROOT / "bench"))
from run import differences  # noqa: E402

from corpus import write_corpus  # noqa: E402


class Item:
    """An object without equality, as Pelican's articles are."""


def test_membership_is_by_identity_as_in_a_plain_list():
    items = [Item() for _ in range(5)]
    listed = ArticleList(items[:3])
    for item in items:
        assert (item in listed) == (item in list(items[:3]))
    listed.append(items[4])
    assert items[4] in listed, "a longer list is looked up again"
    listed.remove(items[0])
    assert items[0] not in listed
    assert list(listed) == [items[1], items[2], items[4]]


def test_a_copy_made_by_pickling_answers_for_its_own_items():
    listed = ArticleList([Item(), Item()])
    copied = pickle.loads(pickle.dumps(listed))
    assert isinstance(copied, ArticleList)
    assert all(item in copied for item in copied)
    assert not any(item in copied for item in listed)


def test_the_site_is_the_same_with_and_without_the_plugin(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    write_corpus(60, content)
    plugins = runpy.run_path(str(ROOT / "pelicanconf.py"))["PLUGINS"]
    assert "speed.article_lists" in plugins
    without = json.dumps([p for p in plugins if p != "speed.article_lists"])
    outputs = {}
    for name, extra in (("with", []), ("without", [f"PLUGINS={without}"])):
        outputs[name] = tmp_path / name
        settings = ["-e", f'CACHE_PATH="{tmp_path / name}-cache"', *extra]
        result = run_pelican(content, outputs[name], "pelicanconf.py", *settings)
        assert result.returncode == 0, result.stderr
    assert list(outputs["with"].glob("tag/*/index.html")), "tag pages were written"
    assert differences(outputs["with"], outputs["without"]) == []
