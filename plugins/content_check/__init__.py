"""Content check: the build fails, naming every problem at once, instead of
leaving a broken or unreadable file out of the site.

Adds to the build: after Pelican has read all content and before anything is
written, every file under the content folder is checked against the metadata
schema (schema.py), its links and images are checked (source.py), and the
whole site is checked for files left out and addresses used twice (site.py).
A file that passed and has not changed is not checked again (kept_results.py).
Any problem stops the build with one line per problem and exit status 1; a
named pipe, socket, device or broken link under the content folder stops it
before anything is read (entries.py).
`read_site()` and `collect_problems()` run the same checks without writing
anything (`invoke check`, `invoke digest`).
"""

from __future__ import annotations

import logging

from blinker import signal
from pelican import Pelican, signals

from .entries import odd_entries
from .header_reading import use_site_rules
from .kept_results import KeptResults
from .problems import Problem, report
from .reading import save_read_cache, watch_readers
from .scheduled import collisions_at_their_hours, links_to_scheduled, waiting_list
from .site import check_built, check_files, content_files, read_dates
from .worker_checks import check_in_worker, forget, take_from_worker

logger = logging.getLogger(__name__)

__all__ = [
    "ContentError",
    "Problem",
    "collect_problems",
    "read_site",
    "register",
    "report",
    "waiting_list",
]


class ContentError(SystemExit):
    """Stops Pelican with the report as its message and exit status 1.

    A SystemExit passes Pelican's generic error handler untouched, so the coach
    sees the report and not a traceback.
    """

    def __init__(self, problems: list[Problem]):
        super().__init__(report(problems))
        self.problems = problems


def collect_problems(
    generators: list, settings: dict, kept: KeptResults | None = None
) -> list[Problem]:
    files = list(content_files(settings))  # one walk of the content folder for both
    problems = check_files(settings, files, read_dates(generators), kept)
    problems += check_built(generators, settings, files, {p.path for p in problems})
    problems += links_to_scheduled(generators, settings)
    problems += collisions_at_their_hours(generators, settings)
    return problems


def read_site(settings: dict) -> list:
    """Pelican's generators with all content read, as a build has them just
    before writing; nothing is written."""
    pelican = Pelican(settings)
    context = settings.copy()
    context.update(generated_content={}, static_links=set(), static_content={})
    context["localsiteurl"] = settings["SITEURL"]
    generators = [
        cls(
            context=context,
            settings=settings,
            path=pelican.path,
            theme=pelican.theme,
            output_path=pelican.output_path,
        )
        for cls in pelican._get_generator_classes()
    ]
    for generator in generators:
        if hasattr(generator, "generate_context"):
            generator.generate_context()
    return generators


def stop_on_odd_entries(pelican) -> None:
    """initialized: a named pipe, socket, device or broken link under the
    content folder stops the build before Pelican opens it (a pipe would hang)."""
    problems = odd_entries(pelican.settings["PATH"])
    if problems:
        raise ContentError(problems)


def stop_on_content_problems(generators: list) -> None:
    kept = KeptResults(generators[0].settings)
    problems = collect_problems(generators, generators[0].settings, kept)
    logger.info(
        "Content check: %d files kept from earlier builds, %d checked where they were read, "
        "%d checked here",
        *kept.counts.values(),
    )
    if problems:
        raise ContentError(problems)
    save_read_cache(generators)
    kept.save()


class _CoveredByTheCheck(logging.Filter):
    """Drops Pelican's short messages about files this check reports in full
    (file, line and fix); a file Pelican skips for another reason is still
    reported by the check as unread."""

    MESSAGE_STARTS = (
        "Could not process %s",
        "Skipping %s: could not find information about",
        "Unknown status '%s' for file %s",
        "Cannot get modification stamp for %s",  # a {static} link to a missing file
        "Replacement Indicator %r not recognized in %r",  # a link kind Pelican does not know
        'There are %s items "%s" with lang',  # two items with one slug
        "There are %s original (not translated) items",
        'Unable to generate valid slug for %s "%s".',  # a tag or category of emoji only
        "Skipping %s: file %r would be written outside output path",  # Slug: ../x
        "Duplicate definition of `%s` for %s",  # a key twice, or a value on two lines
    )
    LOGGERS = (
        "pelican.readers",
        "pelican.generators",
        "pelican.contents",
        "pelican.cache",
        "pelican.utils",
        "pelican.urlwrappers",
    )

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.MESSAGE_STARTS)


_covered_by_the_check = _CoveredByTheCheck()


def register() -> None:
    use_site_rules()
    for name in _CoveredByTheCheck.LOGGERS:
        logging.getLogger(name).addFilter(_covered_by_the_check)
    signals.initialized.connect(stop_on_odd_entries)
    signals.readers_init.connect(watch_readers)
    signals.all_generators_finalized.connect(stop_on_content_problems)
    # Each file's own check, done where a parallel build reads it (worker_checks.py).
    signals.initialized.connect(forget)
    signal("parallel_build.file_read").connect(check_in_worker)
    signal("parallel_build.file_read_results").connect(take_from_worker)
