"""Record index work in the same transaction as the change (an outbox), apply it after commit.

A crash between the database commit and the index write leaves the outbox rows behind; they are
applied on the next start or by `matchmaker index sync`, so the index is never silently stale.
Mapper events are used (not `session.dirty`, which scans the whole identity map on every flush
and made bulk imports quadratic).
"""
from __future__ import annotations

from sqlalchemy import event, insert
from sqlalchemy.orm import Session, object_session, sessionmaker

from ..models import IndexTask, LicenceOffer, Need, Patent, PatentIPC
from .fields import NEED, PATENT

DIRTY_KEY = "index_dirty"
_installed = False


def _record(connection, target, kind: str, object_id: int | None, op: str) -> None:
    if object_id is None:
        return
    connection.execute(insert(IndexTask), {"kind": kind, "object_id": object_id, "op": op,
                                           "attempts": 0, "last_error": ""})
    session = object_session(target)
    if session is not None:
        session.info[DIRTY_KEY] = True


def _on(model, kind: str, op: str, id_of=lambda t: t.id):
    def listener(_mapper, connection, target) -> None:
        _record(connection, target, kind, id_of(target), op)
    return listener


def install_mapper_events() -> None:
    """Global, once per process: every Patent/Need write adds an outbox row."""
    global _installed
    if _installed:
        return
    _installed = True
    for model, kind in ((Patent, PATENT), (Need, NEED)):
        event.listen(model, "after_insert", _on(model, kind, "upsert"))
        event.listen(model, "after_update", _on(model, kind, "upsert"))
        event.listen(model, "after_delete", _on(model, kind, "delete"))
    for ev in ("after_insert", "after_update", "after_delete"):
        event.listen(PatentIPC, ev, _on(PatentIPC, PATENT, "upsert", lambda t: t.patent_id))
        # the patent's document carries its active offers (search filters on them)
        event.listen(LicenceOffer, ev, _on(LicenceOffer, PATENT, "upsert", lambda t: t.patent_id))


def install(factory: sessionmaker, on_commit=None) -> None:
    """Attach the outbox; `on_commit` runs after a commit that wrote index work."""
    install_mapper_events()
    if on_commit is not None:
        def after_commit(session: Session) -> None:
            # SQLAlchemy also signals a savepoint's release here; the outer transaction still
            # holds that work (and, on SQLite, the write lock the applier would wait for).
            if not session.in_nested_transaction() and session.info.pop(DIRTY_KEY, False):
                on_commit()
        event.listen(factory, "after_commit", after_commit)
    event.listen(factory, "after_rollback", _forget_work)


def _forget_work(session: Session) -> None:
    """A rollback drops the pending index work, unless it only rolled back a savepoint: what
    the transaction wrote before it is still to be applied at its commit."""
    if not session.in_nested_transaction():
        session.info.pop(DIRTY_KEY, None)
