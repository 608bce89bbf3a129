"""Form behaviour in a real browser: Chinese field messages, typed values kept, nothing written on
error, and needs posted by a station broker on behalf of an enterprise it serves."""
from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from matchmaker.catalog.organizations import link_station_client
from matchmaker.models import Need, Organization, OrgKind
from tests.browser.helpers import log_in_as, log_out, nav_click
from tests.factories import make_org, make_user, valid_credit_code


def test_invalid_credit_code_shows_the_field_message_and_keeps_the_typed_values(
        page: Page, page_problems, session):
    good = valid_credit_code(7654)
    wrong_check = next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != good[-1])
    typed = good[:-1] + wrong_check

    page.goto("/register")
    expect(page.locator("#register-form")).to_be_visible()
    page.check("#kind-1")  # 科研院所: the credit code is mandatory
    expect(page.locator("label[for=credit_code]")).to_have_text("统一社会信用代码（必填）")
    page.locator("#name").press_sequentially("新疆农业科学院农业机械化研究所")
    page.locator("#credit_code").press_sequentially(typed)
    page.select_option("#region", "乌鲁木齐市")
    page.fill("#address", "乌鲁木齐市南昌路 403 号")
    page.fill("#contact_name", "李娜")
    page.fill("#contact_phone", "0991-4512345")
    page.fill("#login", "li.na@xaas.example.com")
    page.fill("#display_name", "李娜")
    page.fill("#password", "Jixie2024pass")
    page.fill("#password_confirm", "Jixie2024pass")
    page.click("#register-submit")

    message = page.locator("[data-testid=error-credit_code]")
    expect(message).to_have_text(f"统一社会信用代码校验位错误，应为 {good[-1]}")
    expect(page.locator("[data-testid=form-errors]")).to_have_text(
        "提交的内容有误，请按标出的提示修改后重新提交。")
    expect(page.locator("#credit_code")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-testid=register-success]")).to_have_count(0)
    # Only the wrong field is marked; everything typed is still there (but the passwords).
    expect(page.locator(".field-error")).to_have_count(1)
    expect(page.locator("#kind-1")).to_be_checked()
    expect(page.locator("label[for=credit_code]")).to_have_text("统一社会信用代码（必填）")
    expect(page.locator("#name")).to_have_value("新疆农业科学院农业机械化研究所")
    expect(page.locator("#credit_code")).to_have_value(typed)
    expect(page.locator("#region")).to_have_value("乌鲁木齐市")
    expect(page.locator("#address")).to_have_value("乌鲁木齐市南昌路 403 号")
    expect(page.locator("#contact_name")).to_have_value("李娜")
    expect(page.locator("#contact_phone")).to_have_value("0991-4512345")
    expect(page.locator("#login")).to_have_value("li.na@xaas.example.com")
    expect(page.locator("#display_name")).to_have_value("李娜")
    expect(page.locator("#password")).to_have_value("")

    assert session.scalar(select(func.count(Organization.id))) == 0

    # Correcting the one character is enough.
    page.fill("#credit_code", good)
    page.fill("#password", "Jixie2024pass")
    page.fill("#password_confirm", "Jixie2024pass")
    page.click("#register-submit")
    expect(page.locator("[data-testid=register-success]")).to_be_visible()
    org = session.scalar(select(Organization))
    assert (org.name, org.kind, org.credit_code) == ("新疆农业科学院农业机械化研究所",
                                                     OrgKind.INSTITUTE, good)
    assert list(page_problems) == []


def need_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Need.id)))


def test_invalid_need_shows_the_field_message_and_writes_nothing(page: Page, page_problems,
                                                                  session):
    company = make_org(session, OrgKind.ENTERPRISE, name="克拉玛依石化装备有限公司", region="克拉玛依市")
    make_user(session, company, login="wang@klmy.example.com", display_name="王强")
    session.commit()
    log_in_as(page, "wang@klmy.example.com", "王强")
    nav_click(page, "#nav-new-need")
    expect(page.locator("#need-form")).to_be_visible()
    page.fill("#description", "炼化装置换热器结垢严重，希望引进在线除垢或防垢涂层技术。")
    page.select_option("#industry", "石油化工")

    # The browser stops typing at the title's maxlength (200, the service's limit) ...
    page.locator("#title").fill("换" * 250)
    expect(page.locator("#title")).to_have_value("换" * 200)
    # ... so a title that is too long only comes from a client that ignores it: the server says so.
    page.locator("#title").evaluate("el => el.removeAttribute('maxlength')")
    page.fill("#title", "换热器在线除垢" + "技" * 194)  # 201 characters
    page.click("#need-submit")
    expect(page.locator("[data-testid=error-title]")).to_have_text("需求标题不能超过 200 个字符（当前 201 个）")
    expect(page.locator("#title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-testid=flash-success]")).to_have_count(0)
    expect(page.locator(".field-error")).to_have_count(1)
    expect(page.locator("#description")).to_have_value("炼化装置换热器结垢严重，希望引进在线除垢或防垢涂层技术。")
    expect(page.locator("#industry")).to_have_value("石油化工")
    assert need_count(session) == 0

    # Budget: the minimum above the maximum.
    page.fill("#title", "换热器在线除垢技术")
    page.fill("#budget_min_wan", "50")
    page.fill("#budget_max_wan", "10")
    page.click("#need-submit")
    expect(page.locator("[data-testid=error-budget_max_wan]")).to_have_text("预算上限不能低于下限")
    expect(page.locator("#budget_max_wan")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-testid=error-title]")).to_have_count(0)
    expect(page.locator(".field-error")).to_have_count(1)
    expect(page.locator("#title")).to_have_value("换热器在线除垢技术")
    expect(page.locator("#budget_min_wan")).to_have_value("50")
    expect(page.locator("#budget_max_wan")).to_have_value("10")
    expect(page.locator("input[name=wanted_forms][value=licence]")).to_be_checked()
    assert need_count(session) == 0

    # With both fixed the same form goes through: only those two fields were wrong.
    page.fill("#budget_max_wan", "100")
    page.click("#need-submit")
    expect(page.locator("#need-title")).to_have_text("换热器在线除垢技术")
    expect(page.locator("[data-testid=need-budget] dd")).to_have_text("50 – 100 万元")
    assert need_count(session) == 1
    assert list(page_problems) == []


def test_station_broker_posts_on_behalf_of_a_served_enterprise(page: Page, page_problems, session):
    station = make_org(session, OrgKind.STATION, name="昌吉高新区创新驿站", region="昌吉回族自治州")
    broker = make_user(session, station, login="broker@station.example.com", display_name="赵敏")
    served = make_org(session, OrgKind.ENTERPRISE, name="昌吉天润节水灌溉有限公司", region="昌吉回族自治州")
    owner = make_user(session, served, login="boss@tianrun.example.com", display_name="陈刚")
    other = make_org(session, OrgKind.ENTERPRISE, name="哈密未关联企业有限公司", region="哈密市")
    link_station_client(session, station, served)
    session.commit()

    log_in_as(page, "broker@station.example.com", "赵敏")
    nav_click(page, "#nav-new-need")
    expect(page.locator(".page-head h1")).to_have_text("代企业发布需求")
    select = page.locator("#enterprise_id")
    expect(select.locator("option")).to_have_text(["昌吉天润节水灌溉有限公司"])  # served ones only
    expect(select.locator(f"option[value='{other.id}']")).to_have_count(0)
    select.select_option(str(served.id))
    page.locator("#title").press_sequentially("滴灌带抗堵塞技术")
    page.fill("#description", "滴灌带在高含沙水源下易堵塞，需要抗堵塞滴头结构或过滤技术。")
    page.select_option("#industry", "节水农业")
    page.check("input[name=wanted_forms][value=transfer]")
    page.fill("#valid_until", (date.today() + timedelta(days=60)).isoformat())
    page.click("#need-submit")

    expect(page.locator("[data-testid=flash-success]")).to_have_text("需求已发布")
    expect(page.locator("#need-title")).to_have_text("滴灌带抗堵塞技术")
    expect(page.locator("#need-on-behalf")).to_have_text("由 昌吉高新区创新驿站 代为发布")
    expect(page.locator("[data-testid=need-enterprise] dd")).to_have_text("昌吉天润节水灌溉有限公司")
    expect(page.locator("[data-testid=need-posted-by] dd")).to_have_text("赵敏（昌吉高新区创新驿站）")
    expect(page.locator("[data-testid=need-wanted-forms] dd")).to_have_text("许可、转让")
    need_id = page.locator("#need-detail").get_attribute("data-need-id")

    session.expire_all()
    need = session.get(Need, int(need_id))
    assert need.enterprise_id == served.id and need.posted_by_id == broker.id
    assert need.on_behalf_station_id == station.id
    assert need.region == "昌吉回族自治州"  # the enterprise's region by default

    # The enterprise finds it in its own list, marked as posted by the station.
    log_out(page)
    log_in_as(page, "boss@tianrun.example.com", "陈刚")
    assert owner.organization_id == served.id
    nav_click(page, "#nav-needs")
    item = page.locator(f"#need-{need_id}")
    expect(item).to_contain_text("滴灌带抗堵塞技术")
    expect(item).to_contain_text("由 昌吉高新区创新驿站 代为发布")
    item.locator("h3 a").click()
    expect(page.locator("#need-on-behalf")).to_have_text("由 昌吉高新区创新驿站 代为发布")
    assert list(page_problems) == []
