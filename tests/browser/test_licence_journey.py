"""The licence journey in a real browser: a university publishes "free first, paid later" terms, an
enterprise finds the patent through its need's matches and requests a licence, the station broker
proposes the free licence and the deal waits until the university confirms, the free period runs
out (moved clock + tick), the broker proposes the paid conversion, the university and the
enterprise confirm it, and the operator sees it in the KPIs and their CSV export.

The live server runs in a thread of this process, so `clock.advance` moves the app's clock too.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from matchmaker import clock
from matchmaker.catalog.organizations import link_station_client
from matchmaker.jobs.worker import run_until_empty
from matchmaker.licensing.deals import request_deal
from matchmaker.licensing.offers import OfferInput, create_offer
from matchmaker.licensing.tick import tick
from matchmaker.models import Deal, DealEvent, DealState, LicenceOffer, OrgKind, User
from tests.browser.helpers import log_in_as, log_out, nav_click
from tests.factories import make_org, make_patent, make_profile, make_user

UNI, UNI_LOGIN, UNI_NAME = "新疆理工大学", "wang.fang@xjlg.example.com", "王芳"
ENT, ENT_LOGIN, ENT_NAME = "昌吉新能源电池有限公司", "zhang.wei@cjbattery.example.com", "张伟"
STATION, BROKER_LOGIN, BROKER_NAME = "昌吉创新驿站", "li.qiang@station.example.com", "李强"
OPERATOR_LOGIN, OPERATOR_NAME = "operator@example.com", "运营专员"
PATENT_TITLE = "一种高镍三元锂电池正极材料的包覆改性方法"
NEED_TITLE = "提高锂电池正极材料的循环寿命"


@pytest.fixture
def restore_clock():
    """Whatever a test does to the process clock is undone afterwards."""
    clock.reset()
    yield
    clock.reset()


@pytest.fixture
def people(session):
    """A university with a listed patent, an enterprise served by a station, an operator."""
    uni = make_org(session, OrgKind.UNIVERSITY, name=UNI, credit_code=None)
    make_user(session, uni, login=UNI_LOGIN, display_name=UNI_NAME)
    patent = make_patent(session, uni, title=PATENT_TITLE,
                         abstract="本发明公开了一种高镍三元正极材料的包覆改性方法，显著提高锂电池的循环寿命和热稳定性。",
                         industry_tags=["新能源"], filing_date=date.today() - timedelta(days=400),
                         expiry_date=date.today() + timedelta(days=365 * 18))
    ent = make_org(session, OrgKind.ENTERPRISE, name=ENT, region="昌吉回族自治州")
    make_user(session, ent, login=ENT_LOGIN, display_name=ENT_NAME)
    make_profile(session, ent)           # an SME: the converted-SME figure counts it
    station = make_org(session, OrgKind.STATION, name=STATION)
    make_user(session, station, login=BROKER_LOGIN, display_name=BROKER_NAME)
    link_station_client(session, station, ent)
    operator = make_org(session, OrgKind.OPERATOR, name="自治区知识产权运营中心", credit_code=None)
    make_user(session, operator, login=OPERATOR_LOGIN, display_name=OPERATOR_NAME)
    session.commit()
    return dict(patent=patent, ent=ent, station=station)


def deal_state(page: Page):
    return page.locator("#deal-state")


def duplicate_ids(page: Page) -> list[str]:
    """Element ids used more than once (a label or aria reference would point at the wrong one)."""
    return page.evaluate("""() => {
        const seen = new Set(), dup = new Set();
        for (const el of document.querySelectorAll("[id]")) { (seen.has(el.id) ? dup : seen).add(el.id); }
        return [...dup];
    }""")


def test_offer_request_free_licence_conversion_and_kpis(page: Page, page_problems, live_server, app,
                                                          session, people, restore_clock):
    patent = people["patent"]
    runtime = app.extensions["matchmaker"]
    run_until_empty(runtime)   # the patent's own indexing/matching job

    # 1. The university publishes a 6-month free ordinary licence, then a lump sum.
    log_in_as(page, UNI_LOGIN, UNI_NAME)
    nav_click(page, "#nav-my-patents")
    page.locator("[data-testid=patent-item]").filter(has_text=PATENT_TITLE).get_by_role(
        "link", name=PATENT_TITLE).click()
    expect(page.locator("[data-testid=no-offers]")).to_be_visible()
    page.click("#new-offer")
    expect(page.locator(".page-head h1")).to_have_text("发布许可条件")
    page.select_option("#licence_type", "ordinary")
    page.fill("#free_months", "6")
    page.select_option("#payment_mode", "lump_sum")
    page.fill("#lump_sum_wan", "30")
    page.fill("#term_months", "36")
    page.fill("#field_of_use", "仅限动力电池正极材料生产")
    page.check("#support_included")
    page.click("#offer-submit")
    expect(page.locator("[data-testid=flash-success]")).to_have_text("许可条件已发布")
    expect(page).to_have_url(f"{live_server}/patents/{patent.id}#offers")
    offer_id = session.scalar(select(LicenceOffer.id).where(LicenceOffer.patent_id == patent.id))
    offer = page.locator(f"[data-testid=offer-{offer_id}]")
    expect(offer.locator("header")).to_contain_text("普通许可 · 先免费 6 个月")
    expect(offer).to_contain_text("一次性付费")
    expect(offer).to_contain_text("30 万元")
    expect(offer).to_contain_text("36 个月")
    expect(page.locator("[data-testid=no-offers]")).to_have_count(0)
    log_out(page)

    # 2. The enterprise posts a matching need, sees the patent recommended and requests a licence.
    log_in_as(page, ENT_LOGIN, ENT_NAME)
    nav_click(page, "#nav-new-need")
    expect(page.locator("#need-form")).to_be_visible()
    page.fill("#title", NEED_TITLE)
    page.fill("#description", "我公司生产动力电池，高镍正极材料循环寿命不足，希望引进包覆改性相关专利技术。")
    page.select_option("#industry", "新能源")
    page.fill("#valid_until", (clock.today() + timedelta(days=365)).isoformat())
    page.click("#need-submit")
    expect(page.locator("[data-testid=flash-success]")).to_have_text("需求已发布")
    need_id = int(page.locator("#need-detail").get_attribute("data-need-id"))
    assert run_until_empty(runtime) >= 1          # matching for the new need
    page.click("#need-matches-link")
    expect(page.locator("#matches-heading")).to_have_text("为需求推荐的专利")
    match = page.locator(f"[data-testid=match][data-patent-id='{patent.id}']")
    expect(match.locator("[data-testid=match-patent-title]")).to_have_text(PATENT_TITLE)
    match.locator("[data-testid=request-licence]").click()
    # The patent's terms, with the need carried along.
    expect(page).to_have_url(f"{live_server}/patents/{patent.id}?need={need_id}#offers")
    page.locator(f"[data-testid=offer-{offer_id}] [data-testid=request-offer]").click()
    expect(page.locator(".page-head h1")).to_have_text("申请许可")
    expect(page.locator("#request-form")).to_contain_text(f"申请企业：{ENT}")
    expect(page.locator("#need_id")).to_have_value(str(need_id))
    page.fill("#note", "用于动力电池正极材料产线，希望先试用。")
    page.click("#request-submit")
    expect(page.locator("[data-testid=flash-success]")).to_have_text("许可申请已提交，专利权人和服务驿站会收到通知")
    expect(deal_state(page)).to_have_text("已申请")
    deal_id = int(page.url.rstrip("/").split("/deals/")[1].split("?")[0].split("#")[0])
    expect(page.locator("#deal-facts")).to_be_visible()
    expect(page.locator("#deal-actions")).to_be_visible()   # the enterprise may withdraw
    expect(page.locator("#do-terminated")).to_have_text("撤回申请")
    log_out(page)

    # 3. The station broker finds it on the board, negotiates and starts the free licence.
    log_in_as(page, BROKER_LOGIN, BROKER_NAME)
    nav_click(page, "#nav-station")
    expect(page.locator(".page-head h1")).to_have_text(f"驿站工作台 · {STATION}")
    card = page.locator(f"[data-testid=column-requested] [data-testid=deal-{deal_id}]")
    expect(card).to_contain_text(PATENT_TITLE)
    expect(card).to_contain_text(ENT)
    card.get_by_role("link").click()
    expect(deal_state(page)).to_have_text("已申请")
    page.click("#do-negotiating")
    expect(page.locator("[data-testid=flash-success]")).to_have_text("交易已更新为“洽谈中”")
    expect(deal_state(page)).to_have_text("洽谈中")
    assert duplicate_ids(page) == []   # four step forms on one page, each with its own ids
    expect(page.locator("[data-testid=needs-consent-free_active]")).to_have_text(
        f"提交后需 {UNI} 确认才生效")
    page.click("#do-free_active")
    expect(page.locator("[data-testid=flash-success]")).to_have_text(
        f"已提交提议“免费许可期”，等待 {UNI} 确认")
    expect(deal_state(page)).to_have_text("洽谈中")          # the broker alone cannot start it
    expect(page.locator("[data-testid=deal-turn]")).to_have_text(f"等待 {UNI} 确认")
    expect(page.locator("#proposal-confirm")).to_have_count(0)
    log_out(page)

    # 3b. The licensor sees the deal waiting for it (badge, 待我处理) and confirms.
    log_in_as(page, UNI_LOGIN, UNI_NAME)
    expect(page.locator("[data-testid=deal-todo-count]")).to_have_text("1")
    nav_click(page, "#nav-deals")
    page.click("#filter-todo")
    expect(page.locator(f"[data-testid=deal-awaiting-{deal_id}]")).to_have_text("待确认：免费许可期")
    page.locator(f"[data-testid=deal-{deal_id}]").get_by_role("link").click()
    expect(page.locator("[data-testid=proposal-awaiting]")).to_have_text(UNI)
    assert duplicate_ids(page) == []
    page.click("#proposal-confirm")
    expect(page.locator("[data-testid=flash-success]")).to_have_text("已确认；交易当前为“免费许可期”")
    expect(deal_state(page)).to_have_text("免费许可期")
    expect(page.locator("[data-testid=deal-todo-count]")).to_have_count(0)
    expect(page.locator("[data-testid=deal-events]")).to_contain_text("（由“洽谈中”，确认对方提议）")
    expect(page.locator("[data-testid=deal-events]")).to_contain_text("提议：免费许可期")
    session.expire_all()
    deal = session.get(Deal, deal_id)
    start, end = deal.free_start, deal.free_end
    assert deal.state == DealState.FREE_ACTIVE
    assert start in (clock.today(), clock.today() - timedelta(days=1))   # today (unless midnight passed)
    assert end == clock.add_months(start, 6)
    expect(page.locator("[data-testid=free-period] dd")).to_have_text(
        re.compile(rf"^{start} 至 {end}（还剩 \d+ 天）$"))
    assert deal.station_id is None and deal.need_id == need_id and deal.enterprise_id == people["ent"].id
    log_out(page)

    # 4. Past the free period the tick moves it to 待转化; the broker records the paid licence.
    clock.advance(190)
    today = clock.today()
    assert today > end
    report = tick(session, today=today)
    session.commit()
    assert report.conversion_due == [deal_id]
    log_in_as(page, BROKER_LOGIN, BROKER_NAME)
    page.goto(f"/deals/{deal_id}")
    expect(deal_state(page)).to_have_text("待转化")
    assert duplicate_ids(page) == []
    expect(page.locator("[data-testid=free-period] dd")).to_have_text(f"{start} 至 {end}")
    convert = page.locator("#step-converted")
    expect(convert.get_by_label("合同金额（万元）")).to_have_value("30")   # the offer's lump sum
    convert.get_by_label("备注").fill("双方签订一次性付费的普通许可合同")
    page.click("#do-converted")
    expect(page.locator("[data-testid=flash-success]")).to_have_text(
        f"已提交提议“已转为有偿许可”，等待 {UNI}、{ENT} 确认")
    expect(deal_state(page)).to_have_text("待转化")
    log_out(page)
    for login, name, state in ((UNI_LOGIN, UNI_NAME, "待转化"), (ENT_LOGIN, ENT_NAME, "已转为有偿许可")):
        log_in_as(page, login, name)
        page.goto(f"/deals/{deal_id}")
        expect(page.locator("[data-testid=proposal-amount]")).to_have_text("30 万元")
        page.click("#proposal-confirm")
        expect(deal_state(page)).to_have_text(state)
        if state == "待转化":
            expect(page.locator("[data-testid=deal-turn]")).to_have_text(f"等待 {ENT} 确认")
            log_out(page)
    expect(page.locator("[data-testid=contract-value] dd")).to_have_text("30 万元")
    expect(page.locator("[data-testid=deal-events]")).to_contain_text("金额 30 万元")
    log_out(page)

    # 5. The operator's dashboard counts the converted SME and the contract value.
    log_in_as(page, OPERATOR_LOGIN, OPERATOR_NAME)
    nav_click(page, "#nav-kpis")
    expect(page.locator(".page-head h1")).to_have_text("运营指标")
    expect(page.locator("[data-testid=kpi-smes] .ring-value")).to_have_text("1")
    year_row = page.locator(f"[data-testid=kpi-year-{today.year}]")
    expect(year_row).to_contain_text("30 万元")
    expect(page.locator("[data-testid=kpi-conversion-rate] .stat-value")).to_have_text("100.0%")
    export = page.locator("#export-csv")
    response = page.request.get(export.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    with page.expect_download() as info:
        export.click()
    download = info.value
    assert download.suggested_filename == f"指标-{today}.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["指标", "范围", "数值", "目标"]
    assert ["转化高校院所专利的中小企业（家，累计）", f"截至 {today}", "1", "100"] in rows
    assert ["技术合同成交额（万元）", str(today.year), "30.0", ""] in rows

    # The export links carry the dashboard's parameters (and nothing else from the query).
    page.goto(f"/kpis/?as_of={today}&from_year={today.year - 1}&fmt=pdf")
    expect(page.locator("[data-testid=kpi-smes] .ring-value")).to_have_text("1")
    expect(export).to_have_attribute("href", f"/kpis/export.csv?as_of={today}&from_year={today.year - 1}")

    assert list(page_problems) == []


def test_a_stale_deal_form_is_refused(page: Page, page_problems, session, people):
    """Two tabs show the same deal; the second submission finds it already changed."""
    uni_user = session.scalar(select(User).where(User.login == UNI_LOGIN))
    ent_user = session.scalar(select(User).where(User.login == ENT_LOGIN))
    offer = create_offer(session, uni_user, people["patent"].id, OfferInput(lump_sum_wan="30"),
                         today=clock.today()).offer
    deal = request_deal(session, ent_user, offer.id, today=clock.today())
    session.commit()
    deal_id, version = deal.id, deal.version

    log_in_as(page, BROKER_LOGIN, BROKER_NAME)
    page.goto(f"/deals/{deal_id}")
    other = page.context.new_page()
    page_problems.watch(other)
    other.goto(f"/deals/{deal_id}")
    expect(deal_state(page)).to_have_text("已申请")
    expect(deal_state(other)).to_have_text("已申请")

    page.click("#do-negotiating")
    expect(deal_state(page)).to_have_text("洽谈中")
    other.click("#do-negotiating")
    expect(other.locator("[data-testid=flash-error]")).to_have_text("该交易已被他人修改，请刷新页面后重试")
    expect(deal_state(other)).to_have_text("洽谈中")
    session.expire_all()
    assert session.get(Deal, deal_id).version == version + 1   # one change only
    events = session.scalars(select(DealEvent.to_state).where(DealEvent.deal_id == deal_id)).all()
    assert events == [DealState.REQUESTED, DealState.NEGOTIATING]
    assert list(page_problems) == []
