"""`/healthz` for load balancers and monitoring: database, index, pending background work."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import func, select, text

from ..models import IndexTask, Job
from whoosh import index as windex

from ..search.indexer import total_rows
from ..search.schemas import KINDS
from ..search.whoosh_backend import IndexUnavailable
from .context import runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 while the database answers (pages work); `status` is "degraded" when the index is
    missing or broken (search is down, `matchmaker index rebuild` restores it); 503 when the
    database is unreachable."""
    rt = runtime()
    body: dict = {"status": "ok"}
    try:
        with rt.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            pending = {"index_outbox": conn.scalar(select(func.count()).select_from(IndexTask)),
                       "jobs_queued": conn.scalar(select(func.count()).select_from(Job)
                                                  .where(Job.state == "queued"))}
        body["database"] = {"ok": True}
        body["pending"] = pending
    except Exception as exc:  # any driver error means "not reachable" to a probe
        body.update(status="down", database={"ok": False, "error": str(exc).splitlines()[0][:200]})
        return jsonify(body), 503
    index: dict = {"ok": True, "documents": {}}
    with rt.session_factory() as session:
        rows = {kind: total_rows(session, kind) for kind in KINDS}
    for kind in KINDS:
        try:
            try:
                present = windex.exists_in(str(rt.search.path(kind)))
            except Exception:          # a garbled table of contents: let doc_count explain
                present = True
            if not present:
                if rows[kind] == 0:     # a new instance: created with the first document
                    index["documents"][kind] = 0
                    continue
                raise IndexUnavailable("索引目录不存在或为空，请运行 matchmaker index rebuild")
            docs = rt.search.doc_count(kind)
        except Exception as exc:
            index["ok"] = False
            index.setdefault("errors", {})[kind] = str(exc)[:200]
            continue
        index["documents"][kind] = docs
        # With no work pending the index must hold every row; fewer means it was lost.
        if not pending["index_outbox"] and docs != rows[kind]:
            index["ok"] = False
            index.setdefault("errors", {})[kind] = (f"索引有 {docs} 条，数据库有 {rows[kind]} 条，"
                                                    "请运行 matchmaker index rebuild")
    body["index"] = index
    if not index["ok"]:
        body["status"] = "degraded"
    return jsonify(body), 200
