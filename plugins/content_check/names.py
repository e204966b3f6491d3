"""Names that become part of an address: the item's slug and its tags,
category and author. Each must slugify to something (else two of them share
`tag//`, or Pelican stops with a traceback) and fit in one file name."""

from __future__ import annotations

import functools
import os
import re

from pelican.readers import ensure_metadata_list
from pelican.utils import slugify

from .source import SourceFile

# Longest file or folder name, in bytes, on the usual file systems (ext4, APFS, NTFS).
NAME_MAX = 255

# Header key -> (what the coach calls it, Pelican's substitutions setting)
ADDRESS_KEYS = {
    "tags": ("tag", "TAG_REGEX_SUBSTITUTIONS"),
    "category": ("category", "CATEGORY_REGEX_SUBSTITUTIONS"),
    "author": ("author", "AUTHOR_REGEX_SUBSTITUTIONS"),
}


# Header key -> an example line. These values become a file's path and its web
# address as they are: only what Pelican's slugify writes (letters, digits, "_"
# and "-") is safe there, plus "/" for nested addresses ("thanks/contact") and,
# in Save_as and URL, "." for a file name ("404.html"). A "?" or "#" would start
# a query or fragment (readers get a 404), "&" breaks sitemap.xml, "%" and
# spaces are read back as other characters.
ADDRESS_VALUES = {
    "slug": "Slug: about",
    "save_as": "Save_as: 404.html",
    "url": "URL: 404.html",
}


def slug_of(name: str, settings: dict, substitutions: str = "SLUG_REGEX_SUBSTITUTIONS") -> str:
    """The address part Pelican makes of a name, with the site's own rules."""
    rules = settings.get(substitutions, settings["SLUG_REGEX_SUBSTITUTIONS"])
    return _slugify(
        name,
        tuple(tuple(rule) for rule in rules),
        bool(settings.get("SLUGIFY_PRESERVE_CASE", False)),
        bool(settings.get("SLUGIFY_USE_UNICODE", False)),
    )


@functools.lru_cache(maxsize=4096)
def _slugify(name: str, rules: tuple, preserve_case: bool, use_unicode: bool) -> str:
    """Pelican's slugify, once per name: a site's articles share a few tags."""
    return slugify(name, regex_subs=rules, preserve_case=preserve_case, use_unicode=use_unicode)


def check_names(source: SourceFile, settings: dict) -> None:
    for key, (noun, substitutions) in ADDRESS_KEYS.items():
        line = source.key_lines.get(key)
        if line is None:
            continue
        for name in ensure_metadata_list(source.metadata.get(key, "")):
            slug = slug_of(name, settings, substitutions)
            _check_one(source, line, f'The {noun} "{_short(name)}"', slug)
    for key, example in ADDRESS_VALUES.items():
        value = source.metadata.get(key, "").strip()
        if not value:
            continue
        if key != "url" and (os.path.isabs(value) or os.path.normpath(value).startswith("..")):
            source.problem(
                source.key_lines[key],
                f'{key.capitalize()} "{_short(value)}" would write outside the site, '
                "so Pelican skips the file",
                f'give an address inside the site, like "{example}"',
            )
        else:
            _check_address_characters(source, key, value, settings)
    _check_save_as_parts(source)
    if "slug" in source.metadata:
        slug = source.metadata["slug"].strip()
        _check_one(source, source.key_lines["slug"], f'The Slug "{_short(slug)}"', slug)
    elif settings.get("SLUGIFY_SOURCE") == "basename":
        stem = os.path.splitext(os.path.basename(source.path))[0]
        _check_one(source, None, f'The file name "{_short(stem)}"', slug_of(stem, settings))


def _check_address_characters(source: SourceFile, key: str, value: str, settings: dict) -> None:
    dots = "" if key == "slug" else "."
    flags = 0 if settings.get("SLUGIFY_USE_UNICODE") else re.ASCII
    wrong = re.findall(rf"[^\w\-/{dots}]", value, flags)
    if not wrong:
        return
    label = ADDRESS_VALUES[key].split(":")[0]
    shown = ", ".join("a space" if c == " " else f'"{c}"' for c in dict.fromkeys(wrong))
    clean = _clean_address(value, settings, keep_dots=bool(dots))
    source.problem(
        source.key_lines[key],
        f'{label} "{_short(value)}" holds {shown}, which a web address cannot '
        "carry as it is (readers would not reach the page)",
        f'write it like "{label}: {clean}"'
        if clean
        else "use only letters, digits and dashes (and / between parts)",
    )


def _clean_address(value: str, settings: dict, keep_dots: bool) -> str:
    """The value with each part slugified as Pelican would, for the fix."""
    parts = []
    for part in value.split("/"):
        pieces = part.split(".") if keep_dots else [part]
        parts.append(".".join(filter(None, (slug_of(p, settings) for p in pieces))))
    return "/".join(filter(None, parts)) + ("/" if value.endswith("/") else "")


def has_letters_or_digits(slug: str) -> bool:
    """Whether an address part has letters or digits, not only dashes and underscores."""
    return any(character.isalnum() for character in slug)


def _check_one(source: SourceFile, line: int | None, subject: str, slug: str) -> None:
    if not has_letters_or_digits(slug):
        source.problem(
            line,
            f"{subject} gives an empty web address: it has no letters or digits "
            "(emoji and punctuation are dropped)",
            "use a name with at least one letter or digit",
        )
    else:
        _check_length(source, line, subject, slug)


def _check_length(source: SourceFile, line: int | None, subject: str, name: str) -> None:
    if len(name.encode("utf-8")) > NAME_MAX:
        source.problem(
            line,
            f"{subject} gives a web address of {len(name.encode('utf-8'))} characters; "
            f"a file name can hold at most {NAME_MAX}",
            "shorten it to a few words",
        )


def _check_save_as_parts(source: SourceFile) -> None:
    """Each folder and file name in Save_as must fit in a file name, or writing fails."""
    for part in source.metadata.get("save_as", "").strip().split("/"):
        subject = f'The Save_as part "{_short(part)}"'
        _check_length(source, source.key_lines.get("save_as"), subject, part)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
