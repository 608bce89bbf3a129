"""The event journey in a real browser (issue 16): a station organizes a roadshow from the
strong matches in its theme and publishes it, an enterprise registers and, from its pair on the
event page, requests the licence; the deal carries the event, the organizer's figures and the
operator's indicator table move."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from matchmaker.licensing.offers import OfferInput, create_offer
from matchmaker.models import Deal, Event, Match, OrgKind
from tests.browser.helpers import log_in_as, log_out, nav_click
from tests.factories import make_need, make_org, make_patent, make_profile, make_user

UNI, UNI_LOGIN = "新疆能源大学", "chen@xjny.example.com"
ENT, ENT_LOGIN, ENT_NAME = "吐鲁番光伏科技有限公司", "ma.li@tlfpv.example.com", "马丽"
STATION, BROKER_LOGIN, BROKER_NAME = "吐鲁番创新驿站", "zhao@tlf-station.example.com", "赵敏"
OPERATOR_LOGIN, OPERATOR_NAME = "ops@example.com", "运营专员"
PATENT = "一种光伏组件表面自清洁涂层的制备方法"
TITLE = "吐鲁番光伏专利路演"


@pytest.fixture
def people(session):
    uni = make_org(session, OrgKind.UNIVERSITY, name=UNI, credit_code=None)
    owner = make_user(session, uni, login=UNI_LOGIN, display_name="陈老师")
    patent = make_patent(session, uni, title=PATENT, industry_tags=["新能源"],
                         filing_date=date.today() - timedelta(days=700),
                         expiry_date=date.today() + timedelta(days=365 * 17))
    offer = create_offer(session, owner, patent.id, OfferInput(
        licence_type="ordinary", free_months=6, payment_mode="lump_sum", lump_sum_wan="12",
        term_months=36), today=date.today()).offer
    ent = make_org(session, OrgKind.ENTERPRISE, name=ENT, region="吐鲁番市")
    make_user(session, ent, login=ENT_LOGIN, display_name=ENT_NAME)
    make_profile(session, ent, district="高昌区", covid_affected=True)
    need = make_need(session, ent, title="光伏板沙尘覆盖导致发电效率下降", industry="新能源")
    session.add(Match(need=need, patent=patent, score=78.0, breakdown={}, signals={}, matched_terms=["光伏"]))
    station = make_org(session, OrgKind.STATION, name=STATION, region="吐鲁番市")
    make_user(session, station, login=BROKER_LOGIN, display_name=BROKER_NAME)
    operator = make_org(session, OrgKind.OPERATOR, name="运营中心", credit_code=None)
    make_user(session, operator, login=OPERATOR_LOGIN, display_name=OPERATOR_NAME)
    session.commit()
    return dict(patent=patent, offer=offer, ent=ent)


def test_station_event_registration_deal_and_figures(page: Page, page_problems, live_server, session,
                                                     people):
    day = date.today() + timedelta(days=7)
    # 1. The station organizes the roadshow, takes the suggested programme and publishes it.
    log_in_as(page, BROKER_LOGIN, BROKER_NAME)
    nav_click(page, "#nav-events")
    page.click("#new-event")
    page.select_option("#kind", "roadshow")
    page.fill("#title", TITLE)
    page.fill("#theme", "光伏组件清洁与运维技术")
    page.select_option("#industry", "新能源")
    page.fill("#event_date", day.isoformat())
    page.fill("#time_text", "10:00–12:00")
    page.select_option("#region", "吐鲁番市")
    page.fill("#district", "高昌区")
    page.fill("#place", "吐鲁番市科技局报告厅")
    page.fill("#capacity", "30")
    page.fill("#seats_per_org", "2")
    page.click("#event-submit")
    expect(page.locator("[data-testid=flash-success]")).to_contain_text("活动已创建")
    expect(page.locator("[data-testid=suggested-patent]")).to_be_checked()
    expect(page.locator("[data-testid=suggested-need]")).to_be_checked()
    page.click("#add-suggestions")
    expect(page.locator("[data-testid=flash-success]")).to_have_text("已添加 2 个路演项目")
    page.click("#publish-event")
    expect(page.locator("[data-testid=flash-success]")).to_have_text("活动已发布，开放报名")
    expect(page.locator("[data-testid=event-state]")).to_have_text("报名中")
    expect(page.locator("[data-testid=fig-deals]")).to_have_text("0")
    event_id = session.scalar(select(Event.id).where(Event.title == TITLE))
    log_out(page)

    # 2. The enterprise registers and requests the licence from its pair on the event page.
    log_in_as(page, ENT_LOGIN, ENT_NAME)
    nav_click(page, "#nav-events")
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("[data-testid=programme-patent]")).to_contain_text(PATENT)
    expect(page.locator("[data-testid=programme-patent]")).to_contain_text("普通许可，免费 6 个月")
    page.fill("#seats", "3")
    page.click("#register-submit")
    expect(page.locator("[data-testid=flash-error]")).to_have_text("每家单位可报 1–2 人")
    page.fill("#seats", "2")
    page.fill("#contact", "马丽 13800000000")
    page.click("#register-submit")
    expect(page.locator("[data-testid=flash-success]")).to_have_text(f"{ENT}已报名（2 人）")
    expect(page.locator("[data-testid=seats-left]")).to_contain_text("剩余 28 人")
    pair = page.locator("[data-testid=my-pair]")
    expect(pair).to_contain_text("78")
    pair.locator("[data-testid=request-from-event]").click()
    expect(page.locator("[data-testid=from-event]")).to_have_text(f"来自活动 #{event_id} 的对接")
    page.fill("#note", "路演现场交流后申请免费试用")
    page.click("#request-submit")
    expect(page.locator("[data-testid=flash-success]")).to_contain_text("许可申请已提交")
    expect(page.locator("[data-testid=deal-event]")).to_have_text(f"来自活动 #{event_id}")
    deal = session.scalar(select(Deal).where(Deal.enterprise_id == people["ent"].id))
    assert deal.event_id == event_id
    log_out(page)

    # 3. The organizer's figures and the operator's indicator table moved.
    log_in_as(page, BROKER_LOGIN, BROKER_NAME)
    page.goto(f"{live_server}/events/{event_id}/manage")
    expect(page.locator("[data-testid=fig-registered]")).to_have_text("1")
    expect(page.locator("[data-testid=fig-deals]")).to_have_text("1")
    expect(page.locator("[data-testid=pair-outcome]").first).to_contain_text("已发起交易")
    log_out(page)
    log_in_as(page, OPERATOR_LOGIN, OPERATOR_NAME)
    nav_click(page, "#nav-kpis")
    year = date.today().year
    cell = page.locator(f"[data-testid=indicator-event_deals-{year}]")
    expect(cell).to_contain_text("1")
    assert not page_problems, page_problems
