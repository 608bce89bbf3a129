"""Session fixation and logout: a new session at login, and a session that ends at logout ends
for every copy of its cookie (the user's session token is rotated)."""
from __future__ import annotations

import pytest

from matchmaker.models import OrgKind
from tests.factories import make_org, make_user
from tests.web.helpers import csrf_token, login, logout, text


@pytest.fixture
def user(session, fast_hashing):
    user = make_user(session, make_org(session, OrgKind.UNIVERSITY))
    session.commit()
    return user


def logged_in(client) -> bool:
    response = client.get("/patents/mine")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    return False


def cookie(client) -> str:
    return client.get_cookie("session").value


def test_the_session_cookie_and_token_change_at_login(client, session, user):
    client.get("/login")
    before = cookie(client)
    with client.session_transaction() as sess:
        sess["planted"] = "by-an-attacker"
        csrf_before = sess["csrf_token"]
    planted = cookie(client)
    token_before = user.session_token

    assert login(client, user.login).status_code == 302
    after = cookie(client)
    assert after not in (before, planted)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess.get("csrf_token") != csrf_before   # the old CSRF token died with the session
        user_id, _, token = sess["_user_id"].partition(":")
    session.refresh(user)
    assert (user_id, token) == (str(user.id), user.session_token)
    assert token != token_before

    # The pre-login cookie an attacker may have planted is still just a visitor's.
    attacker = client.application.test_client()
    attacker.set_cookie("session", planted)
    assert not logged_in(attacker)


def test_a_cookie_replayed_after_logout_does_not_authenticate(client, user):
    assert login(client, user.login).status_code == 302
    assert logged_in(client)
    stolen = cookie(client)
    stolen_token = csrf_token(text(client.get("/")))

    assert logout(client).status_code == 302
    assert not logged_in(client)

    thief = client.application.test_client()
    thief.set_cookie("session", stolen)
    assert not logged_in(thief)
    # nor can it act: a POST with the old cookie and its CSRF token goes to the login page
    response = thief.post("/inbox/read-all", data={"csrf_token": stolen_token})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
    assert thief.get("/api/needs/search").status_code == 401


def test_logout_ends_every_copy_of_the_session(client, user):
    """Two browsers holding the same session (a copied cookie): logging out in one ends both."""
    assert login(client, user.login).status_code == 302
    copy = client.application.test_client()
    copy.set_cookie("session", cookie(client))
    assert logged_in(copy)
    assert logout(client).status_code == 302
    assert not logged_in(copy)


def test_a_cookie_from_another_browser_is_not_accepted(client, user):
    """Session protection "strong": the same cookie sent with another User-Agent is dropped."""
    assert login(client, user.login).status_code == 302
    other = client.application.test_client()
    other.set_cookie("session", cookie(client))
    other.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (attacker)"
    assert not logged_in(other)


def test_a_forged_session_cookie_is_rejected(client, user):
    """Without the secret key nobody can mint a session: a tampered cookie, or one signed with
    another key, is a visitor's."""
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface
    assert login(client, user.login).status_code == 302
    payload, _, signature = cookie(client).rpartition(".")
    tampered = client.application.test_client()
    tampered.set_cookie("session", payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:])
    assert not logged_in(tampered)

    with client.session_transaction() as sess:
        claims = dict(sess)          # a real session's content, user id and token included
    other = Flask("forger")
    for key, accepted in ((client.application.secret_key, True), ("not-the-real-key", False)):
        other.secret_key = key
        minted = SecureCookieSessionInterface().get_signing_serializer(other).dumps(claims)
        replay = client.application.test_client()
        replay.set_cookie("session", minted)
        assert logged_in(replay) is accepted, key   # control first: the real key is accepted


def test_a_stale_token_in_a_validly_signed_session_is_rejected(client, user):
    """Even a session signed with the real key fails once its token is not the user's current
    one (what a rotated token does to every old cookie)."""
    assert login(client, user.login).status_code == 302
    with client.session_transaction() as sess:
        user_id, _, token = sess["_user_id"].partition(":")
        sess["_user_id"] = f"{user_id}:{'0' * len(token)}"
    assert not logged_in(client)
