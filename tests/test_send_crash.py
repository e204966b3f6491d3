"""A send killed with SIGKILL at random points and started again: every
subscriber ends up with the issue, and at most one message per kill arrives
twice (the one in flight)."""

from __future__ import annotations

import random
import subprocess

import pytest

from mail_server import MailServer
from sending_helpers import (
    invoke_args,
    ledger_rows,
    recorded_issues,
    send,
    smtp_env,
    write_subscribers,
)

KILLS = 4


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_killed_at_random_points_it_resumes_without_missing_anyone(composed_project, seed):
    rng = random.Random(seed)
    addresses = write_subscribers(composed_project, 200)
    with MailServer() as server:
        env = smtp_env(server.port)
        kills = 0
        for _ in range(KILLS):
            child = subprocess.Popen(
                invoke_args("send-digest"),
                cwd=composed_project,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                child.wait(timeout=rng.uniform(0.4, 1.6))
            except subprocess.TimeoutExpired:
                child.kill()  # SIGKILL: no cleanup of any kind
                child.wait()
                kills += 1
        before = len(server.mailbox.received)
        result = send(composed_project, env)
        assert result.returncode == 0, result.stdout + result.stderr
        received = server.mailbox.per_recipient()

    missing = set(addresses) - set(received)
    duplicates = sum(count - 1 for count in received.values())
    print(f"seed {seed}: {kills} kills, {before} delivered before the last run,", end=" ")
    print(f"{duplicates} duplicates, {len(missing)} missing")
    assert not missing
    assert duplicates <= kills
    assert set(received) == set(addresses)
    assert recorded_issues(composed_project) == [1]
    assert {state for state, _ in ledger_rows(composed_project).values()} == {"sent"}
