"""User accounts: registration with an organization, password checks, session tokens."""
from __future__ import annotations

import secrets
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import utcnow
from ..errors import PermissionDenied, ValidationError
from ..models import Organization, OrgKind, OrgStatus, User, UserRole
from .organizations import OrganizationInput, create_organization, notify_registration
from .passwords import password_problem
from .validation import FieldErrors, normalize_login


@cache
def _dummy_hash() -> str:
    """Checked when the login is unknown, so timing does not reveal which logins exist."""
    return generate_password_hash("not-a-real-password")


def _validate_user_fields(session: Session, login: str, password: str, display_name: str,
                         errors: FieldErrors) -> tuple[str | None, str]:
    norm_login = errors.run("login", normalize_login, login)
    if norm_login and session.scalar(select(User.id).where(User.login == norm_login)):
        errors.add("login", "该登录名已被使用")
    name = errors.text("display_name", "姓名", display_name, max_len=100, required=True)
    problem = password_problem(password, norm_login or login or "")
    if problem:
        errors.add("password", problem)
    return norm_login, name


def create_user(session: Session, organization: Organization, login: str, password: str,
                display_name: str, role: UserRole = UserRole.MEMBER) -> User:
    """Create a user; the login must be unique and the password strong enough."""
    errors = FieldErrors()
    norm_login, name = _validate_user_fields(session, login, password, display_name, errors)
    errors.raise_if_any()
    user = User(login=norm_login, password_hash=generate_password_hash(password),
                display_name=name, organization=organization, role=role,
                session_token=secrets.token_hex(16))
    session.add(user)
    session.flush()
    return user


def register(session: Session, org_data: OrganizationInput, login: str, password: str,
             display_name: str) -> User:
    """Self-registration: a pending organization with its first (admin) user.

    Operators cannot self-register; they are created with `matchmaker create-operator`.
    All problems of both parts are reported in one ValidationError.
    """
    errors = FieldErrors()
    if org_data.kind == OrgKind.OPERATOR.value:
        errors.add("kind", "运营方账号只能由管理员创建")
    _validate_user_fields(session, login, password, display_name, errors)
    org = create_organization(session, org_data, status=OrgStatus.PENDING, errors=errors)
    user = create_user(session, org, login, password, display_name, role=UserRole.ADMIN)
    notify_registration(session, org)
    return user


def authenticate(session: Session, login: str, password: str) -> User:
    """Return the user for valid credentials; refuse inactive users and unapproved organizations."""
    generic = ValidationError({"login": "登录名或密码错误"})
    try:
        norm = normalize_login(login)
    except ValidationError:
        check_password_hash(_dummy_hash(), password or "")
        raise generic
    user = session.scalar(select(User).where(User.login == norm))
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        raise generic
    if not check_password_hash(user.password_hash, password or ""):
        raise generic
    if not user.is_active:
        raise PermissionDenied("该账号已停用，请联系机构管理员")
    if user.organization.status == OrgStatus.PENDING:
        raise PermissionDenied("所在机构正在等待平台审核，审核通过后即可登录")
    if user.organization.status == OrgStatus.SUSPENDED:
        raise PermissionDenied("所在机构已被停用，请联系平台运营方"
                               + (f"（原因：{user.organization.status_reason}）"
                                  if user.organization.status_reason else ""))
    if user.organization.status == OrgStatus.REJECTED:
        raise PermissionDenied(f"机构注册未通过审核：{user.organization.status_reason}。"
                               "如有疑问，请联系平台运营方")
    user.last_login_at = utcnow()
    rotate_session_token(user)  # a fresh session id at every login (no fixation)
    session.flush()
    return user


def rotate_session_token(user: User) -> None:
    """Invalidate every existing session of the user (login and logout rotate it)."""
    user.session_token = secrets.token_hex(16)


def get_user_by_session(session: Session, user_id: int, token: str) -> User | None:
    """The logged-in user for a session cookie, or None when the token was rotated."""
    user = session.get(User, user_id)
    if user is None or not user.is_active or not secrets.compare_digest(user.session_token, token):
        return None
    if user.organization.status != OrgStatus.APPROVED:
        return None
    return user


def find_users(session: Session, query: str = "", *, page: int = 1, per_page: int = 50
               ) -> tuple[list[User], int]:
    """Users whose login, name or organization contains `query` (the operator's user list)."""
    from sqlalchemy import func, or_
    stmt = select(User).join(User.organization)
    query = (query or "").strip()
    if query:
        like = f"%{query.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(User.login.ilike(like), User.display_name.ilike(like),
                              Organization.name.ilike(like)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Organization.name, User.id)
                           .offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    return list(rows), total
