"""The custody journey in a real browser: an agency proposes custody to an SME, the SME confirms,
the agency imports the SME's five patents through the import page, `tick` reminds both sides of
the annuity falling due, the agency records the payment, and the operator's custody KPI moves.
"""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from matchmaker import clock
from matchmaker.custody.tick import custody_tick
from matchmaker.models import AnnuityPayment, ListingState, Notification, OrgKind, Patent
from tests.browser.helpers import log_in_as, log_out
from tests.factories import make_org, make_profile, make_user, valid_app_no

AGENCY, AGENT_LOGIN, AGENT_NAME = "天山知识产权代理事务所", "zhao.min@tianshan-ip.example.com", "赵敏"
ENT, BOSS_LOGIN, BOSS_NAME = "昌吉丰源农机有限公司", "ma.jun@fengyuan.example.com", "马骏"
OPERATOR_LOGIN, OPERATOR_NAME = "operator@example.com", "运营专员"
TITLES = ["一种残膜回收机的起膜装置", "一种棉花打顶机", "一种滴灌带铺设机构", "一种玉米籽粒烘干装置",
          "一种秸秆粉碎还田机"]


def portfolio_csv(today) -> tuple[bytes, str]:
    """Five granted utility models; the first falls due 25 days from today (its filing anniversary)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["申请号", "专利名称", "专利类型", "申请日", "授权公告日", "法律状态"])
    first = None
    for i, title in enumerate(TITLES):
        filing = (today + timedelta(days=25 + 40 * i)).replace(year=today.year - 3 - i % 2)
        number = valid_app_no(year=filing.year, type_digit="2", serial=700 + i)
        first = first or number
        writer.writerow([number, title, "实用新型", filing.isoformat(),
                         (filing + timedelta(days=200)).isoformat(), "有效"])
    return out.getvalue().encode("utf-8"), first


def test_agency_signs_imports_is_reminded_records_payment_and_kpi_moves(page: Page, live_server, session):
    agency = make_org(session, OrgKind.AGENCY, name=AGENCY)
    make_user(session, agency, login=AGENT_LOGIN, display_name=AGENT_NAME)
    ent = make_org(session, OrgKind.ENTERPRISE, name=ENT, region="昌吉回族自治州")
    make_profile(session, ent)          # a small enterprise: the custody indicator counts SMEs only
    make_user(session, ent, login=BOSS_LOGIN, display_name=BOSS_NAME)
    operator = make_org(session, OrgKind.OPERATOR, name="自治区知识产权运营中心", credit_code=None)
    make_user(session, operator, login=OPERATOR_LOGIN, display_name=OPERATOR_NAME)
    session.commit()
    today = clock.today()

    # 1. The agency proposes custody with a service voucher.
    log_in_as(page, AGENT_LOGIN, AGENT_NAME)
    page.goto("/custody/")
    expect(page.locator("[data-testid=clients]")).to_contain_text("暂无托管中的客户")
    page.click("#new-agreement")
    page.select_option("#counterpart", label=ENT)
    page.check("input[name=services][value=annuity]")
    page.check("input[name=services][value=status_watch]")
    page.fill("#start_date", today.isoformat())
    page.fill("#end_date", (today + timedelta(days=364)).isoformat())
    page.select_option("#voucher_kind", "service")
    page.fill("#voucher_no", "FW2026-0042")
    page.fill("#voucher_value_wan", "0.8")
    page.click("#agreement-submit")
    expect(page.locator("[data-testid=flash-success]")).to_have_text("已提交托管协议，等待对方确认")
    expect(page.locator("[data-testid=whose-turn]")).to_contain_text(f"等待 {ENT} 确认")
    log_out(page)

    # 2. The enterprise confirms.
    log_in_as(page, BOSS_LOGIN, BOSS_NAME)
    page.goto("/custody/")
    page.locator("[data-testid=agreement]").get_by_role("link").first.click()
    page.click("#do-confirm")
    expect(page.locator("#agreement-state")).to_have_text("托管中")
    log_out(page)

    # 3. The agency imports the client's five patents; they stay unlisted.
    log_in_as(page, AGENT_LOGIN, AGENT_NAME)
    page.goto("/custody/")
    expect(page.locator("[data-testid=clients]")).to_contain_text(ENT)
    page.click("#import-own-patents")
    expect(page.locator("#own-patents-note")).to_be_visible()
    page.select_option("#enterprise_id", label=ENT)
    data, first_no = portfolio_csv(today)
    page.set_input_files("#file", files=[{"name": "丰源专利.csv", "mimeType": "text/csv", "buffer": data}])
    page.click("#import-upload")
    expect(page.locator("[data-testid=count-new] .stat-value")).to_have_text("5")
    page.click("#import-confirm")
    expect(page.locator("[data-testid=flash-success]")).to_have_text("导入完成：新增 5 条，更新 0 条")
    session.expire_all()
    owned = session.scalars(select(Patent).where(Patent.owner_id == ent.id)).all()
    assert len(owned) == 5 and all(p.listing_state != ListingState.LISTED for p in owned)
    page.goto("/custody/")
    due_soon = page.locator("[data-testid=deadlines-upcoming] [data-testid=deadline]")
    expect(due_soon.first).to_contain_text(TITLES[0])

    # 4. tick reminds the enterprise and the agency 30 days ahead (once: a second tick adds nothing).
    report = custody_tick(session, today=today)
    session.commit()
    assert report.reminders >= 2
    assert custody_tick(session, today=today).reminders == 0
    session.commit()
    page.goto("/inbox")
    notice = page.locator("[data-testid=notification]").filter(has_text=TITLES[0])
    expect(notice).to_contain_text("还剩 25 天")
    notice.locator("[data-testid=open-notification]").click()
    expect(page.locator("#patent-title")).to_have_text(TITLES[0])

    # 5. The agency records the payment; the schedule shows it.
    payable = page.locator("[data-testid=payable]").inner_text().replace("元", "").strip()
    page.fill("#paid_on", today.isoformat())
    page.fill("#amount_yuan", payable)
    page.fill("#receipt_no", "PJ-2026-0001")
    page.click("#payment-submit")
    expect(page.locator("[data-testid=flash-success]")).to_have_text("已登记缴费")
    expect(page.locator("[data-testid=schedule]")).to_contain_text("PJ-2026-0001")
    session.expire_all()
    payment = session.scalar(select(AnnuityPayment))
    assert payment is not None and payment.late_fee_yuan == 0
    assert session.scalar(select(Notification).where(Notification.kind == "annuity_reminder")) is not None
    log_out(page)

    # 6. The operator sees one SME under custody and one annuity paid on time.
    log_in_as(page, OPERATOR_LOGIN, OPERATOR_NAME)
    page.goto("/kpis/")
    custody = page.locator("[data-testid=kpi-custody]")
    expect(custody.locator("[data-testid=kpi-custody-smes] .ring-value")).to_have_text("1")
    expect(custody.locator("[data-testid=kpi-annuities] .stat-value")).to_have_text("1 / 0 / 0")
