"""Enqueue, claim, renew and finish jobs. Claiming is an atomic conditional UPDATE, so several
workers (on SQLite or PostgreSQL) never run the same job twice at once.

A claimed job carries a lease (`lease_until`) that its worker renews while the handler runs
(`jobs.worker.Lease`). A worker that dies (SIGKILL, power loss) or loses the database stops
renewing; the next claim by any worker requeues the job once its lease has run out, so work is
late by at most one lease instead of a fixed stale time.
"""
from __future__ import annotations

import traceback
from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from ..db import utcnow
from ..models import Job

RETRY_DELAY = timedelta(seconds=30)


def enqueue(session: Session, kind: str, payload: dict, *, dedupe: bool = True) -> Job | None:
    """Add a job; with `dedupe`, an identical job still waiting makes this a no-op."""
    if dedupe:
        waiting = session.scalars(select(Job).where(Job.kind == kind, Job.state == "queued")).all()
        if any(j.payload == payload for j in waiting):
            return None
    job = Job(kind=kind, payload=payload, state="queued", run_after=utcnow())
    session.add(job)
    session.flush()
    return job


def queued_rows(kind: str, payloads: Iterable[dict]) -> list[dict]:
    """Rows for one bulk `insert(Job)` of jobs waiting from now, one per payload: the paths
    that queue many jobs at once (imports) or inside a flush (matching.triggers), where
    `enqueue`'s ORM object per job is too slow or not allowed."""
    now = utcnow()
    return [{"kind": kind, "payload": payload, "state": "queued", "attempts": 0,
             "max_attempts": 3, "run_after": now, "locked_by": "", "last_error": "",
             "created_at": now} for payload in payloads]


def claim(session: Session, worker_id: str, *, lease: timedelta,
          now: datetime | None = None) -> Job | None:
    """Take the oldest runnable job for `lease`, or None. Commits the claim so other workers see
    it; jobs whose lease ran out are requeued first."""
    now = now or utcnow()
    requeue_expired(session, now)
    candidates = session.scalars(select(Job.id).where(Job.state == "queued", Job.run_after <= now)
                                 .order_by(Job.id).limit(20)).all()
    for job_id in candidates:
        res = session.execute(update(Job).where(Job.id == job_id, Job.state == "queued")
                              .values(state="running", locked_by=worker_id, locked_at=now,
                                      lease_until=now + lease, attempts=Job.attempts + 1))
        session.commit()
        if res.rowcount == 1:
            job = session.get(Job, job_id, populate_existing=True)
            # Detached and with the read transaction ended: the handler may run for seconds
            # (encoding vectors), and a transaction left open here holds a lock on `jobs` that
            # a TRUNCATE or a schema change would queue behind — with every later query on the
            # table queued behind that (a deadlock the database cannot see).
            session.expunge(job)
            session.commit()
            return job
    return None


def renew(session: Session, job_id: int, worker_id: str, *, lease: timedelta,
          now: datetime | None = None) -> bool:
    """Extend the lease of a job this worker still holds (commits); False when it lost it (the
    lease ran out and the job was requeued, or taken by another worker)."""
    now = now or utcnow()
    res = session.execute(update(Job).where(Job.id == job_id, Job.state == "running",
                                            Job.locked_by == worker_id)
                          .values(lease_until=now + lease))
    session.commit()
    return res.rowcount == 1


def expired(now: datetime):
    """Running jobs nobody renews any more."""
    return and_(Job.state == "running", or_(Job.lease_until.is_(None), Job.lease_until < now))


def requeue_expired(session: Session, now: datetime | None = None) -> None:
    """Jobs whose worker died run again, unless they used up their attempts (a job that kills
    its worker every time must not loop forever). Commits."""
    now = now or utcnow()
    session.execute(update(Job).where(expired(now), Job.attempts >= Job.max_attempts)
                    .values(state="failed", locked_by="", lease_until=None, finished_at=now,
                            last_error="worker lost on every attempt; given up"))
    session.execute(update(Job).where(expired(now))
                    .values(state="queued", locked_by="", lease_until=None,
                            last_error="worker lost; requeued"))
    session.commit()


def _held(job_id: int, worker_id: str):
    """The job as this worker claimed it: still running under its lock."""
    return and_(Job.id == job_id, Job.state == "running", Job.locked_by == worker_id)


def complete(session: Session, job: Job) -> bool:
    """Mark the job done; False (nothing changed) when the worker had lost it meanwhile."""
    res = session.execute(update(Job).where(_held(job.id, job.locked_by)).values(
        state="done", finished_at=utcnow(), last_error="", lease_until=None))
    session.commit()
    return res.rowcount == 1


def fail(session: Session, job: Job, exc: BaseException) -> bool:
    """Retry later, or give up after max_attempts (kept as failed for operators to see).
    False (nothing changed) when the worker had lost the job meanwhile."""
    job_id, worker_id, attempts, max_attempts = job.id, job.locked_by, job.attempts, job.max_attempts
    session.rollback()
    error = "".join(traceback.format_exception_only(type(exc), exc))[-2000:]
    now = utcnow()
    if attempts >= max_attempts:
        values = dict(state="failed", finished_at=now)
    else:
        values = dict(state="queued", run_after=now + RETRY_DELAY * attempts)
    res = session.execute(update(Job).where(_held(job_id, worker_id)).values(
        last_error=error, locked_by="", lease_until=None, **values))
    session.commit()
    return res.rowcount == 1


def counts(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Job.state, func.count()).group_by(Job.state)).all())


def overdue(session: Session, now: datetime | None = None) -> int:
    """Running jobs whose lease ran out: their worker is gone and no claim has requeued them."""
    return session.scalar(select(func.count()).select_from(Job).where(expired(now or utcnow())))
