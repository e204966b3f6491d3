"""Forms: the contact form and the newsletter sign-up, posting to the services
chosen in the NEWSLETTER and CONTACT settings (providers.py says what each
expects).

Adds to the build: the template variables NEWSLETTER_FORM and CONTACT_FORM (the
form's address, field names, hidden fields and honeypot), FORM_NOTICES (what is
not configured, shown on the page in a writing build) and FORM_ENDPOINTS. A
build with FORMS_REQUIRED (publishconf.py) stops when a form is not configured,
naming the setting, because a dead form loses what people type.
"""

from __future__ import annotations

from pelican import signals

from .providers import Form, FormSettingError, contact_form, newsletter_form

__all__ = [
    "Form",
    "FormSettingError",
    "form_endpoints",
    "forms",
    "placeholder_settings",
    "register",
]

THANKS = {"NEWSLETTER": "thanks/newsletter/", "CONTACT": "thanks/contact/"}
# How the example values in the shipped pelicanconf.py begin ("your-formspree-id"):
# a site deployed with them has forms that post to no one's account.
PLACEHOLDER_PREFIX = "your-"


def forms(settings: dict) -> tuple[dict[str, Form], dict[str, str]]:
    """The configured forms by setting name, and a notice for each that is not."""
    built, notices = {}, {}
    for name, make in (("NEWSLETTER", newsletter_form), ("CONTACT", contact_form)):
        thanks = f"{settings['SITEURL']}/{THANKS[name]}"
        try:
            built[name] = make(settings.get(name) or {}, thanks)
        except FormSettingError as problem:
            notices[name] = str(problem)
    return built, notices


def placeholder_settings(settings: dict) -> list[str]:
    """The form settings that still hold the shipped example values, as
    'NAME["key"] is "value"'."""
    return [
        f'{name}["{key}"] is "{value}"'
        for name in THANKS
        for key, value in (settings.get(name) or {}).items()
        if str(value).strip().lower().startswith(PLACEHOLDER_PREFIX)  # spaces and case aside
    ]


def form_endpoints(settings: dict) -> list[str]:
    """Every address of another site the forms post to (the site's own is 'self')."""
    built, _ = forms(settings)
    own = settings["SITEURL"] + "/" if settings["SITEURL"] else None
    return sorted(
        {
            form.action
            for form in built.values()
            if form.action.startswith(("https:", "http:"))
            and not (own and form.action.startswith(own))
        }
    )


def add_forms(generator) -> None:
    built, notices = forms(generator.settings)
    generator.context.update(
        NEWSLETTER_FORM=built.get("NEWSLETTER"),
        CONTACT_FORM=built.get("CONTACT"),
        FORM_NOTICES=notices,
        FORM_ENDPOINTS=form_endpoints(generator.settings),
    )


def require_forms(pelican) -> None:
    if pelican.settings.get("FORMS_REQUIRED"):
        _, notices = forms(pelican.settings)
        if notices:
            raise SystemExit(
                "\n".join(
                    f"site.toml: {n}. A form without a service loses what people "
                    "type; nothing was published."
                    for n in notices.values()
                )
            )


def register() -> None:
    signals.initialized.connect(require_forms)
    signals.generator_init.connect(add_forms)
