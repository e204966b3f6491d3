"""Each file's own check, kept between builds for the files that passed it.

What `check_source`, `check_names` and `check_template` find in a file depends
only on its path and bytes, its role, the dates Pelican gives it, the content
folder, a few settings, the theme's list of templates and this plugin's code,
and on the files it links to still existing.
(The slug Pelican gives it follows from its path and those settings.) A file
that passed is kept in CACHE_PATH/content-check.pickle, by path, under a hash
of its role, dates and bytes (the rest is in the record's context), and the
next build takes that result again while the hash is the same and every file it
links to still exists. A file with any problem is never kept: it is checked,
and its problems reported, again on every build. The file is written only when
a build's whole check passed, and not at all when nothing changed.
"""

from __future__ import annotations

import contextlib
import gc
import glob
import hashlib
import logging
import os
import pickle
from collections.abc import Iterator
from importlib.metadata import version

import pelican

from .names import check_names, slug_of
from .source import SourceFile, check_source
from .templates import check_template, loadable_templates

logger = logging.getLogger(__name__)

# Bumped when what is kept changes shape.
FORMAT = 2
FILE_NAME = "content-check.pickle"
# The settings `check_names` and `check_template` read, and the time zone dates are read in.
SETTINGS = (
    "TIMEZONE",
    "TEMPLATE_EXTENSIONS",
    "SLUG_REGEX_SUBSTITUTIONS",
    "TAG_REGEX_SUBSTITUTIONS",
    "CATEGORY_REGEX_SUBSTITUTIONS",
    "AUTHOR_REGEX_SUBSTITUTIONS",
    "SLUGIFY_PRESERVE_CASE",
    "SLUGIFY_USE_UNICODE",
    "SLUGIFY_SOURCE",
)
# This build's checks of single files, done by the workers that read them
# (worker_checks.py), by path: (result_key, the check's result).
FROM_WORKERS: dict[str, tuple[str, SourceFile]] = {}


class KeptResults:
    """The kept results a build may use, and the ones it leaves for the next."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.root = os.path.abspath(settings["PATH"])
        cache = settings.get("CACHE_PATH") if settings.get("CACHE_CONTENT") else None
        self.file = os.path.join(cache, FILE_NAME) if cache else None
        self.context = _context(settings, self.root)
        load = self.file and settings.get("LOAD_CONTENT_CACHE")
        self.kept = self._load() if load else {}
        self.passed: dict[str, tuple[str, SourceFile]] = {}  # path -> (key, result)
        self.counts = {"kept": 0, "from workers": 0, "checked": 0}  # for -v

    def check(self, path: str, role: str, dates: dict | None) -> SourceFile:
        """`check_file` of one file, or its kept result."""
        with open(path, "rb") as handle:
            raw = handle.read()
        key = result_key(role, dates, raw)
        kept = self.kept.get(path)
        if kept and kept[0] == key and all(os.path.isfile(target) for _, target in kept[1].links):
            self.passed[path] = kept
            self.counts["kept"] += 1
            return kept[1]
        fresh = FROM_WORKERS.get(path)
        if fresh and fresh[0] == key:  # checked just now by a reading worker (worker_checks.py)
            source = fresh[1]
            self.counts["from workers"] += 1
        else:
            source = check_file(path, role, self.settings, dates, raw)
            self.counts["checked"] += 1
        if not source.problems:  # only a pass is kept: a problem is found again next time
            self.passed[path] = (key, what_the_site_checks_read(source))
        return source

    def save(self) -> None:
        """Keep this build's passes (call only when the whole check passed)."""
        if not self.file or self.passed == self.kept:
            return
        folder = os.path.dirname(self.file)
        written = f"{self.file}.{os.getpid()}.new"
        try:
            os.makedirs(folder, exist_ok=True)
            with open(written, "wb") as handle:
                pickle.dump((self.context, self.passed), handle, pickle.HIGHEST_PROTOCOL)
            os.replace(written, self.file)
        except OSError as error:
            logger.warning("Could not save the check's results %s\n ... %s", self.file, error)
            if os.path.exists(written):
                os.remove(written)

    def _load(self) -> dict:
        try:
            with open(self.file, "rb") as handle, _collector_paused():
                context, passed = pickle.load(handle)
        except FileNotFoundError:
            return {}
        except Exception as error:  # a damaged file: check everything again
            logger.info("Content check: %s unreadable (%s), checking all", self.file, error)
            return {}
        return passed if context == self.context else {}


def result_key(role: str, dates: dict | None, raw: bytes) -> str:
    """What a file's own check depends on besides the record's context."""
    key = hashlib.sha256(repr((role, dates)).encode() + b"\0")
    key.update(raw)
    return key.hexdigest()


def check_file(
    path: str, role: str, settings: dict, dates: dict | None, raw: bytes | None = None
) -> SourceFile:
    """`check_source` and `check_names` of one file; `dates`, what Pelican's
    reader parsed from it; `raw`, its bytes when already read."""
    stem = os.path.splitext(os.path.basename(path))[0]
    root = os.path.abspath(settings["PATH"])
    slug = slug_of(stem, settings)
    source = check_source(path, role, root, slug, dates, raw=raw, zone=settings["TIMEZONE"])
    check_names(source, settings)
    check_template(source, settings)
    return source


def what_the_site_checks_read(source: SourceFile) -> SourceFile:
    """A passed file as kept: only what the checks of the whole site read from
    it (its kind, status, Id and links; `site.check_files`), so the record
    loads fast."""
    return SourceFile(
        path=source.path,
        kind=source.kind,
        metadata={k: v for k, v in source.metadata.items() if k in ("status", "id")},
        key_lines={k: v for k, v in source.key_lines.items() if k == "id"},
        links=source.links,
    )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading the record makes tens of thousands of objects, none of them
    garbage; meanwhile Python's cycle collector would walk the whole build's
    memory (every article) again, which costs a warm build more than the load."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _context(settings: dict, root: str) -> str:
    """What every kept result depends on besides its own file."""
    code = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "*.py")))
    versions = [pelican.__version__, version("pydantic")]
    digest = hashlib.sha256(repr([FORMAT, *versions, root]).encode())
    digest.update(repr([settings.get(name) for name in SETTINGS]).encode())
    digest.update(repr(loadable_templates(settings)).encode())  # the theme's, as they are now
    for path in code:
        with open(path, "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()
