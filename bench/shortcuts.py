"""What each shortcut of the speed layer saves: a cold and a warm build at 1,000 articles.

For each shortcut (a plugin of plugins/speed/), the site is built with that one
left out of PLUGINS and everything else as usual, and compared with the build
that has the whole layer; the layer switched off altogether (SPEED_LAYER=0) is
built too. Every configuration is built cold (no cache, no output folder, as a
fresh clone and CI build) and then warm (the cache and output the cold build
left, nothing changed). The configurations take turns within each run (all on,
without one, without the next... all on again the next run), so load from
elsewhere on the machine falls on all of them alike.

A shortcut's saving is the share of the build without it that it takes away:
(without - all on) / without, from the fastest wall time of each build (shown
with the medians too); CPU seconds are shown
beside them (they vary less when the machine is busy, but parallel_build spends
more CPU to save wall time). The rule (issue 27): a shortcut saving less than
2% of a cold build AND of a warm one is removed. pelican_shortcuts is not
measured alone: it is the version gate the others take their shortcuts through.

Every configuration's output of the last run is compared with the whole
layer's, every byte.

Run: python3 bench/shortcuts.py [--runs N] [--articles N]   (invoke bench runs it)
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import statistics
import sys
import tempfile
from pathlib import Path

from run import differences, set_aside, timed_build

from corpus import write_corpus
from project import ROOT

sys.path.insert(0, str(ROOT / "plugins"))
from speed import LAYER  # noqa: E402

RULE = 0.02  # the least share of a cold or a warm build a shortcut must save
MEASURED = [name for name in LAYER if name != "pelican_shortcuts"]


def plugins_without(name: str) -> list[str]:
    plugins = runpy.run_path(str(ROOT / "pelicanconf.py"))["PLUGINS"]
    assert f"speed.{name}" in plugins, f"speed.{name} is not in PLUGINS"
    return [plugin for plugin in plugins if plugin != f"speed.{name}"]


def configurations(only: list[str]) -> dict[str, tuple[list[str], dict[str, str]]]:
    """name -> (extra KEY=VALUE settings for -e, extra environment); `only` (if any)
    picks the shortcuts measured, without the layer-off build."""
    found: dict[str, tuple[list[str], dict[str, str]]] = {"all on": ([], {})}
    for name in only or MEASURED:
        found[f"without {name}"] = ([f"PLUGINS={json.dumps(plugins_without(name))}"], {})
    if not only:
        found["layer off"] = ([], {"SPEED_LAYER": "0"})
    return found


def measure(count: int, runs: int, work: Path, only: list[str]) -> dict:
    corpus = write_corpus(count, work / "corpus")
    configs = configurations(only)
    times = {name: {"cold": [], "warm": [], "cold_cpu": [], "warm_cpu": []} for name in configs}
    outputs = {name: work / f"output-{index}" for index, name in enumerate(configs)}
    for run in range(runs):
        for index, (name, (extra, env)) in enumerate(configs.items()):
            cache = work / f"cache-{index}"
            set_aside(cache, work)
            set_aside(outputs[name], work)
            # `env` sets the environment of the build alone (timed_build passes its own).
            command = ["env", *(f"{k}={v}" for k, v in env.items()), sys.executable]
            command += ["-m", "pelican", str(corpus), "-s", "pelicanconf.py"]
            # One -e for every setting: Pelican keeps only the last -e's.
            command += ["-o", str(outputs[name]), "-e", f'CACHE_PATH="{cache}"', *extra]
            for kind in ("cold", "warm"):
                wall, cpu, _ = timed_build(command, ROOT)
                times[name][kind].append(wall)
                times[name][f"{kind}_cpu"].append(cpu)
        print(f"  run {run + 1} of {runs} done", file=sys.stderr)
    same = {
        name: not differences(outputs["all on"], outputs[name])
        for name in configs
        if name != "all on"
    }
    return {"times": times, "same": same}


def report(result: dict, count: int, runs: int) -> None:
    times, same = result["times"], result["same"]
    for label, pick in (("fastest", min), ("median", statistics.median)):
        summary = {name: {k: pick(v) for k, v in t.items()} for name, t in times.items()}
        print(
            f"\nThe speed layer, shortcut by shortcut: {count:,} articles, the {label} of "
            f"{runs} interleaved runs (wall seconds; CPU seconds in brackets)"
        )
        table(summary, same, verdicts=label == "fastest")
    print(
        "\nThe verdict reads the fastest runs: load from elsewhere only ever adds time, so the"
        "\nfastest run of each build is the one least disturbed."
    )


def table(summary: dict[str, dict[str, float]], same: dict[str, bool], verdicts: bool) -> None:
    on = summary["all on"]
    print(
        f"{'build':28} {'cold s':>7} {'(CPU)':>7} {'warm s':>7} {'(CPU)':>7} "
        f"{'saves cold':>10} {'saves warm':>10} {'same bytes':>10}  {'verdict' if verdicts else ''}"
    )
    for name, m in summary.items():
        saves, verdict, identical = ("", ""), "", ""
        if name != "all on":
            cold = (m["cold"] - on["cold"]) / m["cold"]
            warm = (m["warm"] - on["warm"]) / m["warm"]
            saves = (f"{cold:.1%}", f"{warm:.1%}")
            identical = "yes" if same[name] else "NO"
            if not verdicts:
                pass
            elif name == "layer off":
                verdict = "(the whole layer)"
            else:
                verdict = "keep" if cold >= RULE or warm >= RULE else "REMOVE (< 2% of both)"
        print(
            f"{name:28} {m['cold']:>7.2f} {m['cold_cpu']:>7.2f} {m['warm']:>7.2f} "
            f"{m['warm_cpu']:>7.2f} {saves[0]:>10} {saves[1]:>10} {identical:>10}  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each build (default 3)")
    parser.add_argument("--articles", type=int, default=1000, help="corpus size (default 1000)")
    parser.add_argument("--only", nargs="+", choices=MEASURED, default=[], help="these shortcuts")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error(f"--runs {args.runs}: give 1 or more runs of each build")
    cores, load = len(os.sched_getaffinity(0)), os.getloadavg()[0]
    print(f"Per-shortcut savings on {cores} cores (load average {load:.1f} at the start).")
    with tempfile.TemporaryDirectory() as folder:
        result = measure(args.articles, args.runs, Path(folder), args.only)
    report(result, args.articles, args.runs)


if __name__ == "__main__":
    main()
