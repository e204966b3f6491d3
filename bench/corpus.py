"""A deterministic corpus of coaching articles for benchmarks.

Each article has about 1,100 words of prose with the Markdown our content
uses: headings, lists, a blockquote, a footnote, links (external and to
another article), tags and a summary. The same N and seed give the same files.

Run: python3 bench/corpus.py N FOLDER
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

SUBJECTS = [
    "a part of you",
    "your inner critic",
    "the planner in you",
    "a tired protector",
    "the voice that hurries you",
    "your curiosity",
    "a younger part",
    "the part that wants rest",
]
VERBS = [
    "may resist",
    "often protects",
    "quietly shapes",
    "can soften around",
    "keeps returning to",
    "learns to trust",
    "asks for room around",
    "holds on to",
]
OBJECTS = [
    "the goal you chose",
    "a new habit",
    "the conversation you keep postponing",
    "the plan for next week",
    "an old belief about work",
    "the way you rest",
    "your sense of what matters",
    "a decision about money",
]
CLOSERS = [
    "and that is worth noticing with kindness.",
    "which is information, not failure.",
    "so we slow down and listen before acting.",
    "until it feels safe enough to change.",
    "because it has been doing a job for a long time.",
    "and curiosity opens the next step.",
]
TAGS = [
    "ifs",
    "parts",
    "goals",
    "habits",
    "intentions",
    "self-compassion",
    "coaching",
    "rest",
    "work",
    "relationships",
    "values",
    "change",
]
CATEGORIES = ["Coaching", "Inner Work", "Practice"]
NEWEST = datetime(2025, 12, 31, 9, 0)
SITE_ZONE = ZoneInfo("America/New_York")  # TIMEZONE in pelicanconf.py
HEADINGS = [
    "What happens first",
    "Listening before acting",
    "A small experiment",
    "When it gets hard",
    "What changes over time",
    "Bringing it to a session",
]


def sentence(rng: random.Random) -> str:
    text = (
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}, {rng.choice(CLOSERS)}"
    )
    return text[0].upper() + text[1:]


def paragraph(rng: random.Random, sentences: int = 5) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def article(number: int, total: int, rng: random.Random, start: datetime) -> str:
    date = start + timedelta(hours=number * 17)
    while not _happens_once(date):
        date += timedelta(hours=2)  # the content check refuses a time skipped or repeated
    tags = ", ".join(rng.sample(TAGS, 3))
    other = rng.randrange(total)
    blocks = [paragraph(rng), paragraph(rng)]
    for heading in rng.sample(HEADINGS, 4):
        blocks += [f"## {heading}", paragraph(rng), paragraph(rng)]
    blocks.insert(3, "> \u201c" + sentence(rng).rstrip(".") + ".\u201d")
    blocks.insert(6, "\n".join(f"{i}. {sentence(rng)}" for i in range(1, 5)))
    blocks.insert(9, "\n".join(f"- {sentence(rng)}" for _ in range(3)))
    blocks.append(
        f"Read more in [article {other}]({{filename}}article-{other:05d}.md) or at "
        "[the IFS Institute](https://ifs-institute.com/).[^note]"
    )
    blocks.append(f"[^note]: {sentence(rng)}")
    header = (
        f"Title: Notes on parts and purpose, number {number}\n"
        f"Date: {date:%Y-%m-%d %H:%M}\n"
        f"Id: bench-{number:05d}\n"
        f"Category: {rng.choice(CATEGORIES)}\n"
        f"Tags: {tags}\n"
        f"Summary: {sentence(rng)} {sentence(rng)}\n"
    )
    return header + "\n" + "\n\n".join(blocks) + "\n"


def _happens_once(local: datetime) -> bool:
    """The time exists, once, in the site's time zone (not on a night the clocks change)."""
    first, second = local.replace(tzinfo=SITE_ZONE), local.replace(tzinfo=SITE_ZONE, fold=1)
    return first.utcoffset() == second.utcoffset()


def write_corpus(count: int, folder: Path, seed: int = 1) -> Path:
    """Write `count` articles into folder/articles (and an empty pages folder)."""
    rng = random.Random(seed)
    articles = folder / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    (folder / "pages").mkdir(exist_ok=True)
    # 17 hours apart, the newest on the last day of 2025: all in the past, so
    # none is scheduled (not even at 5,000 articles).
    start = NEWEST - timedelta(hours=(count - 1) * 17)
    for number in range(count):
        (articles / f"article-{number:05d}.md").write_text(
            article(number, count, rng, start), encoding="utf-8"
        )
    return folder


if __name__ == "__main__":
    write_corpus(int(sys.argv[1]), Path(sys.argv[2]))
