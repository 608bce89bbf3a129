"""Process jobs: handlers are registered by kind; `run_until_empty` and `run_forever` loop."""
from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Callable

from ..runtime import Runtime
from . import queue

log = logging.getLogger(__name__)
Handler = Callable[[Runtime, dict], None]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str):
    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        return func
    return register


def load_handlers() -> None:
    """Import the modules that register handlers (kept lazy: they pull in the matcher)."""
    from ..matching import jobs  # noqa: F401


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def run_one(rt: Runtime, wid: str | None = None) -> bool:
    """Claim and run one job; False when nothing was runnable."""
    load_handlers()
    with rt.session_factory() as session:
        job = queue.claim(session, wid or worker_id())
        if job is None:
            return False
        func = HANDLERS.get(job.kind)
        try:
            if func is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            func(rt, dict(job.payload))
        except Exception as exc:  # recorded on the job; the worker keeps going
            log.exception("job %s (%s) failed", job.id, job.kind)
            queue.fail(session, job, exc)
        else:
            queue.complete(session, job)
        return True


def run_until_empty(rt: Runtime, limit: int = 10_000) -> int:
    done = 0
    while done < limit and run_one(rt):
        done += 1
    return done


def run_forever(rt: Runtime, poll: float = 2.0, stop: threading.Event | None = None) -> None:
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


def start_background(rt: Runtime, poll: float = 2.0) -> threading.Event:
    """Run the worker in a daemon thread of this process (embedded single-server setup)."""
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(rt, poll, stop), daemon=True,
                     name="matchmaker-worker").start()
    return stop
