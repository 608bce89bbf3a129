"""Enqueue, claim and finish jobs. Claiming is an atomic conditional UPDATE, so several workers
(on SQLite or PostgreSQL) never run the same job twice at once."""
from __future__ import annotations

import traceback
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from ..db import utcnow
from ..models import Job

STALE_AFTER = timedelta(minutes=10)   # a running job this old lost its worker: run it again
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


def claim(session: Session, worker_id: str, now: datetime | None = None) -> Job | None:
    """Take the oldest runnable job, or None. Commits the claim so other workers see it."""
    now = now or utcnow()
    _requeue_stale(session, now)
    candidates = session.scalars(select(Job.id).where(Job.state == "queued", Job.run_after <= now)
                                 .order_by(Job.id).limit(20)).all()
    for job_id in candidates:
        res = session.execute(update(Job).where(Job.id == job_id, Job.state == "queued")
                              .values(state="running", locked_by=worker_id, locked_at=now,
                                      attempts=Job.attempts + 1))
        session.commit()
        if res.rowcount == 1:
            return session.get(Job, job_id, populate_existing=True)
    return None


def _requeue_stale(session: Session, now: datetime) -> None:
    """Jobs whose worker died run again, unless they used up their attempts (a job that kills
    its worker every time must not loop forever)."""
    stale = and_(Job.state == "running", Job.locked_at < now - STALE_AFTER)
    session.execute(update(Job).where(stale, Job.attempts >= Job.max_attempts)
                    .values(state="failed", locked_by="", finished_at=now,
                            last_error="worker lost on every attempt; given up"))
    session.execute(update(Job).where(stale)
                    .values(state="queued", locked_by="", last_error="worker lost; requeued"))
    session.commit()


def complete(session: Session, job: Job) -> None:
    job.state, job.finished_at, job.last_error = "done", utcnow(), ""
    session.commit()


def fail(session: Session, job: Job, exc: BaseException) -> None:
    """Retry later, or give up after max_attempts (kept as failed for operators to see)."""
    session.rollback()
    job = session.get(Job, job.id)
    job.last_error = "".join(traceback.format_exception_only(type(exc), exc))[-2000:]
    job.locked_by = ""
    if job.attempts >= job.max_attempts:
        job.state, job.finished_at = "failed", utcnow()
    else:
        job.state, job.run_after = "queued", utcnow() + RETRY_DELAY * job.attempts
    session.commit()


def counts(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Job.state, func.count()).group_by(Job.state)).all())
