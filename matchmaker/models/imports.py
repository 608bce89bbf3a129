"""Uploaded import files kept between preview and confirmation (and as a record afterwards)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from .enums import ImportKind, ImportState
from .organization import Organization, User
from .types import UTCDateTime, enum_column


class ImportBatch(Base):
    """One uploaded file: previewed, then applied or cancelled.

    The file itself lives under `instance/uploads/` (`stored_name`); `summary` keeps what the
    preview showed (counts, column mapping, first problems and changes), so the page can be
    shown again without re-reading the file.
    """

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = mapped_column(enum_column(ImportKind))
    state: Mapped[ImportState] = mapped_column(enum_column(ImportState),
                                               default=ImportState.PREVIEWED, index=True)
    # Patents: the owner; needs: the enterprise the needs belong to.
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    encoding: Mapped[str] = mapped_column(String(16), default="auto")
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship()
    uploaded_by: Mapped[User | None] = relationship()
