"""What each form service expects: the address a form posts to, the names of its
fields, its hidden fields and its honeypot, built from the NEWSLETTER and CONTACT
settings. Plain data, so the theme renders it and the deploy headers name it."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit


class FormSettingError(ValueError):
    """A form setting is missing or wrong; the message names it and says how to fix it."""


@dataclass
class Form:
    setting: str  # "NEWSLETTER" or "CONTACT"
    provider: str
    action: str
    fields: dict[str, str]  # our name (email, name, message, topic) -> the provider's
    hidden: list[tuple[str, str]] = field(default_factory=list)
    honeypot: str = ""
    attributes: dict[str, str] = field(default_factory=dict)  # extra <form> attributes
    background: bool = True  # the script may submit it without leaving the page
    gdpr_field: str = ""
    question: bool = False


def _need(settings: dict, key: str, example: str) -> str:
    value = str(settings.get(key) or "").strip()
    if not value:
        setting = settings["_setting"]
        raise FormSettingError(f'{setting}["{key}"] is not set; set it, e.g. "{example}"')
    return value


# A form that posts elsewhere over http:// sends what people type in clear text, and
# a javascript: or data: address makes a dead form; only a server on this computer
# (a test's capture server, a local proxy) may go without TLS.
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
UNSAFE = re.compile(r"[\x00-\x20\x7f\"'<>`\\]")


def checked_action(setting: str, value: str) -> str:
    """The address a form may post to, as pasted (`&amp;` from embed code undone);
    FormSettingError naming the setting otherwise."""
    url = html.unescape(str(value).strip())
    if UNSAFE.search(url):
        raise FormSettingError(
            f'{setting}["action"] is {url!r}: it contains a space, a quote mark, < or >. '
            'Fix: paste only the address between the quotes of action="..."'
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # an unclosed [ in the host
        parts, host = urlsplit(""), None
    if parts.username is None and (
        (parts.scheme == "https" and host) or (parts.scheme == "http" and host in LOOPBACK)
    ):
        return url
    raise FormSettingError(
        f'{setting}["action"] is "{url}", not an https:// address. Fix: write the full '
        "https:// address the service gives for its form (a form sent over http:// can be "
        "read on the way)"
    )


def _mailchimp(config: dict) -> tuple[str, str, str]:
    """(action, u, id): the action pasted from Mailchimp's embedded form code (with
    the account's own host and f_id), or one built from "dc", "u" and "id"."""
    if config.get("action"):
        action = checked_action("NEWSLETTER", config["action"])
        query = dict(parse_qsl(urlsplit(action).query))
        user, audience = config.get("u") or query.get("u"), config.get("id") or query.get("id")
        if not (user and audience):
            raise FormSettingError(
                'NEWSLETTER["action"] has no u= and id=; paste the whole action="..." address '
                'from Mailchimp\'s embedded form code, or also set "u" and "id"'
            )
        return action, user, audience
    dc = _need(config, "dc", "us6")
    user = _need(config, "u", "a1b2c3d4e5f6a7b8c9d0e1f2a")
    audience = _need(config, "id", "0123456789")
    action = f"https://{dc}.list-manage.com/subscribe/post?u={user}&id={audience}"
    return checked_action("NEWSLETTER", action), user, audience


# Neither Kit nor MailerLite publishes its embed markup as a reference page; the
# names below are those of the HTML their form builders hand out, which the coach
# pastes from. Kit (Grow → Landing Pages & Forms → the form → Publish → Embed →
# HTML): <form action="https://app.kit.com/forms/<form id>/subscriptions"
# method="post" data-sv-form="<form id>"> with `email_address` and, when the form
# asks for it, `fields[first_name]`; before the rename its host was
# app.convertkit.com, so both are read. The form ids are the ones Kit's API lists
# (https://developers.kit.com/api-reference/forms/list-forms).
KIT_ACTION = re.compile(r"https://app\.(?:kit|convertkit)\.com/forms/(\d+)/subscriptions")
# MailerLite (Forms → Embedded forms → the form → Embed → HTML code): <form
# action="https://assets.mailerlite.com/jsonp/<account id>/forms/<form id>/subscribe"
# method="post" target="_blank"> with `fields[email]` (and `fields[name]` when it
# asks), `ml-submit=1` and `anticsrf=true`; its forms' ids as its API lists them:
# https://developers.mailerlite.com/docs/forms.html
MAILERLITE_ACTION = re.compile(r"https://assets\.mailerlite\.com/jsonp/(\d+)/forms/(\d+)/subscribe")


def _pasted(config: dict, pattern: re.Pattern, ids: tuple[str, ...], example: str, where: str):
    """(action, ids) from a pasted embed `action` (ids read from it), or from the ids
    set on their own (the action then a proxy's or a test's address, or built)."""
    given = tuple(str(config.get(key) or "").strip() for key in ids)
    if config.get("action"):
        action = checked_action("NEWSLETTER", config["action"])
        found = pattern.fullmatch(action.split("?")[0].rstrip("/"))
        if found:
            return action, found.groups()
        if all(given):
            return action, given
        raise FormSettingError(
            f'NEWSLETTER["action"] is "{action}", not the address of a {where} form. Fix: '
            f'paste the address between the quotes of action="..." in the form\'s embed '
            f'code, like "{example}"'
        )
    missing = [key for key, value in zip(ids, given, strict=True) if not value]
    if missing:
        raise FormSettingError(
            f'NEWSLETTER["action"] is not set; paste the address between the quotes of '
            f'action="..." in your {where} form\'s embed code, like "{example}"'
        )
    return None, given


def newsletter_form(config: dict, thanks_url: str) -> Form:
    config = {**config, "_setting": "NEWSLETTER"}
    provider = _need(config, "provider", "buttondown")
    if provider == "mailchimp":
        action, user, audience = _mailchimp(config)
        form = Form(
            "NEWSLETTER",
            provider,
            action,
            {"email": "EMAIL", "name": "FNAME"},
            honeypot=f"b_{user}_{audience}",
            background=False,
            attributes={"target": "_blank"},
        )
        form.gdpr_field = config.get("gdpr_id") and f"gdpr[{config['gdpr_id']}]" or ""
    elif provider == "buttondown":
        username = _need(config, "username", "your-buttondown-username")
        action = f"https://buttondown.com/api/emails/embed-subscribe/{username}"
        hidden = [("embed", "1")] + ([("tag", config["tag"])] if config.get("tag") else [])
        form = Form(
            "NEWSLETTER",
            provider,
            action,
            {"email": "email"},
            hidden,
            background=False,
            attributes={"target": "_blank"},
        )
    elif provider == "kit":
        example = "https://app.kit.com/forms/1234567/subscriptions"
        action, (form_id,) = _pasted(config, KIT_ACTION, ("form_id",), example, "Kit")
        names = {"email": "email_address"}
        if config.get("first_name"):
            names["name"] = "fields[first_name]"
        form = Form(
            "NEWSLETTER",
            provider,
            action or f"https://app.kit.com/forms/{form_id}/subscriptions",
            names,
            attributes={"target": "_blank"},  # without JavaScript: Kit's page in a new tab
        )
    elif provider == "mailerlite":
        example = "https://assets.mailerlite.com/jsonp/123456/forms/98765432101234567/subscribe"
        action, (account, form_id) = _pasted(
            config, MAILERLITE_ACTION, ("account", "form_id"), example, "MailerLite"
        )
        names = {"email": "fields[email]"}
        if config.get("first_name"):
            names["name"] = "fields[name]"
        form = Form(
            "NEWSLETTER",
            provider,
            action or f"https://assets.mailerlite.com/jsonp/{account}/forms/{form_id}/subscribe",
            names,
            [("ml-submit", "1"), ("anticsrf", "true")],
            attributes={"target": "_blank"},  # as its embed code has it
        )
    elif provider == "custom":
        action = _need(config, "action", "https://lists.example.org/subscribe")
        names = {"email": "email", "name": "name", **config.get("fields", {})}
        form = Form(
            "NEWSLETTER",
            provider,
            action,
            names,
            honeypot=config.get("honeypot", ""),
            background=bool(config.get("background")),
        )
    else:
        raise FormSettingError(
            f'NEWSLETTER["provider"] is "{provider}"; use "mailchimp", "buttondown", "kit", '
            '"mailerlite" or "custom"'
        )
    # A proxy, a test's capture server, or (Mailchimp) the embed code's own address.
    form.action = checked_action("NEWSLETTER", config.get("action") or form.action)
    form.question = bool(config.get("question"))
    return form


def contact_form(config: dict, thanks_url: str) -> Form:
    config = {**config, "_setting": "CONTACT"}
    provider = _need(config, "provider", "formspree")
    names = {"name": "name", "email": "email", "message": "message", "topic": "topic"}
    if provider == "formspree":
        action = f"https://formspree.io/f/{_need(config, 'form_id', 'xyzabcde')}"
        subject = config.get("subject") or "A message from the website"
        form = Form(
            "CONTACT",
            provider,
            action,
            names,
            [("_subject", subject), ("_next", thanks_url)],
            honeypot="_gotcha",
        )
    elif provider == "netlify":
        name = config.get("form_name") or "contact"
        form = Form(
            "CONTACT",
            provider,
            thanks_url,
            names,
            [("form-name", name)],
            honeypot="bot-field",
            attributes={"name": name, "data-netlify": "true", "netlify-honeypot": "bot-field"},
        )
    elif provider == "basin":
        action = f"https://usebasin.com/f/{_need(config, 'form_id', 'abcdef123456')}"
        form = Form("CONTACT", provider, action, names, honeypot="_gotcha")
    elif provider == "custom":
        action = _need(config, "action", "https://forms.example.org/contact")
        form = Form(
            "CONTACT",
            provider,
            action,
            {**names, **config.get("fields", {})},
            honeypot=config.get("honeypot", ""),
            background=bool(config.get("background", True)),
        )
    else:
        raise FormSettingError(
            f'CONTACT["provider"] is "{provider}"; use "formspree", "netlify", "basin" or "custom"'
        )
    if config.get("action") or provider != "netlify":  # Netlify posts to our own page
        form.action = checked_action("CONTACT", config.get("action") or form.action)
    form.question = bool(config.get("question"))
    return form
