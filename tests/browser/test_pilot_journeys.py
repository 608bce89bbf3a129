"""The pilot's journeys in a real browser: a university admin invites a colleague who joins and
lists a patent; a station asks to serve an enterprise, the enterprise confirms and the broker
posts a need for it; the operator issues a reset link and the user sets a new password and logs
in. (The deal that waits for its licensor is in test_licence_journey.py.)"""
from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, expect
from sqlalchemy import select

from matchmaker.models import LinkState, Need, OrgKind, Patent, StationLink, User, UserRole
from tests.browser.helpers import log_in, log_in_as, log_out, nav_click
from tests.factories import make_org, make_user, valid_app_no

UNI, ADMIN_LOGIN, ADMIN_NAME = "新疆理工大学", "wang.fang@xjlg.example.com", "王芳"
COLLEAGUE_LOGIN, COLLEAGUE_NAME, COLLEAGUE_PASSWORD = "zhao.lei@xjlg.example.com", "赵磊", "Zhaolei2026pass"
STATION, BROKER_LOGIN, BROKER_NAME = "昌吉创新驿站", "li.qiang@station.example.com", "李强"
ENT, ENT_LOGIN, ENT_NAME = "昌吉新能源电池有限公司", "zhang.wei@cjbattery.example.com", "张伟"
OPERATOR_LOGIN, OPERATOR_NAME = "operator@example.com", "运营专员"


def _path(link: str) -> str:
    return urlsplit(link).path


def test_admin_invites_a_colleague_who_joins_and_lists_a_patent(page: Page, page_problems, session):
    uni = make_org(session, OrgKind.UNIVERSITY, name=UNI, credit_code=None)
    make_user(session, uni, login=ADMIN_LOGIN, display_name=ADMIN_NAME)
    session.commit()

    log_in_as(page, ADMIN_LOGIN, ADMIN_NAME)
    page.click("#current-user-name")
    expect(page.locator("[data-testid=account-summary]")).to_contain_text(f"{UNI}（高校）· 管理员")
    page.click("#team-link")
    expect(page.locator(".page-head h1")).to_have_text(f"{UNI} · 成员")
    page.select_option("#role", "member")
    page.click("#invite-submit")
    expect(page.locator("[data-testid=flash-success]")).to_contain_text("只显示这一次")
    link = page.locator("[data-testid=invitation-link]").input_value()
    assert "/account/join/" in link
    page.reload()                                            # shown once
    expect(page.locator("[data-testid=invitation-link]")).to_have_count(0)
    expect(page.locator("#invite ul li")).to_have_count(1)   # the open invitation is listed
    log_out(page)

    page.goto(_path(link))
    expect(page.locator("#join-title")).to_have_text(f"加入{UNI}")
    page.locator("#login").press_sequentially(COLLEAGUE_LOGIN)
    page.fill("#display_name", COLLEAGUE_NAME)
    page.fill("#password", COLLEAGUE_PASSWORD)
    page.fill("#password_confirm", "something-else-2026")
    page.click("#join-submit")
    expect(page.locator("[data-testid=error-password_confirm]")).to_have_text("两次输入的密码不一致")
    page.fill("#password", COLLEAGUE_PASSWORD)
    page.fill("#password_confirm", COLLEAGUE_PASSWORD)
    page.click("#join-submit")
    expect(page.locator("[data-testid=flash-success]")).to_have_text(f"欢迎加入{UNI}")
    expect(page.locator("#current-user-name")).to_have_text(COLLEAGUE_NAME)

    # acts as the new member: registers a patent of the university
    nav_click(page, "#nav-new-patent")
    page.fill("#title", "一种棉花秸秆制板的热压方法")
    page.fill("#app_no", valid_app_no(2019, "1", 4242))
    page.fill("#filing_date", "2019-04-01")
    page.fill("#abstract", "本发明公开了一种棉花秸秆制板的热压方法。")
    page.click("#patent-submit")
    expect(page.locator("[data-testid=flash-success]")).to_be_visible()
    session.expire_all()
    patent = session.scalar(select(Patent).where(Patent.title == "一种棉花秸秆制板的热压方法"))
    assert patent is not None and patent.owner_id == uni.id
    colleague = session.scalar(select(User).where(User.login == COLLEAGUE_LOGIN))
    assert colleague.role == UserRole.MEMBER and colleague.organization_id == uni.id
    page.click("#current-user-name")
    page.click("#team-link")
    expect(page.locator("#invite-form")).to_have_count(0)    # members do not manage the team
    log_out(page)

    page.goto(_path(link))                                   # the link was used
    expect(page.locator("#error-message")).to_have_text("该链接无效、已使用或已过期，请向机构管理员或平台运营方索取新的链接")
    page_problems.clear()                                    # that 404 was the point


def test_station_asks_enterprise_confirms_broker_posts_a_need(page: Page, page_problems, session):
    station = make_org(session, OrgKind.STATION, name=STATION)
    make_user(session, station, login=BROKER_LOGIN, display_name=BROKER_NAME)
    ent = make_org(session, OrgKind.ENTERPRISE, name=ENT, region="昌吉回族自治州")
    make_user(session, ent, login=ENT_LOGIN, display_name=ENT_NAME)
    session.commit()

    log_in_as(page, BROKER_LOGIN, BROKER_NAME)
    nav_click(page, "#nav-new-need")
    expect(page.locator("[data-testid=no-clients]")).to_be_visible()   # no client yet
    nav_click(page, "#nav-links")
    page.select_option("#counterpart", label=ENT)
    page.fill("#note", "上门走访后申请为贵企业服务")
    page.click("#link-request-submit")
    expect(page.locator("[data-testid=flash-success]")).to_have_text("申请已提交，等待对方确认")
    expect(page.locator("#links-outgoing")).to_contain_text(f"等待 {ENT} 确认")
    log_out(page)

    log_in_as(page, ENT_LOGIN, ENT_NAME)
    expect(page.locator("[data-testid=links-waiting-count]")).to_have_text("1")
    nav_click(page, "#nav-links")
    incoming = page.locator("#links-incoming")
    expect(incoming).to_contain_text(STATION)
    expect(incoming).to_contain_text("上门走访后申请为贵企业服务")
    incoming.get_by_role("button", name="确认").click()
    expect(page.locator("[data-testid=flash-success]")).to_have_text("已确认，服务关系已建立")
    expect(page.locator("#links-active")).to_contain_text(STATION)
    expect(page.locator("[data-testid=links-waiting-count]")).to_have_count(0)
    log_out(page)

    log_in_as(page, BROKER_LOGIN, BROKER_NAME)
    nav_click(page, "#nav-new-need")
    expect(page.locator("#need-form")).to_be_visible()
    page.select_option("#enterprise_id", label=ENT)
    page.fill("#title", "提高锂电池正极材料的循环寿命")
    page.fill("#description", "企业生产动力电池，正极材料循环寿命不足，希望引进包覆改性技术。")
    page.select_option("#industry", "新能源")
    page.click("#need-submit")
    expect(page.locator("[data-testid=flash-success]")).to_have_text("需求已发布")
    session.expire_all()
    need = session.scalar(select(Need))
    assert need.enterprise_id == ent.id
    link = session.scalar(select(StationLink))
    assert link.state == LinkState.ACTIVE and [e.to_state for e in link.events] == ["proposed", "active"]
    nav_click(page, "#nav-station")
    expect(page.locator("section").filter(has_text="服务的企业")).to_contain_text(ENT)


def test_reset_link_new_password_login(page: Page, page_problems, session):
    ent = make_org(session, OrgKind.ENTERPRISE, name=ENT)
    make_user(session, ent, login=ENT_LOGIN, display_name=ENT_NAME)
    operator = make_org(session, OrgKind.OPERATOR, name="自治区知识产权运营中心", credit_code=None)
    make_user(session, operator, login=OPERATOR_LOGIN, display_name=OPERATOR_NAME)
    session.commit()

    log_in_as(page, OPERATOR_LOGIN, OPERATOR_NAME)
    nav_click(page, "#nav-admin")
    page.click("#users-link")
    page.fill("#user-q", "zhang.wei")
    page.press("#user-q", "Enter")
    row = page.locator("#user-table tbody tr")
    expect(row).to_have_count(1)
    row.get_by_role("button", name="签发重设密码链接").click()
    expect(page.locator("[data-testid=flash-success]")).to_contain_text(f"已为 {ENT_LOGIN} 签发重设密码链接")
    link = page.locator("[data-testid=reset-link]").input_value()
    log_out(page)

    page.goto(_path(link))
    expect(page.locator("h1")).to_have_text("设置新密码")
    page.fill("#password", "Newpass2026x")
    page.fill("#password_confirm", "Newpass2026x")
    page.click("#set-password-submit")
    expect(page.locator("#password-set-title")).to_have_text("密码已设置")
    page.click("#password-set-login")
    page.locator("#login").press_sequentially(ENT_LOGIN)
    page.fill("#password", "Newpass2026x")
    page.click("#login-submit")
    expect(page.locator("#current-user-name")).to_have_text(ENT_NAME)
    log_out(page)
    log_in(page, ENT_LOGIN)                                  # the old password no longer works
    expect(page.locator("[data-testid=error-login]")).to_have_text("登录名或密码错误")
    page_problems.clear()                                    # the refused login answers an error
