"""Recipients per second: `invoke send-digest` delivering one issue to 1,000
subscribers through a local SMTP server (aiosmtpd on 127.0.0.1), with the
ledger written (and synced) twice per recipient and no rate limit.

Run: python3 bench/send_rate.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from sizes import copy_project, run  # noqa: E402

from mail_server import MailServer  # noqa: E402

COUNT = 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as workdir:
        project = copy_project(Path(workdir) / "project")
        run(project, "digest")
        rows = ["email,name"] + [f"reader{i}@example.org,Reader {i}" for i in range(COUNT)]
        (project / "subscribers.csv").write_text("\n".join(rows) + "\n")
        with MailServer() as server:
            send = {
                "backend": "smtp",
                "rate_per_second": 0,
                "smtp": {"host": "127.0.0.1", "port": server.port, "security": "none"},
            }
            env = dict(os.environ, DIGEST_SEND=json.dumps(send))
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "invoke", "send-digest"],
                cwd=project,
                env=env,
                check=True,
                capture_output=True,
            )
            seconds = time.perf_counter() - start
            received = server.mailbox.per_recipient()
        assert len(received) == COUNT and set(received.values()) == {1}
        print(f"{COUNT} recipients in {seconds:.2f} s: {COUNT / seconds:.0f} recipients/second")
        print("(whole command: start-up, list check, ledger, SMTP; one connection)")


if __name__ == "__main__":
    main()
