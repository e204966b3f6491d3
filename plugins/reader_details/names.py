"""One spelling for each tag, category and author, as the coach wrote it.

Pelican takes a tag's name from whichever article it read first, so "IFS" in
one article and "ifs" in another could head the tag page as "ifs". Here every
article's tag (category, author) with the same address takes one spelling: the
one with the most capital letters (a capital is written on purpose, a lower-case
letter often only in haste), then the one written most often, then the first.
"""

from __future__ import annotations

from collections import Counter, defaultdict


def _choose(spellings: list[str]) -> str:
    counts = Counter(spellings)
    first = {name: index for index, name in reversed(list(enumerate(spellings)))}
    return max(
        counts,
        key=lambda name: (sum(c.isupper() for c in name), counts[name], -first[name]),
    )


def _rename(wrapper, name: str) -> None:
    if wrapper.name != name:
        slug = wrapper.slug  # kept: the address does not change with the spelling
        wrapper.name = name
        wrapper.slug = slug


def spell_as_written(articles: list) -> None:
    """Give each tag, category and author of `articles` its one spelling, in place."""
    for attribute in ("tags", "category", "authors"):
        found = defaultdict(list)  # (kind, slug) -> the objects
        for article in articles:
            value = getattr(article, attribute, None)
            for wrapper in value if isinstance(value, list) else [value] if value else []:
                found[type(wrapper).__name__, wrapper.slug].append(wrapper)
        for wrappers in found.values():
            name = _choose([w.name for w in wrappers])
            for wrapper in wrappers:
                _rename(wrapper, name)
