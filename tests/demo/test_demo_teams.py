"""Demo teams join through invitations: a second member in a university and in a station."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from matchmaker.catalog.accounts import authenticate
from matchmaker.demo.teams import create_demo_teams
from matchmaker.models import AccountToken, OrgKind, User, UserRole
from tests.factories import make_org, make_user


def test_a_university_and_a_station_get_a_second_member(session):
    users = {}
    for kind in (OrgKind.UNIVERSITY, OrgKind.STATION, OrgKind.ENTERPRISE):
        org = make_org(session, kind)
        users[org.name] = make_user(session, org)
    credentials: list = []
    made = create_demo_teams(session, users, datetime.now(timezone.utc), password="Demo-pass-2026x",
                             credentials=credentials)
    assert made == 2 and len(credentials) == 2
    for admin in users.values():
        team = session.scalars(select(User).where(User.organization_id == admin.organization_id)).all()
        expected = 1 if admin.organization.kind == OrgKind.ENTERPRISE else 2
        assert len(team) == expected
        if expected == 2:
            assert sorted(u.role for u in team) == [UserRole.ADMIN, UserRole.MEMBER]
    assert session.scalar(select(func.count()).select_from(AccountToken)
                          .where(AccountToken.used_at.is_not(None))) == 2
    assert authenticate(session, credentials[0][0], "Demo-pass-2026x").organization.kind == OrgKind.UNIVERSITY
