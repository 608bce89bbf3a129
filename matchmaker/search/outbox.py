"""Record index work in the same transaction as the change (an outbox), apply it after commit.

A crash between the database commit and the index write leaves the outbox rows behind; they are
applied on the next start or by `matchmaker index sync`, so the index is never silently stale.
"""
from __future__ import annotations

from sqlalchemy import event, insert
from sqlalchemy.orm import Session, sessionmaker

from ..models import IndexTask, Need, Patent, PatentIPC
from .schemas import NEED, PATENT

DIRTY_KEY = "index_dirty"


def _kind_of(obj) -> tuple[str, int] | None:
    if isinstance(obj, Patent):
        return PATENT, obj.id
    if isinstance(obj, Need):
        return NEED, obj.id
    if isinstance(obj, PatentIPC) and obj.patent_id:
        return PATENT, obj.patent_id
    return None


def record_index_work(session: Session, _flush_context) -> None:
    """after_flush: one outbox row per changed patent or need, inside the same transaction."""
    rows: dict[tuple[str, int], str] = {}
    for obj in list(session.new) + [o for o in session.dirty if session.is_modified(o)]:
        key = _kind_of(obj)
        if key and key[1] is not None:
            rows.setdefault(key, "upsert")
    for obj in session.deleted:
        key = _kind_of(obj)
        if key and key[1] is not None:
            rows[key] = "delete" if not isinstance(obj, PatentIPC) else rows.get(key, "upsert")
    if rows:
        session.connection().execute(insert(IndexTask), [
            {"kind": k, "object_id": i, "op": op, "attempts": 0, "last_error": ""}
            for (k, i), op in rows.items()])
        session.info[DIRTY_KEY] = True


def install(factory: sessionmaker, on_commit=None) -> None:
    """Attach the outbox to every session of `factory`; `on_commit` runs after a dirty commit."""
    event.listen(factory, "after_flush", record_index_work)
    if on_commit is not None:
        def after_commit(session: Session) -> None:
            if session.info.pop(DIRTY_KEY, False):
                on_commit()
        event.listen(factory, "after_commit", after_commit)
        event.listen(factory, "after_rollback",
                     lambda session: session.info.pop(DIRTY_KEY, None))
