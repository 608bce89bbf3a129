"""Keep the index in step with the database: follow the change log, rebuild, check.

Each backend instance is one replica (`backend.replica`): it applies the change log from its
own cursor (search/changelog.py), so several hosts keep their local indexes in step with one
database.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing as mp
from dataclasses import dataclass
from typing import Callable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from ..models import IndexTask, Need, Patent
from ..text.segmenter import warm_up
from .documents import analyze_batch, analyze_document, need_document, patent_document
from . import changelog
from .backend import SearchBackend
from .fields import KINDS, NEED, PATENT

log = logging.getLogger(__name__)
MODELS = {PATENT: Patent, NEED: Need}
BATCH = 500


def _load(session: Session, kind: str, ids: list[int]) -> list:
    model = MODELS[kind]
    stmt = select(model).where(model.id.in_(ids))
    if kind == PATENT:
        stmt = stmt.options(selectinload(Patent.ipc_entries), selectinload(Patent.owner),
                            selectinload(Patent.offers))
    return list(session.scalars(stmt))


def raw_document(kind: str, obj) -> dict:
    return patent_document(obj) if kind == PATENT else need_document(obj)


def to_document(kind: str, obj) -> dict:
    return analyze_document(raw_document(kind, obj))


def apply_pending(factory: sessionmaker, backend: SearchBackend, batch: int = 2000) -> int:
    """Apply the change log after this replica's cursor, in batches; returns how many changes
    were applied. An index an upgrade left with an older schema is rebuilt first (see
    rebuild_outdated); a replica seen for the first time starts from a rebuild (or, when its
    index already exists, from the oldest change still in the log).

    The index writer's lock is held while the current rows are read from the database, so
    concurrent appliers of one replica serialize and the last one always writes the newest
    committed state.
    """
    rebuild_outdated(factory, backend)
    applied = 0
    with factory() as session:
        changelog.number_new_changes(session)
        for kind in KINDS:
            applied += _join(factory, session, backend, kind)
            while True:
                position = changelog.cursor(session, backend.replica, kind).position
                if not changelog.has_changes_after(session, kind, position):
                    break
                applied += _apply_batch(session, backend, kind, batch)
                if applied >= batch:
                    # Whoosh readers of the previous segments sit in reference cycles; their
                    # memory-mapped files are only released by the cycle collector, so a long
                    # apply would otherwise map the whole index once per batch.
                    gc.collect()
            changelog.prune(session, kind)
    return applied


def _join(factory: sessionmaker, session: Session, backend: SearchBackend, kind: str) -> int:
    """Give a replica seen for the first time its cursor: after a rebuild when its index is
    missing but the database has rows (returns the documents written); else from the oldest
    retained change (an index from before the change log, or a new instance)."""
    session.rollback()
    if changelog.cursor(session, backend.replica, kind) is not None:
        return 0
    if not backend.exists(kind) and total_rows(session, kind):
        log.warning("replica %s has no %s index: rebuilding it from the database",
                    backend.replica, kind)
        written = rebuild(factory, backend, kind, procs=1)
        session.rollback()
        return written
    first = changelog.first_retained(session, kind)
    start = first - 1 if first is not None else changelog.last_number(session)
    changelog.start_cursor(session, backend.replica, kind, start)
    return 0


def _apply_batch(session: Session, backend: SearchBackend, kind: str, batch: int) -> int:
    with backend.batch(kind) as writes:
        session.rollback()  # fresh snapshot now that we hold the lock
        position = changelog.cursor(session, backend.replica, kind).position
        tasks = changelog.next_changes(session, kind, position, batch)
        ids = sorted({t.object_id for t in tasks})
        objects = {o.id: o for o in _load(session, kind, ids)}
        writes.upsert(to_document(kind, o) for o in objects.values())
        writes.delete(i for i in ids if i not in objects)
    # Only after the index commit succeeded: move the cursor past the work that was done.
    if tasks:
        changelog.set_cursor(session, backend.replica, kind, tasks[-1].seq)
    session.commit()
    return len(tasks)


def pending_count(session: Session, replica: str | None = None) -> int:
    """Changes `replica` has not applied yet; without one, every change still in the log."""
    if replica is not None:
        return changelog.behind(session, replica)
    return session.scalar(select(func.count()).select_from(IndexTask)) or 0


# -- rebuild -----------------------------------------------------------------------------

def _raw_batches(factory: sessionmaker, kind: str) -> Iterator[list[dict]]:
    model = MODELS[kind]
    with factory() as session:
        ids = list(session.scalars(select(model.id).order_by(model.id)))
        for i in range(0, len(ids), BATCH):
            yield [raw_document(kind, o) for o in _load(session, kind, ids[i:i + BATCH])]
            session.expunge_all()


def rebuild(factory: sessionmaker, backend: SearchBackend, kind: str, *, procs: int = 2,
            progress: Callable[[int], None] | None = None) -> int:
    """Rebuild one index from the database: rows are read here, tokenized in `procs` worker
    processes (the analysis is most of the cost), and written by the backend's rebuild sink.

    Changes committed before the rebuild started are covered by it: the replica's cursor
    moves to the last of them.
    """
    with factory() as session:
        changelog.number_new_changes(session)
        covered = changelog.last_number(session)
    count = 0
    if procs > 1:
        warm_up()  # load the dictionary once; forked workers share it instead of loading it each
    pool = mp.get_context("fork").Pool(procs) if procs > 1 else None
    try:
        batches = _raw_batches(factory, kind)
        analyzed = pool.imap(analyze_batch, batches) if pool else map(analyze_batch, batches)
        with backend.rebuilding(kind) as sink:
            for docs in analyzed:
                for doc in docs:
                    sink.add(doc)
                count += len(docs)
                if progress:
                    progress(len(docs))
    finally:
        if pool:
            pool.close()
            pool.join()
    with factory() as session:
        changelog.set_cursor(session, backend.replica, kind, covered)
        session.commit()
        changelog.prune(session, kind)
    backend.forget()
    return count


def rebuild_outdated(factory: sessionmaker, backend: SearchBackend) -> list[str]:
    """Rebuild every index whose schema is older than this version's (after an upgrade);
    returns the kinds rebuilt."""
    rebuilt = []
    for kind in KINDS:
        if backend.outdated(kind):
            log.warning("index %s was built for an older schema: rebuilding it", kind)
            rebuild(factory, backend, kind, procs=1)
            rebuilt.append(kind)
    return rebuilt


def total_rows(session: Session, kind: str) -> int:
    model = MODELS[kind]
    return session.scalar(select(func.count()).select_from(model)) or 0


@dataclass(frozen=True)
class CheckReport:
    kind: str
    missing: list[int]
    extra: list[int]

    @property
    def ok(self) -> bool:
        return not self.missing and not self.extra


def check(session: Session, backend: SearchBackend, kind: str) -> CheckReport:
    """Compare ids in the database with ids in the index."""
    model = MODELS[kind]
    db_ids = set(session.scalars(select(model.id)))
    ix_ids = backend.doc_ids(kind)
    return CheckReport(kind, sorted(db_ids - ix_ids), sorted(ix_ids - db_ids))
