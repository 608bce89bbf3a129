"""Process jobs: handlers are registered by kind; `run_until_empty` and `run_forever` loop."""
from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta
from typing import Callable

from ..runtime import Runtime
from . import queue

log = logging.getLogger(__name__)
Handler = Callable[[Runtime, dict], None]
HANDLERS: dict[str, Handler] = {}
POLL_SECONDS = 1.0   # idle wait between claims (also how often the index outbox is applied)


def handler(kind: str):
    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        return func
    return register


def load_handlers() -> None:
    """Import the modules that register handlers (kept lazy: they pull in the matcher)."""
    from ..matching import jobs  # noqa: F401
    from . import mail_job  # noqa: F401


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class Lease:
    """While a handler runs, renew its job's lease every third of the lease, from a thread with
    a session of its own (the handler may hold a long transaction). A failed renewal (the
    database briefly away) is retried at the next tick; the lease outlives a short outage, and
    a worker that is gone for good stops renewing, so its job is requeued one lease later."""

    def __init__(self, rt: Runtime, job_id: int, wid: str, lease: timedelta):
        self.rt, self.job_id, self.wid, self.lease = rt, job_id, wid, lease
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, daemon=True,
                                        name=f"matchmaker-lease-{job_id}")

    def __enter__(self) -> "Lease":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(timeout=self.lease.total_seconds())

    def _renew(self) -> None:
        while not self._stop.wait(self.lease.total_seconds() / 3):
            try:
                with self.rt.session_factory() as session:
                    held = queue.renew(session, self.job_id, self.wid, lease=self.lease)
            except Exception as exc:  # retried at the next tick; the lease covers the gap
                log.warning("job %s: lease renewal failed (%s); retrying", self.job_id,
                            type(exc).__name__)
                continue
            if not held:
                self.lost = True
                log.warning("job %s: lease lost (expired and requeued); its result may be "
                            "computed twice", self.job_id)
                return


def lease_of(rt: Runtime) -> timedelta:
    """How long a claimed job stays ours without a renewal (Settings.job_lease_seconds)."""
    return timedelta(seconds=rt.settings.job_lease_seconds)


def run_one(rt: Runtime, wid: str | None = None) -> bool:
    """Claim and run one job under a renewed lease; False when nothing was runnable."""
    load_handlers()
    wid = wid or worker_id()
    lease = lease_of(rt)
    with rt.session_factory() as session:
        job = queue.claim(session, wid, lease=lease)
        if job is None:
            return False
        func = HANDLERS.get(job.kind)
        try:
            with Lease(rt, job.id, wid, lease):
                if func is None:
                    raise LookupError(f"no handler for job kind {job.kind!r}")
                func(rt, dict(job.payload))
        except Exception as exc:  # recorded on the job; the worker keeps going
            log.exception("job %s (%s) failed", job.id, job.kind)
            recorded = queue.fail(session, job, exc)
        else:
            recorded = queue.complete(session, job)
        if not recorded:
            log.warning("job %s (%s): lost its lease while running; left to its new run",
                        job.id, job.kind)
        return True


def run_until_empty(rt: Runtime, limit: int = 10_000) -> int:
    done = 0
    while done < limit and run_one(rt):
        done += 1
    return done


def run_forever(rt: Runtime, poll: float = POLL_SECONDS, stop: threading.Event | None = None) -> None:
    """The worker loop; `stop` ends it (used by the in-process worker of `matchmaker serve`)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            if not run_one(rt):
                # Idle: apply index work the web processes left in the outbox (this process
                # is the index writer when web workers run with index_on_commit off).
                rt.sync_index()
                stop.wait(poll)
        except Exception:  # e.g. database briefly unavailable: wait and retry
            log.exception("worker loop error")
            stop.wait(poll)


def start_background(rt: Runtime, poll: float = POLL_SECONDS) -> threading.Event:
    """Run the worker in a daemon thread of this process (embedded single-server setup)."""
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(rt, poll, stop), daemon=True,
                     name="matchmaker-worker").start()
    return stop
