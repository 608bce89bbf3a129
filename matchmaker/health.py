"""What `/healthz` reports: the database, pending work, running and overdue jobs, the index.

The report is public (load balancers and monitors call it without logging in), so it holds
status words and counts only. What went wrong in detail (a driver's message names the database
host and port; the search engine's names files) is returned separately for the log.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from .db import utcnow
from .jobs import queue
from .models import Job
from .runtime import Runtime
from .search.indexer import pending_count, total_rows
from .search.fields import KINDS

REBUILD = "请运行 matchmaker index rebuild"
INDEX_PROBLEMS = {"missing": f"索引缺失，{REBUILD}", "broken": f"索引无法读取，{REBUILD}",
                  "incomplete": f"索引文档少于数据库记录，{REBUILD}"}


@dataclass
class Health:
    status: str = "ok"                       # ok | degraded | down
    body: dict = field(default_factory=dict)  # the public report
    details: list[str] = field(default_factory=list)   # for the log only

    def problem(self, detail: str) -> None:
        self.details.append(detail)


def check(rt: Runtime, now: datetime | None = None) -> Health:
    """Check everything; `status` is down when the database does not answer, degraded when
    jobs are overdue or the index is missing, broken or incomplete."""
    now = now or utcnow()
    health = Health()
    try:
        with rt.session_factory() as session:
            session.execute(text("SELECT 1"))
            pending = {"index_outbox": pending_count(session, rt.search.replica),
                       "jobs_queued": _jobs(session, "queued")}
            jobs = {"running": _jobs(session, "running"), "overdue": queue.overdue(session, now)}
            rows = {kind: total_rows(session, kind) for kind in KINDS}
    except Exception as exc:  # any driver error means "not reachable" to a probe
        health.status = "down"
        health.body = {"status": "down", "database": {"ok": False}}
        health.problem(f"database unreachable: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}")
        return health
    health.body = {"status": "ok", "database": {"ok": True}, "pending": pending, "jobs": jobs,
                   "index": _index(rt, rows, pending["index_outbox"], health)}
    if jobs["overdue"]:
        health.problem(f"{jobs['overdue']} running job(s) past their lease: no worker renews them")
    if jobs["overdue"] or not health.body["index"]["ok"]:
        health.status = health.body["status"] = "degraded"
    return health


def _jobs(session: Session, state: str) -> int:
    return session.scalar(select(func.count()).select_from(Job).where(Job.state == state))


def _index(rt: Runtime, rows: dict[str, int], outbox: int, health: Health) -> dict:
    index: dict = {"ok": True, "documents": {}}

    def bad(kind: str, problem: str, detail: str) -> None:
        index["ok"] = False
        index.setdefault("errors", {})[kind] = INDEX_PROBLEMS[problem]
        health.problem(f"index {kind}: {detail}")

    for kind in KINDS:
        try:
            try:
                present = rt.search.exists(kind)
            except Exception:          # a garbled table of contents: let doc_count explain
                present = True
            if not present:
                if rows[kind] == 0:     # a new instance: created with the first document
                    index["documents"][kind] = 0
                else:
                    bad(kind, "missing", "index directory missing or empty")
                continue
            docs = rt.search.doc_count(kind)
        except Exception as exc:
            bad(kind, "broken", f"{type(exc).__name__}: {str(exc)[:300]}")
            continue
        index["documents"][kind] = docs
        # With no work pending the index must hold every row; fewer means it was lost.
        if not outbox and docs != rows[kind]:
            bad(kind, "incomplete", f"{docs} documents for {rows[kind]} rows")
    return index
