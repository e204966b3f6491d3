"""What sharing cards cost a cold build: the same 1,000 generated articles
(bench/corpus.py) built from nothing with SHARING_CARDS on and off, alternating
(off, on, off, on...) so that whatever else loads the machine weighs on both.

Prints the median wall and CPU seconds of each and the ratios on/off. Each
build starts as a fresh clone does: no cache, no output folder.

Run: python3 bench/sharing_cards_cost.py [--count 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from run import set_aside, timed_build

from corpus import write_corpus
from project import ROOT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cards-bench-") as folder:
        work = Path(folder)
        corpus = write_corpus(arguments.count, work / "corpus")
        times = {"off": [], "on": []}
        for _ in range(arguments.runs):
            for name, value in (("off", "false"), ("on", "true")):
                cache, output = work / f"cache-{name}", work / f"output-{name}"
                set_aside(cache, work)
                set_aside(output, work)
                command = [sys.executable, "-m", "pelican", str(corpus)]
                command += ["-s", str(ROOT / "pelicanconf.py"), "-o", str(output)]
                command += ["-e", f'CACHE_PATH="{cache}"', f"SHARING_CARDS={value}"]
                times[name].append(timed_build(command, ROOT))
        cards = len(list((work / "output-on" / "theme" / "cards").glob("*.jpg")))
    print(f"Cold build of {arguments.count} articles, {arguments.runs} runs each, alternating")
    print(f"{'cards':6} {'wall s':>8} {'CPU s':>8}")
    medians = {}
    for name, measured in times.items():
        wall = statistics.median(t for t, _, _ in measured)
        cpu = statistics.median(c for _, c, _ in measured)
        medians[name] = (wall, cpu)
        print(f"{name:6} {wall:8.2f} {cpu:8.2f}")
    (wall_off, cpu_off), (wall_on, cpu_on) = medians["off"], medians["on"]
    print(f"cards on/off: wall x{wall_on / wall_off:.2f}, CPU x{cpu_on / cpu_off:.2f}")
    print(f"{cards} cards: {(cpu_on - cpu_off) / max(cards, 1) * 1000:.1f} CPU-ms each")


if __name__ == "__main__":
    main()
