"""CSRF, rate limits and security headers for every response."""
from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from ..config import Settings

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


def register(app: Flask, settings: Settings) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = settings.redis_url or "memory://"
    app.config["RATELIMIT_HEADERS_ENABLED"] = True
    app.config["LOGIN_RATE_LIMIT"] = settings.login_rate_limit
    app.config["REGISTER_RATE_LIMIT"] = settings.register_rate_limit
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(_security_headers)


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def login_limit() -> str:
    """Login attempts per client address; the value comes from settings (see config.py)."""
    from flask import current_app
    return current_app.config["LOGIN_RATE_LIMIT"]


def register_limit() -> str:
    """Successful self-registrations per client address (settings, see config.py)."""
    from flask import current_app
    return current_app.config["REGISTER_RATE_LIMIT"]


def registered(response) -> bool:
    """Only a registration that created an account counts against the limit (a form sent
    back with field errors does not)."""
    return response.status_code == 302
