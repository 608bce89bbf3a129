"""Offer, request and deal pages: the licence journey through the web, with its refusals."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from matchmaker import clock
from matchmaker.models import Deal, DealEvent, DealState, LicenceOffer, OrgKind
from tests.factories import make_need, make_patent, make_profile
from tests.licensing.helpers import build_world, deal_in
from tests.web.helpers import login, logout, post_form, text


@pytest.fixture
def people(world, session):
    uni, uni_user = world.member(OrgKind.UNIVERSITY, name="新疆测试大学")
    ent, ent_user = world.member(OrgKind.ENTERPRISE, name="昌吉测试电池有限公司")
    station, broker = world.member(OrgKind.STATION, name="昌吉创新驿站")
    world.serve(station, ent)
    op_org, operator = world.member(OrgKind.OPERATOR, name="平台运营方")
    patent = make_patent(session, uni, title="一种高镍正极材料的包覆方法",
                         filing_date=date.today() - timedelta(days=400),
                         expiry_date=date.today() + timedelta(days=365 * 18))
    need = make_need(session, ent)
    make_profile(session, ent)          # an SME: the converted-SME figure counts it
    session.commit()
    return dict(uni=uni, uni_user=uni_user, ent=ent, ent_user=ent_user, station=station,
                broker=broker, operator=operator, patent=patent, need=need)


def publish_offer(client, patent_id: int, follow: bool = False, **fields):
    data = {"licence_type": "ordinary", "free_months": "6", "payment_mode": "lump_sum",
            "lump_sum_wan": "12.5", "term_months": "36", "territory": "中国大陆"} | fields
    return post_form(client, f"/patents/{patent_id}/offers/new", data, follow_redirects=follow)


def step(client, deal: Deal, to: str, follow: bool = False, **fields):
    return post_form(client, f"/deals/{deal.id}/step",
                     {"to_state": to, "version": str(deal.version)} | fields,
                     token_page=f"/deals/{deal.id}", follow_redirects=follow)


def confirm(client, deal: Deal, action: str = "confirm", **fields):
    return post_form(client, f"/deals/{deal.id}/proposal/{action}",
                     {"version": str(deal.version)} | fields, token_page=f"/deals/{deal.id}")


def test_journey_offer_request_free_period_conversion_and_kpis(client, session, people):
    login(client, people["uni_user"].login)
    response = publish_offer(client, people["patent"].id)
    assert response.status_code == 302
    offer = session.scalar(select(LicenceOffer))
    assert (offer.free_months, offer.lump_sum_yuan) == (6, 125_000)
    page = text(client.get(f"/patents/{people['patent'].id}"))
    assert "先免费 6 个月" in page and "12.5 万元" in page
    logout(client)

    login(client, people["ent_user"].login)
    form_page = f"/offers/{offer.id}/request?need={people['need'].id}"
    assert f'<option selected value="{people["need"].id}">' in text(client.get(form_page))
    response = post_form(client, f"/offers/{offer.id}/request",
                         {"need_id": str(people["need"].id), "note": "用于动力电池产线"})
    assert response.status_code == 302
    deal = session.scalar(select(Deal))
    assert deal.state == DealState.REQUESTED and deal.need_id == people["need"].id
    again = post_form(client, f"/offers/{offer.id}/request", {"need_id": ""},
                      follow_redirects=True)
    assert "请勿重复提交" in text(again)
    assert session.scalar(select(func.count()).select_from(Deal)) == 1
    logout(client)

    login(client, people["broker"].login)
    assert step(client, deal, "negotiating").status_code == 302
    session.refresh(deal)
    proposed = step(client, deal, "free_active", follow=True)
    assert "已提交提议“免费许可期”，等待 新疆测试大学 确认" in text(proposed)
    session.refresh(deal)
    assert deal.state == DealState.NEGOTIATING and deal.pending_to == DealState.FREE_ACTIVE
    page = text(client.get(f"/deals/{deal.id}"))
    assert 'data-testid="deal-turn"' in page and "等待 新疆测试大学 确认" in page
    assert 'id="proposal-confirm"' not in page and 'id="proposal-withdraw"' in page
    logout(client)

    login(client, people["uni_user"].login)            # the licensor's turn: badge, list, page
    assert re.search(r'data-testid="deal-todo-count"[^>]*>1<', text(client.get("/")))
    assert f'data-testid="deal-{deal.id}"' in text(client.get("/deals?todo=1"))
    assert confirm(client, deal).status_code == 302
    session.refresh(deal)
    assert deal.state == DealState.FREE_ACTIVE and deal.free_start == date.today()
    assert 'data-testid="deal-todo-count"' not in text(client.get("/"))
    logout(client)

    login(client, people["broker"].login)
    page = text(client.get(f"/deals/{deal.id}"))
    assert "免费许可期" in page and str(deal.free_end) in page
    stale = post_form(client, f"/deals/{deal.id}/step",
                      {"to_state": "terminated", "version": str(deal.version - 1)},
                      token_page=f"/deals/{deal.id}", follow_redirects=True)
    assert "已被他人修改" in text(stale)
    session.refresh(deal)
    assert deal.state == DealState.FREE_ACTIVE
    bad = step(client, deal, "converted", contract_value_wan="-3")
    assert bad.status_code == 422 and "不能为负数" in text(bad)
    page = text(client.get(f"/deals/{deal.id}"))
    assert 'name="contract_value_wan" type="text" value="12.5"' in page   # the offer's lump sum
    assert step(client, deal, "converted", contract_value_wan="30").status_code == 302
    session.refresh(deal)
    assert deal.state == DealState.FREE_ACTIVE and deal.pending["amount_yuan"] == 300_000
    logout(client)
    for who in ("uni_user", "ent_user"):       # the licensor, then the licensee confirm
        login(client, people[who].login)
        page = text(client.get(f"/deals/{deal.id}"))
        assert 'data-testid="proposal-amount">30 万元' in page
        assert confirm(client, deal).status_code == 302
        session.refresh(deal)
        logout(client)
    assert deal.state == DealState.CONVERTED and deal.contract_value_yuan == 300_000
    events = session.scalars(select(DealEvent).where(DealEvent.deal_id == deal.id)
                             .order_by(DealEvent.id)).all()
    assert [e.to_state for e in events if e.from_state != e.to_state] == [
        DealState.REQUESTED, DealState.NEGOTIATING, DealState.FREE_ACTIVE, DealState.CONVERTED]
    login(client, people["broker"].login)
    station_page = text(client.get("/station/"))
    assert f'data-testid="deal-{deal.id}"' in station_page
    kpi = text(client.get("/kpis/"))
    assert re.search(r'data-testid="kpi-smes".*?>1<', kpi, re.S)
    logout(client)

    login(client, people["operator"].login)
    kpi = text(client.get("/kpis/"))
    assert "30 万元" in kpi and "昌吉创新驿站" in kpi
    export = client.get("/kpis/export.csv")
    assert export.status_code == 200 and "attachment" in export.headers["Content-Disposition"]
    assert "转化高校院所专利的中小企业" in export.get_data().decode("utf-8-sig")
    assert client.get("/kpis/export.xlsx").data[:2] == b"PK"


@pytest.mark.parametrize("fields, message", [
    ({"lump_sum_wan": "-1"}, "不能为负数"),
    ({"lump_sum_wan": "99999999"}, "亿元"),
    ({"payment_mode": "royalty_sales", "royalty_pct": "120"}, "不能超过 100%"),
    ({"term_months": "6"}, "许可期限"),
    ({"term_months": "240"}, "不能超过专利到期日"),
    ({"licence_type": "open"}, "开放许可须公布许可费标准"),
])
def test_bad_offers_are_refused_and_nothing_is_written(client, session, people, fields, message):
    login(client, people["uni_user"].login)
    response = publish_offer(client, people["patent"].id, **fields)
    assert response.status_code == 200 and message in text(response)
    assert session.scalar(select(func.count()).select_from(LicenceOffer)) == 0


def test_royalty_above_guidance_is_a_warning(client, session, people):
    login(client, people["uni_user"].login)
    response = publish_offer(client, people["patent"].id, payment_mode="royalty_sales",
                             royalty_pct="25", follow=True)
    assert "高于指导上限" in text(response)
    assert session.scalar(select(func.count()).select_from(LicenceOffer)) == 1


def test_other_parties_cannot_see_or_move_the_deal(client, session, people, world):
    login(client, people["uni_user"].login)
    publish_offer(client, people["patent"].id)
    logout(client)
    login(client, people["ent_user"].login)
    offer = session.scalar(select(LicenceOffer))
    post_form(client, f"/offers/{offer.id}/request", {"need_id": ""})
    deal = session.scalar(select(Deal))
    logout(client)
    _, stranger = world.member(OrgKind.ENTERPRISE, name="无关企业")
    login(client, stranger.login)
    assert client.get(f"/deals/{deal.id}").status_code == 404
    response = post_form(client, f"/deals/{deal.id}/step", {"to_state": "terminated",
                                                            "version": str(deal.version)},
                         token_page="/deals")
    assert response.status_code == 404
    logout(client)
    login(client, people["ent_user"].login)   # the enterprise may not accept its own request
    response = step(client, deal, "negotiating", follow=True)
    assert "您不能执行" in text(response)
    session.refresh(deal)
    assert deal.state == DealState.REQUESTED


def test_university_sees_offer_button_only_on_own_listed_patents(client, session, people, world):
    other_uni, other_user = world.member(OrgKind.UNIVERSITY, name="另一所大学")
    login(client, other_user.login)
    assert 'id="new-offer"' not in text(client.get(f"/patents/{people['patent'].id}"))
    assert client.get(f"/patents/{people['patent'].id}/offers/new").status_code == 403


def test_the_recordal_form_is_served_by_its_own_view(client, session):
    """备案 is its own step (licensing/recordal.py, web/views_recordal.py): the deal page's form
    posts to it, a refused entry shows the deal page again with the error, a good one is kept."""
    assert client.application.view_functions["recordal.filing"].__module__ == \
        "matchmaker.web.views_recordal"
    w = build_world(session)
    deal = deal_in(session, w, DealState.FREE_ACTIVE, today=date.today())
    session.commit()
    login(client, w.owner.login)
    assert f'action="/deals/{deal.id}/filing" id="filing-form"' in text(client.get(f"/deals/{deal.id}"))

    def file(**fields):
        return post_form(client, f"/deals/{deal.id}/filing", {"version": str(deal.version)} | fields,
                         token_page=f"/deals/{deal.id}")
    refused = file(recordal_no="X2024990000001")
    assert refused.status_code == 422
    assert "请填写备案日期" in text(refused) and 'id="filing-form"' in text(refused)
    session.refresh(deal)
    assert deal.recordal_no == ""
    done = file(recordal_no="X2024990000001", recordal_date=date.today().isoformat())
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/deals/{deal.id}")
    assert "备案信息已登记" in text(client.get(f"/deals/{deal.id}"))
    session.refresh(deal)
    assert (deal.recordal_no, deal.recordal_date) == ("X2024990000001", date.today())


def test_clock_is_restored(monkeypatch):
    clock.advance(10)
    assert clock.today() == date.today() + timedelta(days=10)
    clock.reset()
    assert clock.today() == date.today()
