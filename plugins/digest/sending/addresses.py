"""Checks for what lands in an email's headers: an address, a name, an unsubscribe
link. A line break or an unescaped `<`, `>` or `,` there would end the header
early or add a second target to List-Unsubscribe, so each is refused at the edge,
before anything is sent."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# One @, something on both sides, a dot in the domain, no spaces or brackets.
ADDRESS = re.compile(r"[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\].]+")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# RFC 3986 characters, less the comma (it separates List-Unsubscribe targets) and
# with % only as the start of a %XX escape.
URL_CHARACTERS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+;=]|%[0-9A-Fa-f]{2})*")


def address_key(email: str) -> str:
    """The one form in which two addresses are compared (Åsa@ and åsa@ are one
    subscriber). The ledger asks SQLite to use it too: SQLite's own lower()
    changes ASCII letters only."""
    return email.lower()


def has_control_characters(text: str) -> bool:
    return bool(CONTROL.search(text))


def is_address(text: str) -> bool:
    return bool(ADDRESS.fullmatch(text)) and not has_control_characters(text)


def https_url_problem(url: str) -> str:
    """Why `url` cannot be an unsubscribe link ("" when it can)."""
    if has_control_characters(url):
        return "has a line break or another control character"
    if not url.startswith("https://") or not urlsplit(url).hostname:
        return "is not an https:// address"
    if any(character in url for character in " <>,"):
        return "contains a space, <, > or a comma"
    if not URL_CHARACTERS.fullmatch(url):
        return "has characters that must be percent-encoded (like %C3%A9 for é, %25 for %)"
    return ""
