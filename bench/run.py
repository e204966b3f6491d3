"""Build-time benchmark: our full site against bare Pelican, as the site grows.

For each corpus size the same generated articles (bench/corpus.py) are built
with (a) our configuration (theme, every plugin, feeds, digest) and (b) bare
Pelican 4.12 with its default theme and settings, alternating, several runs
each. Prints median wall time, the ratio a/b and peak memory, the bytes of the
pages readers download, and the edit-to-refresh time of `invoke serve`.

Run: python3 bench/run.py [--large] [--runs N]   (or: invoke bench [--large])
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from corpus import write_corpus
from project import ROOT, copy_project

GOALS = {"ratio": 1.0, "refresh": 1.0, "memory_mb": 1024}


def timed_build(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak memory in MB) of one build in a child process.
    CPU time varies less than wall time when something else runs on the machine."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed: {' '.join(command)}\n{child.stderr.read().decode()}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def compare_builds(count: int, runs: int, work: Path) -> dict:
    """Alternate, per run: ours with an empty content cache (a fresh clone, as
    in CI), ours again with the cache that left (the coach's next build), bare."""
    corpus = write_corpus(count, work / f"corpus-{count}")
    bare_settings = work / "bare_settings.py"
    bare_settings.write_text("# Pelican's defaults\n")
    pelican = [sys.executable, "-m", "pelican", str(corpus)]
    ours_out, bare_out = work / f"ours-{count}", work / f"bare-{count}"
    cache = work / f"cache-{count}"
    ours_cmd = [
        *pelican,
        "-s",
        str(ROOT / "pelicanconf.py"),
        "-o",
        str(ours_out),
        "-e",
        f'CACHE_PATH="{cache}"',
    ]
    bare_cmd = [*pelican, "-s", str(bare_settings), "-o", str(bare_out)]
    runs_of = {"cold": [], "warm": [], "bare": []}
    for _ in range(runs):
        shutil.rmtree(cache, ignore_errors=True)
        runs_of["cold"].append(timed_build(ours_cmd, ROOT))
        runs_of["warm"].append(timed_build(ours_cmd, ROOT))
        runs_of["bare"].append(timed_build(bare_cmd, work))
    result = {"count": count, "output": ours_out}
    for name, measured in runs_of.items():
        result[name] = statistics.median(t for t, _, _ in measured)
        result[f"{name}_cpu"] = statistics.median(c for _, c, _ in measured)
        result[f"{name}_mb"] = max(m for _, _, m in measured)
    return result


def page_bytes(output: Path) -> dict[str, int]:
    article = next(output.glob("article-00001/index.html"))
    feeds = list((output / "feeds").glob("*.xml"))
    largest = max(feeds, key=lambda f: f.stat().st_size)
    return {
        "article page (HTML)": article.stat().st_size,
        "home page (HTML)": (output / "index.html").stat().st_size,
        f"largest feed ({largest.name})": largest.stat().st_size,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def edit_to_refresh(count: int, work: Path, edits: int = 5) -> list[tuple[float, float]]:
    """Seconds from saving an article's text to (its page rewritten, reload sent)."""
    project = copy_project(work / f"serve-{count}", content=False)
    write_corpus(count, project / "content")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "invoke", "serve", "--port", str(port)],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        events = _reload_events(port, deadline=time.monotonic() + 300)
        article = project / "content/articles/article-00007.md"
        page = project / "output/article-00007/index.html"
        results = []
        for edit in range(edits):
            marker = f"Edited for the benchmark, round {edit}."
            before = len(events)
            saved = time.monotonic()
            article.write_text(article.read_text() + f"\n{marker}\n")
            written = _wait(lambda marker=marker: marker in page.read_text()) - saved
            reloaded = _wait(lambda before=before: len(events) > before) - saved
            results.append((written, reloaded))
            time.sleep(0.5)
        return results
    finally:
        server.terminate()
        server.wait(timeout=10)


def _reload_events(port: int, deadline: float) -> list[float]:
    while True:
        try:
            connection = http.client.HTTPConnection("localhost", port, timeout=600)
            connection.request("GET", "/__preview/events")
            response = connection.getresponse()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    events: list[float] = []

    def read() -> None:
        for line in response:
            if line.startswith(b"data: reload"):
                events.append(time.monotonic())

    threading.Thread(target=read, daemon=True).start()
    return events


def _wait(condition, timeout: float = 120) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return time.monotonic()
        except OSError:
            pass
        time.sleep(0.005)
    raise SystemExit("timed out waiting for the preview to refresh")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also 5,000 articles")
    parser.add_argument("--runs", type=int, default=3, help="runs of each build (default 3)")
    args = parser.parse_args()
    sizes = [100, 1000] + ([5000] if args.large else [])
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        print(
            f"Full build, median of {args.runs} alternating runs each; ours with an empty "
            "content cache (cold, as in CI) and with the one it left (warm).\n"
            f"Goal: ours <= {GOALS['ratio']:.1f} x bare; peak memory < {GOALS['memory_mb']} MB."
        )
        print(
            f"{'articles':>8} {'bare s':>7} {'cold s':>7} {'warm s':>7} {'cold/bare':>9} "
            f"{'(CPU)':>6} {'warm/bare':>9} {'ours MB':>8} {'bare MB':>8}"
        )
        results = [compare_builds(count, args.runs, work) for count in sizes]
        for r in results:
            cold, warm = r["cold"] / r["bare"], r["warm"] / r["bare"]
            memory = max(r["cold_mb"], r["warm_mb"])
            print(
                f"{r['count']:>8,} {r['bare']:>7.2f} {r['cold']:>7.2f} {r['warm']:>7.2f} "
                f"{cold:>9.2f} {r['cold_cpu'] / r['bare_cpu']:>6.2f} {warm:>9.2f} "
                f"{memory:>8.0f} {r['bare_mb']:>8.0f}"
            )
            print(
                f"{'':>8} goal: cold {'met' if cold <= GOALS['ratio'] else 'MISSED'}, "
                f"warm {'met' if warm <= GOALS['ratio'] else 'MISSED'}, "
                f"memory {'met' if memory < GOALS['memory_mb'] else 'MISSED'}"
            )
        print("\nBytes readers download (our site, 1,000 articles):")
        for name, size in page_bytes(results[1]["output"]).items():
            print(f"  {name:28} {size:>9,}")
        refresh = edit_to_refresh(1000, work)
        page = statistics.median(w for w, _ in refresh)
        reload = statistics.median(r for _, r in refresh)
        verdict = "met" if reload < GOALS["refresh"] else "MISSED"
        print(
            f"\n`invoke serve` at 1,000 articles, edit of one article's text, median of "
            f"{len(refresh)}:\n  page rewritten {page:.3f} s, reload sent {reload:.3f} s "
            f"(goal < {GOALS['refresh']:.0f} s: {verdict})"
        )


if __name__ == "__main__":
    main()
