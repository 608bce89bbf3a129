"""One-time links: issue a token (returned once, stored hashed), find a usable one, spend it.
Invitations and password resets both go through here."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import AccountToken, Organization, TokenKind, User, UserRole

USED_OR_EXPIRED = "该链接无效、已使用或已过期，请向机构管理员或平台运营方索取新的链接"


def token_hash(token: str) -> str:
    """What is stored: the link itself never is.

    >>> len(token_hash("abc"))
    64
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(session: Session, kind: TokenKind, organization: Organization, *, now: datetime,
          lifetime: timedelta, created_by: User | None, user: User | None = None,
          role: UserRole = UserRole.MEMBER, email: str = "") -> tuple[AccountToken, str]:
    """A new one-time link; returns the row and the token (shown or sent once)."""
    token = secrets.token_urlsafe(32)
    row = AccountToken(kind=kind, token_hash=token_hash(token), organization=organization,
                       user=user, role=role, email=email, created_by=created_by, created_at=now,
                       expires_at=now + lifetime)
    session.add(row)
    session.flush()
    return row, token


def usable(session: Session, kind: TokenKind, token: str, now: datetime) -> AccountToken:
    """The unused, unexpired, unrevoked link of this kind, else NotFound (one message for every
    reason, so a guess learns nothing)."""
    if not token or len(token) > 100:
        raise NotFound(USED_OR_EXPIRED)
    row = session.scalar(select(AccountToken).where(AccountToken.token_hash == token_hash(token),
                                                    AccountToken.kind == kind))
    if row is None or not row.usable(now):
        raise NotFound(USED_OR_EXPIRED)
    return row


def spend(row: AccountToken, now: datetime, user: User | None = None) -> None:
    row.used_at = now
    if user is not None:
        row.user = user


def revoke_open(session: Session, kind: TokenKind, *, user: User, now: datetime) -> int:
    """Earlier unused links of a user (a new reset link replaces the old ones)."""
    rows = session.scalars(select(AccountToken).where(
        AccountToken.kind == kind, AccountToken.user_id == user.id,
        AccountToken.used_at.is_(None), AccountToken.revoked_at.is_(None)))
    count = 0
    for row in rows:
        row.revoked_at = now
        count += 1
    return count
