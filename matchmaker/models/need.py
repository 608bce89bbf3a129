"""Technical needs (技术需求) posted by enterprises or by a station broker on their behalf."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from .enums import NeedState
from .organization import Organization, User
from .types import UTCDateTime, enum_column


class Need(Base):
    __tablename__ = "needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The station whose broker posted it, when not posted by the enterprise itself.
    on_behalf_station_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    source_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    source: Mapped[str] = mapped_column(String(300), default="")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    industry: Mapped[str] = mapped_column(String(32), default="其他")
    region: Mapped[str] = mapped_column(String(32), default="其他")
    budget_min_wan: Mapped[int | None] = mapped_column(Integer)  # in 10,000 yuan
    budget_max_wan: Mapped[int | None] = mapped_column(Integer)
    wanted_forms: Mapped[list[str]] = mapped_column(JSON, default=list)
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    state: Mapped[NeedState] = mapped_column(enum_column(NeedState), default=NeedState.OPEN,
                                             index=True)
    # First time someone answered it: a pushed match, a broker's note or a licence request.
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    enterprise: Mapped[Organization] = relationship(foreign_keys=[enterprise_id])
    posted_by: Mapped[User | None] = relationship()
    on_behalf_station: Mapped[Organization | None] = relationship(foreign_keys=[on_behalf_station_id])

    def __repr__(self) -> str:
        return f"<Need {self.id} {self.title[:20]}>"
