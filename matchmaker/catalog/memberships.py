"""Teams: an organization's members with a role (admin, member). Admins invite colleagues by
one-time links, deactivate and reactivate members, and hand the admin role over; there is always
at least one active admin, so the last one can neither leave nor step down."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..models import AccountToken, Organization, OrgStatus, TokenKind, User, UserRole
from . import tokens
from .accounts import create_user, rotate_session_token
from .validation import FieldErrors

LAST_ADMIN = "机构至少需要一位在职的管理员：请先将管理员身份移交给其他成员"


def ensure_admin(actor: User | None) -> Organization:
    """The actor's organization, when the actor is an active admin of an approved one."""
    if actor is None or not actor.is_active or actor.role != UserRole.ADMIN:
        raise PermissionDenied("只有机构管理员可以管理成员")
    if actor.organization.status != OrgStatus.APPROVED:
        raise PermissionDenied("机构通过审核后才能管理成员")
    return actor.organization


def members(session: Session, org: Organization) -> list[User]:
    """Admins first, then by name; inactive members last."""
    rows = session.scalars(select(User).where(User.organization_id == org.id))
    return sorted(rows, key=lambda u: (not u.is_active, u.role != UserRole.ADMIN, u.display_name,
                                       u.id))


def _member(session: Session, org: Organization, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.organization_id != org.id:
        raise NotFound("未找到该成员")
    return user


def _active_admins(session: Session, org: Organization) -> int:
    return session.scalar(select(func.count()).select_from(User).where(
        User.organization_id == org.id, User.role == UserRole.ADMIN,
        User.is_active.is_(True))) or 0


def _keep_an_admin(session: Session, org: Organization, user: User) -> None:
    """Refuse to take away the last active admin."""
    if user.is_active and user.role == UserRole.ADMIN and _active_admins(session, org) <= 1:
        raise Conflict(LAST_ADMIN)


@dataclass(frozen=True)
class Invitation:
    row: AccountToken
    token: str          # shown once


def invite(session: Session, actor: User, *, role: str, email: str = "", now: datetime,
           lifetime: timedelta) -> Invitation:
    """A one-time link to join the admin's organization with `role`."""
    org = ensure_admin(actor)
    e = FieldErrors()
    role_value = e.choice("role", "角色", role, [r.value for r in UserRole])
    email = e.text("email", "邮箱", email, max_len=200)
    if email and ("@" not in email or " " in email):
        e.add("email", "邮箱格式不正确")
    e.raise_if_any()
    row, token = tokens.issue(session, TokenKind.INVITE, org, now=now, lifetime=lifetime,
                              created_by=actor, role=UserRole(role_value), email=email)
    return Invitation(row, token)


def pending_invitations(session: Session, org: Organization, now: datetime) -> list[AccountToken]:
    return list(session.scalars(select(AccountToken).where(
        AccountToken.kind == TokenKind.INVITE, AccountToken.organization_id == org.id,
        AccountToken.used_at.is_(None), AccountToken.revoked_at.is_(None),
        AccountToken.expires_at > now).order_by(AccountToken.id.desc())))


def revoke_invitation(session: Session, actor: User, invitation_id: int, now: datetime) -> AccountToken:
    org = ensure_admin(actor)
    row = session.get(AccountToken, invitation_id)
    if row is None or row.kind != TokenKind.INVITE or row.organization_id != org.id:
        raise NotFound("未找到该邀请")
    if not row.usable(now):
        raise Conflict("该邀请已使用、已撤销或已过期")
    row.revoked_at = now
    session.flush()
    return row


def invitation_for(session: Session, token: str, now: datetime) -> AccountToken:
    """The usable invitation behind a link (NotFound otherwise)."""
    return tokens.usable(session, TokenKind.INVITE, token, now)


def accept_invitation(session: Session, token: str, *, login: str, password: str,
                      display_name: str, now: datetime) -> User:
    """Create the invitee's account in the inviting organization; the link is spent."""
    row = invitation_for(session, token, now)
    if row.organization.status != OrgStatus.APPROVED:
        raise PermissionDenied("该机构当前不能接收新成员，请联系平台运营方")
    user = create_user(session, row.organization, login, password, display_name, role=row.role)
    if row.email:
        user.email = row.email
    tokens.spend(row, now, user)
    session.flush()
    return user


def set_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    """Deactivate (or reactivate) a member; deactivating ends their sessions. Anyone may leave
    (deactivate themself), except the last active admin."""
    if active or actor.id != user_id:
        org = ensure_admin(actor)
    else:
        org = actor.organization
    user = _member(session, org, user_id)
    if not active:
        _keep_an_admin(session, org, user)
        rotate_session_token(user)
    user.is_active = active
    session.flush()
    return user


def set_role(session: Session, actor: User, user_id: int, role: str) -> User:
    """Make a member admin, or an admin member (never the last active one)."""
    org = ensure_admin(actor)
    if role not in {r.value for r in UserRole}:
        raise ValidationError({"role": "角色不在可选范围内"})
    user = _member(session, org, user_id)
    if not user.is_active:
        raise Conflict("该成员已停用，请先恢复")
    if UserRole(role) == UserRole.MEMBER:
        _keep_an_admin(session, org, user)
    user.role = UserRole(role)
    session.flush()
    return user


def hand_over(session: Session, actor: User, user_id: int) -> User:
    """The admin makes a colleague admin and becomes a member in one step."""
    org = ensure_admin(actor)
    if user_id == actor.id:
        raise ValidationError({"user_id": "请选择另一位成员"})
    target = _member(session, org, user_id)
    if not target.is_active:
        raise Conflict("该成员已停用，不能接任管理员")
    target.role = UserRole.ADMIN
    session.flush()
    actor.role = UserRole.MEMBER
    session.flush()
    return target
