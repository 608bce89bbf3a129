"""Fixtures for web tests: committed organizations and users the app can see."""
from __future__ import annotations

import pytest

from matchmaker.catalog.organizations import link_station_client
from matchmaker.models import OrgKind
from tests.factories import make_org, make_user


class World:
    """Builds committed data for one test; every builder returns what it made."""

    def __init__(self, session):
        self.session = session

    def member(self, kind: OrgKind, **org_overrides):
        """An approved organization of `kind` with one user; returns (org, user)."""
        org = make_org(self.session, kind, **org_overrides)
        user = make_user(self.session, org, display_name=f"{org.name}用户")
        self.session.commit()
        return org, user

    def serve(self, station, enterprise) -> None:
        """Record that `station` serves `enterprise`."""
        link_station_client(self.session, station, enterprise)
        self.session.commit()

    def commit(self):
        """Commit what the test arranged through `session` directly."""
        self.session.commit()


@pytest.fixture
def world(session) -> World:
    """Builder of committed test data."""
    return World(session)
