"""What a user does again and again in the browser: log in and out through the real forms."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD


def log_in(page: Page, login: str, password: str = PASSWORD) -> None:
    """Open the login page from the navigation bar and submit the form (no check of the outcome)."""
    page.goto("/")
    page.click("#nav-login")
    expect(page.locator("#login-form")).to_be_visible()
    page.locator("#login").press_sequentially(login)
    page.fill("#password", password)
    page.click("#login-submit")


def log_in_as(page: Page, login: str, display_name: str, password: str = PASSWORD) -> None:
    """Log in and wait until the navigation bar greets the user."""
    log_in(page, login, password)
    expect(page.locator("#current-user-name")).to_have_text(display_name)


def open_nav(page: Page, selector: str) -> None:
    """Make a navigation entry visible the way a user would: open the phone menu (narrow
    screens) and the entry's group (a dropdown on wide screens).

    Waits for the page's stylesheets first: before they apply, the phone menu's toggle shows
    on a wide screen too, and clicking it then times out once the styles hide it."""
    page.wait_for_load_state("load")
    entry = page.locator(selector)
    if entry.is_visible():
        return
    toggle = page.locator("#nav-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    group = page.locator(f"details.nav-group:has({selector})")
    if not entry.is_visible() and group.count():
        group.locator("summary").click()
    expect(entry).to_be_visible()


def nav_click(page: Page, selector: str) -> None:
    """Follow a navigation entry (`#nav-…`), opening its menu or group first."""
    open_nav(page, selector)
    page.click(selector)


def log_out(page: Page) -> None:
    open_nav(page, "#logout-button")
    page.click("#logout-button")
    expect(page.locator("[data-testid=flash-info]")).to_have_text("您已安全退出")
    expect(page.locator("#nav-login")).to_be_visible()
    expect(page.locator("#current-user-name")).to_have_count(0)
