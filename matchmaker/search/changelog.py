"""The index change log: sequence numbers in commit order, one cursor per index replica.

Writers only insert outbox rows (search/outbox.py). An applier first numbers every committed
row that has no number yet, under the row lock of the `index_sequence` counter: a row becomes
visible only when its transaction commits, so numbers follow commit order and the log has no
gaps — a reader never skips a change that a slow transaction commits later (numbering by the
insert order, as an autoincrement id does, would). Each replica (an application host with its
own index directory) then applies the rows after its cursor and moves the cursor; rows every
known replica has passed are pruned.
"""
from __future__ import annotations

import socket
from pathlib import Path

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import IndexCursor, IndexSequence, IndexTask

_NUMBER_ROWS = text(
    "UPDATE index_outbox SET seq = :base + numbered.n "
    "FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM index_outbox "
    "      WHERE seq IS NULL) AS numbered "
    "WHERE index_outbox.id = numbered.id")


def default_replica(index_dir: Path) -> str:
    """A replica is an index directory on a host (MATCHMAKER_INDEX_REPLICA overrides)."""
    return f"{socket.gethostname()}:{Path(index_dir).resolve()}"


def number_new_changes(session: Session) -> int:
    """Give committed, unnumbered rows the next sequence numbers; commits; returns how many."""
    if session.scalar(select(IndexTask.id).where(IndexTask.seq.is_(None)).limit(1)) is None:
        session.rollback()
        return 0
    # Take the counter's row lock first (SQLite: the write lock): the rows counted and numbered
    # below are then exactly those committed before this moment, and no one numbers them twice.
    locked = session.execute(update(IndexSequence).where(IndexSequence.id == 1)
                             .values(value=IndexSequence.value)).rowcount
    if not locked:
        _create_counter(session)
    base = session.scalar(select(IndexSequence.value).where(IndexSequence.id == 1))
    # One statement numbers the rows and says how many it numbered: counting them in an earlier
    # statement would miss rows committed in between (PostgreSQL's READ COMMITTED gives every
    # statement a new snapshot), and the next applier would hand out their numbers again.
    count = session.execute(_NUMBER_ROWS, {"base": base}).rowcount or 0
    if count:
        session.execute(update(IndexSequence).where(IndexSequence.id == 1)
                        .values(value=base + count))
    session.commit()
    return count


def _create_counter(session: Session) -> None:
    """Create the counter row (a database emptied by hand lacks it) and take its lock.

    Two appliers can find it missing at once: the second insert waits for the first to commit,
    fails on the primary key inside its savepoint, and then locks the row the first one made.
    """
    top = session.scalar(select(func.max(IndexTask.seq))) or 0
    try:
        with session.begin_nested():
            session.execute(insert(IndexSequence), {"id": 1, "value": top})
    except IntegrityError:
        pass
    session.execute(update(IndexSequence).where(IndexSequence.id == 1)
                    .values(value=IndexSequence.value))


def last_number(session: Session) -> int:
    return session.scalar(select(IndexSequence.value).where(IndexSequence.id == 1)) or 0


def cursor(session: Session, replica: str, kind: str) -> IndexCursor | None:
    return session.get(IndexCursor, (replica, kind))


def set_cursor(session: Session, replica: str, kind: str, position: int) -> None:
    """Create or move a replica's cursor (in the caller's transaction)."""
    row = session.get(IndexCursor, (replica, kind))
    if row is None:
        session.add(IndexCursor(replica=replica, kind=kind, position=position))
    else:
        row.position = position


def start_cursor(session: Session, replica: str, kind: str, position: int) -> None:
    """A new replica's cursor; another process of the same replica may have just made it."""
    try:
        with session.begin_nested():
            session.add(IndexCursor(replica=replica, kind=kind, position=position))
        session.commit()
    except IntegrityError:
        session.rollback()


def first_retained(session: Session, kind: str) -> int | None:
    """The lowest sequence number still in the log for `kind` (None: nothing retained)."""
    return session.scalar(select(func.min(IndexTask.seq)).where(IndexTask.kind == kind))


def next_changes(session: Session, kind: str, after: int, limit: int) -> list[IndexTask]:
    return list(session.scalars(select(IndexTask)
                                .where(IndexTask.kind == kind, IndexTask.seq > after)
                                .order_by(IndexTask.seq).limit(limit)))


def has_changes_after(session: Session, kind: str, after: int) -> bool:
    return session.scalar(select(IndexTask.id).where(IndexTask.kind == kind,
                                                     IndexTask.seq > after).limit(1)) is not None


def prune(session: Session, kind: str) -> int:
    """Drop the rows of `kind` that every known replica has applied."""
    low = session.scalar(select(func.min(IndexCursor.position)).where(IndexCursor.kind == kind))
    if low is None:
        return 0
    done = session.execute(delete(IndexTask).where(IndexTask.kind == kind, IndexTask.seq <= low))
    session.commit()
    return done.rowcount or 0


def behind(session: Session, replica: str, kind: str | None = None) -> int:
    """Changes this replica has not applied yet (numbered after its cursor, or not numbered)."""
    stmt = select(func.count()).select_from(IndexTask)
    kinds = [kind] if kind else [k for (k,) in session.execute(
        select(IndexTask.kind).distinct())]
    total = 0
    for k in kinds:
        row = cursor(session, replica, k)
        position = row.position if row is not None else -1
        total += session.scalar(stmt.where(IndexTask.kind == k, (IndexTask.seq > position)
                                           | IndexTask.seq.is_(None))) or 0
    return total


def replicas(session: Session) -> list[dict]:
    """Every replica with its cursors and how far behind the log it is (`index replicas`)."""
    rows = session.scalars(select(IndexCursor).order_by(IndexCursor.replica, IndexCursor.kind))
    out: dict[str, dict] = {}
    for c in rows:
        entry = out.setdefault(c.replica, {"replica": c.replica, "kinds": {}})
        entry["kinds"][c.kind] = {"position": c.position, "behind": behind(session, c.replica, c.kind),
                                  "updated_at": c.updated_at.isoformat()}
    return list(out.values())


def forget_replica(session: Session, replica: str) -> int:
    """Remove a replica that is gone for good (its cursor would hold the log forever)."""
    done = session.execute(delete(IndexCursor).where(IndexCursor.replica == replica))
    session.commit()
    return done.rowcount or 0
