"""Security headers on every kind of response, HSTS only over HTTPS (directly or through a trusted
proxy), and the login rate limit."""
from __future__ import annotations

import dataclasses
import re

import pytest

from matchmaker.models import OrgKind
from matchmaker.web import create_app
from tests.factories import make_org, make_patent, make_user
from tests.web.helpers import csrf_token, login, post_form, text


@pytest.fixture
def make_app(settings):
    """Build an app with some settings changed (its runtime is disposed afterwards)."""
    built = []

    def build(**changes):
        app = create_app(dataclasses.replace(settings, **changes))
        built.append(app)
        return app
    yield build
    for app in built:
        app.extensions["matchmaker"].dispose()


@pytest.fixture
def member(session, fast_hashing):
    org = make_org(session, OrgKind.UNIVERSITY)
    user = make_user(session, org)
    patent = make_patent(session, org)
    session.commit()
    return user, patent


def _responses(client, user, patent):
    """One response of each kind: page, redirect, 404 page, JSON, JSON error, static file,
    download, a CSRF refusal."""
    out = {"page": client.get("/"), "detail": client.get(f"/patents/{patent.id}"),
           "redirect": client.get("/patents/mine"), "404": client.get("/patents/999999"),
           "api": client.get("/api/patents/search?q=x"), "api-401": client.get("/api/needs/search"),
           "openapi": client.get("/api/openapi.json"), "static": client.get("/static/js/app.js"),
           "csrf-400": client.post("/login", data={})}
    login(client, user.login)
    out["template-download"] = client.get("/imports/template/patents.csv")
    out["logged-in page"] = client.get("/patents/mine")
    out["403"] = client.get("/admin")
    return out


def test_every_response_carries_the_security_headers(client, member):
    for name, response in _responses(client, *member).items():
        h = response.headers
        csp = h.get("Content-Security-Policy", "")
        directives = dict((d.split(" ", 1) + [""])[:2] for d in (x.strip() for x in csp.split(";")) if d)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, name
        assert directives.get("default-src") == "'self'", (name, csp)
        assert directives.get("script-src") == "'self'", (name, csp)
        assert directives.get("object-src") == "'none'", (name, csp)
        assert directives.get("frame-ancestors") == "'none'", (name, csp)
        assert directives.get("base-uri") == "'self'", (name, csp)
        assert h.get("X-Frame-Options") == "DENY", name
        assert h.get("X-Content-Type-Options") == "nosniff", name
        assert h.get("Referrer-Policy") in ("strict-origin-when-cross-origin", "same-origin",
                                            "no-referrer", "strict-origin"), name
        assert "Strict-Transport-Security" not in h, f"{name}: HSTS over plain HTTP"


def test_hsts_is_sent_over_https_only(client, member):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    hsts = secure.headers.get("Strict-Transport-Security", "")
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert max_age >= 180 * 24 * 3600


def test_forwarded_proto_is_ignored_without_a_trusted_proxy(client):
    """Anyone can send X-Forwarded-Proto; with no proxy configured it must change nothing."""
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_behind_a_trusted_proxy(make_app):
    """Behind MATCHMAKER_PROXY_COUNT=1 (ProxyFix), the proxy's X-Forwarded-Proto: https makes the
    request secure, so HSTS is sent; plain HTTP through the proxy gets none."""
    app = make_app(proxy_count=1)
    client = app.test_client()
    secure = client.get("/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert "max-age=" in secure.headers.get("Strict-Transport-Security", "")
    plain = client.get("/", headers={"X-Forwarded-Proto": "http", "X-Forwarded-For": "203.0.113.9"})
    assert "Strict-Transport-Security" not in plain.headers


def test_session_cookie_flags(make_app, member, session):
    user, _ = member
    for secure_cookie in (False, True):
        app = make_app(session_cookie_secure=secure_cookie)
        client = app.test_client()
        token = csrf_token(text(client.get("/login")))
        response = client.post("/login", data={"login": user.login, "password": "demo-pass-123",
                                                "csrf_token": token})
        assert response.status_code == 302
        cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
        assert cookies, response.headers
        flags = cookies[-1].lower()
        assert "httponly" in flags and "samesite=lax" in flags
        assert ("; secure" in flags) is secure_cookie
        assert not any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))


# -- login rate limit ---------------------------------------------------------------------------

def _attempt(client, login_name: str, password: str = "wrong-pass-1", **kwargs):
    return post_form(client, "/login", {"login": login_name, "password": password}, **kwargs)


def _first_limit(app) -> int:
    return int(app.config["LOGIN_RATE_LIMIT"].split(";")[0].split()[0])


def test_login_attempts_beyond_the_limit_get_429_in_chinese(app, client, member):
    user, _ = member
    limit = _first_limit(app)
    assert limit <= 20, "a login limit this high is no brute-force protection"
    for i in range(limit):   # different logins: this is the address's limit, not an account's
        assert _attempt(client, f"guess{i}@example.com").status_code == 200, i
    refused = _attempt(client, user.login)
    assert refused.status_code == 429
    assert "操作过于频繁，请稍后再试" in text(refused)
    assert refused.headers.get("Retry-After") or refused.headers.get("X-RateLimit-Reset")
    # the right password does not get through either while the limit holds
    right = _attempt(client, user.login, "demo-pass-123")
    assert right.status_code == 429
    assert client.get("/patents/mine").status_code == 302   # still not logged in
    # other users from the same address are limited too (the key is the address, not the login)
    assert _attempt(client, "someone@example.com").status_code == 429
    # the form itself stays readable
    assert client.get("/login").status_code == 200


def test_the_limit_comes_from_settings_and_is_per_address(make_app, member):
    user, _ = member
    app = make_app(login_rate_limit="3 per minute")
    client = app.test_client()
    statuses = [_attempt(client, user.login).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # a spoofed X-Forwarded-For does not reset the limit when no proxy is trusted
    assert _attempt(client, user.login, headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 429
    # another client address has its own allowance
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    assert _attempt(other, user.login, "demo-pass-123").status_code == 302


def test_behind_a_proxy_the_limit_is_per_forwarded_client(make_app, member):
    """With a trusted proxy the limit applies to the real client (X-Forwarded-For), not to the
    proxy's address that every request shares."""
    user, _ = member
    app = make_app(login_rate_limit="2 per minute", proxy_count=1)
    client = app.test_client()
    attacker = {"X-Forwarded-For": "203.0.113.66"}
    assert [_attempt(client, user.login, headers=attacker).status_code for _ in range(3)] == [200, 200, 429]
    assert _attempt(client, user.login, "demo-pass-123",
                    headers={"X-Forwarded-For": "203.0.113.67"}).status_code == 302
