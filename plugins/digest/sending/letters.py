"""One subscriber's copy of an issue: the composed email with their own
unsubscribe link in the body and in the List-Unsubscribe header, a Message-ID
that is the same every time that issue goes to that address (so a copy resent
after a crash is recognised as the same message), List-Id, Date and the
sender from the settings."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email import utils
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import quote, urlsplit

from ..compose import fill_unsubscribe, unsubscribe_slot_problem
from ..urls import site_url
from .addresses import address_key, https_url_problem, is_address, mail_form
from .errors import SendSetupError
from .ledger import IssueSnapshot


def site_domain(settings: dict) -> str:
    return urlsplit(site_url(settings)).hostname or "localhost"


def unsubscribe_link(settings: dict, email: str, own_url: str = "") -> str:
    """The subscriber's own URL, else the HTTPS template, else a mailto: to the sender."""
    send = settings["DIGEST"]["send"]
    if own_url:
        return own_url
    if send.get("unsubscribe_url"):
        return send["unsubscribe_url"].format(email=quote(email, safe=""))
    mailbox = send.get("unsubscribe_mailto") or parseaddr(settings["DIGEST"]["from"])[1]
    return f"mailto:{mailbox}?subject={quote('unsubscribe ' + email)}"


def check_unsubscribe_settings(settings: dict) -> None:
    """Stops before anything is sent when the unsubscribe settings could not make a
    working, single List-Unsubscribe target for every subscriber."""
    send = settings["DIGEST"]["send"]
    template = send.get("unsubscribe_url") or ""
    if template:
        try:
            sample = template.format(email=quote("jane@example.com", safe=""))
        except (KeyError, IndexError, ValueError) as error:
            raise SendSetupError(
                f'DIGEST["send"]["unsubscribe_url"] is "{template}": its braces cannot be filled '
                f"in ({error!r}). Fix: use {{email}} where the address goes, and no other braces"
            ) from error
        problem = https_url_problem(sample)
        if problem or "{email}" not in template:
            raise SendSetupError(
                f'DIGEST["send"]["unsubscribe_url"] is "{template}": '
                + (problem or "it has no {email}, so every reader would get the same link")
                + ". Fix: write an https:// address with {email} where the address goes, e.g. "
                '"https://www.example.com/unsubscribe?email={email}", or "" for a mailto: link'
            )
    mailbox = send.get("unsubscribe_mailto") or ""
    if mailbox and not is_address(mailbox):
        raise SendSetupError(
            f'DIGEST["send"]["unsubscribe_mailto"] is "{mailbox}", not an email address. '
            'Fix: write one address, like "unsubscribe@example.com", or ""'
        )
    sender = parseaddr(settings["DIGEST"]["from"])[1]
    if not is_address(sender) or any(c in settings["DIGEST"]["from"] for c in "\r\n"):
        raise SendSetupError(
            f'DIGEST["from"] is {settings["DIGEST"]["from"]!r}, not a sender. '
            'Fix: write it like "Jordan Avery <hello@example.com>" on one line'
        )


def check_unsubscribe_slot(issue: IssueSnapshot, ledger_path: str) -> None:
    """Stops before anything is sent unless the issue has exactly one place for each
    reader's unsubscribe link (the footer's link, in the HTML and in the text)."""
    problem = unsubscribe_slot_problem(issue.html, issue.text)
    if problem:
        raise SendSetupError(
            f"Issue #{issue.number} cannot be sent: {problem} (it was composed or begun by an "
            "older version of the project, or its files were edited). Fix: if no one has got it "
            f"yet, delete the folder of the composed issue and {ledger_path}, then run the "
            "command again; otherwise finish it with the version of the project that began it"
        )


def personalise(issue: IssueSnapshot, link: str) -> tuple[str, str]:
    """The HTML and text of the issue with `link` as its unsubscribe link (the
    footer's link alone; check_unsubscribe_slot has made sure it is there)."""
    return fill_unsubscribe(issue.html, issue.text, link)


def message_id(settings: dict, number: int, email: str) -> str:
    digest = hashlib.sha256(address_key(email).encode()).hexdigest()[:20]
    return f"<newsletter-{number}.{digest}@{site_domain(settings)}>"


def list_id(settings: dict) -> str:
    send = settings["DIGEST"]["send"]
    value = send.get("list_id") or f"newsletter.{site_domain(settings)}"
    return f"{settings['SITENAME']} <{value}>"


def letter(
    issue: IssueSnapshot,
    settings: dict,
    email: str,
    name: str,
    own_unsubscribe: str,
    now: datetime,
    test: bool = False,
) -> EmailMessage:
    digest = settings["DIGEST"]
    link = unsubscribe_link(settings, email, own_unsubscribe)
    page, text = personalise(issue, link)
    message = EmailMessage()
    message["Subject"] = f"[TEST] {issue.subject}" if test else issue.subject
    message["From"] = digest["from"]
    # Not formataddr: it refuses an address with non-ASCII letters (Åsa@example.se),
    # which smtplib sends with SMTPUTF8 to a server that takes it. The domain in
    # its IDNA form, as the envelope has it: any server takes that.
    address = mail_form(email)
    message["To"] = f'"{utils.quote(name)}" <{address}>' if name else address
    if digest.get("reply_to"):
        message["Reply-To"] = digest["reply_to"]
    message["Date"] = format_datetime(now)
    if test:
        stamp = now.strftime("%Y%m%d%H%M%S")
        message["Message-ID"] = f"<newsletter-{issue.number}.test-{stamp}@{site_domain(settings)}>"
    else:
        message["Message-ID"] = message_id(settings, issue.number, email)
    message["List-Id"] = list_id(settings)
    if any(c in link for c in " <>,\r\n"):  # checked at the edge; never a second target
        raise ValueError(f"the unsubscribe link {link!r} cannot go in List-Unsubscribe")
    message["List-Unsubscribe"] = f"<{link}>"
    if link.startswith("https://"):
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(page, subtype="html")
    return message
