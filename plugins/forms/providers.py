"""What each form service expects: the address a form posts to, the names of its
fields, its hidden fields and its honeypot, built from the NEWSLETTER and CONTACT
settings. Plain data, so the theme renders it and the deploy headers name it."""

from __future__ import annotations

from dataclasses import dataclass, field


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


def newsletter_form(config: dict, thanks_url: str) -> Form:
    config = {**config, "_setting": "NEWSLETTER"}
    provider = _need(config, "provider", "buttondown")
    if provider == "mailchimp":
        dc = _need(config, "dc", "us6")
        user = _need(config, "u", "a1b2c3d4e5f6a7b8c9d0e1f2a")
        audience = _need(config, "id", "0123456789")
        action = f"https://{dc}.list-manage.com/subscribe/post?u={user}&id={audience}"
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
            f'NEWSLETTER["provider"] is "{provider}"; use "mailchimp", "buttondown" or "custom"'
        )
    form.action = config.get("action") or form.action  # a proxy, or a test's capture server
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
    form.action = config.get("action") or form.action
    form.question = bool(config.get("question"))
    return form
