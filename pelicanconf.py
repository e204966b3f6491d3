"""Settings for writing and previewing the site (relative URLs, drafts visible).

`publishconf.py` builds on these for the public site.
"""

import hashlib
import json
import os
import sys
from email.utils import parseaddr
from pathlib import Path

# The site's identity and accounts live in site.toml (`invoke init` writes it):
# its name, the coach's name, the public address, the sender, the texts about
# the coach and the form accounts. Here they become Pelican's settings.
if str(Path(__file__).parent / "plugins") not in sys.path:  # read again on each build
    sys.path.insert(0, str(Path(__file__).parent / "plugins"))
from site_init.site_file import read_site_file  # noqa: E402

from speed import layer_is_on, speed_plugins  # noqa: E402

SITE = read_site_file(Path(__file__).with_name("site.toml"))
SITENAME = SITE["name"]
AUTHOR = SITE["author"]
# The public address publishconf.py uses (the SITEURL environment variable wins).
SITE_ADDRESS = SITE["address"]
SITE_TAGLINE = SITE.get("tagline", "")
SITE_DESCRIPTION = SITE.get("description", "")
SOCIAL_LINKS = list(SITE.get("social_links", {}).items())
# Shown on the home page and in the author box under every article.
COACH_INTRO = SITE.get("intro", "")
AUTHOR_BIO = SITE.get("bio", "")
# The coach's face (docs/settings.md, "The coach's face"), from site.toml: the portrait that
# opens the home and About pages and sits in the author box, an optional logo, the
# one-line promise and the one call to action (a booking page, else the sign-up).
COACH_PORTRAIT = SITE.get("portrait", "")
COACH_PORTRAIT_ALT = SITE.get("portrait_alt", "")
SITE_LOGO = SITE.get("logo", "")
PROMISE = SITE.get("promise", "")
BOOKING_URL = SITE.get("booking_url", "")
BOOKING_LABEL = SITE.get("booking_label", "") or "Book a call"
# Where readers can write when a form fails: the sender's address.
COACH_EMAIL = parseaddr(SITE["sender"])[1]
TIMEZONE = "America/New_York"
DEFAULT_LANG = "en"

SITEURL = ""
RELATIVE_URLS = True

PATH = "content"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
# A 1200x630 sharing card per article for og:image (docs/settings.md, "Sharing cards"), made
# once per title and picture and drawn while the pages are written. False: social
# sites show the article's picture or the site's (SITE_IMAGE) instead.
SHARING_CARDS = True
THEME = "theme"

PLUGIN_PATHS = ["plugins"]
# The speed layer (plugins/speed/, docs/speed.md): plugins that only make the
# build faster, each standing in for one of Pelican's functions with the same
# bytes out. SPEED_LAYER=0 in the environment (`SPEED_LAYER=0 invoke build`)
# leaves them all out: Pelican's own code, one process. If a problem stays with
# the layer off, it is not the layer's. It is read here, when PLUGINS is made, so
# `-e SPEED_LAYER=...` comes too late (the layer says so and stops).
SPEED_LAYER = layer_is_on()
PLUGINS = [
    "scheduling",
    "content_check",
    "prose",
    # Before the plugins that take shortcuts through Pelican's code (they import it).
    *speed_plugins(SPEED_LAYER, "pelican_shortcuts"),
    # Before parallel_build, which stamps the files a generator is about to read.
    *speed_plugins(SPEED_LAYER, "content_cache"),
    # Before every plugin that reads written pages when the build finishes.
    *speed_plugins(SPEED_LAYER, "parallel_build"),
    *speed_plugins(SPEED_LAYER, "template_cache"),
    *speed_plugins(SPEED_LAYER, "article_lists"),
    # Before every plugin that reads addresses once the content is read.
    *speed_plugins(SPEED_LAYER, "frozen_urls"),
    "local_addresses",
    "reader_details",
    # After the content check and local_addresses (all_generators_finalized).
    "pictures",
    "forms",
    "face",
    # After reader_details and face: an article's picture and the portrait.
    "sharing_cards",
    "fingerprint",
    "headers",
    "admin",
    "digest",
    "search",
    # Before the sitemap, whose date for the lists it sets.
    "steady_sitemap",
    "pelican.plugins.sitemap",
]

# Theme: the page about the author (author box, JSON-LD author url), the
# picture social sites show when an article has no `Image:` header, and the
# pages every page links to from the same place in its header.
ABOUT_PAGE = "about/"
SITE_IMAGE = "theme/social.png"
CONTACT_PAGE = "contact/"
NEWSLETTER_PAGE = "newsletter/"
# The header menu: (label, address). It ends with "Subscribe" (the newsletter
# page, NEWSLETTER_PAGE) on every page; Contact and Subscribe stay in the same
# place on every page. The site's name before it leads to the articles (home).
MENU_LINKS = [
    ("About", "about/"),
    ("Contact", "contact/"),
    ("Search", "search/"),
]
# Every value a template prints is escaped unless the template says `|safe`
# (only the coach's rendered Markdown does). Templates are read once per build
# (no look at their files' dates on every include: each build, and `invoke
# serve` after a template changes, starts a new environment).
JINJA_ENVIRONMENT = {
    "trim_blocks": True,
    "lstrip_blocks": True,
    "autoescape": True,
    "auto_reload": False,
}

SITEMAP = {
    "format": "xml",
    "exclude": [r"^404\.html$", r"^drafts/"],
}

# Clean addresses: /slug/ instead of /slug.html.
ARTICLE_URL = "{slug}/"
ARTICLE_SAVE_AS = "{slug}/index.html"
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = "drafts/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
DRAFT_PAGE_URL = "drafts/pages/{slug}/"
DRAFT_PAGE_SAVE_AS = "drafts/pages/{slug}/index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = "category/{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
AUTHOR_URL = "author/{slug}/"
AUTHOR_SAVE_AS = "author/{slug}/index.html"
ARCHIVES_SAVE_AS = "archives/index.html"
TAGS_SAVE_AS = "tags/index.html"
CATEGORIES_SAVE_AS = "categories/index.html"
AUTHORS_SAVE_AS = "authors/index.html"
# The search page (search plugin): `/search/?q=words` opens with those words.
DIRECT_TEMPLATES = ["index", "tags", "categories", "authors", "archives", "search"]
SEARCH_URL = "search/"
SEARCH_SAVE_AS = "search/index.html"
YEAR_ARCHIVE_URL = "archives/{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = "archives/{date:%Y}/index.html"
# Translations are not used; an article with a `Lang:` key is a typo to report.
ARTICLE_LANG_SAVE_AS = ""
PAGE_LANG_SAVE_AS = ""

DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# Addresses come from file names, so editing a title never breaks a link.
SLUGIFY_SOURCE = "basename"

# A published article dated later than the build's moment is scheduled: out of
# every public page, feed and newsletter until a build runs at or after its date
# (the scheduling plugin decides; Pelican's own switch stays off, see its docstring).
# The moment is the clock, or BUILD_MOMENT (ISO 8601, e.g. "2027-06-01T09:00",
# the site's time zone) from the environment, to preview a later day.
WITH_FUTURE_DATES = True
BUILD_MOMENT = os.environ.get("BUILD_MOMENT", "")
# How many processes a build uses (parallel_build): BUILD_WORKERS from the
# environment (1 builds in one process); unset, every core.
BUILD_WORKERS = os.environ.get("BUILD_WORKERS") or None

DEFAULT_CATEGORY = "Coaching"
DEFAULT_DATE_FORMAT = "%B %-d, %Y"

# Feeds come from the digest plugin (feedgen); Pelican's own feeds stay off.
# Every page links these addresses for feed readers to discover.
FEED_ATOM_PATH = "feeds/atom.xml"
FEED_RSS_PATH = "feeds/rss.xml"
FEED_MAX_ITEMS = 20
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None

# Markdown for prose: footnotes, tables, attribute lists, and code highlighting
# that never guesses the language. Typographic quotes and dashes and heading ids
# come from the prose plugin (smarty and toc would double the Markdown time),
# which also writes summaries: plain text, so no second Markdown pass for them.
FORMATTED_FIELDS = []
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.meta": {},
        "markdown.extensions.footnotes": {"BACKLINK_TITLE": "Back to the text"},
        "markdown.extensions.tables": {},
        "markdown.extensions.attr_list": {},
        "markdown.extensions.fenced_code": {},
        "markdown.extensions.codehilite": {"css_class": "highlight", "guess_lang": False},
    },
    "output_format": "html5",
}
# Only Markdown is written here; reStructuredText and HTML sources are reported
# by the content check instead of being read.
READERS = {"rst": None, "html": None, "htm": None}

# The forms (docs/forms.md): the provider and its ids come from site.toml
# ([newsletter] and [contact]); options set here apply unless site.toml sets them.
# `question = true` in either adds the "What is 1 + 6?" spam question (off by
# default: it shuts some people out).
NEWSLETTER = dict(SITE["newsletter"])
CONTACT = {"subject": "A message from the website", **SITE["contact"]}

# Pelican keeps each file's converted Markdown and reads it again only when the
# file changes. The cache folder is named after this file, the plugins and the
# pinned packages, so changing any of them starts a fresh cache. Builds with
# publishconf.py or `-e` overrides share it; the tags, categories and authors
# kept in it take the addresses of the build that uses them (content_cache).
_code = sorted(Path(__file__).parent.glob("plugins/**/*.py"))
_code += [Path(__file__), Path(__file__).with_name("requirements.txt")]
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
GZIP_CACHE = False  # compressing costs a cold build more than reading saves
# A file counts as changed when its bytes do, not its date: a fresh clone (each CI
# run) dates every file anew, and would otherwise read the whole site again.
CHECK_MODIFIED_METHOD = "sha256"
_code_bytes = b"".join(p.read_bytes() for p in _code if p.exists())
CACHE_PATH = "cache/" + hashlib.sha256(_code_bytes).hexdigest()[:12]

# Folders under content/ that hold data rather than pages (the content check
# accepts their files without publishing them).
CONTENT_DATA_PATHS = ["newsletter"]

# The editor at /admin/ (docs/writing.md, "Writing from a browser"): [editor] in site.toml,
# the GitHub repository it saves to and the branch the site is built from.
EDITOR = {"repo": "", "branch": "main", **SITE.get("editor", {})}
# The editor's files come from the npm packages of package.json (`npm ci`).
NODE_MODULES = str(Path(__file__).parent / "node_modules")

# The newsletter digest: `invoke digest` composes the next issue of what is new.
DIGEST = {
    # The record of sent issues, inside the content folder; commit it.
    "record": "newsletter/issues.json",
    # Where `invoke digest` writes the composed issue (git-ignored).
    "out": "newsletter-issue",
    # {site}, {number}, {title} (of the newest article) and {count} are filled in.
    "subject": "{site} #{number}: {title}",
    # The line inboxes show after the subject; {author} and {titles}.
    "preheader": "New from {author}: {titles}",
    # Articles shown with their summary; the rest become a list of titles.
    "full_items": 10,
    # True: the newest article in full instead of its summary.
    "newest_in_full": False,
    # The sender: `sender` in site.toml.
    "from": SITE["sender"],
    "reply_to": "",
    # An https:// unsubscribe URL, or the provider's merge tag (Mailchimp:
    # *|UNSUB|*, Buttondown: {{ unsubscribe_url }}).
    "unsubscribe": "*|UNSUB|*",
    # `invoke send-digest`: how the issue reaches subscribers (docs/newsletter.md, "Sending the
    # newsletter"). Secrets come only from the environment variables named here.
    "send": {
        # "" (only show what would be sent), "smtp", "buttondown", "mailchimp", "kit"
        # or "mailerlite".
        "backend": "",
        # "send", or "draft": a provider gets the issue as a draft for you to look at
        # and send yourself (then `invoke send-digest --mark-sent`).
        "mode": "send",
        # smtp: the subscriber list (CSV: email,name,unsubscribe_url), kept out of git.
        "subscribers": "subscribers.csv",
        # Who got which issue, inside the content folder (git-ignored).
        "ledger": "newsletter/sending.sqlite",
        # smtp: an https:// unsubscribe address, {email} filled in; empty: a mailto:
        # to "unsubscribe_mailto" (empty: the "from" address).
        "unsubscribe_url": "",
        "unsubscribe_mailto": "",
        # smtp: the List-Id header's id (empty: newsletter.<site domain>).
        "list_id": "",
        # smtp: messages per second at most (0: no limit). All backends: tries after a
        # temporary refusal, a 429/5xx or a dropped connection, the first pause (doubling
        # each time, or the provider's Retry-After), and the longest single pause.
        "rate_per_second": 5,
        "retries": 5,
        "backoff_seconds": 2,
        "longest_wait_seconds": 300,
        "smtp": {
            "host": "",
            "port": 587,
            # "starttls" (port 587), "tls" (port 465) or "none" (local servers only).
            "security": "starttls",
            "user": "",
            "password_env": "DIGEST_SMTP_PASSWORD",
            "timeout": 60,
        },
        "buttondown": {
            "api_key_env": "BUTTONDOWN_API_KEY",
            "api_url": "https://api.buttondown.com/v1",
            "timeout": 60,
        },
        "mailchimp": {
            "api_key_env": "MAILCHIMP_API_KEY",
            # The audience ID (Audience -> Settings -> Audience name and defaults).
            "audience": "",
            # Empty: https://<dc>.api.mailchimp.com/3.0, <dc> from the key's suffix.
            "api_url": "",
            "timeout": 60,
        },
    },
}


def json_object_from_env(name: str, example: str) -> dict:
    """The environment variable `name` as a JSON object ({} when unset or empty);
    anything else stops every command that reads the settings, with a message
    naming the variable and showing `example`."""
    try:
        value = json.loads(os.environ.get(name) or "{}")
    except json.JSONDecodeError as error:
        raise SystemExit(
            f"The {name} environment variable is not valid JSON ({error.msg} at character "
            f"{error.pos}). Fix: write it like {name}='{example}' (double "
            "quotes inside single quotes), or unset it"
        ) from None
    if not isinstance(value, dict):
        raise SystemExit(
            f"The {name} environment variable must be a JSON object, like {example}. "
            "Fix: put the settings in braces, or unset it"
        )
    return value


# The DIGEST_SEND environment variable (JSON) overrides keys of DIGEST["send"],
# e.g. DIGEST_SEND='{"backend": "smtp"}' for one run.
DIGEST["send"].update(json_object_from_env("DIGEST_SEND", '{"backend": "smtp"}'))
