"""The guides: a README short enough to read in ten minutes, and no dead link between it
and the guides in docs/ (files and #anchors, by GitHub's rules), every guide reachable
from the README, and every `invoke` command the README names a real one."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from invoke import Collection

from conftest import ROOT

README = ROOT / "README.md"
README_MOST_LINES = 150

FENCE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
# [words](target) and ![alt](target); a title after the target ("...") is allowed.
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$", re.M)


def guides() -> list[Path]:
    return [README, *sorted((ROOT / "docs").rglob("*.md"))]


def without_code(text: str) -> str:
    """Code shows examples (`[text]({filename}x.md)`), not links of the guide itself."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: its text in lower case, punctuation dropped
    (letters, digits, '-', '_' and spaces stay), each space a '-'."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link in a heading: its words
    text = re.sub(r"[*_]{1,3}([^*_]+)[*_]{1,3}", r"\1", text)
    kept = "".join(ch for ch in text.lower() if ch in "-_ " or unicodedata.category(ch)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor, with GitHub's -1, -2 ... for a heading text met again."""
    seen: dict[str, int] = {}
    found = set()
    for match in HEADING.finditer(FENCE.sub("", path.read_text(encoding="utf-8"))):
        anchor = github_anchor(match[2])
        count = seen.get(anchor, 0)
        seen[anchor] = count + 1
        found.add(anchor if count == 0 else f"{anchor}-{count}")
    return found


def relative_links(path: Path) -> list[str]:
    targets = INLINE_LINK.findall(without_code(path.read_text(encoding="utf-8")))
    return [t for t in targets if t and not re.match(r"[a-z][a-z0-9+.-]*:", t, re.I)]


def dead_links(path: Path, root: Path = ROOT) -> list[str]:
    """Each relative link of one guide that leads to no file, or to no heading of it,
    named relative to `root`."""
    dead = []
    for link in relative_links(path):
        target, _, anchor = link.partition("#")
        file = (path.parent / target).resolve() if target else path
        if not file.exists():
            dead.append(f"{path.relative_to(root)}: {link} (there is no file {target})")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            where = file.relative_to(root)
            dead.append(f"{path.relative_to(root)}: {link} (no heading of {where} has #{anchor})")
    return dead


def linked_guides(path: Path) -> set[Path]:
    found = set()
    for link in relative_links(path):
        target = link.partition("#")[0]
        if target.endswith(".md"):
            found.add((path.parent / target).resolve())
    return found


def test_the_readme_is_at_most_150_lines():
    count = len(README.read_text(encoding="utf-8").splitlines())
    assert count <= README_MOST_LINES, f"README.md has {count} lines; move some to docs/"


@pytest.mark.parametrize("guide", guides(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(guide):
    assert dead_links(guide) == []


def test_every_guide_is_reachable_from_the_readme():
    reached, waiting = {README.resolve()}, [README.resolve()]
    while waiting:
        for found in linked_guides(waiting.pop()) - reached:
            if found.exists():
                reached.add(found)
                waiting.append(found)
    unreached = [str(p.relative_to(ROOT)) for p in guides() if p.resolve() not in reached]
    assert unreached == [], "no guide links these; add them to the README's list of guides"


def test_every_invoke_command_the_readme_names_exists():
    import tasks

    commands = set(Collection.from_module(tasks).task_names)
    named = set(re.findall(r"\binvoke ([a-z][a-z0-9-]*)", README.read_text(encoding="utf-8")))
    assert named, "the README names no invoke command"
    assert named - commands == set()


def test_the_check_finds_a_broken_file_link_and_a_broken_anchor(tmp_path):
    (tmp_path / "other.md").write_text("# Other\n\n## Sending the newsletter\n")
    guide = tmp_path / "guide.md"
    guide.write_text(
        "# Guide\n\n## The header: `Key: value`\n\n"
        "[fine](other.md#sending-the-newsletter) [fine](#the-header-key-value) "
        "[gone](missing.md) [no anchor](other.md#sending) `[code](missing.md)`\n"
        "```\n[in a fence](missing-too.md)\n```\n"
    )
    assert dead_links(guide, root=tmp_path) == [
        "guide.md: missing.md (there is no file missing.md)",
        "guide.md: other.md#sending (no heading of other.md has #sending)",
    ]


def test_github_anchor_rules():
    assert github_anchor("Writing from a browser: the editor at `/admin/`") == (
        "writing-from-a-browser-the-editor-at-admin"
    )
    assert github_anchor("Netlify (and Cloudflare Pages)") == "netlify-and-cloudflare-pages"
    assert github_anchor("The coach's face") == "the-coachs-face"
    assert github_anchor("After a crash, or when in doubt: run it again") == (
        "after-a-crash-or-when-in-doubt-run-it-again"
    )
