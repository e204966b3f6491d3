"""The sample content the project ships with, and what `invoke init` does with it.

The sample articles are removed (the default) or kept out of every newsletter
issue, so the first issue carries the coach's own articles only. The sample
pages stay (the site links them) and are marked for editing once, their sample
coach's name replaced by the coach's."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

# The Ids of the articles the project ships with (the draft included).
SAMPLE_ARTICLE_IDS = frozenset(
    {
        "2025-09-16-coaching-or-therapy",
        "2025-11-04-setting-an-intention-for-a-session",
        "2026-01-20-when-a-part-resists-action",
        "2026-04-07-goals-that-reflect-who-you-are",
        "2026-06-23-meeting-your-inner-critic",
        "2026-09-08-small-steps-after-a-session",
        "2026-11-10-what-a-first-session-looks-like",
    }
)
# Pictures only the sample articles use: removed with them unless a file uses them.
SAMPLE_IMAGES = ("path-through-hills.svg",)
# The pages whose words are the sample coach's, in content/pages/.
SAMPLE_PAGES = ("about.md", "contact.md", "newsletter.md", "privacy.md")
SAMPLE_AUTHOR = "Jordan Avery"
# The first line of a sample page's text until the coach rewrites it (an HTML
# comment: readers never see it).
EDIT_MARK = (
    "<!-- Sample text that came with the site: rewrite this page in your own words, "
    "then delete this line. -->"
)


@dataclass(frozen=True)
class SampleChoice:
    articles: tuple[Path, ...]  # the sample articles there now
    remove: bool
    first_time: bool  # never chosen before: the sample pages get marked


def article_id(path: Path) -> str:
    """The `Id:` of a Markdown file's header ("" without one)."""
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        if key.strip().lower() == "id":
            return value.strip()
    return ""


def sample_articles(settings: dict) -> tuple[Path, ...]:
    folder = Path(settings["PATH"]) / settings["ARTICLE_PATHS"][0]
    return tuple(
        path for path in sorted(folder.rglob("*.md")) if article_id(path) in SAMPLE_ARTICLE_IDS
    )


def sample_choice(settings: dict, keep: bool | None, asker) -> SampleChoice:
    """Remove the sample articles? Default yes, or no when an earlier run kept
    them; without an `asker`, the default."""
    from digest import record_path
    from digest.record import never_mailed

    articles = sample_articles(settings)
    if not articles:
        return SampleChoice((), False, False)
    kept_before = SAMPLE_ARTICLE_IDS <= never_mailed(record_path(settings))
    if keep:
        return SampleChoice(articles, False, not kept_before)
    choices = "[Y/n]" if not kept_before else "[y/N]"
    prompt = (
        f"Remove the {len(articles)} sample articles? (The sample pages stay, marked for "
        f"editing.) {choices}: "
    )
    while True:
        typed = asker.line(prompt) if asker else None
        if typed is None or typed == "":
            return SampleChoice(articles, not kept_before, not kept_before)
        if typed.lower() in ("y", "yes", "n", "no"):
            return SampleChoice(articles, typed.lower().startswith("y"), not kept_before)
        asker.out.write("  Write y (remove them) or n (keep them).\n")


def shown(path) -> str:
    """A path as the coach types it: from the project folder."""
    return os.path.relpath(path)


def renamed(text: str, old: str, new: str) -> str:
    """`text` with the coach's old name put as the new one (whole words); from
    the sample coach, their first name too ("I'm Jordan")."""
    if not old or old == new:
        return text
    text = re.sub(rf"\b{re.escape(old)}\b", new.replace("\\", "\\\\"), text)
    if old == SAMPLE_AUTHOR:
        first = new.split()[0].replace("\\", "\\\\")
        text = re.sub(rf"\b{re.escape(old.split()[0])}\b", first, text)
    return text


def apply_sample_choice(settings: dict, choice: SampleChoice, old: str, new: str) -> list[str]:
    """Do what was chosen; what was done, one line each."""
    from digest import record_path
    from digest.record import load_record, never_mailed, save_never_mailed, save_record

    done = []
    content = Path(settings["PATH"])
    record = record_path(settings)
    if choice.remove:
        for path in choice.articles:
            path.unlink()
        folder = shown(choice.articles[0].parent)
        done.append(
            f"Removed the {len(choice.articles)} sample articles from {folder} (`git checkout "
            f"{folder}` brings them back)."
        )
        for name in SAMPLE_IMAGES:
            picture = content / settings["STATIC_PATHS"][0] / name
            if picture.exists() and not any(
                name in path.read_text(encoding="utf-8", errors="replace")
                for path in content.rglob("*.md")
            ):
                picture.unlink()
        # A record of issues that carried only sample articles is the sample's history.
        issues = load_record(record)
        if issues and all(set(issue.articles) <= SAMPLE_ARTICLE_IDS for issue in issues):
            save_record(record, [])
            done.append(f"Emptied the sample newsletter history in {shown(record)}.")
        if never_mailed(record) & SAMPLE_ARTICLE_IDS:
            save_never_mailed(record, never_mailed(record) - SAMPLE_ARTICLE_IDS)
    elif choice.articles and not SAMPLE_ARTICLE_IDS <= never_mailed(record):
        save_never_mailed(record, never_mailed(record) | SAMPLE_ARTICLE_IDS)
        done.append(
            f"Kept the {len(choice.articles)} sample articles; they go in no newsletter issue "
            f'("never_mail" in {shown(record)}).'
        )
    pages = content / settings["PAGE_PATHS"][0]
    for name in SAMPLE_PAGES:
        path = pages / name
        if not path.exists():
            continue
        before = text = path.read_text(encoding="utf-8")
        if choice.first_time and EDIT_MARK not in text:
            header, blank, body = text.partition("\n\n")
            text = f"{header}{blank or chr(10) * 2}{EDIT_MARK}\n\n{body}"
            done.append(
                f"Marked for editing: {shown(path)} (sample text: rewrite it in your own words)."
            )
        if EDIT_MARK in text:  # still the sample's text: it takes the coach's name
            text = renamed(text, SAMPLE_AUTHOR if choice.first_time else old, new)
            if EDIT_MARK in before and text != before:
                done.append(f"Your name put in {shown(path)} (still marked for editing).")
        if text != before:
            path.write_text(text, encoding="utf-8")
    if choice.first_time:
        done.append(
            "Also sample text: tagline, description, intro, bio and social_links in site.toml; "
            "rewrite them in your own words."
        )
    return done
