"""Failed logins per account (and per trusted device), for the login back-off."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow
from .types import UTCDateTime


class LoginThrottle(Base):
    """Consecutive failed attempts under one key and when the next attempt may be checked.

    The key is a SHA-256 digest ("account:<login>" or "device:<nonce>"), so the table holds no
    login names typed by strangers. A successful login deletes the row."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
