"""Absolute addresses: feeds and emails are read away from the site, so every
link and image in them must carry the full address."""

from __future__ import annotations

from collections.abc import Callable

from lxml import html
from pictures import plain_pictures


def site_url(settings: dict) -> str:
    # A writing build has no public address; its feeds point at `invoke serve`.
    return (settings["SITEURL"] or f"http://localhost:{settings.get('PORT', 8000)}").rstrip("/")


def absolute_url(settings: dict, path: str) -> str:
    return f"{site_url(settings)}/{path.lstrip('/')}"


def article_url(article, settings: dict) -> str:
    return absolute_url(settings, article.url)


def edit_fragment(fragment: str, edit: Callable[[html.HtmlElement], None]) -> str:
    """The HTML fragment after `edit` changed it, in place, inside a wrapping <div>."""
    if not fragment.strip():
        return fragment
    wrapper = html.fragment_fromstring(fragment, create_parent="div")
    edit(wrapper)
    serialized = html.tostring(wrapper, encoding="unicode")
    return serialized[len("<div>") : -len("</div>")]


def absolute_html(fragment: str, base_url: str) -> str:
    """The HTML with every relative link and image address made absolute."""
    return edit_fragment(
        fragment, lambda wrapper: wrapper.make_links_absolute(base_url, resolve_base_href=False)
    )


# A <picture> becomes its plain <img> (a JPEG or PNG): what every email program
# and feed reader shows.
def article_content(article, settings: dict) -> str:
    content = plain_pictures(article.get_content(site_url(settings)))
    return absolute_html(content, article_url(article, settings))


def article_summary(article, settings: dict) -> str:
    return absolute_html(plain_pictures(article.summary or ""), article_url(article, settings))
