"""One newsletter issue: the email (HTML, text and a ready .eml) built from the
articles it carries, opening as a letter: the coach's note for the issue when
there is one (`note.py`), signed with their name and portrait, else the newest
article, with its picture."""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

import css_inline
import lxml.html
from face import FaceSettingError, face_context
from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.html_properties import Display, WhiteSpace
from inscriptis.model.config import ParserConfig
from inscriptis.model.html_element import HtmlElement
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pictures import shared_picture
from reader_details.images import image_size

from content_check.featured_image import featured_image

from .note import read_note
from .sending.addresses import has_control_characters, https_url_problem
from .urls import (
    absolute_url,
    article_content,
    article_summary,
    article_url,
    edit_fragment,
    site_url,
)

MANIFEST = "issue.json"
# Gmail clips an email whose HTML is over 102 KB, hiding its end; kept clear of that.
CLIPPED_AFTER = 100_000
# The width of the email's text column: its 600 px sheet less 32 px padding each side.
EMAIL_COLUMN = 536
# The email with UNSUBSCRIBE_SLOT in place of the unsubscribe link (for sending).
TO_FILL = {"html": "to-send.html", "text": "to-send.txt"}
# The email for sending is rendered with this where each reader's unsubscribe link
# goes (the footer's link, in the HTML and the text): exactly it is replaced, so
# no other link or text that looks like the link is ever touched.
UNSUBSCRIBE_SLOT = "unsubscribe-link-7d3f91c2e84a5b06"
# A provider's merge tag: *|UNSUB|*, {{ unsubscribe_url }}, {unsubscribe}, [unsubscribe] ...
MERGE_TAG = re.compile(r"[*{\[%$|]{1,3} ?[\w.:-]+ ?[*}\]%|]{1,3}")
UNSUBSCRIBE_FIX = (
    'Fix: write an https:// address of your own, or your provider\'s merge tag ("*|UNSUB|*" '
    'for Mailchimp, "{{ unsubscribe_url }}" for Buttondown) in pelicanconf.py'
)


class UnsubscribeSettingError(SystemExit):
    """DIGEST["unsubscribe"] cannot be the email's unsubscribe link: says why and what to do."""


@dataclass
class IssueArticle:
    """What an email or a web page needs of one article, links absolute."""

    id: str
    title: str
    url: str
    date: datetime
    summary: Markup
    content: Markup | None = None
    # Its `Image:` picture, for the newest article: {"url", "width", "height"}.
    picture: dict | None = None


@dataclass
class ComposedIssue:
    number: int
    subject: str
    articles: list[IssueArticle]
    # As the coach sends it by hand: DIGEST["unsubscribe"] as the footer's link.
    html: str = ""
    text: str = ""
    message: EmailMessage = field(default_factory=EmailMessage)
    # What `invoke send-digest` sends: UNSUBSCRIBE_SLOT as the footer's link.
    html_to_fill: str = ""
    text_to_fill: str = ""
    # What the coach should know about how it was composed.
    notes: list[str] = field(default_factory=list)
    # Of which run: the moment whose live articles it carries (ISO 8601) and the
    # site address its links lead to. send-digest compares them with its own.
    moment: str = ""
    site: str = ""

    @property
    def article_ids(self) -> list[str]:
        return [article.id for article in self.articles]


def issue_articles(articles: list, settings: dict, full_text_of_newest: bool = False):
    return [
        IssueArticle(
            id=article.metadata["id"],
            title=article.title,
            url=article_url(article, settings),
            date=article.date,
            summary=Markup(email_images(article_summary(article, settings))),
            content=Markup(email_images(article_content(article, settings)))
            if full_text_of_newest and index == 0
            else None,
            picture=email_picture(article, settings) if index == 0 else None,
        )
        for index, article in enumerate(articles)
    ]


def email_picture(article, settings: dict) -> dict | None:
    """The article's `Image:` as the email shows it: its full address, and a width
    and height that fit the email's column (no SVG, which most email programs hide)."""
    value = article.metadata.get("image")
    path = value and featured_image(value, article.source_path, settings["PATH"])
    if not path or path.lower().endswith(".svg"):
        return None
    # A photo as the site serves it, 1200 px (never the original, which the site
    # does not copy when it is large); a GIF as it is.
    made = shared_picture(settings, path)
    if not made and path.lower().endswith(".webp"):  # animated: email programs show no WebP
        return None
    file = made[1] if made else Path(settings["PATH"], path)
    size = image_size(file)
    if not size:
        return None
    return {
        "url": absolute_url(settings, quote(made[0] if made else path)),
        **fitted(size, EMAIL_COLUMN),
    }


def fitted(size: tuple[int, int], width: int) -> dict:
    """The width and height attributes showing a picture of `size` at most `width` wide."""
    shown = min(width, size[0])
    return {"width": shown, "height": round(size[1] * shown / size[0])}


def signature(settings: dict) -> dict:
    """How the coach signs a note: their name, and their portrait when there is one
    an email can show (a JPEG, PNG or GIF; not an SVG)."""
    try:
        portrait = face_context(settings)["PORTRAIT"]
    except FaceSettingError as problem:
        raise SystemExit(f"{problem}\nNothing was composed.") from None
    if portrait and not portrait["url"].lower().endswith(".svg"):
        size = (portrait["width"], portrait["height"])
        portrait = {**portrait, "url": absolute_url(settings, portrait["url"]), **fitted(size, 64)}
    else:
        portrait = None
    return {"name": settings["AUTHOR"], "portrait": portrait}


def email_images(fragment: str) -> str:
    """The article's images as an email can show them: none wider than the email's
    column (Outlook sizes an image by its width attribute alone; others also get
    max-width from the stylesheet), and no SVG, which most email programs do not
    show: its alt text stands in its place."""
    return edit_fragment(fragment, _fit_images) if "<img" in fragment else fragment


def _fit_images(wrapper) -> None:
    for image in list(wrapper.iter("img")):
        if urlsplit(image.get("src", "")).path.lower().endswith(".svg"):
            words = lxml.html.Element("span")
            words.text, words.tail = image.get("alt", ""), image.tail
            image.getparent().replace(image, words)
            continue
        width, height = image.get("width", ""), image.get("height", "")
        if width.isdigit() and int(width) > EMAIL_COLUMN:
            if height.isdigit():
                image.set("height", str(round(int(height) * EMAIL_COLUMN / int(width))))
            image.set("width", str(EMAIL_COLUMN))


def compose_issue(
    articles: list, number: int, settings: dict, now: datetime, moment: datetime | None = None
) -> ComposedIssue:
    """The issue carrying `articles` (newest first) as email HTML, text and .eml;
    `moment`: the build's moment they were chosen at (default `now`)."""
    digest = settings["DIGEST"]
    check_unsubscribe_setting(digest["unsubscribe"])
    items = issue_articles(articles, settings, digest["newest_in_full"])
    subject = digest["subject"].format(
        site=settings["SITENAME"], number=number, title=items[0].title, count=len(items)
    )
    issue = ComposedIssue(
        number=number,
        subject=subject,
        articles=items,
        moment=(moment or now).isoformat(),
        site=site_url(settings),
    )
    context = {
        "issue": issue,
        "featured": items[: digest["full_items"]],
        "more": items[digest["full_items"] :],
        "preheader": digest["preheader"].format(
            author=settings["AUTHOR"], titles=", ".join(item.title for item in items)
        ),
        "web_version": absolute_url(settings, f"newsletter/{number}/"),
        "unsubscribe": UNSUBSCRIBE_SLOT,
        "site": {"name": settings["SITENAME"], "url": f"{site_url(settings)}/"},
        "author": settings["AUTHOR"],
        "note": read_note(settings, number),
        "signature": signature(settings),
        "lang": settings["DEFAULT_LANG"],
    }
    template = _email_templates(settings).get_template("email/issue.html")
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    issue.html_to_fill = inliner.inline(template.render(context, for_text=False))
    if items[0].content is not None and len(issue.html_to_fill.encode()) > CLIPPED_AFTER:
        # Gmail would hide the rest, the unsubscribe link too: the summary instead.
        issue.notes.append(
            f"The newest article in full would make the email "
            f"{len(issue.html_to_fill.encode()) // 1000} KB, past the {CLIPPED_AFTER // 1000} KB "
            "after which Gmail hides its end (the unsubscribe link too): it shows the "
            "summary and a link to the article instead"
        )
        items[0].content = None
        issue.html_to_fill = inliner.inline(template.render(context, for_text=False))
    issue.text_to_fill = _plain_text(template.render(context, for_text=True))
    issue.html, issue.text = fill_unsubscribe(
        issue.html_to_fill, issue.text_to_fill, digest["unsubscribe"]
    )
    issue.message = _message(issue, settings, now, digest["unsubscribe"])
    return issue


def check_unsubscribe_setting(value: str) -> None:
    """UnsubscribeSettingError unless `value` is an https:// address or a merge tag."""
    if not value.strip():
        problem = "is empty"
    elif has_control_characters(value):
        problem = "has a line break or another control character"
    elif value.startswith("https://"):
        problem = https_url_problem(value)
    elif not MERGE_TAG.fullmatch(value):
        problem = "is neither an https:// address nor a merge tag"
    else:
        problem = ""
    if problem:
        raise UnsubscribeSettingError(
            f'pelicanconf.py: DIGEST["unsubscribe"] is {value!r}: it {problem}. '
            f"{UNSUBSCRIBE_FIX}; nothing was composed"
        )


def unsubscribe_slot_problem(page: str, text: str) -> str:
    """Why the unsubscribe link cannot be filled in ("" when it can): the slot must be
    the footer link's address, once in the HTML and once in the text."""
    if page.count(UNSUBSCRIBE_SLOT) != 1 or page.count(f'href="{UNSUBSCRIBE_SLOT}"') != 1:
        return "its HTML has no single place for the unsubscribe link"
    if text.count(UNSUBSCRIBE_SLOT) != 1:
        return "its text has no single place for the unsubscribe link"
    return ""


def fill_unsubscribe(page: str, text: str, link: str) -> tuple[str, str]:
    """The email's HTML and text with `link` as the footer's unsubscribe link."""
    page = page.replace(f'href="{UNSUBSCRIBE_SLOT}"', f'href="{html.escape(link)}"')
    return page, text.replace(UNSUBSCRIBE_SLOT, link)


# Inscriptis' strict profile (no padding around divs and spans), with code kept as
# written: a code block's line breaks and indentation are its meaning.
TEXT_CSS = {
    **CSS_PROFILES["strict"],
    "code": HtmlElement(display=Display.inline, whitespace=WhiteSpace.pre),
}


def _plain_text(email_html: str) -> str:
    """The text part: the same email as plain text, each link's address written out
    after its words, code blocks and list indentation kept, trailing spaces removed."""
    text = get_text(_links_written_out(email_html), ParserConfig(css=TEXT_CSS))
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _links_written_out(email_html: str) -> str:
    """The HTML with each link's bare address after its words, as a reader of plain
    text follows it: "Unsubscribe with one click: *|UNSUB|*" for a link standing
    alone, "words (address)" inside a sentence; never Markdown's [words](address)."""
    tree = lxml.html.document_fromstring(email_html)
    for link in list(tree.iter("a")):
        address = link.get("href", "").removeprefix("mailto:")
        words = " ".join(link.text_content().split())
        if not address or address == words:
            continue
        alone = " ".join(link.getparent().text_content().split()) == words
        if not words:  # a picture's link: its address alone
            written = f" {address} "
        else:
            written = f": {address}" if alone else f" ({address})"
        link.tail = written + (link.tail or "")
    return lxml.html.tostring(tree, encoding="unicode")


def _email_templates(settings: dict) -> Environment:
    folder = os.path.join(settings["THEME"], "templates")
    return Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(default=True))


def _message(issue: ComposedIssue, settings: dict, now: datetime, unsubscribe: str):
    digest = settings["DIGEST"]
    message = EmailMessage()
    message["Subject"] = issue.subject
    message["From"] = digest["from"]
    if digest.get("reply_to"):
        message["Reply-To"] = digest["reply_to"]
    message["Date"] = format_datetime(now)
    domain = urlsplit(site_url(settings)).hostname or "localhost"
    message["Message-ID"] = f"<newsletter-{issue.number}@{domain}>"
    # A merge tag is no address a mail program can use: the provider that fills it
    # in adds these headers itself.
    if unsubscribe.startswith("https://"):
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(issue.text)
    message.add_alternative(issue.html, subtype="html")
    return message


def write_issue(issue: ComposedIssue, folder: str, now: datetime) -> None:
    """Write message.eml, email.html, email.txt, the manifest `--mark-sent` reads and
    the email `invoke send-digest` fills in for each reader."""
    os.makedirs(folder, exist_ok=True)
    files = {
        "email.html": issue.html,
        "email.txt": issue.text,
        TO_FILL["html"]: issue.html_to_fill,
        TO_FILL["text"]: issue.text_to_fill,
        MANIFEST: json.dumps(
            {
                "number": issue.number,
                "subject": issue.subject,
                "composed": now.isoformat(),
                "moment": issue.moment,
                "site": issue.site,
                "articles": issue.article_ids,
                "titles": [article.title for article in issue.articles],
            },
            indent=2,
            ensure_ascii=False,
        ),
    }
    for name, text in files.items():
        with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
            handle.write(text)
    with open(os.path.join(folder, "message.eml"), "wb") as handle:
        handle.write(bytes(issue.message))


def issue_lines(issue: ComposedIssue) -> list[str]:
    """What `invoke digest` and `invoke send-digest` say about a composed issue."""
    return [
        f"Subject: {issue.subject}",
        *(f"  - {article.title} ({article.url})" for article in issue.articles),
        *(f"Note: {note}." for note in issue.notes),
    ]
