"""Article lists that answer `in` at once.

Stands in for: the `in` tests of Pelican 4.12's
`ArticlesGenerator.generate_tags`, `generate_categories`, `generate_authors`
and `_build_period_archives`, each a scan of a list. Saves: 0.042 to 0.058 s
a build at 1,000 articles (timed alone by bench/shortcut_parts.py), 1.6 to
2.7% of a warm build (2.5% the median of three runs), 0.4 to 0.8% of a cold
one; growing with the square of the site (docs/speed.md).

Adds to the build: once the articles' generator has sorted its articles, the
list of each tag, category and author becomes an `ArticleList`, which tells
whether an article is in it by looking it up instead of comparing it with each
article in turn. Pelican asks that of every article, for each tag, category and
author page it writes (`[a for a in self.dates if a in articles]`), which grows
with the square of the number of articles (about 5 s of one core at 5,000
articles). An article is only ever equal to itself (Pelican's Content defines
no equality), so the answers, and the pages, are the same.

The period archives (a page per year) are the same case: Pelican keeps each
article that is among the year's (`[a for a in articles if a in dates]`, a plain
list made inside `_build_period_archives`). The articles' generator gets its
own `_build_period_archives`: Pelican's, given no articles to pick from, then
each archive's articles picked in the same order by identity. Only done for the
Pelican version it was checked against (pelican_shortcuts: there it uses its
`articles` argument for that one list and nothing else) and while no article
class defines an equality of its own; otherwise Pelican's runs as it is.
"""

from __future__ import annotations

from pelican import signals

from speed.pelican_shortcuts import take_shortcut

__all__ = ["ArticleList", "index_article_lists", "index_period_archives", "register"]


class ArticleList(list):
    """A list of articles whose `in` is a set lookup by identity, as a list's
    own `in` is for objects without equality. Rebuilt from scratch when copied
    or pickled; its index is made again if the list's length changes."""

    def __init__(self, articles=()):
        super().__init__(articles)
        self._index: tuple[int, set[int]] | None = None

    def __contains__(self, item) -> bool:
        if self._index is None or self._index[0] != len(self):
            self._index = (len(self), {id(article) for article in self})
        return id(item) in self._index[1]

    def __reduce__(self):
        return (ArticleList, (list(self),))


def index_article_lists(generator) -> None:
    """article_generator_finalized: each tag, category and author gets an
    ArticleList, in the generator and in the template context alike."""
    for tag, articles in generator.tags.items():
        generator.tags[tag] = ArticleList(articles)
    pairs = [generator.categories, generator.authors]  # (group, articles) pairs
    pairs += [generator.context.get(name) for name in ("tags", "categories", "authors")]
    for groups in {id(groups): groups for groups in pairs if isinstance(groups, list)}.values():
        groups[:] = [(group, ArticleList(articles)) for group, articles in groups]


def index_period_archives(generator) -> None:
    """article_generator_init: the period archives' article lists picked by
    identity (see the module's docstring)."""

    def by_identity(build):
        def build_period_archives(sorted_articles, articles, settings):
            if not _equal_only_to_itself(sorted_articles, articles):
                return build(sorted_articles, articles, settings)
            archives = build(sorted_articles, [], settings)
            for archive in (archive for period in archives.values() for archive in period):
                dates = {id(article) for article in archive["dates"]}
                archive["articles"] = [article for article in articles if id(article) in dates]
            return archives

        return build_period_archives

    take_shortcut(generator, "_build_period_archives", by_identity)


def _equal_only_to_itself(*lists) -> bool:
    """No item's class has an equality other than identity (so `in` is `is`)."""
    classes = {type(item) for items in lists for item in items}
    return all(cls.__eq__ is object.__eq__ for cls in classes)


def register() -> None:
    signals.article_generator_init.connect(index_period_archives)
    signals.article_generator_finalized.connect(index_article_lists)
