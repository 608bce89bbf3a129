"""Teams: an organization's members with a role (admin, member). Admins invite colleagues by
one-time links, deactivate and reactivate members, and hand the admin role over; there is always
at least one active admin, so the last one can neither leave nor step down.

An invitation to an address that already belongs to a user of another organization also goes
to that user's inbox: without e-mail set up (the default) they would otherwise never hear of it.
The inbox entry cannot carry the link (only its hash is stored), so it opens the invitation by
id, for the logged-in user it is addressed to; accepting it there makes a new account in the
inviting organization (every account belongs to one organization), as the link does."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..models import AccountToken, Organization, OrgStatus, TokenKind, User, UserRole
from ..notifications import notify
from . import tokens
from .accounts import create_user, rotate_session_token
from .validation import FieldErrors

LAST_ADMIN = "机构至少需要一位在职的管理员：请先将管理员身份移交给其他成员"
INVITATION_GONE = "未找到该邀请，或邀请已使用、已撤销或已过期，请向邀请机构的管理员索取新的邀请"


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
    _tell_registered_invitees(session, row)
    return Invitation(row, token)


def _same_address(a: str, b: str) -> bool:
    return bool(a) and a.strip().casefold() == b.strip().casefold()


def registered_invitees(session: Session, row: AccountToken) -> list[User]:
    """Active users of other organizations whose e-mail address is the invitation's (their
    profile's e-mail, else a login that is an address: User.mail_address)."""
    if not row.email:
        return []
    address = row.email.strip().lower()
    candidates = session.scalars(select(User).where(
        User.is_active.is_(True), User.organization_id != row.organization_id,
        (func.lower(User.email) == address)
        | ((User.email == "") & (func.lower(User.login) == address))).order_by(User.id))
    return [u for u in candidates if _same_address(row.email, u.mail_address)]


def _tell_registered_invitees(session: Session, row: AccountToken) -> None:
    """The inbox entry of an invitation to an existing user, linking to the invitation page. Not
    mailed: the invitation's own message (with its link) is the e-mail."""
    org = row.organization
    by = f"{row.created_by.display_name}（{org.name}）" if row.created_by else org.name
    notify(session, registered_invitees(session, row), "invitation",
           f"{org.name}邀请您加入",
           f"{by}邀请您以“{row.role.label}”身份加入{org.name}（{org.kind.label}），"
           f"{row.expires_at.astimezone():%Y-%m-%d} 前有效。打开后设置新账号的登录名和密码即可加入；"
           "您现在的账号不受影响。",
           f"/account/invitations/{row.id}", mail=False)


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


def addressed_invitation(session: Session, user: User, invitation_id: int,
                         now: datetime) -> AccountToken:
    """The usable invitation `invitation_id` when it is addressed to `user` (the page its inbox
    entry opens); NotFound otherwise, with one message for every reason, as for a link."""
    row = session.get(AccountToken, invitation_id)
    if (row is None or row.kind != TokenKind.INVITE or not row.usable(now)
            or row.organization_id == user.organization_id
            or not _same_address(row.email, user.mail_address)):
        raise NotFound(INVITATION_GONE)
    return row


def accept_invitation(session: Session, token: str, *, login: str, password: str,
                      display_name: str, now: datetime) -> User:
    """Create the invitee's account in the inviting organization; the link is spent."""
    return _join(session, invitation_for(session, token, now), login=login, password=password,
                 display_name=display_name, now=now)


def accept_addressed_invitation(session: Session, user: User, invitation_id: int, *, login: str,
                                password: str, display_name: str, now: datetime) -> User:
    """What the link does, from the inbox of the user the invitation is addressed to: a new
    account in the inviting organization (the user's own account stays as it is); the
    invitation is spent, so its link no longer works either."""
    return _join(session, addressed_invitation(session, user, invitation_id, now), login=login,
                 password=password, display_name=display_name, now=now)


def _join(session: Session, row: AccountToken, *, login: str, password: str, display_name: str,
          now: datetime) -> User:
    """The one way in, by link or from the inbox: a new account with the invitation's role,
    under its address; the invitation is spent."""
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
