"""Flask-Login wiring: sessions carry `user_id:token`, so rotating the token logs a user out everywhere."""
from __future__ import annotations

from functools import wraps

from flask import Flask, abort
from flask_login import LoginManager, current_user

from ..catalog.accounts import get_user_by_session
from ..params import parse_id
from .context import close_session, db

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录"
login_manager.login_message_category = "warning"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(session_id: str):
    raw_id, _, token = session_id.partition(":")
    user_id = parse_id(raw_id)
    if user_id is None or not token:
        return None
    return get_user_by_session(db(), user_id, token)


def register(app: Flask) -> None:
    login_manager.init_app(app)
    app.teardown_appcontext(close_session)


def require_kinds(*kinds):
    """View decorator: only users of these organization kinds (OrgKind values) may enter."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.organization.kind.value not in kinds:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator
