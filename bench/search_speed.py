"""Search benchmark: Pagefind's index of generated articles (bench/corpus.py).

For each size: the site is built once for publishing, then the index is written
again several times on its own from the written pages (Pagefind's service fed
the pages with a searchable body, as a build does that did not feed it while
writing; median wall time), and by Pagefind over the folder (its command line,
the way a site adds search after building); the index's bytes on disk,
and in Chromium the bytes the search page downloads for its first query and the
time from the last keystroke of a query to the first result on screen (loopback,
no network throttling; a fresh page for each query, as a reader arriving).

Run: python3 bench/search_speed.py [--large] [--runs N]   (invoke bench runs it)
"""

from __future__ import annotations

import argparse
import functools
import http.server
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from run import free_port, searchable_pages

from corpus import write_corpus
from project import ROOT

sys.path.insert(0, str(ROOT / "plugins"))
from search.index import BUNDLE, index_pages, index_site  # noqa: E402
from search.stable_filters import stabilise_filters  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
# Words of the corpus that a reader might type; each query is a fresh page.
QUERIES = ["protector", "curiosity", "habit", "money", "conversation"]
GOAL_SECONDS = 1.0  # "well under a second" from typing to the first result
# Marks the last keystroke and the first result (performance.now(), in ms).
TIMING = """
window.__typed = 0; window.__shown = 0;
document.addEventListener('input', () => { window.__typed = performance.now(); }, true);
new MutationObserver(() => {
  const list = document.getElementById('search-results');
  if (list && list.children.length && !window.__shown) window.__shown = performance.now();
}).observe(document, {childList: true, subtree: true});
"""


def build(count: int, work: Path, port: int) -> Path:
    corpus = write_corpus(count, work / f"corpus-{count}")
    output = work / f"site-{count}"
    command = [sys.executable, "-m", "pelican", str(corpus), "-s", "publishconf.py"]
    command += ["-o", str(output), "-e", f'SITEURL="http://127.0.0.1:{port}"']
    command += [f'CACHE_PATH="{work / f"cache-{count}"}"']  # one -e takes every override
    # The corpus runs past today (17 hours apart): publish every article, none scheduled.
    command += ['BUILD_MOMENT="2100-01-01T00:00"']
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return output


def index_seconds(output: Path, runs: int, index=index_pages) -> tuple[float, float]:
    """Median (wall, CPU) seconds of writing the index with `index`; CPU time
    (Pagefind's, a child process) varies less than wall time when the machine
    is shared."""
    wall, cpu = [], []
    pages = sorted(searchable_pages(output))
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        index(str(output), "en", pages)
        wall.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(wall), statistics.median(cpu)


def filter_file(output: Path, runs: int) -> tuple[int, float]:
    """(bytes of the tag filter file, median seconds of rewriting it in one order;
    a rewrite of a bundle already in order does all the same work)."""
    (path,) = (output / BUNDLE / "filter").glob("*.pf_filter")
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        stabilise_filters(str(output / BUNDLE))
        seconds.append(time.perf_counter() - started)
    return path.stat().st_size, statistics.median(seconds)


def bundle_bytes(output: Path) -> tuple[int, int]:
    files = [p for p in (output / BUNDLE).rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's name
        pass


def in_chromium(output: Path, port: int) -> tuple[list[float], list[int]]:
    """(seconds from last keystroke to first result, bytes fetched from pagefind/
    up to the first result) per query."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(Quiet, directory=output)
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    seconds, downloads = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            for word in QUERIES:
                context = browser.new_context(viewport={"width": 375, "height": 800})
                context.add_init_script(TIMING)
                fetched = []
                context.on(
                    "requestfinished",
                    lambda request, fetched=fetched: (
                        fetched.append(request.sizes()["responseBodySize"])
                        if f"/{BUNDLE}/" in request.url
                        else None
                    ),
                )
                page = context.new_page()
                page.goto(f"http://127.0.0.1:{port}/search/", wait_until="networkidle")
                page.locator("#search-words").press_sequentially(word)
                page.locator("#search-results li").first.wait_for()
                page.wait_for_load_state("networkidle")
                typed, shown = page.evaluate("() => [window.__typed, window.__shown]")
                seconds.append((shown - typed) / 1000)
                downloads.append(sum(fetched))
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return seconds, downloads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also 5,000 articles")
    parser.add_argument("--runs", type=int, default=3, help="index runs per size (default 3)")
    args = parser.parse_args()
    sizes = [1000] + ([5000] if args.large else [])
    print(
        f"\nSearch (Pagefind), publish build; index time median of {args.runs} runs; "
        f"Chromium: {len(QUERIES)} queries, each on a fresh page, loopback."
    )
    print(
        f"{'articles':>8} {'index s':>8} {'(CPU)':>6} {'index KB':>9} {'files':>6} "
        f"{'1st query KB':>13} {'type->result ms (median, max)':>30}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for count in sizes:
            port = free_port()
            output = build(count, Path(folder), port)
            folder_seconds, folder_cpu = index_seconds(output, args.runs, index_site)
            seconds, cpu = index_seconds(output, args.runs)
            total, files = bundle_bytes(output)
            filter_size, rewrite = filter_file(output, args.runs)
            waits, downloads = in_chromium(output, port)
            median, worst = statistics.median(waits) * 1000, max(waits) * 1000
            print(
                f"{count:>8,} {seconds:>8.2f} {cpu:>6.2f} {total / 1024:>9,.0f} {files:>6,} "
                f"{statistics.median(downloads) / 1024:>13,.0f} "
                f"{median:>21.0f}, {worst:>6.0f}"
            )
            print(
                f"{'':>8} tag filter file {filter_size / 1024:,.1f} KB; rewriting it in one "
                f"order (in the index time above) {rewrite * 1000:.0f} ms"
            )
            print(
                f"{'':>8} Pagefind over the folder (its command line) {folder_seconds:.2f} s "
                f"(CPU {folder_cpu:.2f} s)"
            )
            verdict = "met" if max(waits) < GOAL_SECONDS else "MISSED"
            print(f"{'':>8} goal: first result < {GOAL_SECONDS:.0f} s after typing: {verdict}")


if __name__ == "__main__":
    main()
