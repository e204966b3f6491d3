"""The editor names a new article's file as `invoke new` does: the JS of
/admin/ (pelican-slug.js, with the tables the build writes) run in Node gives
the same name, or refuses the same titles, as `invoke new` run for real."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys

from invoke import Context
from invoke.exceptions import Exit

from conftest import ROOT, tool_missing
from project import copy_project

sys.path.insert(0, str(ROOT / "plugins"))

from admin.slug_tables import slug_tables_script  # noqa: E402

SLUG_JS = ROOT / "plugins/admin/static/pelican-slug.js"

NAMES = """
require(process.argv[1]);
const slug = require(process.argv[2]);
const titles = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(titles.map((title) => slug.fileName(title))));
"""

TITLES = [
    "Meeting your inner critic",
    "Don't wait for Monday",
    "Don’t wait for “the right time”",
    "It's your parts' party",
    "Café crème & croissants: à la française",
    "Ünïcödé — “quotes” 日本語 🌱",
    "🌱 Growing 🌱",
    "🌱🌿🌳",
    "Σκέψεις για την αλλαγή",
    "Как перестать откладывать",
    "日本",
    "学习",
    "Straße, Œuvre, ﬁne ligatures, ½ and Ⅻ",
    "---",
    "— – -",
    "...",
    "Q&A: you & me",
    "Tom &amp; Jerry &lt;3",
    "Pros &notes, &#x41;&#66;",
    "<b>Bold</b> claims <!-- hidden --> here",
    "3 < 5 > 2",
    "  spaces\tand\u00a0odd\u3000gaps  ",
    "-5 ways to rest-",
    "snake_case and under_scores",
    "C'est l'été",
    "42",
    "A" * 120,
    "Why the smallest steps are the ones that carry you furthest when everything "
    "feels heavy and slow",
    "Supercalifragilisticexpialidocious-antidisestablishmentarianism-floccinaucinihilipilification",
    "word " * 40,
    "zero\u200bwidth space",
    "direction \u202eoverride",
    "soft\u00adhyphen",
]


def editor_names(titles: list[str], tmp_path) -> list[dict]:
    node = shutil.which("node")
    if not node:
        tool_missing("Node.js (apt-get install nodejs)")
    tables = tmp_path / "slug-tables.js"
    tables.write_text(slug_tables_script(None), encoding="ascii")
    result = subprocess.run(
        [node, "-e", NAMES, str(tables), str(SLUG_JS)],
        input=json.dumps(titles),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def invoke_new_names(project, titles: list[str]) -> list[str | None]:
    """Each title through `invoke new` (its task, run in this process on a copy
    of the project with no articles): the file it wrote, or None if it refused."""
    spec = importlib.util.spec_from_file_location("copied_tasks", project / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    articles = project / "content/articles"
    names = []
    for title in titles:
        try:
            tasks.new(Context(), title)
        except Exit as refusal:
            assert refusal.code == 1 and "title" in refusal.message, refusal.message
            names.append(None)
        else:
            (path,) = articles.glob("*.md")
            names.append(path.stem)
            path.unlink()
    return names


def test_the_editor_names_each_title_as_invoke_new_does(tmp_path):
    project = copy_project(tmp_path / "project", content=False)
    (project / "content/articles").mkdir(parents=True)
    expected = invoke_new_names(project, TITLES)
    made = editor_names(TITLES, tmp_path)
    got = [name.get("name") for name in made]
    assert [(t, n) for t, n, e in zip(TITLES, got, expected, strict=True) if n != e] == []
    # The refusals are there and each says what to do.
    refused = [made[i]["refusal"] for i, name in enumerate(expected) if name is None]
    assert len(refused) == 7
    assert all("title" in message for message in refused)
    assert got[1] == "dont-wait-for-monday"
    assert got[8] == "skepseis-gia-ten-allage"
    assert len(got[27]) <= 80 and not got[27].endswith("-")


def slug_as_invoke_new(title: str, settings: dict) -> str | None:
    """`invoke new`'s rule (tasks.py), without writing a file."""
    import tasks
    from content_check.characters import control_characters
    from content_check.names import has_letters_or_digits, slug_of

    safe = " ".join(title.split())
    if control_characters(safe, one_line=True):
        return None
    slug = tasks._short_slug(slug_of(safe, settings))
    return slug if has_letters_or_digits(slug) else None


def test_every_character_python_knows_or_not_is_named_alike(tmp_path):
    """One title per code point ("a" + it + "b"): every alphabet, emoji, symbol,
    and characters newer than Python's Unicode data, which the browser knows."""
    sys.path.insert(0, str(ROOT))
    import tasks

    settings = tasks._settings(tasks.DEV_SETTINGS)
    titles = [f"a{chr(point)}b" for point in range(0x20, 0x40000) if not 0xD800 <= point <= 0xDFFF]
    expected = [slug_as_invoke_new(title, settings) for title in titles]
    got = [name.get("name") for name in editor_names(titles, tmp_path)]
    differing = [(t, n, e) for t, n, e in zip(titles, got, expected, strict=True) if n != e]
    assert differing == []
