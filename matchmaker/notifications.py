"""In-app inbox: who hears about what, unread counts, marking read. With e-mail set up
(MATCHMAKER_SMTP_URL) each entry is also queued as an e-mail to the user's address."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .db import utcnow
from .models import Notification, Organization, User


# Set on the sessions of a runtime with e-mail (runtime.build_runtime): the base of the links.
MAIL_KEY = "matchmaker.mail_base_url"


def _mail(session: Session, user: User, title: str, body: str, link: str) -> None:
    """Queue the entry as an e-mail (sent by the job worker, so a slow mail server never slows
    a page) when e-mail is set up and the user has an address."""
    base = session.info.get(MAIL_KEY)
    address = user.mail_address
    if base is None or not address:
        return
    from .jobs.queue import enqueue
    text = body + (f"\n\n查看详情：{base}{link}" if link.startswith("/") else "")
    enqueue(session, "send_mail", {"to": address, "subject": title[:200], "body": text},
            dedupe=False)


def enterprise_audience(enterprise: Organization) -> list[User]:
    """An enterprise's active users and the brokers of every station serving it."""
    users = [u for u in enterprise.users if u.is_active]
    for station in enterprise.stations:
        users += [u for u in station.users if u.is_active]
    return users


def organization_audience(org: Organization) -> list[User]:
    return [u for u in org.users if u.is_active]


def notify(session: Session, users: Iterable[User], kind: str, title: str, body: str = "",
           link: str = "", *, mail: bool = True) -> int:
    """One inbox entry per distinct user; returns how many were written. `mail` False: the news
    already goes out by e-mail its own way (an invitation's message with its link), so the
    entry is not mailed a second time."""
    seen: set[int] = set()
    for user in users:
        if user.id in seen:
            continue
        seen.add(user.id)
        session.add(Notification(user_id=user.id, kind=kind, title=title[:200], body=body,
                                 link=link[:300]))
        if mail:
            _mail(session, user, title, body, link)
    session.flush()
    return len(seen)


def remind_once(session: Session, users: Iterable[User], key: str, kind: str, title: str,
                body: str, link: str) -> int:
    """One reminder per user and key, ever (the dedupe key is unique in the database): what
    makes `matchmaker tick` safe to run again the same day. Returns how many were written."""
    keys = {f"{key}:u{u.id}": u for u in users}
    existing = set(session.scalars(select(Notification.dedupe_key)
                                   .where(Notification.dedupe_key.in_(list(keys)))))
    sent = 0
    for k, user in keys.items():
        if k in existing:
            continue
        session.add(Notification(user_id=user.id, kind=kind, title=title[:200], body=body,
                                 link=link[:300], dedupe_key=k))
        _mail(session, user, title, body, link)
        sent += 1
    return sent


# Pushed recommendations (a need's new matches, a patent's interested enterprises). They come by
# the dozen after an import, so the nav badge leaves them out and the 工作台 sums them up
# ("本周 12 条新推荐"); the inbox still lists them.
RECOMMENDATION_KINDS = frozenset({"need_matches", "patent_matches", "patent_demand"})


def unread_count(session: Session, user: User, *, recommendations: bool | None = None) -> int:
    """Unread notifications of the user: all of them, or (`recommendations` True/False) only
    the recommendations / everything else."""
    stmt = (select(func.count()).select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None)))
    if recommendations is True:
        stmt = stmt.where(Notification.kind.in_(RECOMMENDATION_KINDS))
    elif recommendations is False:
        stmt = stmt.where(Notification.kind.not_in(RECOMMENDATION_KINDS))
    return session.scalar(stmt) or 0


def find_notifications(session: Session, user: User, *, page: int = 1, per_page: int = 20
                       ) -> tuple[list[Notification], int]:
    stmt = select(Notification).where(Notification.user_id == user.id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Notification.created_at.desc(), Notification.id.desc())
                           .offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def mark_read(session: Session, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, with None, every) notification of the user as read."""
    stmt = update(Notification).where(Notification.user_id == user.id,
                                      Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    return session.execute(stmt.values(read_at=utcnow())).rowcount or 0


__all__ = ["RECOMMENDATION_KINDS", "enterprise_audience", "organization_audience", "notify", "unread_count",
           "find_notifications", "mark_read"]
