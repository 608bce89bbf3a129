"""Every state-changing route needs the CSRF token: without it (or with a wrong one) the answer
is 400 with the Chinese message, and nothing is written — even for a user who may do the action.
"""
from __future__ import annotations

import pytest

from tests.security.conftest import ROLES, fingerprint, log_in_as, session_token
from tests.security.test_authorization_matrix import (CELLS, EXTRA_ROLES, perform, post_data,
                                                      resolve)
from tests.web.helpers import text

# For each POST route: the cells of the matrix where the role is allowed (so a refusal can only
# come from the missing token).
ALLOWED = [c for c in CELLS if c.method == "POST" and c.expect in ("200", "302")]


def test_every_post_route_is_tried_by_an_allowed_role(app):
    post_rules = {rule.rule for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert post_rules == {c.rule for c in ALLOWED}


def _post_without_token(client, sec, cell, token: str | None):
    obj = resolve(sec, cell)
    url = cell.url.format(id=obj.id) if obj is not None else cell.url
    data = post_data(sec, cell, obj)
    if token is not None:
        data["csrf_token"] = token
    return client.post(url, data=data)


@pytest.mark.parametrize("role", ROLES + EXTRA_ROLES)
def test_posts_without_token_are_refused_and_write_nothing(client, session, sec, role):
    log_in_as(client, sec, role)
    failures = []
    for cell in [c for c in ALLOWED if c.role == role]:
        before = fingerprint(session)
        response = _post_without_token(client, sec, cell, None)
        if response.status_code != 400 or "安全令牌" not in text(response):
            failures.append(f"{cell.label}: {response.status_code}")
        elif fingerprint(session) != before:
            failures.append(f"{cell.label}: 400 but the database changed")
    assert not failures, "\n".join(failures)


def test_a_wrong_or_foreign_token_is_refused(client, session, sec, app):
    """A made-up token, and a genuine token of another session, are both refused."""
    other = app.test_client()
    foreign = session_token(other)
    log_in_as(client, sec, "uni")
    own = session_token(client)
    cell = next(c for c in ALLOWED if c.role == "uni" and c.url == "/patents/{id}/withdraw")
    before = fingerprint(session)
    for token in ("", "not-a-token", own[:-2] + "xx", foreign):
        response = _post_without_token(client, sec, cell, token)
        assert response.status_code == 400, token
        assert "安全令牌" in text(response)
    assert fingerprint(session) == before
    # the real token works, so the refusals above were about the token only
    assert _post_without_token(client, sec, cell, own).status_code == 302
    assert fingerprint(session) != before


def test_token_is_checked_before_login(client, session, sec):
    """Logging in is a state change too (login CSRF): no token, no session."""
    before = fingerprint(session)
    response = client.post("/login", data={"login": sec.user["uni"].login, "password": "demo-pass-123"})
    assert response.status_code == 400
    assert fingerprint(session) == before
    assert client.get("/patents/mine").status_code == 302   # still a visitor


def test_json_api_csrf_error_is_structured(client, sec):
    """The API answers GET only; a POST there is not a way around CSRF (405 or 400, JSON)."""
    response = client.post("/api/patents/search", data={"q": "x"})
    assert response.status_code in (400, 405)
    body = response.get_json()
    assert set(body["error"]) >= {"code", "message"}


def test_matrix_posts_with_token_still_pass(client, session, sec):
    """Control: the same request as above with the token is not a 400 (uses /inbox/read-all)."""
    log_in_as(client, sec, "ent")
    cell = next(c for c in ALLOWED if c.role == "ent" and c.url == "/inbox/read-all")
    response, _ = perform(client, sec, cell)
    assert response.status_code == 302
    assert session_token(client)
