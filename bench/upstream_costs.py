"""What Pelican's own functions cost, the ones the speed layer stands in for.

Builds a generated corpus with the speed layer switched off (SPEED_LAYER=0:
Pelican's code, one process) under cProfile, cold (no cache) and then warm (the
cache the cold build left), and prints for each function docs/upstream.md
reports on: how many times it ran and its cumulative seconds. These are the
figures of its bug reports; run it again after upgrading Pelican to see which
have gone.

Profiling slows small functions more than large ones: compare a function's
seconds with the profiled build's total, never with an unprofiled build.

Run: python3 bench/upstream_costs.py [--articles 1000]
"""

from __future__ import annotations

import argparse
import os
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

from corpus import write_corpus
from project import ROOT

# (end of the file's path, function name, what it is for the reports).
FUNCTIONS = [
    ("pelican/generators.py", "generate_tags", "tag pages"),
    ("pelican/generators.py", "generate_categories", "category pages"),
    ("pelican/generators.py", "generate_authors", "author pages"),
    ("pelican/generators.py", "_build_period_archives", "period archives (lists)"),
    ("pelican/contents.py", "get_url_setting", "Content.url / save_as"),
    ("pelican/contents.py", "get_relative_source_path", "relative source path"),
    ("pelican/cache.py", "_get_file_stamp", "file stamps (SHA-256)"),
    ("pelican/cache.py", "save_cache", "cache written"),
    ("jinja2/environment.py", "compile", "templates compiled"),
    ("pelican/readers.py", "read_file", "Markdown read"),
    ("pelican/writers.py", "write_file", "pages written"),
    ("pelican/plugins/sitemap/sitemap.py", "format_date", "sitemap dates"),
    ("pelican/utils.py", "strftime", "Pelican's strftime"),
]


def profile_build(corpus: Path, output: Path, cache: Path, stats: Path) -> None:
    argv = ["pelican", str(corpus), "-s", "pelicanconf.py", "-o", str(output)]
    argv += ["-e", f'CACHE_PATH="{cache}"']
    code = (
        "import cProfile, sys\nfrom pelican import main\n"
        f"sys.argv = {argv!r}\n"
        f"cProfile.run('main()', {str(stats)!r})"
    )
    env = {**os.environ, "SPEED_LAYER": "0"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"the build failed:\n{result.stdout}\n{result.stderr}")


def costs(stats_file: Path) -> tuple[float, dict[str, tuple[int, float]]]:
    """(the build's profiled seconds, {what: (calls, cumulative seconds)})."""
    stats = pstats.Stats(str(stats_file)).stats
    total = max(cumulative for _, _, _, cumulative, _ in stats.values())
    found = {}
    for ending, name, what in FUNCTIONS:
        calls, seconds = 0, 0.0
        for (filename, _, function), (_, primitive, _, cumulative, _) in stats.items():
            if function == name and filename.endswith(ending):
                calls += primitive
                seconds += cumulative
        found[what] = (calls, seconds)
    # The `in` tests of the lists above run in list comprehensions of their own.
    for (filename, line, function), (_, primitive, _, cumulative, _) in stats.items():
        if function == "<listcomp>" and filename.endswith("pelican/generators.py"):
            if cumulative >= 0.01:
                found[f"generators.py:{line} <listcomp>"] = (primitive, cumulative)
    return total, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="corpus size (default 1000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        corpus = write_corpus(args.articles, work / "corpus")
        measured = {}
        for kind in ("cold", "warm"):
            stats = work / f"{kind}.prof"
            profile_build(corpus, work / "output", work / "cache", stats)
            measured[kind] = costs(stats)
    print(
        f"Plain Pelican (SPEED_LAYER=0, one process) under cProfile, {args.articles:,} "
        "articles: calls and cumulative seconds"
    )
    print(f"{'function':28} {'cold calls':>10} {'cold s':>7} {'warm calls':>10} {'warm s':>7}")
    names = list(dict.fromkeys([*measured["cold"][1], *measured["warm"][1]]))
    for what in names:
        cold_calls, cold_s = measured["cold"][1].get(what, (0, 0.0))
        warm_calls, warm_s = measured["warm"][1].get(what, (0, 0.0))
        print(f"{what:28} {cold_calls:>10,} {cold_s:>7.2f} {warm_calls:>10,} {warm_s:>7.2f}")
    print(f"{'the whole build':28} {'':>10} {measured['cold'][0]:>7.2f} {'':>10} ", end="")
    print(f"{measured['warm'][0]:>7.2f}")


if __name__ == "__main__":
    main()
