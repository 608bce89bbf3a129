"""Durable record of index work, written in the same transaction as the data it describes.

The outbox is an ordered change log: each row gets a sequence number when its transaction
commits (`seq`, from the one-row `index_sequence` counter, whose row lock orders committing
writers), so every reader sees a gapless prefix of the log. Each index replica (one per
application host) follows the log with its own cursor; rows are pruned once every known
replica has passed them.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow
from .types import UTCDateTime


class IndexTask(Base):
    """One change to index; pruned once every replica's index holds it."""

    __tablename__ = "index_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))        # "patent" or "need"
    object_id: Mapped[int] = mapped_column(Integer, index=True)
    op: Mapped[str] = mapped_column(String(8))           # "upsert" or "delete"
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Commit order, gapless; NULL only inside the writing transaction (search/changelog.py).
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True, nullable=True)


class IndexSequence(Base):
    """The change log's counter (a single row): updating it at commit serializes the writers
    of index work for the instant of their commit, so sequence numbers follow commit order."""

    __tablename__ = "index_sequence"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class IndexCursor(Base):
    """How far one replica's index of one kind has applied the change log."""

    __tablename__ = "index_cursors"

    replica: Mapped[str] = mapped_column(String(300), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
