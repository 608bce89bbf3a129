"""Who may see and change what: a role × object matrix over the permission rules."""
from __future__ import annotations

import functools
from types import SimpleNamespace

import pytest
from werkzeug.security import generate_password_hash

from matchmaker import permissions
from matchmaker.catalog import accounts
from matchmaker.catalog.organizations import link_station_client
from matchmaker.errors import NotFound, PermissionDenied
from matchmaker.models import ListingState, OrgKind
from tests.factories import make_need, make_org, make_patent, make_user

ROLES = ["university_a", "university_b", "enterprise_a", "enterprise_b", "station_serving_a",
         "station_not_serving_a", "operator", "anonymous"]

# (can_view, can_edit) for each role and object; objects belong to university A / enterprise A.
MATRIX = {
    "listed_patent": {
        "university_a": (True, True), "university_b": (True, False),
        "enterprise_a": (True, False), "enterprise_b": (True, False),
        "station_serving_a": (True, False), "station_not_serving_a": (True, False),
        "operator": (True, False), "anonymous": (True, False),
    },
    "draft_patent_of_a": {
        "university_a": (True, True), "university_b": (False, False),
        "enterprise_a": (False, False), "enterprise_b": (False, False),
        "station_serving_a": (False, False), "station_not_serving_a": (False, False),
        "operator": (True, False), "anonymous": (False, False),
    },
    "need_of_enterprise_a": {
        "university_a": (True, False), "university_b": (True, False),
        "enterprise_a": (True, True), "enterprise_b": (False, False),
        "station_serving_a": (True, True), "station_not_serving_a": (True, False),
        "operator": (True, False), "anonymous": (False, False),
    },
}
CASES = [(role, obj, *MATRIX[obj][role]) for obj in MATRIX for role in ROLES]


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    monkeypatch.setattr(accounts, "generate_password_hash",
                        functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"))


@pytest.fixture
def world(session):
    uni_a, uni_b = make_org(session, OrgKind.UNIVERSITY), make_org(session, OrgKind.UNIVERSITY)
    ent_a, ent_b = make_org(session), make_org(session)
    serving, other = make_org(session, OrgKind.STATION), make_org(session, OrgKind.STATION)
    link_station_client(session, serving, ent_a)
    link_station_client(session, other, ent_b)
    operator = make_org(session, OrgKind.OPERATOR)
    users = {
        "university_a": make_user(session, uni_a), "university_b": make_user(session, uni_b),
        "enterprise_a": make_user(session, ent_a), "enterprise_b": make_user(session, ent_b),
        "station_serving_a": make_user(session, serving),
        "station_not_serving_a": make_user(session, other),
        "operator": make_user(session, operator), "anonymous": None,
    }
    objects = {
        "listed_patent": make_patent(session, uni_a),
        "draft_patent_of_a": make_patent(session, uni_a, listing_state=ListingState.DRAFT),
        "need_of_enterprise_a": make_need(session, ent_a),
    }
    session.flush()
    session.expire_all()   # rules must work on rows loaded back, not on the objects we built
    return SimpleNamespace(users=users, objects=objects)


def _checks(obj_name):
    if obj_name.startswith("need"):
        return (permissions.can_view_need, permissions.can_edit_need,
                permissions.ensure_view_need, permissions.ensure_edit_need)
    return (permissions.can_view_patent, permissions.can_edit_patent,
            permissions.ensure_view_patent, permissions.ensure_edit_patent)


def test_matrix_covers_every_role_and_object():
    assert all(set(row) == set(ROLES) for row in MATRIX.values())
    assert len(CASES) == len(ROLES) * len(MATRIX)


@pytest.mark.parametrize("role, obj, may_view, may_edit", CASES)
def test_can_view_and_can_edit(world, role, obj, may_view, may_edit):
    can_view, can_edit, _, _ = _checks(obj)
    actor, target = world.users[role], world.objects[obj]
    assert can_view(actor, target) is may_view
    assert can_edit(actor, target) is may_edit


@pytest.mark.parametrize("role, obj, may_view, may_edit", CASES)
def test_ensure_functions_hide_invisible_objects_and_refuse_read_only_ones(world, role, obj,
                                                                          may_view, may_edit):
    _, _, ensure_view, ensure_edit = _checks(obj)
    actor, target = world.users[role], world.objects[obj]
    if not may_view:
        with pytest.raises(NotFound):
            ensure_view(actor, target)
        with pytest.raises(NotFound):          # never PermissionDenied: existence stays hidden
            ensure_edit(actor, target)
    elif not may_edit:
        assert ensure_view(actor, target) is target
        with pytest.raises(PermissionDenied):
            ensure_edit(actor, target)
    else:
        assert ensure_edit(actor, target) is target


@pytest.mark.parametrize("role, expected", [
    ("university_a", True), ("university_b", True), ("enterprise_a", False),
    ("station_serving_a", False), ("operator", False), ("anonymous", False),
])
def test_only_universities_and_institutes_list_patents(world, role, expected):
    assert permissions.can_list_patents(world.users[role]) is expected


@pytest.mark.parametrize("role, expected", [
    ("university_a", True), ("enterprise_a", False), ("station_serving_a", True),
    ("operator", True), ("anonymous", False),
])
def test_who_may_search_all_needs(world, role, expected):
    assert permissions.can_search_needs(world.users[role]) is expected


@pytest.mark.parametrize("role, expected", [
    ("enterprise_a", True), ("station_serving_a", True), ("station_not_serving_a", False),
    ("enterprise_b", False), ("university_a", False), ("operator", False), ("anonymous", False),
])
def test_acts_for_enterprise_a(world, role, expected):
    enterprise_a = world.objects["need_of_enterprise_a"].enterprise
    assert permissions.acts_for(world.users[role], enterprise_a) is expected


def test_nobody_acts_for_a_non_enterprise(world):
    university = world.objects["listed_patent"].owner
    assert permissions.acts_for(world.users["university_a"], university) is False


@pytest.mark.parametrize("role, expected", [("operator", True), ("university_a", False),
                                            ("anonymous", False)])
def test_ensure_operator(world, role, expected):
    if expected:
        assert permissions.ensure_operator(world.users[role]) is world.users[role]
    else:
        with pytest.raises(PermissionDenied):
            permissions.ensure_operator(world.users[role])


@pytest.mark.parametrize("state, public", [(ListingState.LISTED, True),
                                           (ListingState.WITHDRAWN, False),
                                           (ListingState.ARCHIVED, False)])
def test_only_listed_patents_are_public(world, session, state, public):
    patent = world.objects["listed_patent"]
    patent.listing_state = state
    assert permissions.can_view_patent(None, patent) is public
    assert permissions.can_view_patent(world.users["enterprise_a"], patent) is public
    assert permissions.can_view_patent(world.users["university_a"], patent) is True
