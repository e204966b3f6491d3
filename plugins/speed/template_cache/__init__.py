"""Template cache: the theme compiled once, not on every build.

Stands in for: Pelican 4.12's `Generator.__init__`, whose Jinja environment
has no bytecode cache, so every build compiles every template again. Saves:
0.07 to 0.09 s a build at 1,000 articles (23 compilations, timed alone by
bench/shortcut_parts.py), 3 to 4% of a warm build, 1% of a cold one
(docs/speed.md).

Adds to the build: every generator's Jinja environment keeps its compiled
templates in CACHE_PATH/templates/<stamp>/ (Jinja's own bytecode cache), so a
build loads them instead of compiling them again (each generator compiles the
templates it uses). Jinja stores with each
template a checksum of its text and compiles again when the text differs; the
folder is named after what else the compiled code depends on (the environment's
options and extensions, Jinja's and Python's versions). An entry that cannot be
read is compiled again, never trusted. What a build compiled is stored only
once it has finished: a failed build stores nothing. Nothing is kept when
CACHE_CONTENT is off.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys

import jinja2
from jinja2.bccache import Bucket, FileSystemBytecodeCache
from pelican import signals

logger = logging.getLogger(__name__)

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")

# What the current build compiled, stored once it has finished.
_compiled: list[tuple[FileSystemBytecodeCache, Bucket]] = []


class _KeptBytecodeCache(FileSystemBytecodeCache):
    """Jinja's file cache, except that an entry damaged in any way (Jinja
    catches only some kinds) counts as missing, and new entries wait for the
    end of the build."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        _compiled.append((self, bucket))


def cache_folder(settings: dict, environment: jinja2.Environment) -> str:
    # Without memory addresses (a `finalize` function's repr has one), so that
    # one setting keeps one folder from build to build.
    options = sorted(
        (name, _ADDRESS.sub("", repr(value)))
        for name, value in settings["JINJA_ENVIRONMENT"].items()
    )
    depends_on = repr((options, sorted(environment.extensions), jinja2.__version__, sys.version))
    stamp = hashlib.sha256(depends_on.encode()).hexdigest()[:12]
    return os.path.join(settings["CACHE_PATH"], "templates", stamp)


def use_template_cache(generator) -> None:
    if not generator.settings.get("CACHE_CONTENT"):
        return
    generator.env.bytecode_cache = _KeptBytecodeCache(
        cache_folder(generator.settings, generator.env)
    )


def forget_compiled(pelican) -> None:
    """A build that stopped half-way (`invoke serve` goes on) stores nothing."""
    _compiled.clear()


def store_compiled(pelican) -> None:
    while _compiled:
        cache, bucket = _compiled.pop()
        try:
            os.makedirs(cache.directory, exist_ok=True)
            FileSystemBytecodeCache.dump_bytecode(cache, bucket)
        except OSError as error:  # as Pelican treats its own cache: the site is built
            _compiled.clear()
            logger.warning(
                "Could not keep the compiled templates in %s (%s); the next build compiles "
                "them again. Fix: make that folder writable, or set CACHE_CONTENT = False",
                cache.directory,
                error.strerror or error,
            )


def register() -> None:
    signals.initialized.connect(forget_compiled)
    signals.generator_init.connect(use_template_cache)
    signals.finalized.connect(store_compiled)
