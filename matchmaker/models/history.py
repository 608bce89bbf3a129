"""The columns every "one step of a record's history" table shares (who, when, from → to, why).

Station links and custody agreements are small two-party state machines whose histories are
read the same way (audit views, exports, indicators counting confirmations by date); one
definition keeps those tables alike. Deal events are richer (enum states, amounts, data) and
keep their own.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..db import utcnow
from .types import UTCDateTime

if TYPE_CHECKING:
    from .organization import User


class StateChangeColumns:
    """Mixin: actor (None: the system), from_state ("" for the first step), to_state, note,
    created_at."""

    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_state: Mapped[str] = mapped_column(String(20), default="")
    to_state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @declared_attr
    def actor(cls) -> Mapped[User | None]:
        return relationship("User")
