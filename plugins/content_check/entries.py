"""What under the content folder is not a readable file: a link to a file
that is not there, a named pipe, a socket or a device.

Pelican would open each (a named pipe called *.md waits for a writer forever),
so they are found by their type alone, before anything is read.
"""

from __future__ import annotations

import os
import stat

from .problems import Problem

KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
}


def odd_entries(root: str) -> list[Problem]:
    """A problem for each entry under `root` that is neither a folder nor a
    readable file (a link is followed to what it points at)."""
    problems = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return problems  # no folder there: Pelican says so
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in (".git", ".svn"):
                problems += odd_entries(entry.path)
        elif entry.is_file():  # the file type is known without a stat
            continue
        else:
            odd = _odd(entry.path)
            problems += [odd] if odd else []
    return problems


def _odd(path: str) -> Problem | None:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return _broken_link(path)
    if stat.S_ISDIR(mode):  # a link to a folder: Pelican follows it
        return None
    kind = KINDS.get(stat.S_IFMT(mode), "a special entry")
    return Problem(
        path,
        None,
        f"This is not a file but {kind}, which the site cannot read (nothing was read from it)",
        "delete it, or move it out of the content folder: it is never a page or a picture",
    )


def _broken_link(path: str) -> Problem:
    try:
        target = os.readlink(path)
    except OSError:
        target = "a file"
    return Problem(
        path,
        None,
        f'This is a link to "{target}", which is not there',
        "delete the link, or put the file itself here in its place",
    )
