"""Jobs run by forked workers (plugins/forked_workers): every index is answered by
a worker of its own pool, whatever other pool runs at the same time, and a job that
fails is left to the parent."""

from __future__ import annotations

import os
import sys
import time

from conftest import ROOT

sys.path.insert(0, str(ROOT / "plugins"))
from forked_workers import CHUNK, Forked  # noqa: E402


def test_two_pools_at_once_answer_each_their_own_indices():
    parent = os.getpid()

    def slow(index: int) -> tuple[str, int]:
        time.sleep(0.002)
        return "first", os.getpid()

    first = Forked(slow, 10 * CHUNK, 2)
    first_pids = {pid for pid in first._pending.values()}
    del first  # the parent lets go of the first pool while its workers still run

    def quick(index: int) -> tuple[str, int, int]:
        time.sleep(0.001)
        return "second", index, os.getpid()

    second = Forked(quick, 10 * CHUNK, 2)
    answers = dict(second.results())
    assert sorted(answers) == list(range(10 * CHUNK))
    assert all(answer is not None for answer in answers.values()), answers
    assert all(answer[:2] == ("second", index) for index, answer in answers.items())
    workers = {answer[2] for answer in answers.values()}
    assert parent not in workers and not workers & first_pids
    assert len(workers) == 2  # both took chunks


def test_unequal_jobs_are_shared_out_and_a_failed_job_is_left_to_the_parent():
    def job(index: int) -> int:
        if index == 5:
            raise ValueError("the parent does this one again")
        time.sleep(0.02 if index < CHUNK else 0.0005)  # the first chunk is slow
        return os.getpid()

    answers = dict(Forked(job, 8 * CHUNK, 2).results())
    assert answers[5] is None
    slow_worker = answers[0]
    # While one worker spent 0.3 s on the first chunk, the other took the rest.
    assert sum(1 for pid in answers.values() if pid == slow_worker) <= 2 * CHUNK
    assert len(answers) == 8 * CHUNK
