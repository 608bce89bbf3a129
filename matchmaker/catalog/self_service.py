"""Account self-service: change one's password (the current one required), edit one's profile,
and set a new password through a one-time reset link that an operator (or the command line)
issues. A new password ends every other session of the account."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from .. import audit
from ..errors import NotFound, PermissionDenied, ValidationError
from ..models import OrgKind, TokenKind, User
from . import accounts, tokens
from .passwords import password_problem
from .validation import FieldErrors


def _set_password(user: User, password: str) -> None:
    problem = password_problem(password, user.login)
    if problem:
        raise ValidationError({"password": problem})
    user.password_hash = accounts.generate_password_hash(password)
    accounts.rotate_session_token(user)        # every other session of the account ends


def change_password(session: Session, user: User, current: str, new: str) -> User:
    """The user's own change: the current password proves it is them."""
    if not check_password_hash(user.password_hash, current or ""):
        raise ValidationError({"current_password": "当前密码不正确"})
    if current == new:
        raise ValidationError({"password": "新密码不能与当前密码相同"})
    _set_password(user, new)
    audit.record(session, "user", user.id, "password", {"password": ["", "已修改"]})
    session.flush()
    return user


def update_profile(session: Session, user: User, *, display_name: str, email: str) -> User:
    e = FieldErrors()
    name = e.text("display_name", "姓名", display_name, max_len=100, required=True)
    email = e.text("email", "邮箱", email, max_len=200)
    if email and ("@" not in email or " " in email or email.startswith("@")):
        e.add("email", "邮箱格式不正确")
    e.raise_if_any()
    user.display_name, user.email = name, email
    session.flush()
    return user


def issue_reset(session: Session, actor: User | None, user_id: int, *, now: datetime,
                lifetime: timedelta) -> tuple[User, str]:
    """A one-time link to set a new password (operators; `actor` None: the command line).
    Earlier unused links of the account stop working. Returns the user and the token."""
    if actor is not None and actor.organization.kind != OrgKind.OPERATOR:
        raise PermissionDenied("只有平台运营方可以签发重设密码链接")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("未找到该用户")
    tokens.revoke_open(session, TokenKind.RESET, user=user, now=now)
    _row, token = tokens.issue(session, TokenKind.RESET, user.organization, now=now,
                               lifetime=lifetime, created_by=actor, user=user,
                               email=user.mail_address)
    return user, token


def reset_target(session: Session, token: str, now: datetime) -> User:
    """Whose password the link resets (NotFound when it is used, revoked or expired)."""
    return tokens.usable(session, TokenKind.RESET, token, now).user


def reset_password(session: Session, token: str, password: str, now: datetime) -> User:
    """Set the new password; the link is spent and the account's other sessions end."""
    row = tokens.usable(session, TokenKind.RESET, token, now)
    user = row.user
    _set_password(user, password)
    tokens.spend(row, now)
    audit.record(session, "user", user.id, "password", {"password": ["", "已通过重设链接修改"]})
    session.flush()
    return user
