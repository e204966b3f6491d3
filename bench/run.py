"""Build-time benchmark: our full site against bare Pelican, as the site grows.

For each corpus size the same generated articles (bench/corpus.py) are built,
alternating, several runs each, side by side in one run:

- bare: Pelican 4.12 with its default theme and settings;
- cold: our configuration (theme, every plugin, feeds, digest) on every core,
  with an empty content cache and no output folder (a fresh clone, as in CI);
- warm: the same again with the cache the cold build left (nothing changed);
- serial: our cold build with `-e BUILD_WORKERS=1`;
- unindexed: our cold build with the search index (Pagefind) left out, to
  show what the index adds to a build from nothing;
- cardless: our cold build without sharing cards (SHARING_CARDS=false): the
  same work as the peer below (pages and a search index; the peer draws no
  picture per article), for the ratio of issue 27;
- bare + Pagefind: the bare build followed by Pagefind over what it wrote
  (`pagefind --site`, the way a site adds search afterwards), timed in the bare
  build's turn: the fair peer of our cold build, which makes its index while it
  writes the pages (issue 27).

Prints median wall times, the ratios against their goals (issue 15), the peak
memory of each build (all its processes together, Pagefind's too: the sum of
their PSS, sampled in one more round of the same builds, since sampling costs
CPU time the timed builds would lose), whether the parallel, warm and serial builds wrote the
same bytes, every file, and how much of each build the search index that ends
it took (timed again on its own, as the build does it: Pagefind over the
searchable pages in a cold build, the cached index in a warm one); then the
bytes of the pages readers download and the edit-to-refresh time of `invoke serve`.

Earlier builds' outputs and caches are kept until every build is timed
(set_aside): about 4 GB of free disk in all, 0.7 GB with --quick.

Run: python3 bench/run.py [--quick] [--runs N]   (or: invoke bench [--quick])
"""

from __future__ import annotations

import argparse
import filecmp
import http.client
import itertools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from corpus import write_corpus
from project import ROOT, copy_project, start_serve

sys.path.insert(0, str(ROOT / "plugins"))
from search.index import pagefind_program  # noqa: E402
from search.reuse import index_or_reuse  # noqa: E402

GOALS = {
    "cold": 0.65,  # cold build / bare Pelican, at 1,000 and 5,000 articles
    "searched": 0.65,  # cold build / (bare Pelican, then Pagefind over its output), issue 27
    "warm": 0.35,  # warm build / bare Pelican
    "memory": 1.5,  # peak memory, parallel / serial, at 5,000 articles
    "refresh": 1.0,  # seconds from saving an article to the browser's reload
}
RATIO_SIZES = (1000, 5000)  # the sizes the build-time goals are for


def timed_build(command: list[str], cwd: Path, memory: bool = False) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak memory in MB or 0 unless `memory`) of one
    build in a child process. CPU time varies less than wall time when something
    else runs on the machine. Sampling the memory takes about a tenth of a core,
    so a timed build is not sampled."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = _PeakMemory(child.pid) if memory else None
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if peak:
        peak.stop()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed: {' '.join(command)}\n{child.stderr.read().decode()}")
    return elapsed, usage.ru_utime + usage.ru_stime, peak.mb if peak else 0.0


class _PeakMemory:
    """The largest sum of PSS over a process and its descendants, sampled every
    50 ms. PSS shares each page among the processes that map it, so forked
    workers count only what they add."""

    def __init__(self, pid: int):
        self.pid, self.mb, self._done = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._done.wait(0.05):
            total = sum(_pss_kb(pid) for pid in _tree(self.pid))
            self.mb = max(self.mb, total / 1024)


def _tree(pid: int) -> list[int]:
    pids, index = [pid], 0
    while index < len(pids):
        try:
            for task in os.listdir(f"/proc/{pids[index]}/task"):
                with open(f"/proc/{pids[index]}/task/{task}/children") as f:
                    pids += [int(child) for child in f.read().split()]
        except OSError:
            pass
        index += 1
    return pids


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def differences(left: Path, right: Path, folder: str = "") -> list[str]:
    """Files (relative paths) only on one side, or whose bytes differ."""
    compared = filecmp.dircmp(left, right)
    found = [f"only in {left}: {folder}{n}" for n in compared.left_only]
    found += [f"only in {right}: {folder}{n}" for n in compared.right_only]
    found += [
        f"a file on one side, a folder on the other: {folder}{n}" for n in compared.common_funny
    ]
    _, mismatch, errors = filecmp.cmpfiles(left, right, compared.common_files, shallow=False)
    found += [f"bytes differ: {folder}{n}" for n in mismatch + errors]
    for name in compared.common_dirs:
        found += differences(left / name, right / name, f"{folder}{name}/")
    return found


def compare_builds(count: int, runs: int, work: Path) -> dict:
    """Alternate, per run: bare, ours cold, ours warm, ours serial (cold), ours
    cold without the search index."""
    corpus = write_corpus(count, work / f"corpus-{count}")
    bare_settings = work / "bare_settings.py"
    bare_settings.write_text("# Pelican's defaults\n")
    pelican = [sys.executable, "-m", "pelican", str(corpus)]
    names = ("cold", "warm", "serial", "unindexed", "cardless", "bare")
    outputs = {name: work / f"{name}-{count}" for name in names}

    def ours(name: str, cache: Path, *extra: str) -> list[str]:
        settings = ["-s", str(ROOT / "pelicanconf.py"), "-o", str(outputs[name])]
        return [*pelican, *settings, "-e", f'CACHE_PATH="{cache}"', *extra]

    parallel_cache, serial_cache = work / f"cache-{count}", work / f"serial-cache-{count}"
    unindexed_cache = work / f"unindexed-cache-{count}"
    cardless_cache = work / f"cardless-cache-{count}"
    commands = {
        "bare": ([*pelican, "-s", str(bare_settings), "-o", str(outputs["bare"])], work),
        "cold": (ours("cold", parallel_cache), ROOT),
        "warm": (ours("warm", parallel_cache), ROOT),
        "serial": (ours("serial", serial_cache, "BUILD_WORKERS=1"), ROOT),
        "unindexed": (without_index(ours("unindexed", unindexed_cache)), ROOT),
        "cardless": (ours("cardless", cardless_cache, "SHARING_CARDS=false"), ROOT),
    }
    # Pagefind over the bare build's output, right after it: with it, the peer.
    bare_pagefind = [pagefind_program(), "--site", str(outputs["bare"]), "--quiet"]
    runs_of = {name: [] for name in [*commands, "bare_pagefind"]}
    for run in range(runs + 1):  # the last round samples the memory
        # Cold builds start as a fresh clone does (and CI): no cache, no output
        # folder. The warm build keeps both from the cold build before it.
        for folder in (parallel_cache, serial_cache, unindexed_cache, cardless_cache):
            set_aside(folder, work)
        for name in ("bare", "cold", "serial", "unindexed", "cardless"):
            set_aside(outputs[name], work)
        for name, (command, cwd) in commands.items():
            runs_of[name].append(timed_build(command, cwd, memory=run == runs))
            if name == "bare":
                runs_of["bare_pagefind"].append(timed_build(bare_pagefind, work, run == runs))
    result = {"count": count, "output": outputs["cold"]}
    for name, measured in runs_of.items():
        *timed, (_, _, mb) = measured
        result[name] = statistics.median(t for t, _, _ in timed)
        result[f"{name}_cpu"] = statistics.median(c for _, c, _ in timed)
        result[f"{name}_mb"] = mb
    # The peer of a build with a search index: each bare build plus its Pagefind.
    pairs = zip(runs_of["bare"], runs_of["bare_pagefind"], strict=True)
    peer = [(bare[0] + pagefind[0], bare[1] + pagefind[1]) for bare, pagefind in pairs]
    result["peer"] = statistics.median(t for t, _ in peer[:-1])
    result["peer_cpu"] = statistics.median(c for _, c in peer[:-1])
    result["identical"] = not (
        differences(outputs["cold"], outputs["serial"])
        or differences(outputs["warm"], outputs["serial"])
    )
    # The search index (Pagefind, plugins/search) timed again on its own: made
    # from the written pages, then reused.
    pages = searchable_pages(outputs["cold"])
    timings = [
        index_seconds(outputs["cold"], pages, work / f"index-cache-{count}") for _ in range(runs)
    ]
    result["index_cold"] = statistics.median(cold for cold, _ in timings)
    result["index_warm"] = statistics.median(warm for _, warm in timings)
    result["index_pages"] = len(pages)
    return result


def set_aside(folder: Path, work: Path) -> None:
    """Move `folder` out of the way, to be deleted with `work` once every build is
    timed. Deleting it here would slow the next build by something that is not
    the build's: with no journal (this machine's ext4), the kernel skips every
    inode freed in the last minute or more when it makes a file, one by one,
    so each file made soon after thousands were deleted costs more (seen here:
    the same 1,600 folders took 0.25, 0.65, then 1.3 s to make, each time just
    after the last ones were deleted). It would weigh most on the build that
    makes the most files. Deleting is left to the end, but a bench started
    within minutes of deleting many files (the last bench's own clean-up) still
    pays some of it: its system time, part of the CPU column, shows it."""
    if folder.exists():
        folder.rename(work / f"set-aside-{next(_set_aside_count)}")


_set_aside_count = itertools.count()


def without_index(command: list[str]) -> list[str]:
    """The same build, except that the search plugin starts no Pagefind (neither
    fed while the pages are written nor run once they are)."""
    code = (
        f"import sys\nsys.path.insert(0, {str(ROOT / 'plugins')!r})\nimport search\n"
        "search.start_feed = lambda *arguments: None\n"
        "search.index_written_site = lambda pelican: None\n"
        f"from pelican import main\nsys.argv = {['pelican', *command[3:]]!r}\nmain()"
    )
    return [sys.executable, "-c", code]


def searchable_pages(output: Path) -> list[str]:
    """The pages the search plugin hands Pagefind: those with a searchable body."""
    return [
        page.relative_to(output).as_posix()
        for page in output.rglob("*.html")
        if b"data-pagefind-body" in page.read_bytes()
    ]


def index_seconds(output: Path, pages: list[str], cache: Path) -> tuple[float, float]:
    """Seconds of the index in a cold build (empty cache: Pagefind runs and its
    index is stored) and then in a warm one (the stored index is put back)."""
    set_aside(cache, cache.parent)
    times = []
    for reused in (False, True):
        started = time.perf_counter()
        if index_or_reuse(str(output), "en", pages, str(cache)) != reused:
            raise SystemExit(f"the search index was {'not ' if reused else ''}reused: {output}")
        times.append(time.perf_counter() - started)
    return times[0], times[1]


def print_builds(results: list[dict]) -> None:
    print(
        f"{'articles':>8} {'bare s':>7} {'cold s':>7} {'warm s':>7} {'serial s':>8} "
        f"{'cold/bare':>9} {'(CPU)':>6} {'warm/bare':>9} {'cold/serial':>11} "
        f"{'MB cold':>8} {'MB serial':>9} {'MB bare':>8} {'same bytes':>10}"
    )
    for r in results:
        print(
            f"{r['count']:>8,} {r['bare']:>7.2f} {r['cold']:>7.2f} {r['warm']:>7.2f} "
            f"{r['serial']:>8.2f} {r['cold'] / r['bare']:>9.2f} "
            f"{r['cold_cpu'] / r['bare_cpu']:>6.2f} {r['warm'] / r['bare']:>9.2f} "
            f"{r['cold'] / r['serial']:>11.2f} {r['cold_mb']:>8.0f} {r['serial_mb']:>9.0f} "
            f"{r['bare_mb']:>8.0f} {'yes' if r['identical'] else 'NO':>10}"
        )
    print("\nGoals (issue 15), whole builds (the search index included):")
    for r in results:
        if r["count"] not in RATIO_SIZES:
            continue
        cold, warm = r["cold"] / r["bare"], r["warm"] / r["bare"]
        memory = max(r["cold_mb"], r["warm_mb"]) / r["serial_mb"]
        lines = [
            ("cold / bare", cold, GOALS["cold"]),
            ("warm / bare", warm, GOALS["warm"]),
        ]
        if r["count"] == max(RATIO_SIZES):
            lines.append(("peak memory parallel / serial", memory, GOALS["memory"]))
        for name, value, goal in lines:
            verdict = "met" if value <= goal else "MISSED"
            print(
                f"  {r['count']:>5,} articles, {name:30} {value:5.2f}  (goal <= {goal}: {verdict})"
            )
        same = "met" if r["identical"] else "MISSED"
        print(f"  {r['count']:>5,} articles, {'parallel = serial, every byte':30} {same}")
        # The best the cold build could do with the CPU time it takes: every core
        # busy from its first moment to its last.
        floor = r["cold_cpu"] / len(os.sched_getaffinity(0)) / r["bare"]
        print(
            f"  {r['count']:>5,} articles, {'cold / bare, all cores busy':30} "
            f"{floor:5.2f}  (its CPU time / cores / bare's time: the least it can be)"
        )
        unindexed = r["unindexed"] / r["bare"]
        print(
            f"  {r['count']:>5,} articles, {'cold / bare, no search index':30} "
            f"{unindexed:5.2f}  (not a goal)"
        )
        searched = r["cardless"] / r["peer"]
        verdict = "met" if searched <= GOALS["searched"] else "MISSED"
        print(
            f"  {r['count']:>5,} articles, {'cold / (bare + Pagefind)':30} {searched:5.2f}  "
            f"(goal <= {GOALS['searched']}: {verdict}; the same work: no sharing cards; "
            f"CPU {r['cardless_cpu'] / r['peer_cpu']:.2f}; bare {r['bare']:.2f} s, then "
            f"Pagefind over its output {r['bare_pagefind']:.2f} s; ours {r['cardless']:.2f} s)"
        )
        print(
            f"  {r['count']:>5,} articles, {'  the same, cards drawn':30} "
            f"{r['cold'] / r['peer']:5.2f}  (not a goal: as the site ships, a picture per "
            f"article drawn from nothing, {r['cold'] - r['cardless']:.2f} s more)"
        )
    print(
        "\nEvery figure above includes the search index of each of our builds. A cold"
        "\nbuild gives Pagefind each page as it is written, and adds (cold - unindexed);"
        "\ntimed again on its own: made from the written pages (as a build with a"
        "\ncache whose index no longer fits makes it) and reused (a warm build):"
    )
    for r in results:
        cold, warm = r["index_cold"], r["index_warm"]
        print(
            f"  {r['count']:>5,} articles: adds {r['cold'] - r['unindexed']:.2f} s to the cold "
            f"build; from the written pages {cold:.2f} s (Pagefind over {r['index_pages']:,} "
            f"pages), reused {warm:.2f} s ({warm / r['warm']:.0%} of the warm build)"
        )


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
    server = start_serve(project, port)
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
    parser.add_argument("--quick", action="store_true", help="skip the 5,000 articles")
    parser.add_argument("--runs", type=int, default=3, help="runs of each build (default 3)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error(f"--runs {args.runs}: give 1 or more runs of each build")
    sizes = [40, 100, 1000] + ([] if args.quick else [5000])
    cores = len(os.sched_getaffinity(0))
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        print(
            f"Full build on {cores} cores (load average {load:.1f} at the start), median "
            f"of {args.runs} alternating runs of each build."
        )
        results = [compare_builds(count, args.runs, work) for count in sizes]
        print_builds(results)
        print("\nBytes readers download (our site, 1,000 articles):")
        thousand = next(r for r in results if r["count"] == 1000)
        for name, size in page_bytes(thousand["output"]).items():
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
