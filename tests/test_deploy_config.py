"""The GitHub Actions workflows and the Netlify configuration say what GitHub and
Netlify need: valid files, the README's commands, and deploys only from main."""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml
from test_quick_start import quick_start_lines

from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def workflow(name: str) -> dict:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads `on` as true
    return document


def runs(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


@pytest.mark.parametrize("name", ["site.yml", "newsletter.yml"])
def test_workflows_have_the_keys_github_requires(name):
    document = workflow(name)
    assert document["name"] and document["on"] and document["jobs"]
    for job in document["jobs"].values():
        assert job["runs-on"]
        assert job["steps"]
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            if "uses" in step:
                assert re.fullmatch(r"[\w-]+/[\w-]+(/[\w-]+)?@v\d+", step["uses"]), step["uses"]


def step(job: dict, text: str) -> dict:
    """The one step whose `uses` or `run` contains `text`."""
    (found,) = [s for s in job["steps"] if text in s.get("uses", s.get("run", ""))]
    return found


def test_site_workflow_checks_everything_before_deploying_from_main_only():
    document = workflow("site.yml")
    assert {"push", "pull_request", "schedule"} <= set(document["on"])
    build, deploy = document["jobs"]["build"], document["jobs"]["deploy"]
    commands = runs(build)
    first, second = quick_start_lines()
    order = [first, "python3 -m invoke check", second, "python3 -m invoke preview"]
    assert [c for c in commands if c in order] == order, "install, check, test, then build"

    only_main = "github.ref == 'refs/heads/main' && github.event_name != 'pull_request'"
    compare = step(build, "invoke compare-live")
    assert compare["if"] == only_main, "a pull request is never compared, so never deployed"
    assert deploy["needs"] == "build", "a failed check never deploys"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    upload = step(build, "upload-pages-artifact")
    assert upload["with"]["path"] == "output"
    assert document["permissions"] == {"contents": "read"}


def test_newsletter_workflow_runs_after_the_site_and_commits_the_record():
    document = workflow("newsletter.yml")
    after = document["on"]["workflow_run"]
    assert after == {"workflows": ["Site"], "types": ["completed"], "branches": ["main"]}
    assert "schedule" not in document["on"], "its own clock could mail a page not live yet"
    when, send = document["jobs"]["when"], document["jobs"]["send"]
    assert "github.event.workflow_run.conclusion == 'success'" in when["if"]
    assert send["needs"] == "when" and send["if"] == "needs.when.outputs.due == 'true'"
    commands = "\n".join(runs(send))
    assert "python3 -m invoke digest" in commands
    assert "python3 -m invoke send-digest" in commands
    assert "git add content/newsletter/issues.json" in commands and "git push" in commands
    assert document["permissions"] == {"contents": "write", "actions": "write", "pages": "read"}
    assert send["env"]["DIGEST_SEND"] == "${{ secrets.DIGEST_SEND }}"
    # Articles due after the site's build began wait for the next issue.
    assert send["env"]["BUILD_MOMENT"] == "${{ github.event.workflow_run.run_started_at }}"


def test_netlify_builds_the_public_site_from_the_same_commands():
    config = tomllib.loads((ROOT / "netlify.toml").read_text())
    command = config["build"]["command"]
    assert command.startswith("python3 -m pip install -r requirements.txt && ")
    assert command.endswith("python3 -m invoke preview")
    assert config["build"]["publish"] == "output"
    assert config["build"]["environment"]["PYTHON_VERSION"] == "3.11"
