"""Sending at scale, three figures:

1. Ledger resume: an issue begun for 100,000 subscribers, resumed after the list
   shrank to 20,000 (Ledger.sync_recipients: 80,000 dropped), in seconds.
2. Dry run: `invoke send-digest --dry-run` over 100,000 subscribers (whole command:
   start-up, every field of every row checked, one line printed per subscriber).
3. Send: `invoke send-digest` delivering one issue to 100,000 subscribers through a
   local SMTP server (aiosmtpd on 127.0.0.1), with the ledger written (and synced)
   twice per recipient and no rate limit.

Run: python3 bench/send_rate.py [--count 100000] [--runs 3] [--skip-send]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "plugins"))

from sizes import copy_project, run  # noqa: E402

from digest.sending.ledger import IssueSnapshot, Ledger  # noqa: E402
from digest.sending.subscribers import Subscriber  # noqa: E402
from mail_server import MailServer  # noqa: E402


def resume_seconds(count: int, left: int, folder: Path) -> float:
    """Seconds to resume an issue begun for `count` subscribers with `left` still on the list."""
    ledger = Ledger(str(folder / f"ledger-{time.monotonic_ns()}.sqlite"))
    ledger.begin_issue(IssueSnapshot(1, "Subject", ("a",), "<p>html</p>", "text", "smtp"))
    everyone = [Subscriber(f"reader{i}@example.org", f"Reader {i}") for i in range(count)]
    ledger.sync_recipients(1, everyone)
    start = time.perf_counter()
    added, dropped = ledger.sync_recipients(1, everyone[:left])
    seconds = time.perf_counter() - start
    assert (added, dropped) == (0, count - left)
    ledger.close()
    return seconds


def command_seconds(project: Path, port: int, *args: str) -> float:
    send = {
        "backend": "smtp",
        "rate_per_second": 0,
        "smtp": {"host": "127.0.0.1", "port": port, "security": "none"},
    }
    env = dict(os.environ, DIGEST_SEND=json.dumps(send))
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "invoke", "send-digest", *args],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="runs of the resume and dry run")
    parser.add_argument("--skip-send", action="store_true", help="no SMTP send (minutes)")
    options = parser.parse_args()
    count, left = options.count, options.count // 5
    with tempfile.TemporaryDirectory() as workdir:
        folder = Path(workdir)
        resumes = [resume_seconds(count, left, folder) for _ in range(options.runs)]
        print(
            f"ledger resume, {count:,} begun, list shrank to {left:,}: "
            f"median {statistics.median(resumes):.2f} s "
            f"({', '.join(f'{s:.2f}' for s in resumes)})"
        )
        project = copy_project(folder / "project")
        run(project, "digest")
        rows = ["email,name"] + [f"reader{i}@example.org,Reader {i}" for i in range(count)]
        (project / "subscribers.csv").write_text("\n".join(rows) + "\n")
        with MailServer() as server:
            server.mailbox.keep_content = False
            dry = [command_seconds(project, server.port, "--dry-run") for _ in range(options.runs)]
            median = statistics.median(dry)
            print(
                f"dry run, {count:,} subscribers: median {median:.2f} s, "
                f"{count / median:,.0f} subscribers/second "
                f"({', '.join(f'{s:.2f}' for s in dry)})"
            )
            if options.skip_send:
                return
            seconds = command_seconds(project, server.port)
            received = server.mailbox.per_recipient()
        assert len(received) == count and set(received.values()) == {1}
        print(
            f"SMTP send, {count:,} subscribers: {seconds:.1f} s, "
            f"{count / seconds:,.0f} recipients/second "
            "(whole command: start-up, list check, ledger, SMTP; one connection)"
        )


if __name__ == "__main__":
    main()
