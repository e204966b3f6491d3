"""The coach's invoke commands, run as the coach runs them, in a copy of the project."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, run_invoke, with_own_forms
from project import start_serve


def test_list_documents_every_command():
    result = run_invoke(ROOT, "--list")
    for name in ["init", "build", "preview", "serve", "new", "check", "publish", "test"]:
        assert re.search(rf"^\s+{name}\s+\S", result.stdout, re.M), name


def test_new_creates_a_complete_draft_that_passes_the_check(project_copy):
    result = run_invoke(project_copy, "new", "Listening to a Worried Part")

    assert result.returncode == 0, result.stderr
    path = project_copy / result.stdout.strip()
    assert path == project_copy / "content/articles/listening-to-a-worried-part.md"
    header = dict(line.split(": ", 1) for line in path.read_text().split("\n\n")[0].splitlines())
    assert header["Title"] == "Listening to a Worried Part"
    assert header["Status"] == "draft"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", header["Date"])
    assert header["Tags"] and header["Summary"] and header["Category"]
    assert run_invoke(project_copy, "check").returncode == 0


def test_new_never_overwrites_an_article(project_copy):
    existing = project_copy / "content/articles/coaching-or-therapy.md"
    before = existing.read_bytes()
    result = run_invoke(project_copy, "new", "Coaching or Therapy")
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert existing.read_bytes() == before


def test_new_shortens_a_very_long_title_to_a_readable_file_name(project_copy):
    title = "Why " + "a very long title " * 20 + "ends"
    result = run_invoke(project_copy, "new", title)

    assert result.returncode == 0, result.stderr
    path = project_copy / result.stdout.strip()
    assert len(path.stem) <= 80 and path.stem.startswith("why-a-very-long-title")
    assert not path.stem.endswith("-")
    assert f"Id: {path.read_text().split('Date: ')[1][:10]}-{path.stem}\n" in path.read_text()
    assert run_invoke(project_copy, "check").returncode == 0


@pytest.mark.parametrize("title", ["\U0001f600", "Pasted\x01title"])
def test_new_refuses_a_title_it_cannot_turn_into_a_clean_file(project_copy, title):
    before = sorted((project_copy / "content/articles").iterdir())
    result = run_invoke(project_copy, "new", title)
    assert result.returncode == 1
    assert "letters or digits" in result.stderr or "control character" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted((project_copy / "content/articles").iterdir()) == before


@pytest.mark.parametrize("title", ["-", "_", "\u2014", "\u2013 \u2013", "\U0001f600 - \U0001f600"])
def test_new_refuses_a_title_of_dashes_as_it_refuses_an_emoji(project_copy, title):
    """A title whose address would be only dashes or underscores is refused as
    the content check would refuse its file, with the emoji title's message."""
    before = sorted((project_copy / "content/articles").iterdir())
    emoji = run_invoke(project_copy, "new", "\U0001f600")
    result = run_invoke(project_copy, "new", title)
    assert (result.returncode, result.stderr) == (1, emoji.stderr)
    assert "letters or digits" in result.stderr
    assert sorted((project_copy / "content/articles").iterdir()) == before


def test_digest_names_a_title_that_would_break_an_email_header(newsletter_copy):
    project_copy = newsletter_copy
    article = project_copy / "content/articles/small-steps-after-a-session.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("Title: ", "Title: Small\u2028", 1), encoding="utf-8")
    result = run_invoke(project_copy, "digest")
    assert result.returncode == 1
    assert "small-steps-after-a-session.md:1: " in result.stderr
    assert "U+2028, line separator" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project_copy / "newsletter-issue").exists()


def test_publishing_a_new_draft_without_a_summary_is_refused(project_copy):
    path = project_copy / run_invoke(project_copy, "new", "Half Written").stdout.strip()
    path.write_text(path.read_text().replace("Status: draft", "Status: published"))
    result = run_invoke(project_copy, "build")
    assert result.returncode == 1
    assert "content/articles/half-written.md:7: The Summary is still the placeholder" in (
        result.stderr
    )


def test_build_and_preview_write_output(project_copy):
    assert run_invoke(project_copy, "build").returncode == 0
    assert 'href="./coaching-or-therapy/"' in (project_copy / "output/index.html").read_text()
    result = run_invoke(
        project_copy, "preview", env={**os.environ, "SITEURL": "https://coach.test"}
    )
    assert result.returncode == 0, result.stderr
    index = (project_copy / "output/index.html").read_text()
    assert 'href="https://coach.test/coaching-or-therapy/"' in index
    assert not (project_copy / "output/drafts").exists(), "drafts are never published"


def test_a_failed_preview_keeps_the_last_good_site_and_a_good_one_keeps_nothing_stale(
    project_copy,
):
    env = {**os.environ, "SITEURL": "https://coach.test"}
    assert run_invoke(project_copy, "preview", env=env).returncode == 0
    good = (project_copy / "output/index.html").read_bytes()
    broken = project_copy / "content/articles/broken.md"
    broken.write_text("Title: Broken\nDate: 2025-13-45\n\nText.\n")
    result = run_invoke(project_copy, "preview", env=env)
    assert result.returncode == 1 and "broken.md" in result.stderr
    assert (project_copy / "output/index.html").read_bytes() == good, "the last good site stays"
    assert (project_copy / "output/coaching-or-therapy/index.html").exists()
    assert not (project_copy / "output.building").exists()

    broken.unlink()
    (project_copy / "content/articles/small-steps-after-a-session.md").unlink()
    result = run_invoke(project_copy, "preview", env=env)
    assert result.returncode == 0, result.stderr
    assert (project_copy / "output/index.html").exists()
    assert not (project_copy / "output/small-steps-after-a-session").exists(), "not stale"
    assert "small-steps-after-a-session" not in (project_copy / "output/sitemap.xml").read_text()
    assert sorted(p.name for p in project_copy.iterdir() if p.name.startswith("output")) == [
        "output"
    ]


@pytest.mark.parametrize("host", [{"NETLIFY": "true"}, {"CF_PAGES": "1"}])
def test_preview_on_a_host_that_deploys_it_refuses_the_placeholders(project_copy, host):
    """Netlify and Cloudflare Pages deploy what `invoke preview` builds."""
    env = {name: value for name, value in os.environ.items() if name != "SITEURL"}
    result = run_invoke(project_copy, "preview", env={**env, **host})
    assert result.returncode == 1
    placeholder = "still the placeholder https://www.example.com"
    assert result.stderr.startswith(f"SITEURL, the public address of the site, is {placeholder},")
    assert "on Netlify or Cloudflare Pages" in result.stderr
    assert not (project_copy / "output").exists()

    result = run_invoke(project_copy, "preview", env={**env, **host, "SITEURL": "https://c.test"})
    assert result.returncode == 1
    assert result.stderr.startswith('site.toml: NEWSLETTER["username"] is "your-')
    assert not (project_copy / "output").exists()

    with_own_forms(project_copy)
    result = run_invoke(project_copy, "preview", env={**env, **host, "SITEURL": "https://c.test"})
    assert result.returncode == 0, result.stderr
    assert (project_copy / "output" / "index.html").is_file()


def test_publish_without_a_target_says_what_to_set_and_touches_nothing(project_copy):
    result = run_invoke(project_copy, "publish", env={**os.environ, "DEPLOY": ""})
    assert result.returncode == 1
    assert "set DEPLOY in publishconf.py" in result.stderr
    assert not (project_copy / "output").exists()


@pytest.mark.parametrize("siteurl", [None, "", "https://www.example.com/"])
def test_publish_without_the_public_address_says_what_to_set_and_touches_nothing(
    project_copy, tmp_path, siteurl
):
    """A site deployed with the placeholder address links readers, feeds and
    search engines to www.example.com."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--bare", "-q", str(remote))
    git(project_copy, "init", "-q")
    git(project_copy, "remote", "add", "origin", str(remote))
    env = {name: value for name, value in os.environ.items() if name != "SITEURL"}
    env["DEPLOY"] = json.dumps({"method": "github-pages", "remote": "origin"})
    if siteurl is not None:
        env["SITEURL"] = siteurl
    result = run_invoke(project_copy, "publish", env=env)
    assert result.returncode == 1
    state = "not set" if siteurl == "" else "still the placeholder https://www.example.com"
    assert result.stderr.startswith(f"SITEURL, the public address of the site, is {state},")
    assert "SITEURL=https://your-domain invoke publish" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project_copy / "output").exists()
    assert git(remote, "branch", "--list") == "", "nothing was pushed"


@pytest.mark.parametrize("command", ["publish", "preview"])
@pytest.mark.parametrize(
    "value, named",
    [("{method: rsync}", "is not valid JSON"), ('["rsync"]', "must be a JSON object")],
)
def test_a_malformed_deploy_variable_is_explained(project_copy, command, value, named):
    env = {**os.environ, "DEPLOY": value, "SITEURL": "https://coach.test"}
    result = run_invoke(project_copy, command, env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("The DEPLOY environment variable ")
    assert named in result.stderr and '{"method": "rsync", "target": ' in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project_copy / "output").exists()


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def test_publish_to_a_github_pages_branch(project_copy, tmp_path):
    with_own_forms(project_copy)
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--bare", "-q", str(remote))
    git(project_copy, "init", "-q")
    git(project_copy, "remote", "add", "origin", str(remote))
    deploy = {"method": "github-pages", "remote": "origin", "branch": "gh-pages"}
    env = {
        **os.environ,
        "DEPLOY": json.dumps(deploy),
        "SITEURL": "https://coach.test",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }

    result = run_invoke(project_copy, "publish", env=env)

    assert result.returncode == 0, result.stderr
    files = git(remote, "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert "index.html" in files and ".nojekyll" in files
    assert "coaching-or-therapy/index.html" in files
    index = git(remote, "show", "gh-pages:index.html")
    assert "https://coach.test/coaching-or-therapy/" in index


@pytest.mark.skipif(not shutil.which("rsync"), reason="rsync is not installed")
def test_publish_with_rsync(project_copy, tmp_path):
    target = tmp_path / "www"
    target.mkdir()
    (target / "stale.html").write_text("old")
    env = {
        **os.environ,
        "DEPLOY": json.dumps({"method": "rsync", "target": f"{target}/"}),
        "SITEURL": "https://coach.test",
    }

    result = run_invoke(project_copy, "publish", env=env)
    assert result.returncode == 1, "the shipped example forms would post to no one"
    assert result.stderr.startswith(
        'site.toml: NEWSLETTER["username"] is "your-buttondown-username"; '
        'CONTACT["form_id"] is "your-formspree-id": still the example'
    )
    assert "Traceback" not in result.stderr
    assert not (project_copy / "output").exists()
    assert [path.name for path in target.iterdir()] == ["stale.html"], "nothing was sent"

    result = run_invoke(with_own_forms(project_copy), "publish", env=env)
    assert result.returncode == 0, result.stderr
    assert (target / "coaching-or-therapy/index.html").exists()
    assert not (target / "stale.html").exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def wait_for(condition, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


class ReloadEvents:
    """Listens to the preview's reload stream as an open page does."""

    def __init__(self, port: int):
        self.received = []
        self.connection = http.client.HTTPConnection("localhost", port, timeout=60)
        self.connection.request("GET", "/__preview/events")
        self.response = self.connection.getresponse()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            for line in self.response:
                if line.startswith(b"data: reload"):
                    self.received.append(time.monotonic())
        except OSError:
            pass


def test_serve_rebuilds_on_change_and_survives_a_content_error(project_copy, tmp_path):
    port = free_port()
    log = (tmp_path / "serve.log").open("w+")
    server = start_serve(project_copy, port, log)
    url = f"http://localhost:{port}/coaching-or-therapy/"
    article = project_copy / "content/articles/coaching-or-therapy.md"
    try:
        assert wait_for(lambda: "Coaching or Therapy" in fetch(url)), "server did not start"
        page = fetch(url)
        assert '<script src="/__preview/reload.js" defer></script></body>' in page
        assert "EventSource" in fetch(f"http://localhost:{port}/__preview/reload.js")
        events = ReloadEvents(port)

        article.write_text(article.read_text() + "\nA sentence added while serving.\n")
        assert wait_for(lambda: "A sentence added while serving." in fetch(url))
        assert wait_for(lambda: events.received), "open pages are told to reload"
        assert "Rebuilt the page" in Path(log.name).read_text(), "a text edit rebuilds one page"

        broken = project_copy / "content/articles/broken.md"
        broken.write_text("Title:\nDate: 2026-01-01\n\nText.\n")
        assert wait_for(lambda: "Title is empty" in Path(log.name).read_text())
        assert "A sentence added while serving." in fetch(url), "the last good site stays up"

        broken.unlink()
        text = article.read_text().replace("added while serving", "fixed")
        article.write_text(text.replace("Title: Coaching or Therapy", "Title: Coaching, Therapy"))
        assert wait_for(lambda: "A sentence fixed." in fetch(url))
        index = f"http://localhost:{port}/"
        assert wait_for(lambda: "Coaching, Therapy" in fetch(index)), "a new title: all rebuilt"

        template = project_copy / "theme/templates/article.html"
        template.write_text(template.read_text().replace("min read</span>", "minutes</span>"))
        assert wait_for(lambda: "minutes</span>" in fetch(url)), "a template change is seen"

        plugin = project_copy / "plugins/content_check/problems.py"
        plugin.write_text(plugin.read_text() + "\n# a change to plugin code\n")
        assert wait_for(lambda: "restarting the server" in Path(log.name).read_text())
        assert wait_for(lambda: "A sentence fixed." in fetch(url)), "serving again after restart"
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_build_keeps_only_the_cache_of_the_current_code(project_copy):
    """cache/ holds one folder per version of the plugins and settings: a
    successful build removes the others (CI carries cache/ between runs), and
    a failed one removes nothing."""
    stale = project_copy / "cache" / "0123456789ab"
    (stale / "search-index").mkdir(parents=True)
    (stale / "readers").write_bytes(b"an old cache")
    broken = project_copy / "content/articles/broken.md"
    broken.write_text("Title: Broken\nDate: 2025-13-45\n\nText.\n")
    assert run_invoke(project_copy, "build").returncode == 1
    assert stale.is_dir(), "a failed build leaves the caches alone"
    broken.unlink()
    result = run_invoke(project_copy, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    folders = [p.name for p in (project_copy / "cache").iterdir()]
    assert "0123456789ab" not in folders
    assert len(folders) == 1 and (project_copy / "cache" / folders[0] / "search-index").is_dir()
