"""The questions of `invoke init`: what each asks, where its answer lands in
site.toml, and the check every answer passes before anything is written.

Adding a question is adding one Question to QUESTIONS: `invoke init` asks it in
that order, offers `--<name>` as its option, and writes the checked answer at
its `key` in site.toml."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr, unquote
from pathlib import Path
from urllib.parse import urlsplit

# Domains reserved for examples (RFC 2606): no one's site or mailbox is there.
EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
# How the example form ids the project ships with begin ("your-formspree-id").
PLACEHOLDER_PREFIX = "your-"
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\ufeff]")


class Refused(ValueError):
    """An answer that cannot be used; the message says what is wrong and the fix."""


@dataclass(frozen=True)
class Question:
    name: str  # the option: site_name is --site-name
    prompt: str
    key: tuple[str, ...]  # where the answer lands in site.toml: ("name",), ("contact", "form_id")
    check: Callable[[str, dict], str]  # (answer, answers so far) -> the value written
    example: str  # shown when there is no usable current value
    # (form, provider): asked only when that form uses that provider.
    only_for: tuple[str, str] | None = None

    def asked(self, answers: dict) -> bool:
        return not self.only_for or answers[f"{self.only_for[0]}_provider"] == self.only_for[1]

    def current(self, site: dict) -> str:
        if self.only_for and site.get(self.only_for[0], {}).get("provider") != self.only_for[1]:
            return ""  # another provider's value is no default for this one
        value = site
        for part in self.key:
            value = value.get(part, {}) if isinstance(value, dict) else {}
        return value if isinstance(value, str) else ""


def is_example_domain(host: str) -> bool:
    host = host.lower().rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in EXAMPLE_DOMAINS)


def one_line(answer: str, what: str, example: str) -> str:
    """The answer with its spaces tidied; empty or invisible characters refused."""
    if CONTROL.search(answer):
        raise Refused(
            f"The {what} holds an invisible character (as pasted from a PDF or a web page). "
            "Fix: type it again instead of pasting it"
        )
    text = " ".join(answer.split())
    if not text:
        raise Refused(f"The {what} is empty. Fix: write it, like {example}")
    return text


def check_site_name(answer: str, answers: dict) -> str:
    return one_line(answer, "site's name", "Parts & Purpose Coaching")


def check_author(answer: str, answers: dict) -> str:
    return one_line(answer, "coach's name", "Jordan Avery")


def check_site_url(answer: str, answers: dict) -> str:
    """An https:// address of one's own, without a / at the end; a bare
    `www.my-site.com` gets its https:// (every host docs/deploying.md names serves it)."""
    text = one_line(answer, "site's address", "https://www.your-domain.com")
    if " " in text:
        raise Refused(f"{text!r} has a space in it. Fix: write the address without spaces")
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        host, port, parts = "", None, urlsplit("")
    path = parts.path.rstrip("/")
    if parts.scheme.lower() == "http":
        raise Refused(
            f'{text} starts with http://: browsers mark such a site "not secure". '
            f"Fix: write it with https://, like https://{parts.netloc}{path} (GitHub Pages, "
            "Netlify and Cloudflare Pages all serve https://)"
        )
    if parts.scheme.lower() != "https" or "." not in host or parts.username or port:
        raise Refused(
            f"{text} is not a web address. Fix: write it like https://www.your-domain.com "
            "or https://your-name.github.io/coaching"
        )
    if parts.query or parts.fragment:
        raise Refused(
            f"{text} has a ? or # part. Fix: write only the site's own address, like "
            f"https://{host}{path}"
        )
    if is_example_domain(host):
        raise Refused(
            f"{host} is reserved for examples: no one's site is there. Fix: write your "
            "site's own address, like https://your-name.github.io/coaching"
        )
    try:
        host = host.encode("idna").decode("ascii")  # café.fr as browsers send it
    except UnicodeError:
        raise Refused(
            f"{host} is not a web address (an empty or too long part between dots). Fix: "
            "write it like https://www.your-domain.com"
        ) from None
    return f"https://{host}{path}"


def check_sender(answer: str, answers: dict) -> str:
    """`Name <address>` with an address of one's own; a bare address takes the
    coach's name."""
    text = one_line(answer, "sending address", "Jordan Avery <hello@your-domain.com>")
    typed = re.fullmatch(r"(.*?)\s*<([^<>]*)>", text)  # Name <address>, a comma in the name too
    name, address = (unquote(typed.group(1)), typed.group(2).strip()) if typed else parseaddr(text)
    local, _, domain = address.rpartition("@")
    like = f"{answers.get('author') or 'Your Name'} <you@your-domain.com>"
    if not local or "." not in domain or " " in address or "<" in name:
        raise Refused(f"{text!r} is not an email address. Fix: write it like {like}")
    if is_example_domain(domain):
        raise Refused(
            f"{domain} is reserved for examples: replies would reach no one and many mail "
            f"servers refuse mail from it. Fix: write your own address, like {like}"
        )
    name = name or answers.get("author", "")
    if re.search(r'[()<>@,;:\\".\[\]]', name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address}>" if name else address


# Each form provider's ids: (key in site.toml, option, what to ask, an example).
# A provider with nothing to ask (Netlify) has an empty list.
NEWSLETTER_IDS = {
    "buttondown": [
        ("username", "buttondown_username", "Your Buttondown username", "parts-and-purpose")
    ],
    "mailchimp": [
        (
            "action",
            "mailchimp_action",
            'The action="..." address of Mailchimp\'s embedded form code (Audience, '
            "Signup forms, Embedded forms)",
            "https://yoursite.us6.list-manage.com/subscribe/post?u=a1b2c3&id=d4e5f6",
        )
    ],
    "kit": [
        (
            "action",
            "kit_action",
            'The action="..." address of Kit\'s embed form code (Grow, Landing Pages & '
            "Forms, your form, Publish, HTML)",
            "https://app.kit.com/forms/1234567/subscriptions",
        )
    ],
    "mailerlite": [
        (
            "action",
            "mailerlite_action",
            'The action="..." address of MailerLite\'s embedded form HTML (Forms, your form, '
            "Embed form, HTML code)",
            "https://assets.mailerlite.com/jsonp/123456/forms/98765432101234567/subscribe",
        )
    ],
    "custom": [
        (
            "action",
            "newsletter_action",
            "The https:// address your sign-up form posts to",
            "https://lists.your-domain.com/subscribe",
        )
    ],
}
CONTACT_IDS = {
    "formspree": [
        (
            "form_id",
            "formspree_id",
            "Your Formspree form's id (the end of its https://formspree.io/f/... address)",
            "xyzabcde",
        )
    ],
    "netlify": [],
    "basin": [
        (
            "form_id",
            "basin_id",
            "Your Basin form's id (the end of its https://usebasin.com/f/... address)",
            "abcdef123456",
        )
    ],
    "custom": [
        (
            "action",
            "contact_action",
            "The https:// address your contact form posts to",
            "https://forms.your-domain.com/contact",
        )
    ],
}
FORMS = {"newsletter": NEWSLETTER_IDS, "contact": CONTACT_IDS}


def check_provider(table: str) -> Callable[[str, dict], str]:
    choices = list(FORMS[table])

    def check(answer: str, answers: dict) -> str:
        provider = answer.strip().lower()
        if provider not in choices:
            raise Refused(
                f"{answer.strip()!r} is not one of the {table} form services. Fix: write one "
                f"of {', '.join(choices)}"
            )
        return provider

    return check


def check_form_id(table: str, provider: str, key: str) -> Callable[[str, dict], str]:
    """The id as the form needs it: built into the form here, so a value the
    build would refuse is refused now, in the provider's words."""

    def check(answer: str, answers: dict) -> str:
        from forms import FormSettingError, contact_form, newsletter_form

        value = answer.strip()
        if not value:
            raise Refused(
                f"The {provider} {key} is empty. Fix: paste it from your {provider} account"
            )
        if value.lower().startswith(PLACEHOLDER_PREFIX):
            raise Refused(
                f"{value!r} is the example the project ships with. Fix: paste your own "
                f"{provider} {key} from your account"
            )
        pasted = urlsplit(value) if key != "action" else None
        if pasted and provider in (pasted.hostname or ""):  # its whole address, pasted
            value = pasted.path.rstrip("/").rpartition("/")[2]
        if key != "action" and not re.fullmatch(r"[A-Za-z0-9_.-]+", value):
            raise Refused(
                f"{value!r} has a character a {provider} {key} does not have (a space, a / or "
                "a quote mark). Fix: paste only the id itself"
            )
        make = newsletter_form if table == "newsletter" else contact_form
        try:
            form = make({"provider": provider, key: value}, "https://your-site/thanks/")
        except FormSettingError as problem:
            raise Refused(str(problem)) from None
        return form.action if key == "action" else value

    return check


def check_editor_repo(answer: str, answers: dict) -> str:
    """The GitHub repository the editor at /admin/ saves to, as "owner/name"
    (its https://github.com/... address pasted gives the same); empty: none yet."""
    from admin.config import EditorSettingError, editor_setting

    text = one_line(answer, "repository", "your-name/your-site") if answer.strip() else ""
    if not text:
        return ""
    try:
        return editor_setting({"EDITOR": {"repo": text}})["repo"]
    except EditorSettingError:
        raise Refused(
            f"{text!r} is not a GitHub repository. Fix: write its owner and name, like "
            "your-name/your-site (the end of its https://github.com/... address), or leave "
            "it empty until you make one"
        ) from None


# The sample portrait, an illustration of the example coach (by its bytes: a photo
# of the coach saved over it under the same name is theirs).
CONTENT = Path(__file__).resolve().parents[2] / "content"
SAMPLE_PORTRAIT_SHA256 = "7fe7601fe2611ba376e3d166b90bf8575b9ccfd7d25bcce035917053d74d7028"


def check_picture(name: str, example: str) -> Callable[[str, dict], str]:
    """A picture in content/images/, written as the site's settings read it
    ("images/me.jpg"); empty: none."""

    def check(answer: str, answers: dict) -> str:
        from face.settings import WRITTEN_PREFIX

        text = one_line(answer, name, example) if answer.strip() else ""
        if not text:
            return ""
        relative = WRITTEN_PREFIX.sub("", text.replace("\\", "/"))
        path = CONTENT / relative
        if not relative.startswith("images/") or ".." in relative or not path.is_file():
            raise Refused(
                f"There is no picture {text} in content/images/. Fix: copy your picture into "
                f"the folder content/images/, then answer with its name, like {example} (or "
                "leave it empty for none)"
            )
        if hashlib.sha256(path.read_bytes()).hexdigest() == SAMPLE_PORTRAIT_SHA256:
            raise Refused(
                f"{text} is the sample's drawing of an example coach, not you. Fix: copy a "
                f"photo of yourself into content/images/ and answer with its name, like "
                f"{example} (or leave it empty for none)"
            )
        return relative

    return check


def check_booking_url(answer: str, answers: dict) -> str:
    """The booking page's address, as the home page will link it; empty: the
    sign-up takes its place."""
    from face.settings import FaceSettingError, booking_address

    text = answer.strip()
    if not text:
        return ""
    try:
        address = booking_address({"BOOKING_URL": text, "SITEURL": ""})
    except FaceSettingError:
        raise Refused(
            f"{text!r} is not the address of a booking page. Fix: paste only the link to it, "
            "like https://cal.com/your-name (not the embed code), or leave it empty"
        ) from None
    return address if "://" in address else text


def form_questions() -> list[Question]:
    """For each form: which service, then that service's ids."""
    questions = []
    for table, providers in FORMS.items():
        questions.append(
            Question(
                f"{table}_provider",
                f"The {table} form's service ({', '.join(providers)})",
                (table, "provider"),
                check_provider(table),
                next(iter(providers)),
            )
        )
        for provider, ids in providers.items():
            for key, option, prompt, example in ids:
                check = check_form_id(table, provider, key)
                questions.append(
                    Question(option, prompt, (table, key), check, example, (table, provider))
                )
    return questions


QUESTIONS = [
    Question(
        "site_name", "The site's name", ("name",), check_site_name, "Parts & Purpose Coaching"
    ),
    Question(
        "author", "Your name, as the articles' author", ("author",), check_author, "Jordan Avery"
    ),
    Question(
        "site_url",
        "The site's public address",
        ("address",),
        check_site_url,
        "https://your-name.github.io/coaching",
    ),
    Question(
        "sender",
        "The newsletter's sending address (replies come back to it)",
        ("sender",),
        check_sender,
        "{author} <hello@your-domain.com>",
    ),
    *form_questions(),
    Question(
        "editor_repo",
        "The GitHub repository the editor at /admin/ saves to (owner/name; empty: none yet)",
        ("editor", "repo"),
        check_editor_repo,
        "your-name/your-site",
    ),
    Question(
        "portrait",
        "Your portrait, a picture in content/images/ (empty: none)",
        ("portrait",),
        check_picture("portrait", "images/me.jpg"),
        "images/me.jpg",
    ),
    Question(
        "logo",
        "A logo or wordmark before the site's name, in content/images/ (empty: none)",
        ("logo",),
        check_picture("logo", "images/logo.svg"),
        "images/logo.svg",
    ),
    Question(
        "booking_url",
        "Your booking page's address, the home page's call to action (empty: the sign-up)",
        ("booking_url",),
        check_booking_url,
        "https://cal.com/your-name",
    ),
]
