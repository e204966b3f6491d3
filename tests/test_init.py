"""`invoke init`, the first command of a new site, run as the coach runs it (in a
terminal, or with options from a script) in a copy of the project; then the
newsletter and the site are made from its answers without another edit."""

from __future__ import annotations

import email
import email.policy
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import parse, run_invoke

SAMPLE_TITLES = [
    "Coaching or Therapy: Which Support Fits Now?",
    "Goals That Reflect Who You Are",
    "Meeting Your Inner Critic with Curiosity",
    "Setting an Intention for Each Session",
    "Small Steps Between Sessions",
    "When a Part of You Resists the Action You Chose",
]
OPTIONS = [
    "--site-name",
    "Sam Lee Coaching",
    "--author",
    "Sam Lee",
    "--site-url",
    "https://samlee.coach/",
    "--sender",
    "sam@samlee.coach",
    "--newsletter-provider",
    "buttondown",
    "--buttondown-username",
    "samlee",
    "--contact-provider",
    "formspree",
    "--formspree-id",
    "xqkzabcd",
]
# Every command here uses site.toml's address, as the coach's terminal does.
ENV = {name: value for name, value in os.environ.items() if name not in ("SITEURL", "DEPLOY")}


def init(project: Path, *args: str, answers: str | None = None):
    """`invoke init` with standard input not a terminal: `answers` piped, or none."""
    stdin = {"input": answers} if answers is not None else {"stdin": subprocess.DEVNULL}
    return run_invoke(project, "init", *args, env=ENV, **stdin)


def files(project: Path) -> dict[str, bytes]:
    """site.toml and every content file, by path."""
    found = {"site.toml": (project / "site.toml").read_bytes()}
    for path in sorted((project / "content").rglob("*")):
        if path.is_file():
            found[path.relative_to(project).as_posix()] = path.read_bytes()
    return found


def site_toml(project: Path) -> dict:
    return tomllib.loads((project / "site.toml").read_text(encoding="utf-8"))


def publish_own_article(project: Path, title: str) -> None:
    made = run_invoke(project, "new", title, env=ENV)
    assert made.returncode == 0, made.stderr
    path = project / made.stdout.strip()
    text = path.read_text(encoding="utf-8").replace("Status: draft", "Status: published")
    lines = [
        "Summary: A first note from Sam." if line.startswith("Summary:") else line
        for line in text.splitlines()
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def composed_issue(project: Path) -> email.message.EmailMessage:
    eml = (project / "newsletter-issue/message.eml").read_bytes()
    return email.message_from_bytes(eml, policy=email.policy.default)


def test_init_with_options_sets_up_a_site_whose_digest_and_publish_need_no_edit(
    project_copy, tmp_path
):
    result = init(project_copy, *OPTIONS)

    assert result.returncode == 0, result.stderr
    site = site_toml(project_copy)
    assert (site["name"], site["author"]) == ("Sam Lee Coaching", "Sam Lee")
    assert site["address"] == "https://samlee.coach", "the / at the end is dropped"
    assert site["sender"] == "Sam Lee <sam@samlee.coach>", "a bare address takes the name"
    assert site["newsletter"] == {"provider": "buttondown", "username": "samlee"}
    assert site["contact"] == {"provider": "formspree", "form_id": "xqkzabcd"}
    assert not list((project_copy / "content/articles").glob("*.md")), "samples removed"
    about = (project_copy / "content/pages/about.md").read_text(encoding="utf-8")
    assert "rewrite this page in your own words" in about
    assert "Sam Lee" in about and "Jordan" not in about
    assert "Removed the 7 sample articles from content/articles (`git checkout" in result.stdout

    nothing = run_invoke(project_copy, "digest", env=ENV)
    assert nothing.returncode == 0, nothing.stderr
    assert "Nothing to send yet: no article of yours is published." in nothing.stdout
    assert not (project_copy / "newsletter-issue").exists()

    publish_own_article(project_copy, "A First Note")
    composed = run_invoke(project_copy, "digest", env=ENV)
    assert composed.returncode == 0, composed.stderr
    message = composed_issue(project_copy)
    assert message["Subject"] == "Sam Lee Coaching #1: A First Note"
    assert message["From"] == "Sam Lee <sam@samlee.coach>"
    html = message.get_body(("html",)).get_content()
    assert "https://samlee.coach/a-first-note/" in html
    assert not [title for title in SAMPLE_TITLES if title in html], "only the coach's own"

    if not shutil.which("rsync"):
        pytest.skip("rsync is not installed (the publish half of this test)")
    target = tmp_path / "www"
    target.mkdir()
    env = {**ENV, "DEPLOY": f'{{"method": "rsync", "target": "{target}/"}}'}
    published = run_invoke(project_copy, "publish", env=env)
    assert published.returncode == 0, published.stderr
    index = parse(target / "index.html")
    assert index.xpath("string(//title)").startswith("Sam Lee Coaching")
    assert "Sam Lee" in index.xpath("string(//footer)")
    assert index.xpath("//link[@rel='canonical']/@href") == ["https://samlee.coach/"]
    assert "https://formspree.io/f/xqkzabcd" in (target / "contact/index.html").read_text()
    for page in ("index.html", "about/index.html", "a-first-note/index.html"):
        assert "Jordan" not in (target / page).read_text(encoding="utf-8"), page
    about = parse(target / "about/index.html").xpath("string(//main)")
    assert "Hi, I\u2019m Sam Lee." in about
    assert "rewrite this page" not in about, "the mark is for the coach, not for readers"


def test_every_answer_given_as_an_option_asks_nothing_even_in_a_terminal(project_copy):
    status, shown = in_terminal(project_copy, [], *OPTIONS)
    assert status == 0, shown
    assert "?" not in shown and "[" not in shown, "no question was asked"
    assert "Removed the 7 sample articles" in shown
    assert site_toml(project_copy)["author"] == "Sam Lee"


def test_another_form_service_takes_its_own_ids_and_leaves_none_of_the_old(project_copy):
    pasted = "https://samlee.us6.list-manage.com/subscribe/post?u=a1b2c3&amp;id=d4e5f6"
    options = list(OPTIONS)
    options[options.index("buttondown")] = "mailchimp"
    options[options.index("--buttondown-username") : options.index("--contact-provider")] = [
        "--mailchimp-action",
        pasted,
    ]
    result = init(project_copy, *options)
    assert result.returncode == 0, result.stderr
    assert site_toml(project_copy)["newsletter"] == {
        "provider": "mailchimp",
        "action": "https://samlee.us6.list-manage.com/subscribe/post?u=a1b2c3&id=d4e5f6",
    }, "the pasted &amp; undone, the Buttondown username gone"
    built = run_invoke(project_copy, "build", env=ENV)
    assert built.returncode == 0, built.stderr
    form = parse(project_copy / "output/newsletter/index.html").xpath("//form[@method='post']")
    assert form[0].get("action").startswith("https://samlee.us6.list-manage.com/")


def test_a_second_run_changes_only_what_was_answered_differently(project_copy):
    assert init(project_copy, *OPTIONS).returncode == 0
    before = files(project_copy)

    again = init(project_copy, *OPTIONS)
    assert again.returncode == 0, again.stderr
    assert "Nothing changed: site.toml already holds these answers." in again.stdout
    assert files(project_copy) == before

    quiet = init(project_copy)  # no options, nothing piped: every current value kept
    assert quiet.returncode == 0, quiet.stderr
    assert files(project_copy) == before

    renamed = init(project_copy, "--site-name", "Sam Lee, Life Coach")
    assert renamed.returncode == 0, renamed.stderr
    after = files(project_copy)
    assert [path for path in after if after[path] != before[path]] == ["site.toml"]
    old_lines = before["site.toml"].decode().splitlines()
    new_lines = after["site.toml"].decode().splitlines()
    changed = [(old, new) for old, new in zip(old_lines, new_lines, strict=True) if old != new]
    assert changed == [('name = "Sam Lee Coaching"', 'name = "Sam Lee, Life Coach"')]


@pytest.mark.parametrize(
    "option, value, says",
    [
        ("--site-url", "http://samlee.coach", "starts with http://"),
        ("--site-url", "https://www.example.org", "www.example.org is reserved for examples"),
        ("--site-url", "https://coach.example.net/blog", "reserved for examples"),
        ("--sender", "Sam <sam@example.com>", "example.com is reserved for examples"),
        ("--sender", "sam at samlee", "is not an email address"),
        ("--site-name", "   ", "The site's name is empty"),
        ("--author", "", "The coach's name is empty"),
        ("--formspree-id", "your-formspree-id", "the example the project ships with"),
        ("--newsletter-provider", "substack", "is not one of the newsletter form services"),
    ],
)
def test_a_refused_option_says_the_fix_and_writes_nothing(project_copy, option, value, says):
    before = files(project_copy)
    options = list(OPTIONS)
    options[options.index(option) + 1] = value

    result = init(project_copy, *options)

    assert result.returncode == 1
    assert result.stderr.startswith(f"{option}: ")
    assert says in result.stderr and "Fix: " in result.stderr
    assert result.stderr.rstrip().endswith("Nothing was written.")
    assert "Traceback" not in result.stderr
    assert files(project_copy) == before


def test_piped_answers_are_asked_again_and_an_unanswered_placeholder_stops(project_copy):
    """Answers piped in, one a line: a refused one is asked again with the next
    line; when the lines run out, a placeholder still there stops init."""
    before = files(project_copy)
    result = init(project_copy, answers="My Site\nSam\nhttp://my.site\n")
    assert result.returncode == 1
    assert "starts with http://" in result.stdout, "refused, then asked again"
    assert result.stderr.startswith("The site's public address: ")
    assert "Give it with --site-url. Nothing was written." in result.stderr
    assert files(project_copy) == before


def in_terminal(project: Path, dialogue: list[tuple[str, str]], *args: str) -> tuple[int, str]:
    """Run `invoke init` in a pseudo-terminal: wait for each prompt, type the
    answer. Returns the exit status and everything the terminal showed."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "invoke", "init", *args],
        cwd=project,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=ENV,
    )
    os.close(secondary)
    shown = ""

    def read_until(text: str) -> None:
        nonlocal shown
        start = len(shown)
        while text not in shown[start:]:
            ready, _, _ = select.select([primary], [], [], 60)
            assert ready, f"no {text!r} on the terminal; it shows:\n{shown}"
            try:
                shown += os.read(primary, 4096).decode()
            except OSError:  # the program ended
                raise AssertionError(f"no {text!r}; the terminal shows:\n{shown}") from None

    try:
        for prompt, typed in dialogue:
            read_until(prompt)
            os.write(primary, (typed + "\n").encode())
        while True:
            ready, _, _ = select.select([primary], [], [], 60)
            chunk = os.read(primary, 4096) if ready else b""
            if not chunk:
                break
            shown += chunk.decode()
    except OSError:  # the program ended and closed the terminal
        pass
    finally:
        os.close(primary)
    return process.wait(timeout=60), shown


def test_init_in_a_terminal_asks_one_question_at_a_time_and_asks_again_after_a_refusal(
    project_copy,
):
    status, shown = in_terminal(
        project_copy,
        [
            ("The site's name [Parts & Purpose Coaching]: ", "Sam Lee Coaching"),
            ("as the articles' author [Jordan Avery]: ", "Sam Lee"),
            ("The site's public address (like ", "http://samlee.coach"),
            ("Fix: write it with https://, like https://samlee.coach", "https://www.example.com"),
            ("www.example.com is reserved for examples", "samlee.github.io/coaching"),
            ("(like Sam Lee <hello@your-domain.com>): ", "Sam Lee <sam@example.net>"),
            ("example.net is reserved for examples", "Sam Lee <sam@samlee.coach>"),
            ("(buttondown, mailchimp, kit, mailerlite, custom) [buttondown]: ", ""),
            ("Your Buttondown username (like ", "samlee"),
            ("(formspree, netlify, basin, custom) [formspree]: ", "netlify"),
            ("(The sample pages stay, marked for editing.) [Y/n]: ", "n"),
        ],
    )

    assert status == 0, shown
    assert "Traceback" not in shown
    site = site_toml(project_copy)
    assert site["address"] == "https://samlee.github.io/coaching", "https:// added"
    assert site["sender"] == "Sam Lee <sam@samlee.coach>"
    assert site["contact"] == {"provider": "netlify"}, "the Formspree id is not left over"
    assert len(list((project_copy / "content/articles").glob("*.md"))) == 7, "kept"
    assert "they go in no newsletter issue" in shown

    publish_own_article(project_copy, "A First Note")
    result = run_invoke(project_copy, "digest", env=ENV)
    assert result.returncode == 0, result.stderr
    message = composed_issue(project_copy)
    assert message["Subject"] == "Sam Lee Coaching #1: A First Note"
    html = message.get_body(("html",)).get_content()
    assert "https://samlee.github.io/coaching/a-first-note/" in html
    assert not [title for title in SAMPLE_TITLES if title in html], "kept samples stay out"

    # Sent and recorded: the kept samples stay out of the next issue too.
    recorded = run_invoke(project_copy, "digest", "--mark-sent", env=ENV)
    assert recorded.returncode == 0, recorded.stderr
    record = json.loads((project_copy / "content/newsletter/issues.json").read_text())
    assert [issue["number"] for issue in record["issues"]] == [1]
    assert len(record["never_mail"]) == 7
    again = run_invoke(project_copy, "digest", env=ENV)
    assert "Nothing new since the last issue" in again.stdout

    # Asked again, the kept samples' answer is the default: Enter keeps them.
    status, shown = in_terminal(
        project_copy,
        [("[Sam Lee Coaching]: ", "")]
        + [(": ", "")] * 6
        + [
            ("Remove the 7 sample articles? (The sample pages stay, marked for editing.) [y/N]", "")
        ],
    )
    assert status == 0, shown
    assert "Nothing changed" in shown
    assert len(list((project_copy / "content/articles").glob("*.md"))) == 8


def test_the_sample_history_of_the_newsletter_goes_with_the_samples(project_copy):
    """A record whose issues carried only sample articles is the sample site's
    history: removing the samples empties it, so the coach's first issue is #1."""
    record = project_copy / "content/newsletter/issues.json"
    record.write_text(
        '{"issues": [{"number": 1, "date": "2026-10-01T09:00:00-04:00", "subject": "Parts '
        '& Purpose Coaching #1: Small Steps Between Sessions", "articles": '
        '["2026-09-08-small-steps-after-a-session"]}]}\n'
    )
    result = init(project_copy, *OPTIONS)
    assert result.returncode == 0, result.stderr
    assert "Emptied the sample newsletter history in content/newsletter/issues.json." in (
        result.stdout
    )
    publish_own_article(project_copy, "A First Note")
    assert run_invoke(project_copy, "digest", env=ENV).returncode == 0
    assert composed_issue(project_copy)["Subject"] == "Sam Lee Coaching #1: A First Note"


@pytest.mark.parametrize(
    "edit, says",
    [
        (
            ('author = "Jordan Avery"', 'author = "Jordan Avery'),
            "the text has no closing double quote",
        ),
        (
            ('author = "Jordan Avery"', "author = Jordan Avery"),
            "the value is not between double quotes",
        ),
    ],
)
@pytest.mark.parametrize("command", ["build", "digest", "init"])
def test_a_broken_site_file_is_named_with_its_line_and_the_fix(project_copy, command, edit, says):
    site = project_copy / "site.toml"
    site.write_text(site.read_text(encoding="utf-8").replace(*edit), encoding="utf-8")
    line = next(
        number
        for number, text in enumerate(site.read_text().splitlines(), 1)
        if text.startswith("author")
    )
    before = files(project_copy)
    result = run_invoke(project_copy, command, env=ENV, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert result.stderr.startswith(f"site.toml:{line}: {says}. Fix: ")
    assert "`git diff site.toml` shows it" in result.stderr
    assert "Traceback" not in result.stderr
    assert files(project_copy) == before
    assert not (project_copy / "output").exists()


@pytest.mark.parametrize(
    "line, says",
    [
        (
            'address = "https://coach.example.org"',
            "SITEURL, the public address of the site, is https://coach.example.org, an "
            "address reserved for examples,",
        ),
        (
            'sender = "Sam <sam@mail.example.net>"',
            "site.toml: sender is 'Sam <sam@mail.example.net>'",
        ),
    ],
)
def test_an_example_address_written_by_hand_stops_the_digest(project_copy, line, says):
    """What init refuses, a hand edit of site.toml cannot slip past the digest."""
    assert init(project_copy, *OPTIONS).returncode == 0
    publish_own_article(project_copy, "A First Note")
    site = project_copy / "site.toml"
    key = line.split(" = ")[0]
    lines = site.read_text(encoding="utf-8").splitlines()
    site.write_text("\n".join(line if x.startswith(key + " =") else x for x in lines) + "\n")
    result = run_invoke(project_copy, "digest", env=ENV)
    assert result.returncode == 1
    assert result.stderr.startswith(says), result.stderr
    assert "invoke init" in result.stderr and "Traceback" not in result.stderr
    assert not (project_copy / "newsletter-issue").exists()


def test_a_sender_name_with_a_comma_reaches_the_email_whole(project_copy):
    options = list(OPTIONS)
    options[options.index("--sender") + 1] = "Sam Lee, PhD <sam@samlee.coach>"
    assert init(project_copy, *options).returncode == 0
    assert init(project_copy, *options).stdout.startswith("Nothing changed"), "idempotent"
    publish_own_article(project_copy, "A First Note")
    assert run_invoke(project_copy, "digest", env=ENV).returncode == 0
    sender = composed_issue(project_copy)["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("Sam Lee, PhD", "sam@samlee.coach")


@pytest.mark.parametrize(
    "option, pasted, key, kept",
    [
        ("--formspree-id", "https://formspree.io/f/xqkzabcd", ("contact", "form_id"), "xqkzabcd"),
        (
            "--buttondown-username",
            "https://buttondown.com/samlee/",
            ("newsletter", "username"),
            "samlee",
        ),
    ],
)
def test_a_pasted_service_address_gives_its_id(project_copy, option, pasted, key, kept):
    options = list(OPTIONS)
    options[options.index(option) + 1] = pasted
    result = init(project_copy, *options)
    assert result.returncode == 0, result.stderr
    assert site_toml(project_copy)[key[0]][key[1]] == kept


@pytest.mark.parametrize(
    "provider, action, field",
    [
        ("kit", "https://app.kit.com/forms/5551234/subscriptions", "email_address"),
        (
            "mailerlite",
            "https://assets.mailerlite.com/jsonp/123456/forms/98765432101234567/subscribe",
            "fields[email]",
        ),
    ],
)
def test_kit_and_mailerlite_take_their_embed_forms_address(project_copy, provider, action, field):
    options = list(OPTIONS)
    at = options.index("--newsletter-provider")
    options[at + 1 : at + 4] = [provider, f"--{provider}-action", action]
    result = init(project_copy, *options)
    assert result.returncode == 0, result.stderr
    assert site_toml(project_copy)["newsletter"] == {"provider": provider, "action": action}
    built = run_invoke(project_copy, "build", env=ENV)
    assert built.returncode == 0, built.stdout + built.stderr
    form = parse(project_copy / "output/index.html").find(".//form[@action]")
    assert form.get("action") == action
    assert form.find(f".//input[@name='{field}']") is not None
