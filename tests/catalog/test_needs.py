"""Need services: enterprises post their own needs, brokers post for the enterprises they serve."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from matchmaker.catalog.needs import (DEFAULT_VALIDITY_DAYS, NeedInput, create_need,
                                      enterprises_for, find_needs, update_need, view_need)
from matchmaker.catalog.organizations import link_station_client
from matchmaker.errors import NotFound, PermissionDenied, ValidationError
from matchmaker.models import Need, NeedState, OrgKind
from tests.factories import make_need, make_org, make_user

TODAY = date(2024, 6, 1)
GOOD = NeedInput(title="提高锂电池正极材料的循环寿命",
                 description="我公司生产动力电池，希望引进相关专利技术。", industry="新能源",
                 region="昌吉回族自治州", budget_min_wan="10", budget_max_wan="50",
                 wanted_forms=["licence", "transfer"], valid_until="2024-12-31")


@pytest.fixture
def actors(session):
    ent_a, ent_b = make_org(session, name="企业甲"), make_org(session, name="企业乙")
    station, other_station = make_org(session, OrgKind.STATION), make_org(session, OrgKind.STATION)
    link_station_client(session, station, ent_a)
    university = make_org(session, OrgKind.UNIVERSITY)
    operator = make_org(session, OrgKind.OPERATOR)
    return SimpleNamespace(
        ent_a=ent_a, ent_b=ent_b, station=station,
        ent_a_user=make_user(session, ent_a), ent_b_user=make_user(session, ent_b),
        broker=make_user(session, station), other_broker=make_user(session, other_station),
        university=make_user(session, university), operator=make_user(session, operator))


def count_needs(session) -> int:
    return session.scalar(select(func.count()).select_from(Need))


def test_enterprise_posts_its_own_need(session, actors):
    need = create_need(session, actors.ent_a_user, actors.ent_a, GOOD, today=TODAY)
    session.commit()
    session.expire_all()
    stored = session.get(Need, need.id)
    assert stored.enterprise_id == actors.ent_a.id
    assert stored.posted_by_id == actors.ent_a_user.id
    assert stored.on_behalf_station_id is None
    assert (stored.title, stored.industry, stored.region) == (GOOD.title, "新能源", "昌吉回族自治州")
    assert (stored.budget_min_wan, stored.budget_max_wan) == (10, 50)
    assert stored.wanted_forms == ["licence", "transfer"]
    assert stored.valid_until == date(2024, 12, 31)
    assert stored.state == NeedState.OPEN


def test_broker_posts_for_a_served_enterprise_and_the_station_is_recorded(session, actors):
    need = create_need(session, actors.broker, actors.ent_a, GOOD, today=TODAY)
    session.flush()
    session.expire_all()
    stored = session.get(Need, need.id)
    assert stored.enterprise_id == actors.ent_a.id
    assert stored.posted_by_id == actors.broker.id
    assert stored.on_behalf_station_id == actors.station.id


@pytest.mark.parametrize("who, enterprise", [
    ("broker", "ent_b"),          # station does not serve B
    ("other_broker", "ent_a"),    # another station
    ("ent_b_user", "ent_a"),      # a competitor
    ("university", "ent_a"),
    ("operator", "ent_a"),
])
def test_posting_for_an_enterprise_one_does_not_act_for_is_refused(session, actors, who, enterprise):
    with pytest.raises(PermissionDenied):
        create_need(session, getattr(actors, who), getattr(actors, enterprise), GOOD, today=TODAY)
    session.flush()
    assert count_needs(session) == 0


def test_needs_belong_only_to_enterprises(session, actors):
    with pytest.raises(ValidationError) as info:
        create_need(session, None, actors.station, GOOD, today=TODAY)
    assert set(info.value.errors) == {"enterprise"}


@pytest.mark.parametrize("changes, fields", [
    (dict(budget_min_wan="60", budget_max_wan="50"), {"budget_max_wan"}),
    (dict(budget_min_wan="-1"), {"budget_min_wan"}),
    (dict(budget_max_wan="很多"), {"budget_max_wan"}),
    (dict(valid_until="2024-05-31"), {"valid_until"}),                    # yesterday
    (dict(valid_until="2028-01-01"), {"valid_until"}),                    # beyond three years
    (dict(valid_until="2024-13-01"), {"valid_until"}),
    (dict(title=""), {"title"}),
    (dict(title="需" * 201), {"title"}),
    (dict(industry="占星"), {"industry"}),
    (dict(region="火星"), {"region"}),
    (dict(wanted_forms=[]), {"wanted_forms"}),
    (dict(wanted_forms=["licence", "gift"]), {"wanted_forms"}),
    (dict(title="", budget_min_wan="60", budget_max_wan="50", valid_until="2020-01-01"),
     {"title", "budget_max_wan", "valid_until"}),
])
def test_invalid_needs_name_the_fields_and_write_nothing(session, actors, changes, fields):
    with pytest.raises(ValidationError) as info:
        create_need(session, actors.ent_a_user, actors.ent_a, replace(GOOD, **changes), today=TODAY)
    assert set(info.value.errors) == fields
    session.flush()
    assert count_needs(session) == 0


def test_equal_budget_bounds_and_today_as_valid_until_are_accepted(session, actors):
    need = create_need(session, actors.ent_a_user, actors.ent_a,
                       replace(GOOD, budget_min_wan=50, budget_max_wan=50, valid_until=TODAY),
                       today=TODAY)
    assert (need.budget_min_wan, need.budget_max_wan, need.valid_until) == (50, 50, TODAY)


def test_valid_until_defaults_to_180_days(session, actors):
    need = create_need(session, actors.ent_a_user, actors.ent_a,
                       replace(GOOD, valid_until=None), today=TODAY)
    assert DEFAULT_VALIDITY_DAYS == 180
    assert need.valid_until == TODAY + timedelta(days=180)


def test_region_defaults_to_the_enterprise_region(session, actors):
    need = create_need(session, actors.ent_a_user, actors.ent_a, replace(GOOD, region=""),
                       today=TODAY)
    assert need.region == actors.ent_a.region


def test_duplicate_source_id_is_refused(session, actors):
    create_need(session, None, actors.ent_a, replace(GOOD, source_id="N-1"), today=TODAY)
    with pytest.raises(ValidationError) as info:
        create_need(session, None, actors.ent_b, replace(GOOD, source_id="N-1"), today=TODAY)
    assert set(info.value.errors) == {"source_id"}


@pytest.fixture
def needs(session, actors):
    result = SimpleNamespace(a=make_need(session, actors.ent_a), b=make_need(session, actors.ent_b))
    session.flush()
    return result


@pytest.mark.parametrize("who, visible", [
    ("ent_a_user", {"a"}),
    ("ent_b_user", {"b"}),
    ("broker", {"a", "b"}),
    ("other_broker", {"a", "b"}),
    ("university", {"a", "b"}),
    ("operator", {"a", "b"}),
])
def test_find_needs_visibility_per_role(session, actors, needs, who, visible):
    rows, total = find_needs(session, getattr(actors, who))
    assert {n.id for n in rows} == {getattr(needs, k).id for k in visible}
    assert total == len(visible)


def test_an_enterprise_cannot_widen_find_needs_to_another_enterprise(session, actors, needs):
    rows, total = find_needs(session, actors.ent_a_user, enterprise_id=actors.ent_b.id)
    assert (rows, total) == ([], 0)


def test_find_needs_filters_by_state(session, actors, needs):
    needs.b.state = NeedState.CLOSED
    session.flush()
    rows, _ = find_needs(session, actors.operator, state=NeedState.OPEN)
    assert [n.id for n in rows] == [needs.a.id]


def test_another_enterprise_cannot_view_or_edit_a_need(session, actors, needs):
    with pytest.raises(NotFound):
        view_need(session, actors.ent_b_user, needs.a.id)
    with pytest.raises(NotFound):
        update_need(session, actors.ent_b_user, needs.a.id, GOOD, today=TODAY)


def test_serving_broker_edits_a_clients_need_and_others_may_only_read(session, actors, needs):
    updated = update_need(session, actors.broker, needs.a.id, replace(GOOD, title="新的标题"),
                          today=TODAY)
    assert updated.title == "新的标题"
    for who in ("other_broker", "university", "operator"):
        assert view_need(session, getattr(actors, who), needs.a.id) is needs.a
        with pytest.raises(PermissionDenied):
            update_need(session, getattr(actors, who), needs.a.id, GOOD, today=TODAY)


def test_enterprises_for_lists_own_or_served_enterprises(session, actors):
    assert enterprises_for(session, actors.ent_a_user) == [actors.ent_a]
    assert enterprises_for(session, actors.broker) == [actors.ent_a]
    assert enterprises_for(session, actors.other_broker) == []
    assert enterprises_for(session, actors.university) == []
