"""The demo accounts with the role each one plays, and new passwords for them on request.

Passwords are stored hashed, so they can be shown only when they are set: once when the demo
data is loaded, and again whenever `matchmaker demo-logins --reset` sets new ones.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from ..catalog.accounts import rotate_session_token
from ..models import Organization, OrgKind, User

DEMO_SOURCE = "demo"
# What a newcomer tries each account for.
ROLE_HINTS = {
    OrgKind.ENTERPRISE: "发布需求、查看推荐、申请许可",
    OrgKind.STATION: "代企业发需求、撮合交易、看本站指标",
    OrgKind.UNIVERSITY: "登记专利、发布许可条件",
    OrgKind.INSTITUTE: "登记专利、发布许可条件",
    OrgKind.OPERATOR: "审核机构、看运营指标和操作记录",
    OrgKind.AGENCY: "知识产权托管、年费期限",
}


@dataclass(frozen=True)
class DemoLogin:
    """One demo account: its login, its role (organization kind), its organization and, when
    just set, its password."""

    login: str
    role: str
    hint: str
    organization: str
    password: str | None = None


def _demo_users(session: Session) -> list[User]:
    order = {kind: n for n, kind in enumerate(ROLE_HINTS)}
    users = session.scalars(select(User).join(User.organization)
                            .where(Organization.source == DEMO_SOURCE)).all()
    return sorted(users, key=lambda u: (order.get(u.organization.kind, 99), u.login))


def _login_of(user: User, password: str | None) -> DemoLogin:
    kind = user.organization.kind
    return DemoLogin(user.login, kind.label, ROLE_HINTS.get(kind, ""), user.organization.name, password)


def demo_logins(session: Session, passwords: dict[str, str] | None = None) -> list[DemoLogin]:
    """Every demo account, grouped by role; with the passwords given (login → password)."""
    passwords = passwords or {}
    return [_login_of(u, passwords.get(u.login)) for u in _demo_users(session)]


def reset_demo_passwords(session: Session, password: str | None = None) -> list[DemoLogin]:
    """Give every demo account a new password (random unless given) and return them once.
    Existing sessions of those accounts end."""
    out = []
    for user in _demo_users(session):
        new = password or secrets.token_urlsafe(9) + "7a"
        user.password_hash = generate_password_hash(new)
        rotate_session_token(user)
        out.append(_login_of(user, new))
    session.flush()
    return out


def format_logins(logins: list[DemoLogin]) -> list[str]:
    """Lines of a plain table: role, login, password (when known), organization, what to try.

    >>> print(format_logins([DemoLogin("ent1@demo", "企业", "发布需求", "演示企业", "pw-1")])[0])
      企业　　　 ent1@demo                          pw-1              演示企业（发布需求）
    """
    lines = []
    for item in logins:
        role = item.role + "　" * max(0, 5 - len(item.role))   # full-width padding for CJK
        password = f"{item.password:<16}  " if item.password else ""
        hint = f"（{item.hint}）" if item.hint else ""
        lines.append(f"  {role} {item.login:<34} {password}{item.organization}{hint}")
    return lines
