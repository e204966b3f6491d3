"""Each file's own check, done by the worker that reads it in a parallel build.

A parallel build (plugins/speed/parallel_build) reads the Markdown files in
forked workers; each worker also runs `check_file` on the file it has just
read and sends the result back with the file, so the check at the end of
reading (`stop_on_content_problems`) finds it done instead of checking every
file itself, one after another. The result is used only when the file's bytes,
role and dates are what the check sees then (the same key as kept_results),
so it is the result the check would get itself. Without workers (a serial
build, SPEED_LAYER=0) nothing is sent here and the check does every file.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from .kept_results import FROM_WORKERS, check_file, result_key, what_the_site_checks_read
from .site import dates_of, is_markdown, role_of


class WorkerCheck(NamedTuple):
    path: str
    key: str  # kept_results.result_key of what the worker checked
    source: object  # the check's result (a SourceFile)


def check_in_worker(path: str, metadata: dict, settings: dict) -> WorkerCheck | None:
    """In a reading worker, after Pelican's reader read `path`: its check, keyed."""
    role = role_of(path, settings)
    if role not in ("article", "page") or not is_markdown(path):
        return None
    dates = dates_of(metadata)
    with open(path, "rb") as handle:
        raw = handle.read()
    source = check_file(path, role, settings, dates, raw)
    # What travels back: all of a file with problems (they are reported), else
    # only what the checks of the whole site read.
    kept = source if source.problems else what_the_site_checks_read(source)
    return WorkerCheck(path, result_key(role, dates, raw), kept)


def take_from_worker(path: str, results: list) -> None:
    """In the build's process, as each file's results arrive."""
    for result in results:
        if isinstance(result, WorkerCheck):
            FROM_WORKERS[os.path.abspath(result.path)] = (result.key, result.source)


def forget(*_arguments) -> None:
    """A new build (`invoke serve` builds many) starts with none."""
    FROM_WORKERS.clear()
