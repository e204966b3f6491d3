"""The coach's commands. `invoke --list` shows them, `invoke --help NAME` explains one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))
import site_init  # noqa: E402 (the questions of `invoke init`, which make its options)

DEV_SETTINGS = "pelicanconf.py"
PUBLISH_SETTINGS = "publishconf.py"
OUTPUT = "output"
WATCHED = ["content", "theme", "plugins", DEV_SETTINGS, PUBLISH_SETTINGS, "site.toml"]
DEPLOY_HELP = """\
Nothing to publish to: set DEPLOY in publishconf.py (or the DEPLOY environment
variable, as JSON) to one of
  {"method": "github-pages", "remote": "origin", "branch": "gh-pages"}
  {"method": "rsync", "target": "user@host:/var/www/site/"}
then run `invoke publish` again. Nothing was built or sent."""
SITEURL_HELP = """\
SITEURL, the public address of the site, is {state},
so {what} would not lead to it. Fix: run `invoke init` (it writes your address in
site.toml), or set it for one command, like `SITEURL=https://your-domain invoke {command}`
(for GitHub Actions: the repository variable SITEURL, under Settings, Secrets and
variables, Actions, Variables; on Netlify or Cloudflare Pages: the environment
variable SITEURL in the site's settings). Nothing was built or sent."""
SENDER_HELP = """\
site.toml: sender is {sender!r}: {domain} is reserved for examples, so
replies would reach no one and many mail servers refuse mail from it. Fix: run
`invoke init` and give your own sending address, like "Your Name <you@your-domain>",
then run `invoke {command}` again. Nothing was built or sent."""

FORMS_HELP = """\
site.toml: {settings}: still the example the project ships with, so the
deployed site's forms would send what people type to no one. Fix: run `invoke init`
and give your own account's ids (docs/forms.md), commit, and publish again.
Nothing was built or sent."""


def _settings(settings_file: str, **overrides) -> dict:
    from pelican.settings import read_settings

    return read_settings(str(ROOT / settings_file), override=overrides)


def _pelican(settings_file: str, output: str = OUTPUT, debug: bool = False) -> None:
    """Build in this process; content problems end it with exit status 1.

    A build that starts from an empty output folder (DELETE_OUTPUT_DIRECTORY,
    publishconf.py) is made in a folder beside it, which takes its place only
    once the build succeeded: a failed build leaves the last good site, and a
    good one holds exactly its own files."""
    from pelican import main as pelican_main

    os.chdir(ROOT)
    aside = _settings(settings_file)["DELETE_OUTPUT_DIRECTORY"]
    building = f"{output}.building" if aside else output
    args = [
        "content",
        "-s",
        settings_file,
        "-o",
        building,
        "--fatal",
        "warnings",
    ]
    try:
        pelican_main(args + (["--debug"] if debug else []))
    except BaseException:  # a content problem ends it with SystemExit
        if aside:
            shutil.rmtree(building, ignore_errors=True)
        raise
    if aside:
        shutil.rmtree(output, ignore_errors=True)
        os.replace(building, output)
    _drop_other_caches(settings_file)


def _drop_other_caches(settings_file: str) -> None:
    """Remove the caches of other code or settings (cache/ holds one folder per
    version of them, see CACHE_PATH): after a change nothing reads them again,
    and CI would carry them from run to run."""
    current = Path(_settings(settings_file)["CACHE_PATH"]).resolve()
    caches = ROOT / "cache"
    if current.parent != caches:
        return
    for folder in caches.iterdir():
        if folder.is_dir() and folder != current:
            shutil.rmtree(folder, ignore_errors=True)


@task(help={"debug": "show Pelican's full log, to find the cause of an odd problem"})
def build(c, debug=False):
    """Build the site into output/ with the writing settings (drafts included)."""
    _pelican(DEV_SETTINGS, debug=debug)


PREVIEW_DONE = """\
output/ holds the site as it will be published at {address}. Its pages load their
styles and links from that address, so opened from the disk they look unstyled.
To look at it: `invoke serve --publish`, then open http://localhost:8000"""

# Set by the hosts that deploy whatever `invoke preview` builds (their documented
# build variables): there, preview is the deploy and refuses what publish refuses.
DEPLOYING_HOSTS = {"NETLIFY": "true", "CF_PAGES": "1"}


@task
def preview(c):
    """Build the site into output/ exactly as it will be published."""
    settings = _settings(PUBLISH_SETTINGS)
    if any(os.environ.get(name) == value for name, value in DEPLOYING_HOSTS.items()):
        _refuse_placeholders(settings["SITEURL"], settings, "preview")
    _pelican(PUBLISH_SETTINGS)
    print(PREVIEW_DONE.format(address=settings["SITEURL"] or "its address"))


@task(
    help={
        "port": "port to serve on (default 8000)",
        "host": "address (default localhost)",
        "publish": "serve the site as `invoke preview` builds it (publish settings, no drafts)",
    }
)
def serve(c, port=8000, host="localhost", publish=False):
    """Build, serve on http://localhost:8000 and rebuild + reload the browser on every change."""
    from preview_server import PortInUse
    from preview_server import serve as preview

    command = ["serve", "--port", str(port), "--host", host] + (["--publish"] if publish else [])

    def restart() -> None:
        # Plugin code is imported once per process; a fresh process loads the change.
        print("Plugin code changed: restarting the server.", file=sys.stderr, flush=True)
        os.execv(sys.executable, [sys.executable, "-m", "invoke", *command])

    os.chdir(ROOT)
    try:
        preview(
            settings_file=PUBLISH_SETTINGS if publish else DEV_SETTINGS,
            output=str(ROOT / OUTPUT),
            watched=[str(ROOT / path) for path in WATCHED],
            host=host,
            port=int(port),
            on_code_change=restart,
            code_folder=str(ROOT / "plugins"),
            # The publish build's addresses lead here instead of to the public site.
            overrides={"SITEURL": f"http://{host}:{port}"} if publish else None,
        )
    except PortInUse:
        other = f"invoke serve --port {int(port) + 1}" + (" --publish" if publish else "")
        raise Exit(
            f"Port {port} is already in use (perhaps by another `invoke serve`, at "
            f"http://{host}:{port}/). Fix: stop that one with Ctrl+C, or pick another "
            f"port: {other}",
            1,
        ) from None


@task(help=site_init.option_help(), auto_shortflags=False)
@site_init.with_question_options
def init(c, **answers):
    """Set up a new site: its name, your name, its address, the sender and the forms."""
    os.chdir(ROOT)
    site_init.run_init(ROOT, _settings(DEV_SETTINGS), answers)


@task(help={"title": "the article's title, in quotes"})
def new(c, title):
    """Start a draft: content/articles/<slug>.md with every header line filled in."""
    from content_check.characters import (
        control_characters,
        describe_character,
        kind_of_character,
    )
    from content_check.names import has_letters_or_digits, slug_of
    from content_check.schema import SUMMARY_PLACEHOLDER, article_id
    from scheduling.times import as_written

    settings = _settings(DEV_SETTINGS)
    safe_title = " ".join(title.split())
    hidden = control_characters(safe_title, one_line=True)
    if hidden:
        column, char = hidden[0]
        raise Exit(
            f"The title holds an invisible {kind_of_character(char)} "
            f"({describe_character(char)}, character {column}); "
            "type it again without pasting. Nothing was written.",
            1,
        )
    slug = _short_slug(slug_of(safe_title, settings))
    if not has_letters_or_digits(slug):
        raise Exit('Give the article a title with letters or digits: invoke new "My title"', 1)
    path = ROOT / settings["PATH"] / settings["ARTICLE_PATHS"][0] / f"{slug}.md"
    if path.exists():
        raise Exit(f"{path.relative_to(ROOT)} already exists; edit it, or choose another title.", 1)
    now = datetime.now(ZoneInfo(settings["TIMEZONE"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"Title: {safe_title}\n"
        f"Date: {as_written(now)}\n"
        f"Id: {article_id(now, slug)}\n"
        "Status: draft\n"
        f"Category: {settings['DEFAULT_CATEGORY']}\n"
        "Tags: coaching\n"
        f"Summary: {SUMMARY_PLACEHOLDER}\n"
        "\n"
        "Write the article here. When it is ready, change `Status: draft` to\n"
        "`Status: published`, write the summary, and commit.\n",
        encoding="utf-8",
    )
    print(path.relative_to(ROOT))


def _short_slug(slug: str, limit: int = 80) -> str:
    """A long title's address, cut after a whole word: the file name and the web
    address stay readable and within every file system's limit."""
    if len(slug) <= limit:
        return slug
    return slug[: limit + 1].rsplit("-", 1)[0] or slug[:limit]


@task(help={"content": "content folder to check (default content/)"})
def check(c, content=None):
    """Check all content without building and list every problem at once."""
    from content_check import collect_problems, read_site, report, waiting_list

    os.chdir(ROOT)
    if content and not os.path.isdir(content):
        raise Exit(
            f"--content {content}: there is no folder there. Fix: give the folder that holds "
            "articles/ and pages/, like `invoke check --content content`",
            1,
        )
    overrides = {"PATH": os.path.abspath(content)} if content else {}
    # Links written with the public address are checked too (a link to a scheduled article).
    overrides["PUBLISH_SITEURL"] = _settings(PUBLISH_SETTINGS)["SITEURL"]
    settings = _settings(DEV_SETTINGS, **overrides)
    generators = read_site(settings)
    problems = collect_problems(generators, settings)
    if problems:
        raise Exit(report(problems) + "\n" + waiting_list(generators), 1)
    print("All content is fine.")
    print(waiting_list(generators))


@task
def publish(c):
    """Build with the publish settings and deploy to the target set in publishconf.py."""
    settings = _settings(PUBLISH_SETTINGS)
    deploy = settings.get("DEPLOY") or {}
    method = deploy.get("method")
    if method == "github-pages":
        deploy_with = _to_github_pages
    elif method == "rsync" and deploy.get("target"):
        if not shutil.which("rsync"):
            raise Exit("rsync is not installed; install it (apt-get install rsync).", 1)
        deploy_with = _to_rsync
    else:
        raise Exit(DEPLOY_HELP, 1)
    _refuse_placeholders(settings["SITEURL"], settings, "publish")
    _pelican(PUBLISH_SETTINGS)
    deploy_with(deploy)


def _refuse_placeholders(address: str, settings: dict, command: str) -> None:
    """A site deployed without its public address sends readers, feeds and
    search engines to the placeholder (or nowhere); one deployed with the
    example form settings loses what people type into its forms."""
    from forms import placeholder_settings

    _refuse_placeholder_address(address, settings, command, "the links, feeds and sitemap")
    examples = placeholder_settings(settings)
    if examples:
        raise Exit(FORMS_HELP.format(settings="; ".join(examples)), 1)


def _refuse_newsletter_placeholders(settings: dict, command: str) -> None:
    """An issue composed without the public address links to nowhere (and would
    be recorded as sent all the same); one from the example sender bounces."""
    from email.utils import parseaddr

    _refuse_placeholder_address(settings["SITEURL"], settings, command, "the email's links")
    sender = settings["DIGEST"]["from"]
    domain = parseaddr(sender)[1].rpartition("@")[2].lower()
    if site_init.is_example_domain(domain):
        raise Exit(SENDER_HELP.format(sender=sender, domain=domain, command=command), 1)


def _refuse_placeholder_address(address: str, settings: dict, command: str, what: str) -> None:
    from urllib.parse import urlsplit

    placeholder = settings["PLACEHOLDER_SITEURL"]
    if address.rstrip("/") in ("", placeholder):
        state = f"still the placeholder {placeholder}" if address else "not set"
        raise Exit(SITEURL_HELP.format(state=state, what=what, command=command), 1)
    if site_init.is_example_domain(urlsplit(address).hostname or ""):
        state = f"{address}, an address reserved for examples"
        raise Exit(SITEURL_HELP.format(state=state, what=what, command=command), 1)


def _to_github_pages(deploy: dict) -> None:
    from ghp_import import GhpError, ghp_import

    remote, branch = deploy.get("remote", "origin"), deploy.get("branch", "gh-pages")
    try:
        ghp_import(
            str(ROOT / OUTPUT),
            mesg="Publish the site",
            remote=remote,
            branch=branch,
            push=True,
            force=True,
            nojekyll=True,
        )
    except (GhpError, subprocess.CalledProcessError) as error:
        raise Exit(f"Could not push output/ to {remote} {branch}: {error}", 1) from error
    print(f"Published output/ to branch {branch} of {remote}.")


def _to_rsync(deploy: dict) -> None:
    target = deploy["target"]
    result = subprocess.run(["rsync", "-rlptz", "--delete", f"{ROOT / OUTPUT}/", target])
    if result.returncode:
        raise Exit(f"rsync to {target} failed (exit {result.returncode}); see above.", 1)
    print(f"Published output/ to {target}.")


@task(
    help={
        "out": "folder for the composed issue (default: DIGEST['out'] in pelicanconf.py)",
        "mark_sent": "record the issue composed in that folder as sent",
        "note": "a Markdown file with your note to open the issue: copied to "
        "content/newsletter/notes/<issue number>.md, where you can also write it",
    }
)
def digest(c, out=None, mark_sent=False, note=None):
    """Compose the next newsletter issue of what is new (or record it as sent)."""
    from digest import record_path
    from digest.record import SentIssue, carried_ids, load_record, save_record
    from digest.sending.run import waiting_in_ledger
    from digest.stored_issue import read_manifest

    os.chdir(ROOT)
    settings = _settings(PUBLISH_SETTINGS)
    folder = os.path.abspath(out or settings["DIGEST"]["out"])
    record = record_path(settings)
    issues = load_record(record)
    now = datetime.now(ZoneInfo(settings["TIMEZONE"])).replace(microsecond=0)

    if mark_sent and note:
        raise Exit(
            "--note opens an issue being composed; --mark-sent records one already sent, "
            "so nothing was done. Fix: run `invoke digest --note FILE` to compose with your "
            "note, or `invoke digest --mark-sent` alone",
            1,
        )
    if mark_sent:
        from digest.of_now import RECORDS, composed_for_later, future_moment_problem

        problem = future_moment_problem(settings, "digest --mark-sent", RECORDS)
        if problem:
            raise Exit(problem, 1)
        out_option = f" --out {out}" if out else ""
        composed = read_manifest(folder, f"digest --mark-sent{out_option}", f"digest{out_option}")
        if composed is None:
            raise Exit(f"No composed issue in {folder}: run `invoke digest` first.", 1)
        later = composed_for_later(composed)
        if later:
            raise Exit(
                f"The issue in {folder} was composed for {later} (BUILD_MOMENT), which has not "
                "come yet: it carries articles that are not live, and recording it would keep "
                "them out of every later issue. Nothing was recorded. Fix: run `invoke digest` "
                "to compose the issue of now, send that, then run `invoke digest --mark-sent`",
                1,
            )
        number = len(issues) + 1
        if composed["number"] != number or carried_ids(issues) & set(composed["articles"]):
            raise Exit(
                f"The issue in {folder} (#{composed['number']}) is already recorded as sent. "
                "Run `invoke digest` to compose the next one.",
                1,
            )
        waiting = waiting_in_ledger(settings, number)
        if waiting:
            raise Exit(
                f"Issue #{number} is being sent by `invoke send-digest`: {waiting} subscribers "
                "have not got it yet, so it is not recorded as sent. Fix: run `invoke "
                "send-digest` to send it to them (it records the issue once they have it); "
                "--mark-sent is for an issue you sent yourself",
                1,
            )
        issues.append(
            SentIssue(number, now.isoformat(), composed["subject"], tuple(composed["articles"]))
        )
        save_record(record, issues)
        print(f"Recorded issue #{number} as sent in {os.path.relpath(record)}; commit that file.")
        return

    _refuse_to_write_over(folder, out)
    if note:
        from digest.note import copy_note

        # Into the content folder, so `invoke send-digest` composes the same issue.
        kept = copy_note(note, settings, len(issues) + 1)
        print(f"Your note opens issue #{len(issues) + 1}: {kept} (commit it with the issue).")
    _compose(settings, folder, issues, now)


def _refuse_to_write_over(folder: str, out: str | None) -> None:
    """The issue's folder is new, empty or an issue composed before: never a
    file (README.md) or a folder of other things, whose files it would replace."""
    from digest.compose import MANIFEST

    if not os.path.lexists(folder) or (os.path.isdir(folder) and not os.listdir(folder)):
        return
    if os.path.isdir(folder) and os.path.isfile(os.path.join(folder, MANIFEST)):
        return
    what = "a folder of other files" if os.path.isdir(folder) else "a file"
    raise Exit(
        f"--out {out or folder}: {what}, not a composed issue, so the issue was not written "
        "over it. Fix: give a new folder, like `invoke digest --out newsletter-issue`",
        1,
    )


def _compose(settings: dict, folder: str, issues: list, now: datetime) -> None:
    """Compose the next issue of what is new into `folder` (or say there is nothing new)."""
    from digest.compose import MANIFEST, issue_lines, write_issue
    from digest.of_now import composed_for_later
    from digest.stored_issue import keep_if_damaged

    issue = _next_issue(settings, issues, now)
    if issue is None and not issues:
        print(
            "Nothing to send yet: no article of yours is published. Write one with "
            '`invoke new "My title"`, publish it, then run `invoke digest` again.'
        )
        return
    if issue is None:
        print("Nothing new since the last issue: no issue composed.")
        return
    damaged = keep_if_damaged(folder)
    if damaged:  # the coach's hand edit is kept, though it could not be read
        print(
            f"{os.path.relpath(os.path.join(folder, MANIFEST))} could not be read: a copy is kept "
            f"in {os.path.relpath(damaged)}, and the issue composed now replaces it."
        )
    write_issue(issue, folder, now)
    print("\n".join(issue_lines(issue)))
    later = composed_for_later({"moment": issue.moment})
    if later:
        print(
            f"Note: composed for {later} (BUILD_MOMENT), later than now: a preview. "
            "`invoke send-digest` sends only the issue of its own moment."
        )
    print(f"Written to {folder}: message.eml, email.html, email.txt")


def _next_issue(settings: dict, issues: list, now: datetime):
    """The next issue as the content, clock and settings of this run make it
    (None when nothing is new); nothing is written."""
    _refuse_newsletter_placeholders(settings, "digest")
    from content_check import collect_problems, read_site, report
    from digest import record_path
    from digest.compose import compose_issue
    from digest.record import never_mailed, new_articles
    from scheduling import build_moment

    generators = read_site(settings)
    problems = collect_problems(generators, settings)
    if problems:
        raise Exit(report(problems), 1)
    # Pictures as the published site has them (their sizes' names come from their
    # content, so the live site holds the same files): never the original in an email.
    from pictures import picture_items

    picture_items(generators)
    articles = next(g for g in generators if type(g).__name__ == "ArticlesGenerator").articles
    # What is new is what the site shows at this build's moment (BUILD_MOMENT or the clock).
    moment = build_moment(settings)
    kept_out = never_mailed(record_path(settings))
    fresh = new_articles(articles, issues, moment, kept_out)
    if not fresh:
        return None
    return compose_issue(fresh, len(issues) + 1, settings, now, moment)


@task(help={"quick": "skip the 5,000 articles", "runs": "runs of each build (default 3)"})
def bench(c, quick=False, runs=3):
    """Measure build time against bare Pelican and a serial build, memory, identical
    output, page weights, edit-to-refresh, search, and the bytes of the feeds, the
    newsletter and the editor at /admin/."""
    os.chdir(ROOT)
    flags = f"--runs {int(runs)}"
    c.run(f"{sys.executable} bench/run.py {flags}" + (" --quick" if quick else ""), pty=False)
    c.run(f"{sys.executable} bench/shortcuts.py {flags}", pty=False)
    c.run(f"{sys.executable} bench/shortcut_parts.py", pty=False)
    c.run(f"{sys.executable} bench/search_speed.py {flags}", pty=False)
    c.run(f"{sys.executable} bench/sizes.py", pty=False)


@task(
    help={
        "dry_run": "show what would be sent to whom, and send nothing",
        "test": "send one copy marked [TEST] to this address; records nothing",
        "out": "folder of the composed issue (default: DIGEST['out'] in pelicanconf.py)",
        "retry_failed": "send the unfinished issue again to who was refused for good "
        "(once you fixed the cause)",
        "mark_sent": "record the issue made as a draft in your provider as sent, once you "
        "sent it there",
    }
)
def send_digest(c, dry_run=False, test="", out=None, retry_failed=False, mark_sent=False):
    """Send the next newsletter issue to every subscriber (composed as of now).

    Safe to run again at any time: after a crash it goes on where it stopped, and
    after success it sends nothing."""
    from digest import record_path
    from digest.record import load_record
    from digest.sending.run import Sending

    os.chdir(ROOT)
    settings = _settings(PUBLISH_SETTINGS)
    _refuse_newsletter_placeholders(settings, "send-digest")
    folder = os.path.abspath(out or settings["DIGEST"]["out"])
    record = record_path(settings)

    def compose():
        """The issue this run makes of the content, clock and settings (not written)."""
        now = datetime.now(ZoneInfo(settings["TIMEZONE"])).replace(microsecond=0)
        return _next_issue(settings, load_record(record), now)

    status = Sending(settings, record, folder, say=lambda line: print(line, flush=True)).run(
        compose, dry_run=dry_run, test=test, retry_failed=retry_failed, mark_sent=mark_sent
    )
    if status:
        raise Exit(code=status)


SITE_VERSION = "site-version.txt"


@task(
    help={
        "live": "the live site's address (default: SITEURL, as publishconf.py sets it)",
        "output": "the built site (default output/)",
    }
)
def compare_live(c, live="", output=OUTPUT):
    """Say whether the built site differs from the live one (the deploy's gate).

    Writes a hash of every file of the built site to <output>/site-version.txt,
    reads the same file from the live site, and prints changed=true or
    changed=false (also into $GITHUB_OUTPUT, for the workflow). A live site
    that cannot be read counts as changed, so the first deploy happens."""
    import hashlib
    import re
    import urllib.request

    folder = ROOT / output
    if not (folder / "index.html").is_file():
        raise Exit(f"No built site in {folder}: run `invoke preview` first.", 1)
    settings = _settings(PUBLISH_SETTINGS)
    address = (live or settings["SITEURL"]).rstrip("/")
    _refuse_placeholders(address, settings, "compare-live")
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name == SITE_VERSION:
            continue
        data = path.read_bytes()
        if name == "sitemap.xml":
            # The sitemap plugin dates list pages with the build's clock; every
            # other date in it is an article's, which changes its page as well.
            data = re.sub(rb"<lastmod>[^<]*</lastmod>", b"", data)
        digest.update(f"{name}\0{len(data)}\0".encode() + data)
    built = digest.hexdigest()
    (folder / SITE_VERSION).write_text(built + "\n", encoding="ascii")
    try:
        with urllib.request.urlopen(f"{address}/{SITE_VERSION}", timeout=30) as answer:
            online = answer.read(200).decode("ascii", "replace").strip()
    except (OSError, ValueError) as error:
        online = ""
        print(f"Could not read {address}/{SITE_VERSION} ({error}): deploying.")
    changed = "false" if online == built else "true"
    print(f"changed={changed}")
    if os.environ.get("GITHUB_OUTPUT"):
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as handle:
            handle.write(f"changed={changed}\n")


@task(help={"args": "extra pytest arguments, in quotes"})
def test(c, args=""):
    """Run the whole test suite, on two cores (pytest-xdist; a file's tests stay
    together, so its shared builds are made once). `--args "-n 0"` runs it in one
    process."""
    os.chdir(ROOT)
    c.run(f"{sys.executable} -m pytest -n 2 --dist loadfile {args}", pty=False)
