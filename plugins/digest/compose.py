"""One newsletter issue: the email (HTML, text and a ready .eml) built from the
articles it carries."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

import css_inline
from inscriptis import get_text
from inscriptis.model.config import ParserConfig
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from .urls import absolute_url, article_content, article_summary, article_url, site_url

MANIFEST = "issue.json"


@dataclass
class IssueArticle:
    """What an email or a web page needs of one article, links absolute."""

    id: str
    title: str
    url: str
    date: datetime
    summary: Markup
    content: Markup | None = None


@dataclass
class ComposedIssue:
    number: int
    subject: str
    articles: list[IssueArticle]
    html: str = ""
    text: str = ""
    message: EmailMessage = field(default_factory=EmailMessage)

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
            summary=Markup(article_summary(article, settings)),
            content=Markup(article_content(article, settings))
            if full_text_of_newest and index == 0
            else None,
        )
        for index, article in enumerate(articles)
    ]


def compose_issue(articles: list, number: int, settings: dict, now: datetime) -> ComposedIssue:
    """The issue carrying `articles` (newest first) as email HTML, text and .eml."""
    digest = settings["DIGEST"]
    items = issue_articles(articles, settings, digest["newest_in_full"])
    subject = digest["subject"].format(
        site=settings["SITENAME"], number=number, title=items[0].title, count=len(items)
    )
    issue = ComposedIssue(number=number, subject=subject, articles=items)
    context = {
        "issue": issue,
        "featured": items[: digest["full_items"]],
        "more": items[digest["full_items"] :],
        "preheader": digest["preheader"].format(
            author=settings["AUTHOR"], titles=", ".join(item.title for item in items)
        ),
        "web_version": absolute_url(settings, f"newsletter/{number}/"),
        "unsubscribe": digest["unsubscribe"],
        "site": {"name": settings["SITENAME"], "url": f"{site_url(settings)}/"},
        "author": settings["AUTHOR"],
        "lang": settings["DEFAULT_LANG"],
    }
    template = _email_templates(settings).get_template("email/issue.html")
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    issue.html = inliner.inline(template.render(context, for_text=False))
    issue.text = _plain_text(template.render(context, for_text=True))
    issue.message = _message(issue, settings, now, context["unsubscribe"])
    return issue


def _plain_text(email_html: str) -> str:
    """The text part: the same email as plain text, links shown, layout padding removed."""
    text = get_text(email_html, ParserConfig(display_links=True))
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


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
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(issue.text)
    message.add_alternative(issue.html, subtype="html")
    return message


def write_issue(issue: ComposedIssue, folder: str, now: datetime) -> None:
    """Write message.eml, email.html, email.txt and the manifest `--mark-sent` reads."""
    os.makedirs(folder, exist_ok=True)
    files = {
        "email.html": issue.html,
        "email.txt": issue.text,
        MANIFEST: json.dumps(
            {
                "number": issue.number,
                "subject": issue.subject,
                "composed": now.isoformat(),
                "articles": issue.article_ids,
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


def read_manifest(folder: str) -> dict | None:
    path = os.path.join(folder, MANIFEST)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
