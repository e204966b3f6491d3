"""What scheduling costs a build: the same corpus built (warm content cache)
without the scheduling plugin, with it and nothing scheduled, and with the
newest articles scheduled (which also makes the check look for links to them).

Run: python3 bench/scheduled.py [--count N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from run import timed_build

from corpus import write_corpus
from project import ROOT

sys.path.insert(0, str(ROOT))


def unlink_newest(articles: Path, how_many: int) -> None:
    """Point links to the newest articles at the oldest, so they may be scheduled."""
    names = sorted(p.name for p in articles.glob("*.md"))
    newest = "|".join(re.escape(name) for name in names[-how_many:])
    for path in articles.glob("*.md"):
        text = path.read_text()
        changed = re.sub(rf"\{{filename\}}({newest})", "{filename}" + names[0], text)
        if changed != text:
            path.write_text(changed)


def newest_dates(articles: Path, how_many: int) -> list[datetime]:
    dates = [
        datetime.strptime(re.search(r"^Date: (.*)$", p.read_text(), re.M)[1], "%Y-%m-%d %H:%M")
        for p in articles.glob("*.md")
    ]
    return sorted(dates)[-how_many:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from pelicanconf import PLUGINS

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        corpus = write_corpus(args.count, work / "corpus")
        waiting = 20
        unlink_newest(corpus / "articles", waiting)
        first_waiting = newest_dates(corpus / "articles", waiting)[0]
        before = (first_waiting - timedelta(minutes=1)).isoformat()
        base = [sys.executable, "-m", "pelican", str(corpus), "-s", str(ROOT / "pelicanconf.py")]
        without = json.dumps([p for p in PLUGINS if p != "scheduling"])
        cache = f'CACHE_PATH="{work / "cache"}"'
        setups = {
            "without the plugin": ["-e", cache, f"PLUGINS={without}"],
            "nothing scheduled": ["-e", cache, 'BUILD_MOMENT="2100-01-01T00:00"'],
            f"{waiting} scheduled": ["-e", cache, f'BUILD_MOMENT="{before}"'],
        }
        commands = {
            name: [*base, "-o", str(work / f"out-{i}"), *extra]
            for i, (name, extra) in enumerate(setups.items())
        }
        for command in commands.values():
            timed_build(command, ROOT)  # fill the content cache and the disk cache
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed_build(command, ROOT)[1])  # CPU seconds
    reference = statistics.median(times["without the plugin"])
    print(f"{args.count} articles, warm cache, median CPU seconds of {args.runs} runs:")
    for name, measured in times.items():
        median = statistics.median(measured)
        print(f"  {name:20} {median:6.2f} s   {median / reference:.3f}x")


if __name__ == "__main__":
    main()
