"""Per-request database session and current actor; the only place views get them from."""
from __future__ import annotations

from flask import current_app, g
from flask_login import current_user
from sqlalchemy.orm import Session

from ..models import User
from ..runtime import Runtime


def runtime() -> Runtime:
    return current_app.extensions["matchmaker"]


def db() -> Session:
    """The request's session, opened lazily and closed at teardown (uncommitted work rolls back)."""
    if "db_session" not in g:
        g.db_session = runtime().session_factory()
    return g.db_session


def close_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def actor() -> User | None:
    """The logged-in user, bound to this request's session, or None for visitors."""
    return current_user if current_user.is_authenticated else None  # type: ignore[return-value]
