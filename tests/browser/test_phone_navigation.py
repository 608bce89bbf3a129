"""Navigation on a phone: a one-row header with a menu button, grouped entries, and flash
messages seen where a redirect lands (next to its #anchor) and announced by a live region."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from matchmaker.models import OrgKind
from tests.browser.helpers import log_in_as, nav_click
from tests.factories import make_org, make_patent, make_user

HEADER_MAX_PX = 56


@pytest.fixture
def university(session):
    uni = make_org(session, OrgKind.UNIVERSITY, name="新疆手机测试大学", credit_code=None)
    make_user(session, uni, login="phone.uni@example.com", display_name="手机用户")
    patent = make_patent(session, uni, title="一种适合手机页面测试的滴灌带回收方法",
                         filing_date=date.today() - timedelta(days=400),
                         expiry_date=date.today() + timedelta(days=365 * 18))
    session.commit()
    return patent


def header_height(page: Page) -> float:
    return page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")


def in_viewport(page: Page, selector: str) -> bool:
    return page.evaluate("""(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; }""", selector)


def test_menu_button_and_flash_next_to_the_anchor(phone_page: Page, university):
    page = phone_page
    log_in_as(page, "phone.uni@example.com", "手机用户")
    expect(page.locator("#nav-toggle")).to_be_visible()
    assert header_height(page) <= HEADER_MAX_PX

    # The entries wait behind the menu button; a group's entries are listed under its heading.
    expect(page.locator("#nav-my-patents")).to_be_hidden()
    page.click("#nav-toggle")
    expect(page.locator("#nav-toggle")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#nav-my-patents")).to_be_visible()
    expect(page.locator("#current-user-name")).to_have_text("手机用户")
    page.keyboard.press("Escape")
    expect(page.locator("#nav-my-patents")).to_be_hidden()

    nav_click(page, "#nav-my-patents")
    expect(page.locator("#nav-my-patents")).to_have_attribute("aria-current", "page")

    # Publishing terms redirects to the patent page's #offers, far below its top: the message
    # is shown there, inside the visible part of the screen, in a polite live region.
    page.goto(f"/patents/{university.id}/offers/new")
    page.select_option("#licence_type", "ordinary")
    page.fill("#free_months", "6")
    page.select_option("#payment_mode", "lump_sum")
    page.fill("#lump_sum_wan", "30")
    page.fill("#term_months", "36")
    page.click("#offer-submit")
    expect(page).to_have_url(re.compile(rf"/patents/{university.id}#offers$"))
    flash = page.locator("[data-testid=flash-success]")
    expect(flash).to_contain_text("许可条件已发布")
    expect(page.locator("#flashes")).to_have_attribute("aria-live", "polite")
    page.wait_for_function("""() => { const r = document.querySelector('#flashes').getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; }""")
    assert page.evaluate("document.querySelector('#offers').contains(document.querySelector('#flashes'))"
                         " || document.querySelector('#flashes').nextElementSibling.id === 'offers'")
    assert header_height(page) <= HEADER_MAX_PX


def test_wide_screen_groups_are_dropdowns(page: Page, university):
    log_in_as(page, "phone.uni@example.com", "手机用户")
    expect(page.locator("#nav-toggle")).to_be_hidden()
    expect(page.locator("#nav-patents")).to_be_visible()
    expect(page.locator("#nav-new-patent")).to_be_hidden()
    page.click("#nav-group-patents summary")
    expect(page.locator("#nav-new-patent")).to_be_visible()
    page.click("h1, .hero h1")   # a click elsewhere closes the dropdown
    expect(page.locator("#nav-new-patent")).to_be_hidden()
    nav_click(page, "#nav-new-patent")
    expect(page).to_have_url(re.compile(r"/patents/new$"))


def test_a_long_title_in_the_breadcrumb_is_cut_not_widening_the_page(phone_page: Page, session):
    """A need title is one unbreakable run of Chinese; the breadcrumb item holding it is cut
    with … inside the screen (the match page of a long need was 424 px wide on a phone)."""
    from tests.browser.test_small_screens import check_page
    from tests.factories import make_need
    ent = make_org(session, OrgKind.ENTERPRISE, name="新疆手机测试企业", credit_code=None)
    make_user(session, ent, login="phone.ent@example.com", display_name="企业用户")
    need = make_need(session, ent, title="工业副产石膏制备高强石膏技术研究及关键装备研制与产业化示范应用推广项目")
    session.commit()
    page = phone_page
    log_in_as(page, "phone.ent@example.com", "企业用户")
    for url in (f"/needs/{need.id}", f"/matches/need/{need.id}"):
        page.goto(url)
        assert check_page(page, url) == []
