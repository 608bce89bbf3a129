"""Need pages: posting (also by station brokers), visibility and edit rules."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from matchmaker.models import Need, NeedState, OrgKind
from tests.factories import make_need
from tests.web.helpers import csrf_token, login, post_form, text


def need_form(**overrides) -> dict:
    """A valid need form submission."""
    data = {"title": "棉花秸秆综合利用技术", "description": "每年产生大量棉秆，希望引进制板或制肥技术。",
            "industry": "农产品加工", "region": "", "budget_min_wan": "10", "budget_max_wan": "50",
            "wanted_forms": ["licence", "joint"],
            "valid_until": (date.today() + timedelta(days=60)).isoformat()}
    data.update(overrides)
    return data


def need_count(session) -> int:
    """Needs currently in the database."""
    session.expire_all()
    return session.scalar(select(func.count(Need.id)))


@pytest.fixture
def ent_a(world):
    """Enterprise A (served by the station) and its user."""
    return world.member(OrgKind.ENTERPRISE, name="阿克苏甲纺织有限公司", region="阿克苏地区")


@pytest.fixture
def ent_b(world):
    """Enterprise B (served by nobody) and its user."""
    return world.member(OrgKind.ENTERPRISE, name="哈密乙能源有限公司")


@pytest.fixture
def station(world, ent_a):
    """A station serving enterprise A, and its broker."""
    org, broker = world.member(OrgKind.STATION, name="阿克苏创新驿站")
    world.serve(org, ent_a[0])
    return org, broker


def test_enterprise_posts_its_own_need(client, session, ent_a):
    org, user = ent_a
    login(client, user.login)
    response = post_form(client, "/needs/new", need_form())
    assert response.status_code == 302
    need = session.scalar(select(Need))
    assert need.enterprise_id == org.id and need.posted_by_id == user.id
    assert need.on_behalf_station_id is None
    assert need.region == "阿克苏地区" and need.wanted_forms == ["licence", "joint"]

    page = text(client.get(f"/needs/{need.id}"))
    for expected in ("棉花秸秆综合利用技术", "阿克苏甲纺织有限公司", "农产品加工", "10 – 50 万元",
                     "许可、合作开发", user.display_name, "征集中"):
        assert expected in page, expected
    assert 'id="need-on-behalf"' not in page


def test_broker_posts_for_served_enterprise_and_is_recorded(client, session, ent_a, station):
    login(client, station[1].login)
    form = text(client.get("/needs/new"))
    assert 'name="enterprise_id"' in form and "阿克苏甲纺织有限公司" in form
    response = client.post("/needs/new", data={**need_form(), "enterprise_id": str(ent_a[0].id),
                                               "csrf_token": csrf_token(form)})
    assert response.status_code == 302
    need = session.scalar(select(Need))
    assert need.enterprise_id == ent_a[0].id
    assert need.on_behalf_station_id == station[0].id and need.posted_by_id == station[1].id

    page = text(client.get(f"/needs/{need.id}"))
    assert "由 阿克苏创新驿站 代为发布" in page and 'id="need-on-behalf"' in page

    # The enterprise sees the need posted on its behalf.
    own = client.application.test_client()
    login(own, ent_a[1].login)
    assert "棉花秸秆综合利用技术" in text(own.get("/needs/"))


def test_broker_cannot_post_for_an_enterprise_the_station_does_not_serve(client, session, ent_b,
                                                                        station):
    login(client, station[1].login)
    response = post_form(client, "/needs/new", {**need_form(), "enterprise_id": str(ent_b[0].id)})
    assert response.status_code == 403
    assert need_count(session) == 0


def test_station_without_clients_is_told_what_to_do(client, world):
    _, broker = world.member(OrgKind.STATION)
    login(client, broker.login)
    page = text(client.get("/needs/new"))
    assert 'data-testid="no-clients"' in page and 'id="need-form"' not in page


def test_over_long_title_shows_field_message(client, session, ent_a):
    login(client, ent_a[1].login)
    page = text(post_form(client, "/needs/new", need_form(title="需" * 201)))
    assert 'data-testid="error-title"' in page
    assert "需求标题不能超过 200 个字符（当前 201 个）" in page
    assert "每年产生大量棉秆" in page  # the description the user typed is kept
    assert need_count(session) == 0


def test_missing_wanted_forms_and_bad_budget_show_field_messages(client, session, ent_a):
    login(client, ent_a[1].login)
    page = text(post_form(client, "/needs/new",
                          need_form(wanted_forms=[], budget_min_wan="很多", budget_max_wan="")))
    assert 'data-testid="error-wanted_forms"' in page and "请至少选择一种合作方式" in page
    assert 'data-testid="error-budget_min_wan"' in page
    assert need_count(session) == 0


def test_other_enterprise_can_neither_view_nor_edit(client, session, ent_a, ent_b):
    need = make_need(session, ent_a[0], title="甲公司的需求")
    session.commit()
    login(client, ent_b[1].login)
    assert client.get(f"/needs/{need.id}").status_code == 404
    assert client.get(f"/needs/{need.id}/edit").status_code == 404
    token = csrf_token(text(client.get("/needs/new")))
    response = client.post(f"/needs/{need.id}/edit",
                           data={**need_form(title="被篡改"), "csrf_token": token})
    assert response.status_code in (403, 404)
    assert client.post(f"/needs/{need.id}/close", data={"csrf_token": token}).status_code in (403, 404)
    assert "甲公司的需求" not in text(client.get("/needs/"))
    session.refresh(need)
    assert need.title == "甲公司的需求" and need.state == NeedState.OPEN


def test_broker_edits_only_needs_of_served_enterprises(client, session, ent_a, ent_b, station):
    served = make_need(session, ent_a[0], title="驿站服务企业的需求")
    other = make_need(session, ent_b[0], title="其他企业的需求")
    session.commit()
    login(client, station[1].login)

    detail = client.get(f"/needs/{other.id}")
    assert detail.status_code == 200 and 'id="edit-need"' not in text(detail)
    assert client.get(f"/needs/{other.id}/edit").status_code == 403
    token = csrf_token(text(detail))
    response = client.post(f"/needs/{other.id}/edit",
                           data={**need_form(title="越权修改"), "csrf_token": token})
    assert response.status_code == 403
    session.refresh(other)
    assert other.title == "其他企业的需求"

    form = text(client.get(f"/needs/{served.id}/edit"))
    assert 'value="驿站服务企业的需求"' in form
    response = client.post(f"/needs/{served.id}/edit",
                           data={**need_form(title="驿站修改后的需求"), "csrf_token": csrf_token(form)})
    assert response.status_code == 302
    session.refresh(served)
    assert served.title == "驿站修改后的需求"


def test_lists_per_role(client, session, ent_a, ent_b, station, world):
    make_need(session, ent_a[0], title="甲公司需求")
    make_need(session, ent_b[0], title="乙公司需求")
    session.commit()

    login(client, ent_a[1].login)
    own = text(client.get("/needs/"))
    assert "甲公司需求" in own and "乙公司需求" not in own

    broker = client.application.test_client()
    login(broker, station[1].login)
    everything = text(broker.get("/needs/"))
    assert "甲公司需求" in everything and "乙公司需求" in everything
    clients_only = text(broker.get("/needs/clients"))
    assert "甲公司需求" in clients_only and "乙公司需求" not in clients_only

    _, uni_user = world.member(OrgKind.UNIVERSITY)
    uni = client.application.test_client()
    login(uni, uni_user.login)
    assert "乙公司需求" in text(uni.get("/needs/"))
    assert uni.get("/needs/clients").status_code == 403
    assert uni.get("/needs/new").status_code == 403


def test_enterprise_closes_its_need(client, session, ent_a):
    need = make_need(session, ent_a[0])
    session.commit()
    login(client, ent_a[1].login)
    token = csrf_token(text(client.get(f"/needs/{need.id}")))
    assert client.post(f"/needs/{need.id}/close", data={"csrf_token": token}).status_code == 302
    session.refresh(need)
    assert need.state == NeedState.CLOSED


def test_visitors_are_sent_to_login(client, session, ent_a):
    need = make_need(session, ent_a[0])
    session.commit()
    for url in ("/needs/", f"/needs/{need.id}", "/needs/new"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_empty_state_for_enterprise(client, ent_a):
    login(client, ent_a[1].login)
    page = text(client.get("/needs/"))
    assert "暂无需求" in page and "发布第一条需求" in page
