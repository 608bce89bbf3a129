"""Record every change of patents, needs, licence offers and deals in the audit trail.

Mapper events write the entry in the same transaction as the change (like the index outbox),
so a change without its audit entry cannot be committed. Who acted comes from a resolver the
entry point installs: the web app resolves the logged-in user; the CLI and `tick` set a label.
"""
from __future__ import annotations

import enum
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Callable, Iterator

from sqlalchemy import event, inspect, insert
from sqlalchemy.orm import Session

from .db import utcnow
from .models import (AccountToken, AuditEntry, Deal, LicenceOffer, Need, Organization, Patent,
                     StationLink, User)

AUDITED: dict[type, str] = {Patent: "patent", Need: "need", LicenceOffer: "offer", Deal: "deal",
                            Organization: "organization", StationLink: "station_link",
                            User: "user", AccountToken: "account_token"}
# Never in the trail: bookkeeping, and secrets (a password change is recorded as an action).
SKIPPED = frozenset({"created_at", "updated_at", "version", "first_response_at", "open_slot",
                     "password_hash", "session_token", "last_login_at", "token_hash"})
# What a creation records (the whole row of a 10,000-row import would bloat the trail).
CREATE_FIELDS = {"patent": ("title", "app_no", "owner_id", "listing_state", "legal_status"),
                 "need": ("title", "enterprise_id", "state"),
                 "offer": ("patent_id", "licence_type", "free_months", "payment_mode",
                           "lump_sum_yuan", "royalty_pct", "transfer_price_yuan", "term_months"),
                 "deal": ("patent_id", "enterprise_id", "offer_id", "state", "licence_type", "event_id"),
                 "organization": ("name", "kind", "status"),
                 "station_link": ("station_id", "enterprise_id", "state", "requested_by_id"),
                 "user": ("login", "display_name", "organization_id", "role", "is_active"),
                 "account_token": ("kind", "organization_id", "user_id", "role", "expires_at")}
MAX_TEXT = 500

Actor = tuple[int | None, str, str]     # user id, label, request id
_override: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)
_resolvers: list[Callable[[], Actor | None]] = []
_installed = False


@contextmanager
def acting_as(label: str, user_id: int | None = None) -> Iterator[None]:
    """Attribute changes made inside the block to `label` (CLI command, scheduled task)."""
    token = _override.set((user_id, label, ""))
    try:
        yield
    finally:
        _override.reset(token)


def add_resolver(resolver: Callable[[], Actor | None]) -> None:
    if resolver not in _resolvers:
        _resolvers.append(resolver)


def _actor() -> Actor:
    explicit = _override.get()
    if explicit is not None:
        return explicit
    for resolver in _resolvers:
        found = resolver()
        if found is not None:
            return found
    return None, "系统", ""


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[:MAX_TEXT] + "…"
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _columns(obj) -> list[str]:
    return [a.key for a in inspect(obj).mapper.column_attrs if a.key not in SKIPPED]


def _write(connection, kind: str, obj, action: str, changes: dict) -> None:
    user_id, label, request_id = _actor()
    connection.execute(insert(AuditEntry), {
        "at": utcnow(), "actor_id": user_id, "actor_label": label[:200], "object_type": kind,
        "object_id": obj.id, "action": action, "changes": changes, "request_id": request_id})


def _on_insert(kind: str):
    def listener(_mapper, connection, obj) -> None:
        fields = CREATE_FIELDS.get(kind, ())
        _write(connection, kind, obj, "create",
               {f: [None, _plain(getattr(obj, f))] for f in fields if getattr(obj, f) is not None})
    return listener


def _on_update(kind: str):
    def listener(_mapper, connection, obj) -> None:
        state = inspect(obj)
        changes = {}
        for key in _columns(obj):
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changes[key] = [_plain(old), _plain(new)]
        if changes:
            _write(connection, kind, obj, "update", changes)
    return listener


def _on_delete(kind: str):
    def listener(_mapper, connection, obj) -> None:
        _write(connection, kind, obj, "delete", {})
    return listener


def record(session: Session, kind: str, object_id: int, action: str, changes: dict) -> None:
    """An entry for a decision the row's columns do not show (an operator's reason for
    reassigning a patent), attributed like every other entry."""
    user_id, label, request_id = _actor()
    session.execute(insert(AuditEntry), {
        "at": utcnow(), "actor_id": user_id, "actor_label": label[:200], "object_type": kind,
        "object_id": object_id, "action": action[:16],
        "changes": {k: [_plain(a), _plain(b)] for k, (a, b) in changes.items()},
        "request_id": request_id})


def install() -> None:
    """Global, once per process."""
    global _installed
    if _installed:
        return
    _installed = True
    for model, kind in AUDITED.items():
        event.listen(model, "after_insert", _on_insert(kind))
        event.listen(model, "after_update", _on_update(kind))
        event.listen(model, "after_delete", _on_delete(kind))


def find_entries(session: Session, *, object_type: str | None = None, object_id: int | None = None,
                 actor_id: int | None = None, page: int = 1, per_page: int = 50
                 ) -> tuple[list[AuditEntry], int]:
    from sqlalchemy import func, select
    stmt = select(AuditEntry)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    if actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(AuditEntry.id.desc())
                           .offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    return list(rows), total
