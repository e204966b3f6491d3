"""The record of the files a writing build's writer put into an output folder.

Kept in the cache (CACHE_PATH/written-pages/, one file per output folder, named
after a hash of its path) and written only once a build has succeeded, so a
failed build leaves the last good record. The cache folder is named after the
code and settings (pelicanconf.py), so after an edit of either the current one
holds no record yet: the newest record for the same output folder in any cache
folder beside it counts then, being the one of the build that last wrote there.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os

FOLDER = "written-pages"


def _name(output: str) -> str:
    return hashlib.sha256(output.encode("utf-8")).hexdigest()[:16] + ".json"


def last_written(cache_path: str, output: str) -> set[str]:
    """What the last successful writing build into `output` wrote (paths relative
    to it); empty when no build recorded it, or its record cannot be read (then
    nothing is removed: losing a stale page is better than losing a good one)."""
    pattern = os.path.join(os.path.dirname(cache_path), "*", FOLDER, _name(output))
    records = [*glob.glob(pattern), os.path.join(cache_path, FOLDER, _name(output))]
    newest = max(records, key=_modified)
    try:
        with open(newest, encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return set()
    if not isinstance(record, dict) or record.get("output") != output:
        return set()
    return {path for path in record.get("written", ()) if isinstance(path, str)}


def _modified(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return float("-inf")


def keep_written(cache_path: str, output: str, written: set[str]) -> None:
    """Record what this build wrote; whole or not at all (written aside, then moved
    in), so a build stopped half-way never leaves half a record."""
    folder = os.path.join(cache_path, FOLDER)
    os.makedirs(folder, exist_ok=True)
    target = os.path.join(folder, _name(output))
    aside = f"{target}.{os.getpid()}.part"
    with open(aside, "w", encoding="utf-8") as handle:
        json.dump({"output": output, "written": sorted(written)}, handle, indent=0)
    os.replace(aside, target)
