"""Persisted matches between needs and patents, with the lister-visible decline feedback."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from .enums import DeclineReason, MatchState
from .need import Need
from .organization import User
from .patent import Patent
from .types import UTCDateTime, enum_column


def _lexical_default(context) -> float:
    """A match written without a semantic stage: its lexical score is its score."""
    return context.get_current_parameters()["score"]


def _confidence_default(context) -> float:
    """A match written without a calibrated closeness: its confidence is its lexical score."""
    params = context.get_current_parameters()
    lexical = params.get("lexical_score")
    return params["score"] if lexical is None else lexical


class Match(Base):
    __tablename__ = "matches"
    __table_args__ = (UniqueConstraint("need_id", "patent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    # The score before the semantic stage's penalty: the recommendation threshold applies to it
    # (matchmaker.matching.matches.recommended), the order and the displayed points to `score`.
    lexical_score: Mapped[float] = mapped_column(Float, default=_lexical_default)
    # The lexical score moved by the calibrated closeness in meaning: the recommendation
    # threshold applies to it (matchmaker.matching.matches.confidence).
    confidence: Mapped[float] = mapped_column(Float, default=_confidence_default)
    breakdown: Mapped[dict] = mapped_column(JSON, default=dict)
    signals: Mapped[dict] = mapped_column(JSON, default=dict)
    matched_terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[MatchState] = mapped_column(enum_column(MatchState), default=MatchState.SUGGESTED,
                                              index=True)
    decline_reason: Mapped[DeclineReason | None] = mapped_column(enum_column(DeclineReason))
    decline_note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Which side's computation produced it: "need" (need → patents) or "patent".
    origin: Mapped[str] = mapped_column(String(8), default="need")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    need: Mapped[Need] = relationship()
    patent: Mapped[Patent] = relationship()
    decided_by: Mapped[User | None] = relationship()


class Notification(Base):
    """In-app inbox entry for one user."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set for reminders a scheduled run may try to send twice (`matchmaker tick`): unique.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)

    user: Mapped[User] = relationship()


class Job(Base):
    """Durable background work (e.g. computing matches), claimed by `matchmaker worker`."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_by: Mapped[str] = mapped_column(String(64), default="")
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The running worker renews this while it works; once it lies in the past the worker is
    # gone (killed, cut off from the database) and the next claim requeues the job.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
