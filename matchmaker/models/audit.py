"""The audit trail: who changed which record, when, from what to what. Append-only."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow
from .types import UTCDateTime


class AuditEntry(Base):
    """One change of an audited record.

    Self-contained on purpose (no foreign keys): the trail must survive the records and users
    it talks about, and database triggers refuse UPDATE and DELETE on this table.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    object_type: Mapped[str] = mapped_column(String(32), index=True)
    object_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(16))          # create / update / delete
    changes: Mapped[dict] = mapped_column(JSON, default=dict)  # field -> [old, new]
    request_id: Mapped[str] = mapped_column(String(64), default="")
