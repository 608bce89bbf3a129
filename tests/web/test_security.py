"""Security headers, CSP-compatible pages, rate limiting, vendored assets."""
from __future__ import annotations

import re

import pytest

from matchmaker.models import ListingState, OrgKind
from tests.factories import make_need, make_patent
from tests.web.helpers import login, post_form, text, token_from

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=", re.I)


def test_security_headers_present(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_error_pages_carry_headers_too(client):
    response = client.get("/patents/999999")
    assert response.status_code == 404
    assert "页面或记录不存在" in text(response) or "未找到该专利" in text(response)
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client, session, world):
    """CSP forbids inline code: every page must load JS and CSS from static files."""
    org, user = world.member(OrgKind.UNIVERSITY)
    ent, ent_user = world.member(OrgKind.ENTERPRISE)
    patent = make_patent(session, org)
    need = make_need(session, ent)
    session.commit()
    pages = ["/", "/login", "/register", "/patents/", f"/patents/{patent.id}"]
    for url in pages:
        html = text(client.get(url))
        assert not INLINE_SCRIPT.search(html), url
        assert not INLINE_STYLE.search(html), url
    login(client, user.login)
    for url in ["/patents/new", f"/patents/{patent.id}/edit", "/patents/mine", f"/needs/{need.id}"]:
        html = text(client.get(url))
        assert not INLINE_SCRIPT.search(html), url
        assert not INLINE_STYLE.search(html), url


def test_pages_use_vendored_assets_only(client, project_root):
    html = text(client.get("/"))
    assert '<html lang="zh-CN"' in html
    for ref in re.findall(r'(?:href|src)="([^"]+)"', html):
        assert not ref.startswith(("http:", "https:", "//")), ref
    assert "/static/vendor/pico/pico.min.css" in html
    assert (project_root / "static/vendor/pico/LICENSE.md").is_file()
    assert client.get("/static/vendor/pico/pico.min.css").status_code == 200
    assert client.get("/static/js/app.js").status_code == 200


def test_eleventh_rapid_login_post_is_rate_limited(client, world):
    """The address's limit (different logins: one account has its own back-off, see
    tests/security/test_brute_force.py)."""
    statuses = []
    for n in range(11):
        statuses.append(post_form(client, "/login", {"login": f"guess{n}@example.com",
                                                     "password": "wrong-pass-1"}).status_code)
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    # GET stays available, so the user can read the message.
    assert client.get("/login").status_code == 200


def test_csrf_is_required_for_state_changes(client, session, world):
    org, user = world.member(OrgKind.UNIVERSITY)
    patent = make_patent(session, org)
    session.commit()
    login(client, user.login)
    assert client.post(f"/patents/{patent.id}/withdraw").status_code == 400
    assert client.post("/logout").status_code == 400
    session.refresh(patent)
    assert patent.listing_state == ListingState.LISTED
    token = token_from(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


@pytest.mark.parametrize("url", ["/login", "/register"])
def test_forms_render_csrf_field(client, url):
    assert 'name="csrf_token"' in text(client.get(url))
