"""Checks for what lands in an email's headers: an address, a name, an unsubscribe
link. A line break or an unescaped `<`, `>` or `,` there would end the header
early or add a second target to List-Unsubscribe, so each is refused at the edge,
before anything is sent."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import idna

# One @, something on both sides, a dot in the domain, no spaces or brackets.
ADDRESS = re.compile(r"[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\].]+")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# RFC 3986 characters, less the comma (it separates List-Unsubscribe targets) and
# with % only as the start of a %XX escape.
URL_CHARACTERS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+;=]|%[0-9A-Fa-f]{2})*")


def address_key(email: str) -> str:
    """The one form in which two addresses are compared: Åsa@ and åsa@ are one
    subscriber, and so are bo@bücher.test and bo@xn--bcher-kva.test (the domain
    as mail servers see it). The ledger asks SQLite to use it too: SQLite's own
    lower() changes ASCII letters only."""
    local, _, domain = email.rpartition("@")
    try:
        domain = ascii_domain(domain)
    except ValueError:
        pass  # the list check refuses such a domain; compared as written
    return f"{local.lower()}@{domain.lower()}"


def ascii_domain(domain: str) -> str:
    """The domain as mail servers take it: IDNA 2008 with the UTS 46 mapping
    (bücher.test -> xn--bcher-kva.test, capitals folded). A domain in ASCII is
    left as written. ValueError when it cannot be encoded."""
    if domain.isascii():
        return domain
    return idna.encode(domain, uts46=True).decode("ascii")


def domain_problem(email: str) -> str:
    """Why the domain of `email` cannot be written for mail servers ("" when it can)."""
    try:
        ascii_domain(email.rpartition("@")[2])
    except ValueError as error:
        return f"its domain cannot be written for mail servers ({error})"
    return ""


def mail_form(email: str) -> str:
    """`email` as it goes to the server: the domain IDNA-encoded, the local part
    (before the @) as written."""
    local, _, domain = email.rpartition("@")
    return f"{local}@{ascii_domain(domain)}"


def needs_smtputf8(email: str) -> bool:
    """Only letters beyond ASCII before the @ need a server that offers SMTPUTF8;
    the domain goes in its IDNA form to any server."""
    return not email.rpartition("@")[0].isascii()


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
