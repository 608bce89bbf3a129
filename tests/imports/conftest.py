"""Import test fixtures: the organizations files are imported for."""
from __future__ import annotations

import pytest

from matchmaker.models import OrgKind
from tests.factories import make_org


@pytest.fixture
def university(session):
    return make_org(session, OrgKind.UNIVERSITY, name="新疆大学")


@pytest.fixture
def other_university(session):
    return make_org(session, OrgKind.UNIVERSITY, name="石河子大学")


@pytest.fixture
def enterprise(session):
    return make_org(session, OrgKind.ENTERPRISE, name="克拉玛依天山电池有限公司", region="克拉玛依市")
