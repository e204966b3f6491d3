"""Digest: feeds and the newsletter's web pages.

Adds to the build: Atom and RSS feeds of the latest articles (feedgen, at
FEED_ATOM_PATH and FEED_RSS_PATH), a web version of every sent newsletter issue
at /newsletter/<number>/ (opening with the coach's note for it, when there
is one: `note.py`), and an archive of them at /newsletter/archive/, all
from the record of sent issues (DIGEST["record"], inside the content folder).
`invoke digest` composes the next issue with `compose.compose_issue`.
"""

from __future__ import annotations

import os

from pelican import signals
from pelican.generators import Generator

from .feeds import build_feeds
from .note import read_note
from .record import load_record


def record_path(settings: dict) -> str:
    return os.path.join(settings["PATH"], settings["DIGEST"]["record"])


def planned_outputs(settings: dict) -> list[str]:
    """The files this plugin writes, for the content check's collision planning."""
    issues = load_record(record_path(settings))
    return [
        settings["FEED_ATOM_PATH"],
        settings["FEED_RSS_PATH"],
        "newsletter/archive/index.html",
        *(f"newsletter/{issue.number}/index.html" for issue in issues),
    ]


class DigestGenerator(Generator):
    """Writes the feeds and the newsletter pages once the articles are known."""

    def generate_output(self, writer) -> None:
        articles = self.context["articles"]
        atom, rss = build_feeds(articles, self.settings)
        for path, document in (
            (self.settings["FEED_ATOM_PATH"], atom),
            (self.settings["FEED_RSS_PATH"], rss),
        ):
            target = os.path.join(self.output_path, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(document)
        self._write_newsletter_pages(writer, articles)

    def _write_newsletter_pages(self, writer, articles: list) -> None:
        by_id = {article.metadata["id"]: article for article in articles}
        sent = list(reversed(load_record(record_path(self.settings))))
        relative = self.settings["RELATIVE_URLS"]
        # The note's links to the site's pages stay inside this build of it.
        base = f"{self.settings['SITEURL']}/"
        for issue in sent:
            writer.write_file(
                f"newsletter/{issue.number}/index.html",
                self.get_template("newsletter_issue"),
                self.context,
                relative_urls=relative,
                sent=issue,
                carried=[by_id[i] for i in issue.articles if i in by_id],
                note=read_note(self.settings, issue.number, base),
            )
        writer.write_file(
            "newsletter/archive/index.html",
            self.get_template("newsletter_archive"),
            self.context,
            relative_urls=relative,
            issues=sent,
        )


def add_generator(pelican) -> type:
    return DigestGenerator


def register() -> None:
    signals.get_generators.connect(add_generator)
