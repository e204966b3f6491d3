"""Parallel build: the Markdown reading and the page rendering of a large site on every core.

Stands in for: Pelican 4.12's `Readers.read_file` and `Writer.write_file`,
which read and render one file at a time (9.1 and 6.0 s of a 20.9 s profiled
plain cold build at 1,000 articles, bench/upstream_costs.py). Saves: 20% of
a cold build and 10% of a warm one at 1,000 articles on 2 cores (fastest of 5
interleaved runs, bench/shortcuts.py, load average about 2); nothing while
other work keeps every core busy (docs/speed.md).

Adds to the build:

- reading ahead (reading.py): as soon as the articles' (then the pages')
  generator is set up, the files Pelican's reader cache does not hold yet are
  read by forked workers, and the results put into that cache as they come.
  Pelican's serial pass finds each file there (waiting for it if need be); it
  still runs every signal, every plugin and every check, in its own order.
- writing (writing.py): Pelican's own writer, except that rendering a page's
  template and putting it in its file are done by forked workers; pagination,
  the overwrite check and the `content_written` signal stay in Pelican's order.

So a parallel build writes the same bytes as a serial one. Anything a worker
could not do cleanly (an exception, a warning) is done again by the parent,
which reports it exactly as a serial build does.

`BUILD_WORKERS` (the setting, or the environment variable pelicanconf.py reads;
default: the cores this process may use) sets the number of processes;
`BUILD_WORKERS=1` builds serially. The build also stays serial, and says why
with `-v`, when other threads run (`invoke serve`: forking a
threaded process is unsafe), where the platform cannot fork, and for fewer
files than `MIN_FILES` to read or `MIN_PAGES` to render. Keep this plugin
before every plugin that reads the written pages at `finalized`.
"""

from __future__ import annotations

from pelican import signals

from forked_workers import build_workers, serial_reason

from .limits import MIN_FILES, MIN_PAGES
from .reading import finish_reading, read_ahead
from .writing import ParallelWriter, finish_writing, writer_class

__all__ = [
    "MIN_FILES",
    "MIN_PAGES",
    "ParallelWriter",
    "build_workers",
    "read_ahead",
    "register",
    "serial_reason",
]


def check_setting(pelican) -> None:
    build_workers(pelican.settings)


def read_articles_ahead(generator) -> None:
    settings = generator.settings
    read_ahead(generator, settings["ARTICLE_PATHS"], settings["ARTICLE_EXCLUDES"])


def read_pages_ahead(generator) -> None:
    settings = generator.settings
    read_ahead(generator, settings["PAGE_PATHS"], settings["PAGE_EXCLUDES"])


def register() -> None:
    signals.initialized.connect(check_setting)
    signals.article_generator_init.connect(read_articles_ahead)
    signals.page_generator_init.connect(read_pages_ahead)
    signals.article_generator_finalized.connect(finish_reading)
    signals.page_generator_finalized.connect(finish_reading)
    signals.get_writer.connect(writer_class)
    signals.finalized.connect(finish_writing)
