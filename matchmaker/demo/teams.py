"""Demo teams: a second member joins a demo university and a demo station through an invitation
link, as a colleague would (the admin invites, the colleague accepts)."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ..catalog import memberships
from ..models import OrgKind, User

# (kind of the organization, login, display name)
SECOND_MEMBERS = (
    (OrgKind.UNIVERSITY, "uni1.member@demo.matchmaker.local", "演示用户·成果转化办公室同事"),
    (OrgKind.STATION, "station1.member@demo.matchmaker.local", "演示用户·驿站经纪人同事"),
)


def create_demo_teams(session: Session, users: dict[str, User], now: datetime, *,
                      password: str | None, credentials: list) -> int:
    """The first demo university and station (by their admin's login) get a second member."""
    made = 0
    admins = sorted(users.values(), key=lambda u: u.login)
    for kind, login, name in SECOND_MEMBERS:
        admin = next((u for u in admins if u.organization.kind == kind), None)
        if admin is None:
            continue
        invitation = memberships.invite(session, admin, role="member", now=now,
                                        lifetime=timedelta(days=7))
        pw = password or secrets.token_urlsafe(9) + "7a"
        member = memberships.accept_invitation(session, invitation.token, login=login, password=pw,
                                               display_name=name, now=now)
        credentials.append((member.login, pw, member.organization.name))
        made += 1
    return made
