"""A job worker killed (SIGKILL) in the middle of a queue: nothing is lost, nothing done twice,
and the killed worker's job runs again within its lease (issue 11: it used to wait 10 minutes).

The real `matchmaker worker` runs in a subprocess (with one extra, slow job kind whose side
effect has a primary key) next to real matching jobs. It is killed while a job is running; a
second worker leaves that job alone while its lease runs (its worker might only be slow), and
runs it again once the lease has run out — aged in the database in the first test, for real
with a short lease in the second, which also watches /healthz report the overdue job.
"""
from __future__ import annotations

import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from matchmaker.db import utcnow
from matchmaker.jobs import queue
from matchmaker.models import Job, Match, OrgKind
from tests.factories import make_need, make_org
from tests.matching.helpers import NEED_TEXT, add_corpus

from .conftest import PROJECT_ROOT, cli_env, wait_for
from .fault_worker import EFFECTS, KIND, METADATA, RUNS

FAULT_JOBS = 4
SLEEP = 0.8          # seconds each fault job works before its side effect
KILLED = 2           # the fault job running when the worker is killed


@pytest.fixture
def side_effect_tables(runtime):
    METADATA.drop_all(runtime.engine)
    METADATA.create_all(runtime.engine)
    yield
    METADATA.drop_all(runtime.engine)


def start_worker(settings, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.faults.fault_worker", "worker", *args],
                            env={**cli_env(settings), **(env or {})}, cwd=str(PROJECT_ROOT), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)


def run_worker_once(settings) -> str:
    proc = start_worker(settings, "--once")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return out


def job_rows(runtime) -> list[Job]:
    with runtime.session_factory() as s:
        return list(s.scalars(select(Job).order_by(Job.id)))


def fault_job(runtime, n: int) -> Job:
    return next(j for j in job_rows(runtime) if j.kind == KIND and j.payload["n"] == n)


def runs(runtime) -> list[tuple[int, int]]:
    with runtime.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(RUNS.c.n, RUNS.c.pid).order_by(RUNS.c.id))]


def effects(runtime) -> dict[int, int]:
    with runtime.engine.connect() as conn:
        return dict(conn.execute(select(EFFECTS.c.n, EFFECTS.c.pid)).all())


def test_killed_worker_loses_nothing_and_repeats_nothing(runtime, session, settings,
                                                          side_effect_tables):
    # Real work first: a small catalog and two needs queue matching jobs (triggers).
    uni, ent = make_org(session, OrgKind.UNIVERSITY), make_org(session, OrgKind.ENTERPRISE)
    add_corpus(session, uni)
    needs = [make_need(session, ent, title=t, description=d)
             for t, d in (NEED_TEXT["cathode"], NEED_TEXT["film"])]
    session.commit()
    real_jobs = {j.id for j in job_rows(runtime)}
    assert real_jobs, "the catalog queued matching jobs"
    for n in range(1, FAULT_JOBS + 1):
        queue.enqueue(session, KIND, {"n": n, "sleep": SLEEP})
    session.commit()

    first = start_worker(settings, "--poll", "0.2")
    try:
        def killed_job_started():
            job = fault_job(runtime, KILLED)
            return job.state == "running" and any(n == KILLED for n, _pid in runs(runtime))
        wait_for(killed_job_started, timeout=60, what=f"fault job {KILLED} to run")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == -signal.SIGKILL

    # Left behind: the killed job still locked by the dead worker, later jobs untouched.
    job = fault_job(runtime, KILLED)
    assert (job.state, job.attempts) == ("running", 1)
    assert job.locked_by.split(":")[1] == str(first.pid)
    assert effects(runtime) == {1: first.pid}
    assert [fault_job(runtime, n).state for n in range(KILLED + 1, FAULT_JOBS + 1)] == \
        ["queued"] * (FAULT_JOBS - KILLED)
    assert all(j.state == "done" for j in job_rows(runtime) if j.id in real_jobs)

    # A new worker runs what is queued, but not a job whose lock is still fresh (its worker
    # might only be slow).
    out = run_worker_once(settings)
    assert f"已处理 {FAULT_JOBS - KILLED} 个任务" in out
    assert fault_job(runtime, KILLED).state == "running"

    # Once its lease has run out (no renewal from the dead worker), the job is run again.
    with runtime.session_factory() as s:
        s.execute(update(Job).where(Job.state == "running")
                  .values(lease_until=utcnow() - timedelta(seconds=1)))
        s.commit()
    out = run_worker_once(settings)
    assert "已处理 1 个任务" in out

    jobs = job_rows(runtime)
    assert {j.state for j in jobs} == {"done"}, [(j.id, j.kind, j.state, j.last_error) for j in jobs]
    assert sum(1 for j in jobs if j.kind == KIND) == FAULT_JOBS
    retried = fault_job(runtime, KILLED)
    assert retried.attempts == 2 and retried.last_error == "" and retried.locked_by != job.locked_by
    assert all(j.attempts == 1 for j in jobs if j.id != retried.id)
    # Every side effect exactly once; only the killed job was started twice.
    assert sorted(effects(runtime)) == list(range(1, FAULT_JOBS + 1))
    started = [n for n, _pid in runs(runtime)]
    assert sorted(started) == sorted([*range(1, FAULT_JOBS + 1), KILLED])
    assert [pid for n, pid in runs(runtime) if n == KILLED][0] == first.pid
    assert effects(runtime)[KILLED] != first.pid
    # The matching jobs' results are there once per (need, patent).
    with runtime.session_factory() as s:
        for need in needs:
            pairs = s.execute(select(Match.patent_id, func.count()).where(Match.need_id == need.id)
                              .group_by(Match.patent_id)).all()
            assert pairs and all(c == 1 for _p, c in pairs)


LEASE = 3   # seconds: the test waits for real; the default (Settings.job_lease_seconds) is 30


def test_default_lease_recovers_a_job_within_a_minute():
    """The bound the fault test below checks at a short lease, for the shipped settings: the
    dead worker's last renewal is at most a lease before expiry, the next claim comes within
    one poll of the surviving (or restarted) worker."""
    from matchmaker.config import Settings
    from matchmaker.jobs.worker import POLL_SECONDS
    assert Settings().job_lease_seconds + POLL_SECONDS < 60


def test_a_killed_workers_job_is_overdue_on_healthz_then_run_again_within_its_lease(
        runtime, session, settings, side_effect_tables, app):
    import time
    env = {"MATCHMAKER_JOB_LEASE_SECONDS": str(LEASE)}
    job = queue.enqueue(session, KIND, {"n": 1, "first_sleep": 600, "sleep": 0})
    session.commit()
    first = start_worker(settings, "--poll", "0.2", env=env)
    try:
        wait_for(lambda: runs(runtime), timeout=60, what="the job to start")
        time.sleep(LEASE)        # the worker renews its lease while the job sleeps
        renewed = fault_job(runtime, 1)
        assert renewed.state == "running" and renewed.lease_until > utcnow()
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()

    client = app.test_client()

    def overdue():
        body = client.get("/healthz").get_json()
        return body if body["jobs"]["overdue"] == 1 else None
    body = wait_for(overdue, timeout=LEASE + 5, interval=0.2, what="/healthz to report the job")
    assert body["status"] == "degraded" and body["jobs"]["running"] == 1

    second = start_worker(settings, "--poll", "0.2", env=env)
    try:
        wait_for(lambda: fault_job(runtime, 1).state == "done", timeout=60, what="the job to run again")
        recovered_after = time.monotonic() - killed_at
    finally:
        second.kill()
        second.wait()
    done = fault_job(runtime, 1)
    assert done.attempts == 2 and done.id == job.id
    assert effects(runtime) == {1: second.pid}
    assert recovered_after < LEASE + 15, recovered_after       # a lease, not 10 minutes
    assert client.get("/healthz").get_json()["status"] == "ok"


@pytest.mark.parametrize("how", ["setting", "option"])
def test_the_worker_runs_at_the_configured_lower_cpu_priority(runtime, session, settings,
                                                               side_effect_tables, how):
    """MATCHMAKER_WORKER_NICE (or --nice) lowers the worker's priority, its jobs included, so
    the web workers get the cores first on a small host."""
    import os
    queue.enqueue(session, KIND + "_nice", {"n": 1})
    session.commit()
    args, env = (["--nice", "7"], {}) if how == "option" else ([], {"MATCHMAKER_WORKER_NICE": "7"})
    proc = start_worker(settings, "--once", *args, env=env)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert effects(runtime) == {1: min(19, os.nice(0) + 7)}
