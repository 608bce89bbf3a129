"""Sentence vectors of patents and needs for the semantic re-ranking stage (matchmaker/semantic).

One row per object: a patent is stored as a *passage*, a need as up to four *query* windows (the
model is asymmetric; `vector` holds one float16 row per encoded text), so a need–patent
similarity is the same number whichever side asks. `digest` is a hash of the exact texts that
were encoded: an edited title or abstract makes the row stale
and it is recomputed on next use. Rows carry no foreign key because one table serves two kinds;
`semantic.store.prune` removes the rows of deleted objects.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow
from .types import UTCDateTime


class TextVector(Base):
    __tablename__ = "text_vectors"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)        # "patent" or "need"
    object_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(40))
    vector: Mapped[bytes] = mapped_column(LargeBinary)      # float16 rows, each L2-normalized
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
