"""Where a warm build's own process spends its time: the serial pass that the
forked workers cannot take over (issue 15's warm-build goal).

Generates a corpus, builds it once cold, then profiles warm builds (content
cache from the build before, nothing changed) with cProfile in the build's
own process only: each forked worker switches the profiler off. Prints, median
over the runs, the cumulative seconds of the content check's and the reader
details' handlers and of what they call, and the process's CPU and cycle
collector seconds. With `--against DIR` (another checkout of this project,
for example `git worktree add /tmp/main main`) the builds of both alternate
and the ratios are printed, so that both face the same load on the machine.

Profiling slows small functions down more than large ones: compare figures
of one run with each other, never with unprofiled times.

Run: python3 bench/parent_profile.py [--articles 5000] [--runs 3] [--against DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from corpus import write_corpus
from project import ROOT

# (plugin module, function): the handlers and what they call.
FUNCTIONS = [
    ("content_check/__init__.py", "stop_on_content_problems"),
    ("content_check/__init__.py", "collect_problems"),
    ("content_check/site.py", "check_files"),
    ("content_check/site.py", "check_built"),
    ("content_check/site.py", "content_files"),
    ("content_check/site.py", "_unread_files"),
    ("content_check/site.py", "site_outputs"),
    ("content_check/site.py", "clashes"),
    ("content_check/site.py", "read_dates"),
    ("content_check/kept_results.py", "_load"),
    ("content_check/kept_results.py", "check"),
    ("content_check/kept_results.py", "save"),
    ("content_check/names.py", "slug_of"),
    ("content_check/reading.py", "save_read_cache"),
    ("reader_details/__init__.py", "describe_articles"),
    ("reader_details/details.py", "reading_time"),
    ("reader_details/details.py", "related"),
    ("reader_details/details.py", "structured_data"),
    ("reader_details/images.py", "add_image_attributes"),
]

# Run in the build's child process: Pelican under the profiler, the workers
# left out, the collector's time summed.
PROFILED = """
import cProfile, gc, json, os, sys, time
profile, parent, collecting = cProfile.Profile(), os.getpid(), [0.0, 0.0]
os.register_at_fork(after_in_child=profile.disable)
def timed_collection(phase, info):
    if phase == "start":
        collecting[0] = time.perf_counter()
    else:
        collecting[1] += time.perf_counter() - collecting[0]
gc.callbacks.append(timed_collection)
sys.argv = ["pelican", *sys.argv[1:]]
from pelican import main
cpu = time.process_time()
profile.enable()
try:
    main()
except SystemExit as stop:
    if stop.code:
        raise
finally:
    profile.disable()
if os.getpid() == parent:
    profile.dump_stats(os.environ["PROFILE_OUT"])
    print(json.dumps({"cpu": time.process_time() - cpu, "gc": collecting[1]}), file=sys.stderr)
"""


def build(checkout: Path, content: Path, work: Path, profile: Path | None) -> dict:
    """One build of `content` with `checkout`'s code and settings, in `work`
    (its own cache and output there); with `profile`, profiled, returning the
    build process's CPU and collector seconds."""
    options = [str(content), "-s", "pelicanconf.py", "-o", str(work / "output")]
    options += ["-e", f'CACHE_PATH="{work / "cache"}"']
    if profile is None:
        command = [sys.executable, "-m", "pelican", *options]
    else:
        command = [sys.executable, "-c", PROFILED, *options]
    env = {**os.environ, "PROFILE_OUT": str(profile)} if profile else None
    done = subprocess.run(command, cwd=checkout, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"build failed in {checkout}:\n{done.stderr[-3000:]}")
    return json.loads(done.stderr.strip().splitlines()[-1]) if profile else {}


def cumulative(profile: Path, checkout: Path) -> dict[str, float]:
    """Cumulative seconds of FUNCTIONS in one profile of `checkout`'s build."""
    found = {}
    for (file, _, name), (_, _, _, seconds, _) in pstats.Stats(str(profile)).stats.items():
        for module, function in FUNCTIONS:
            if name == function and file == str(checkout / "plugins" / module):
                found[function] = found.get(function, 0.0) + seconds
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--against", type=Path, help="another checkout of this project")
    args = parser.parse_args()
    checkouts = [ROOT.resolve()] + ([args.against.resolve()] if args.against else [])
    with tempfile.TemporaryDirectory(prefix="parent-profile-") as folder:
        work = Path(folder)
        content = work / "content"
        write_corpus(args.articles, content)
        builds = {checkout: work / str(index) for index, checkout in enumerate(checkouts)}
        for checkout, folder in builds.items():
            build(checkout, content, folder, None)  # cold: fills the cache
        figures = {checkout: [] for checkout in checkouts}
        for run in range(args.runs):
            for checkout, folder in builds.items():
                profile = folder / f"warm-{run}.prof"
                totals = build(checkout, content, folder, profile)
                figures[checkout].append({**cumulative(profile, checkout), **totals})
    names = [function for _, function in FUNCTIONS] + ["cpu", "gc"]
    medians = {
        checkout: {name: statistics.median(r.get(name, 0.0) for r in runs) for name in names}
        for checkout, runs in figures.items()
    }
    print(f"Warm build of {args.articles} articles, build process only, median of {args.runs}:")
    header = "".join(f"{c.name[:14]:>16}" for c in checkouts)
    print(f"{'seconds':32}{header}" + ("    ratio" if args.against else ""))
    for name in names:
        values = [medians[c][name] for c in checkouts]
        line = f"{name:32}" + "".join(f"{v:16.3f}" for v in values)
        if args.against:
            line += f"  {values[0] / values[1]:7.2f}" if values[1] else "        -"
        print(line)


if __name__ == "__main__":
    main()
