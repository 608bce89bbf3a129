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


def log_out(page: Page) -> None:
    page.click("#logout-button")
    expect(page.locator("[data-testid=flash-info]")).to_have_text("您已安全退出")
    expect(page.locator("#nav-login")).to_be_visible()
    expect(page.locator("#current-user-name")).to_have_count(0)
