"""Reader details: what the theme shows that Pelican does not work out itself.

Adds to the build:

- on every article: `reading_time` (whole minutes; counted as Pelican reads
  the file, so its content cache keeps it: counting.py), `related` (up to three
  published articles sharing the most tags), `newer` and `older` (the
  neighbouring published articles), `social_image` (absolute address of the
  picture shared on social sites), `by_site_author` (whether AUTHOR wrote
  it: only then the author box shows AUTHOR_BIO and the About page) and
  `structured_data` (the schema.org BlogPosting as a dict, for JSON-LD);
- on every tag, category and author: one spelling wherever it is shown, the
  one with the most capitals the coach wrote (names.py);
- on every article and page: each `<img>` of the content gets `width`,
  `height` (read from the image file), `loading="lazy"` and `decoding="async"`;
- template filters `absolute_url` (an output path as the public address) and
  `json_ld` (a dict as JSON that is safe inside a `<script>` element);
- `robots.txt` at the root of the output, naming the sitemap.

The logic lives in plain functions (details.py, images.py); the handlers below
only adapt Pelican's signals to them.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pelican import signals

from .counting import count_when_reading, minutes_to_read
from .details import (
    TagIndex,
    absolute_url,
    by_site_author,
    json_ld,
    neighbours,
    reading_time,
    robots_txt,
    social_image,
    structured_data,
)
from .images import add_image_attributes
from .names import spell_as_written

__all__ = [
    "absolute_url",
    "add_image_attributes",
    "json_ld",
    "neighbours",
    "reading_time",
    "register",
    "TagIndex",
    "robots_txt",
    "spell_as_written",
    "social_image",
    "structured_data",
]


def add_filters(generator) -> None:
    filters = generator.env.filters
    filters["absolute_url"] = functools.partial(absolute_url, generator.settings["SITEURL"])
    filters["json_ld"] = json_ld


def describe_articles(generator) -> None:
    settings = generator.settings
    content_root = Path(settings["PATH"])
    articles = generator.articles  # published, newest first
    by_tag = TagIndex(articles)
    next_to = neighbours(articles)
    spell_as_written(articles + generator.hidden_articles + generator.drafts)
    for article in articles + generator.hidden_articles + generator.drafts:
        # Before the images are sized: the reader's count holds for the HTML as read
        # (sizing only adds attributes inside <img> tags, which are not words).
        article.reading_time = minutes_to_read(article)
        article._content = add_image_attributes(article._content, content_root)
        article.related = by_tag.related(article)
        article.newer, article.older = next_to.get(id(article), (None, None))
        article.social_image = social_image(article, settings)
        article.by_site_author = by_site_author(article, settings)
        article.structured_data = structured_data(article, settings)


def describe_pages(generator) -> None:
    content_root = Path(generator.settings["PATH"])
    for page in generator.pages + generator.hidden_pages + generator.draft_pages:
        page._content = add_image_attributes(page._content, content_root)


def planned_outputs(settings: dict) -> list[str]:
    """The files this plugin writes, for the content check's collision planning."""
    return ["robots.txt"]


def write_robots(pelican) -> None:
    path = Path(pelican.output_path) / "robots.txt"
    path.write_text(robots_txt(pelican.settings["SITEURL"]), encoding="utf-8")


def register() -> None:
    signals.readers_init.connect(count_when_reading)
    signals.generator_init.connect(add_filters)
    signals.article_generator_finalized.connect(describe_articles)
    signals.page_generator_finalized.connect(describe_pages)
    signals.finalized.connect(write_robots)
