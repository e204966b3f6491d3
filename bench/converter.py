"""Reading cost of one reused Markdown converter against a new one per file.

The prose plugin keeps one converter and drops it after any failure; Pelican's
own reader builds one per file. This reads the same generated articles with
both, alternating, several runs, and prints the median seconds and what a
converter per file would add, as a share of the cold build of the same corpus
(measured by bench/run.py; pass its figure with --build-seconds).

Run: python3 bench/converter.py [--count 1000] [--runs 5] [--build-seconds S]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from corpus import write_corpus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from pelican.readers import MarkdownReader  # noqa: E402
from pelican.settings import read_settings  # noqa: E402

from prose import TypographyExtension  # noqa: E402
from prose.reader import ReusingMarkdownReader  # noqa: E402


def read_all(reader_class, files: list[Path]) -> float:
    settings = read_settings(str(ROOT / "pelicanconf.py"))
    settings["MARKDOWN"]["extensions"] = [TypographyExtension()]
    reader = reader_class(settings)
    started = time.perf_counter()
    for path in files:
        reader.read(str(path))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--build-seconds", type=float, default=0.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        files = sorted(write_corpus(args.count, Path(work)).rglob("*.md"))
        reused, per_file = [], []
        for _ in range(args.runs):
            reused.append(read_all(ReusingMarkdownReader, files))
            per_file.append(read_all(MarkdownReader, files))
    reused_s, per_file_s = statistics.median(reused), statistics.median(per_file)
    print(f"{args.count} articles, median of {args.runs} alternating runs")
    print(f"  one converter, reset per file: {reused_s:.3f} s")
    print(f"  a new converter per file:      {per_file_s:.3f} s ({per_file_s / reused_s:.3f}x)")
    extra = per_file_s - reused_s
    if args.build_seconds:
        print(
            f"  per file would add {extra:.3f} s = {extra / args.build_seconds:.1%} of a cold build"
        )


if __name__ == "__main__":
    main()
