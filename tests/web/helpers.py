"""Helpers for web tests: read CSRF tokens from real pages and log in through the real form."""
from __future__ import annotations

import re

from tests.factories import PASSWORD

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the first form in a page (fails the test when there is none)."""
    match = _CSRF.search(html)
    assert match, "page has no csrf_token field"
    return match.group(1)


def token_from(client, url: str) -> str:
    """GET `url` and return the CSRF token of its form."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return csrf_token(response.get_data(as_text=True))


def post_form(client, url: str, data: dict, *, token_page: str | None = None, **kwargs):
    """POST `data` to `url` with a CSRF token taken from `token_page` (default: `url` itself)."""
    token = token_from(client, token_page or url)
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


def login(client, login_name: str, password: str = PASSWORD, **kwargs):
    """Log in through the real /login form; returns the POST response."""
    return post_form(client, "/login", {"login": login_name, "password": password}, **kwargs)


def logout(client):
    """Log out with the POST form found on the home page."""
    return post_form(client, "/logout", {}, token_page="/")


def text(response) -> str:
    """The response body as text."""
    return response.get_data(as_text=True)
