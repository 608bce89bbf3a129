"""The trusted-device cookie of the login back-off (see catalog/login_throttle.py).

After a successful login the browser gets a signed cookie naming the account (by its counter
key) and a random nonce. Its later attempts on that account are counted under the nonce, not
under the account a stranger may be hammering, so the owner's own browser is never locked out.
The cookie is signed with the app's secret key, lives a year, is sent to /login only, and holds
neither the login name nor anything that opens a session.
"""
from __future__ import annotations

import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..catalog.login_throttle import account_key, device_key

COOKIE = "mm_device"
MAX_AGE = 365 * 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="matchmaker-device")


def _nonce_for(login: str) -> str | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != account_key(login)[:32]:
        return None
    nonce = data.get("n")
    return nonce if isinstance(nonce, str) and nonce else None


def throttle_key(login: str) -> str:
    """The counter this attempt is made under: the trusted device's, else the account's."""
    nonce = _nonce_for(login)
    return device_key(nonce) if nonce else account_key(login)


def remember(response, login: str) -> None:
    """Issue (or renew) the device cookie after a successful login to `login`."""
    nonce = _nonce_for(login) or secrets.token_urlsafe(16)
    value = _serializer().dumps({"a": account_key(login)[:32], "n": nonce})
    response.set_cookie(COOKIE, value, max_age=MAX_AGE, path="/login", httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
