"""The issue's journey in a real browser: an enterprise registers, waits for approval, is approved
by the operator, logs in and posts its first technical need."""
from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from matchmaker.models import Need, NeedState, Organization, OrgKind, OrgStatus, User
from tests.browser.helpers import log_in, log_in_as, log_out, nav_click
from tests.factories import make_org, make_user, valid_credit_code

ENTERPRISE = "昌吉市绿源棉业有限公司"
LOGIN = "zhang.wei@lvyuan.example.com"
PASSWORD = "Lvyuan2024pass"
DISPLAY_NAME = "张伟"
NEED_TITLE = "棉花秸秆高值化综合利用技术"


def register_enterprise(page: Page, credit_code: str) -> None:
    """A visitor finds the registration page from the home page and fills it in by typing."""
    page.goto("/")
    page.click("#nav-register")
    form = page.locator("#register-form")
    expect(form).to_be_visible()
    page.check("#kind-2")
    expect(page.locator("#kind-2")).to_have_value("enterprise")
    # app.js: the credit code is mandatory for everybody but universities.
    expect(page.locator("label[for=credit_code]")).to_have_text("统一社会信用代码（必填）")
    page.locator("#name").press_sequentially(ENTERPRISE)
    page.locator("#credit_code").press_sequentially(credit_code)
    page.select_option("#region", "昌吉回族自治州")
    page.fill("#address", "昌吉市北京南路 88 号")
    page.fill("#contact_name", DISPLAY_NAME)
    page.fill("#contact_phone", "0994-2345678")
    page.locator("#login").press_sequentially(LOGIN)
    page.fill("#display_name", DISPLAY_NAME)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.click("#register-submit")


def test_enterprise_registers_is_approved_and_posts_a_need(page: Page, page_problems, session):
    operator_org = make_org(session, OrgKind.OPERATOR, name="自治区知识产权运营中心", credit_code=None)
    make_user(session, operator_org, login="operator@example.com", display_name="运营专员")
    session.commit()
    credit_code = valid_credit_code(4321)

    # 1. A visitor registers the enterprise and is told to wait for the operator.
    register_enterprise(page, credit_code)
    success = page.locator("[data-testid=register-success]")
    expect(success).to_be_visible()
    expect(page.locator("#register-success-title")).to_have_text("注册成功，等待平台运营方审核")
    expect(page).to_have_title("注册成功 · matchmaker 专利供需对接平台")

    # 2. Logging in before approval is refused with the pending message.
    log_in(page, LOGIN, PASSWORD)
    expect(page.locator("[data-testid=form-errors]")).to_have_text(
        "所在机构正在等待平台审核，审核通过后即可登录")
    expect(page.locator("#login-form")).to_be_visible()
    expect(page.locator("#current-user-name")).to_have_count(0)

    # 3. The operator approves the new enterprise on the approval page.
    log_in_as(page, "operator@example.com", "运营专员")
    expect(page.locator("[data-testid=flash-success]")).to_have_text("欢迎回来，运营专员")
    nav_click(page, "#nav-admin")
    expect(page.locator("#filter-pending")).to_have_attribute("aria-current", "page")
    row = page.locator("tr[data-testid=org-row]", has_text=ENTERPRISE)
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-status", "pending")
    expect(row).to_contain_text(credit_code)
    expect(row).to_contain_text(LOGIN)
    org_id = row.get_attribute("data-org-id")
    page.click(f"#approve-{org_id}")
    expect(page.locator("[data-testid=flash-success]")).to_have_text(f"已将“{ENTERPRISE}”设为已通过")
    expect(page.locator(f"#org-{org_id}")).to_have_count(0)  # no longer pending
    page.click("#filter-approved")
    expect(page.locator(f"#org-{org_id}")).to_have_attribute("data-status", "approved")
    expect(page.locator(f"#approve-{org_id}")).to_have_count(0)
    log_out(page)

    # 4. The enterprise user logs in and posts a need through the form.
    log_in_as(page, LOGIN, DISPLAY_NAME, PASSWORD)
    expect(page.locator("#current-user-org")).to_have_text(f"{ENTERPRISE}（企业）")
    nav_click(page, "#nav-new-need")
    expect(page.locator("#need-form")).to_be_visible()
    expect(page.locator("#need-enterprise-static")).to_contain_text(ENTERPRISE)
    expect(page.locator("#enterprise_id")).to_have_count(0)  # an enterprise posts for itself
    valid_until = (date.today() + timedelta(days=120)).isoformat()
    page.locator("#title").press_sequentially(NEED_TITLE)
    page.fill("#description", "我公司每年产生棉花秸秆约三万吨，希望引进制板或生物质燃料技术，实现高值化利用。")
    page.select_option("#industry", "农产品加工")
    page.fill("#budget_min_wan", "20")
    page.fill("#budget_max_wan", "80")
    expect(page.locator("input[name=wanted_forms][value=licence]")).to_be_checked()  # default
    page.check("input[name=wanted_forms][value=joint]")
    page.fill("#valid_until", valid_until)
    page.click("#need-submit")

    # 5. ... sees it on its detail page ...
    expect(page.locator("[data-testid=flash-success]")).to_have_text("需求已发布")
    expect(page.locator("#need-title")).to_have_text(NEED_TITLE)
    expect(page.locator("#need-state")).to_have_text("征集中")
    expect(page.locator("#need-on-behalf")).to_have_count(0)
    expect(page.locator("[data-testid=need-enterprise] dd")).to_have_text(ENTERPRISE)
    expect(page.locator("[data-testid=need-posted-by] dd")).to_have_text(f"{DISPLAY_NAME}（{ENTERPRISE}）")
    expect(page.locator("[data-testid=need-region] dd")).to_have_text("昌吉回族自治州")  # the company's
    expect(page.locator("[data-testid=need-budget] dd")).to_have_text("20 – 80 万元")
    expect(page.locator("[data-testid=need-wanted-forms] dd")).to_have_text("许可、合作开发")
    expect(page.locator("[data-testid=need-valid-until] dd")).to_have_text(valid_until)
    need_id = page.locator("#need-detail").get_attribute("data-need-id")

    # 6. ... and in its list, "我的需求".
    nav_click(page, "#nav-needs")
    expect(page.locator(".page-head h1")).to_have_text("我的需求")
    expect(page.locator("#nav-needs")).to_have_attribute("aria-current", "page")
    items = page.locator("[data-testid=need-item]")
    expect(items).to_have_count(1)
    expect(page.locator(f"#need-{need_id} h3")).to_have_text(NEED_TITLE)
    expect(page.locator(f"#need-{need_id}")).to_contain_text("征集中")
    page.click(f"#need-{need_id} h3 a")
    expect(page.locator("#need-title")).to_have_text(NEED_TITLE)

    # What the database holds afterwards.
    session.expire_all()
    org = session.scalar(select(Organization).where(Organization.name == ENTERPRISE))
    assert org is not None and str(org.id) == org_id
    assert org.kind == OrgKind.ENTERPRISE and org.status == OrgStatus.APPROVED
    assert org.credit_code == credit_code and org.region == "昌吉回族自治州"
    user = session.scalar(select(User).where(User.login == LOGIN))
    assert user.organization_id == org.id and user.display_name == DISPLAY_NAME
    needs = session.scalars(select(Need)).all()
    assert len(needs) == 1
    need = needs[0]
    assert str(need.id) == need_id and need.title == NEED_TITLE
    assert need.enterprise_id == org.id and need.posted_by_id == user.id
    assert need.on_behalf_station_id is None and need.state == NeedState.OPEN
    assert (need.budget_min_wan, need.budget_max_wan) == (20, 80)
    assert need.wanted_forms == ["licence", "joint"] and need.industry == "农产品加工"
    assert need.valid_until.isoformat() == valid_until

    # No console errors, CSP violations or failed resources on any page of the journey.
    assert list(page_problems) == []
