"""Bulk import in a real browser: a university uploads a spreadsheet, checks the preview and
confirms; a station broker imports needs for a client enterprise chosen in the select."""
from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from matchmaker.catalog.numbers import app_no_check_char
from matchmaker.catalog.organizations import link_station_client
from matchmaker.models import ListingState, Need, OrgKind, Patent
from tests.browser.helpers import log_in_as, nav_click
from tests.factories import make_org, make_user, valid_app_no
from tests.web.test_import_pages import xlsx_bytes

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def app_no(serial: int, year: int = 2019) -> str:
    return valid_app_no(year, "1", serial)


def choose_file(page: Page, name: str, data: bytes) -> None:
    page.set_input_files("#file", files=[{"name": name, "mimeType": XLSX_MIME, "buffer": data}])


def test_university_imports_a_spreadsheet_of_patents(page: Page, page_problems, session):
    uni = make_org(session, OrgKind.UNIVERSITY, name="新疆大学", credit_code=None)
    make_user(session, uni, login="wang.fang@xju.example.com", display_name="王芳")
    session.commit()
    titles = ["一种基于深度学习的棉花病虫害识别方法", "一种沙漠光伏电站组件自动清扫装置"]
    bad_body = "201910000903"
    wrong_check = "0" if app_no_check_char(bad_body) != "0" else "1"
    data = xlsx_bytes(["申请号", "专利名称", "摘要", "法律状态", "申请日"], [
        [app_no(901), titles[0], "本发明公开了一种识别棉花病虫害的方法，准确率高。", "有效", date(2019, 5, 6)],
        [app_no(902), titles[1], "本实用新型涉及光伏组件清扫，适用于风沙大的地区。", "有效", date(2019, 6, 7)],
        [f"{bad_body}.{wrong_check}", "一种校验位错误的专利", "摘要", "有效", date(2019, 6, 8)],
    ])

    log_in_as(page, "wang.fang@xju.example.com", "王芳")
    nav_click(page, "#nav-import")
    expect(page.locator(".page-head h1")).to_have_text("批量导入专利")
    expect(page.locator("#nav-import")).to_have_attribute("aria-current", "page")
    expect(page.locator("#list_valid")).to_be_checked()
    choose_file(page, "专利清单.xlsx", data)
    page.click("#import-upload")

    # The preview: counts, the rejected row with its number and reason, nothing written yet.
    expect(page.locator(".page-head h1")).to_have_text("导入预览")
    expect(page.locator("[data-testid=batch-state]")).to_have_text("待确认")
    expect(page.locator("[data-testid=count-new] .stat-value")).to_have_text("2")
    expect(page.locator("[data-testid=count-rejected] .stat-value")).to_have_text("1")
    expect(page.locator("[data-testid=count-updated] .stat-value")).to_have_text("0")
    expect(page.locator("[data-testid=rejected-4]")).to_contain_text("申请号校验位错误")
    expect(page.locator("[data-testid=column-mapping]")).to_contain_text("申请日")
    expect(page.locator("#download-rejections")).to_be_visible()
    assert session.scalars(select(Patent)).all() == []

    page.click("#import-confirm")
    expect(page.locator("[data-testid=flash-success]")).to_have_text("导入完成：新增 2 条，更新 0 条")
    expect(page.locator(".page-head h1")).to_have_text("导入结果")
    expect(page.locator("[data-testid=batch-state]")).to_have_text("已导入")
    expect(page.locator("[data-testid=applied-note]")).to_be_visible()
    expect(page.locator("#import-confirm")).to_have_count(0)

    nav_click(page, "#nav-my-patents")
    expect(page.locator(".page-head h1")).to_have_text("我的专利")
    items = page.locator("[data-testid=patent-item]")
    expect(items).to_have_count(2)
    for title in titles:
        expect(items.filter(has_text=title)).to_have_count(1)
    session.expire_all()
    patents = session.scalars(select(Patent)).all()
    assert sorted(p.title for p in patents) == sorted(titles)
    assert all(p.owner_id == uni.id and p.listing_state == ListingState.LISTED for p in patents)
    assert list(page_problems) == []


def test_station_broker_imports_needs_for_a_client(page: Page, page_problems, session):
    station = make_org(session, OrgKind.STATION, name="昌吉创新驿站")
    broker = make_user(session, station, login="li.qiang@station.example.com", display_name="李强")
    client_ent = make_org(session, OrgKind.ENTERPRISE, name="昌吉市绿源棉业有限公司", region="昌吉回族自治州")
    other_client = make_org(session, OrgKind.ENTERPRISE, name="玛纳斯县丰收农机有限公司")
    link_station_client(session, station, client_ent)
    link_station_client(session, station, other_client)
    session.commit()
    until = date.today() + timedelta(days=120)
    data = xlsx_bytes(["需求编号", "需求名称", "需求描述", "所属行业", "合作方式", "有效期至"], [
        ["LY-01", "棉花秸秆高值化综合利用技术", "每年产生棉花秸秆约三万吨，希望引进制板技术。", "农产品加工", "许可", until],
        ["LY-02", "轧花车间粉尘治理", "轧花车间粉尘浓度高，希望找到经济的除尘方案。", "节能环保", "合作开发", until],
    ])

    log_in_as(page, "li.qiang@station.example.com", "李强")
    nav_click(page, "#nav-import")
    expect(page.locator(".page-head h1")).to_have_text("批量导入技术需求")
    page.select_option("#enterprise_id", label="昌吉市绿源棉业有限公司")
    choose_file(page, "需求.xlsx", data)
    page.click("#import-upload")

    expect(page.locator(".page-head h1")).to_have_text("导入预览")
    expect(page.locator("#batch-meta")).to_contain_text("需求企业 昌吉市绿源棉业有限公司")
    expect(page.locator("[data-testid=count-new] .stat-value")).to_have_text("2")
    expect(page.locator("[data-testid=count-rejected] .stat-value")).to_have_text("0")
    page.click("#import-confirm")
    expect(page.locator("[data-testid=flash-success]")).to_have_text("导入完成：新增 2 条，更新 0 条")
    expect(page.locator("[data-testid=batch-state]")).to_have_text("已导入")

    session.expire_all()
    needs = session.scalars(select(Need).order_by(Need.source_id)).all()
    assert [n.title for n in needs] == ["棉花秸秆高值化综合利用技术", "轧花车间粉尘治理"]
    for need in needs:
        assert need.enterprise_id == client_ent.id
        assert need.on_behalf_station_id == station.id and need.posted_by_id == broker.id
        assert need.valid_until == until
    assert list(page_problems) == []
