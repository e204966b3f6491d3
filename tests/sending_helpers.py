"""Helpers for the sending tests: subscriber lists and settings for a local server."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import lxml.html


def write_subscribers(project: Path, count: int, own_links: bool = False) -> list[str]:
    lines = ["email,name,unsubscribe_url"]
    addresses = [f"reader{i}@example.org" for i in range(count)]
    for i, address in enumerate(addresses):
        own = f"https://lists.example.org/leave/{i}?token=t{i}" if own_links and i % 2 else ""
        lines.append(f'{address},"Reader {i}, Esq.",{own}')
    (project / "subscribers.csv").write_text("\n".join(lines) + "\n")
    return addresses


def smtp_env(port: int, **send) -> dict:
    settings = {
        "backend": "smtp",
        "rate_per_second": 0,
        "backoff_seconds": 0.01,
        "retries": 5,
        "smtp": {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 5},
    }
    settings.update(send)
    return dict(os.environ, DIGEST_SEND=json.dumps(settings))


def invoke_args(*args: str) -> list[str]:
    return [sys.executable, "-m", "invoke", *args]


def send(project: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        invoke_args("send-digest", *args),
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def ledger_rows(project: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(project / "content/newsletter/sending.sqlite") as db:
        rows = db.execute("SELECT email, state, detail FROM recipients").fetchall()
    return {email: (state, detail) for email, state, detail in rows}


def recorded_issues(project: Path) -> list[int]:
    record = json.loads((project / "content/newsletter/issues.json").read_text())
    return [issue["number"] for issue in record["issues"]]


def set_unsubscribe(project: Path, value: str) -> None:
    """DIGEST["unsubscribe"] in the project's pelicanconf.py, and no issue composed yet."""
    conf = project / "pelicanconf.py"
    text = conf.read_text(encoding="utf-8")
    line = '    "unsubscribe": "*|UNSUB|*",\n'
    assert line in text
    conf.write_text(text.replace(line, f'    "unsubscribe": {json.dumps(value)},\n'))
    shutil.rmtree(project / "newsletter-issue", ignore_errors=True)


def quote_in_newest_summary(project: Path, words: str) -> None:
    """Put `words` into the summary of the newest sample article (the email shows it)."""
    article = project / "content/articles/small-steps-after-a-session.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("Summary: Most", f"Summary: Quoting {words} here. Most", 1))


def footer_link(page: str) -> str:
    """The href of the email's "Unsubscribe" link."""
    (link,) = lxml.html.fromstring(page).xpath("//a[starts-with(., 'Unsubscribe')]")
    return link.get("href")
