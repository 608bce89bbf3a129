"""Registration, login and logout through the real forms (CSRF on)."""
from __future__ import annotations

from sqlalchemy import func, select

from matchmaker.models import Organization, OrgKind, OrgStatus, User
from tests.factories import PASSWORD, valid_credit_code
from tests.web.helpers import csrf_token, login, logout, post_form, text, token_from


def registration(**overrides) -> dict:
    """A valid registration form submission for an enterprise."""
    data = {"kind": "enterprise", "name": "乌鲁木齐新材料科技有限公司",
            "credit_code": valid_credit_code(424242), "region": "乌鲁木齐市",
            "address": "乌鲁木齐市高新区某路 1 号", "contact_name": "王经理",
            "contact_phone": "0991-1234567", "login": "wang@example.com",
            "password": "secret-pass-1", "password_confirm": "secret-pass-1",
            "display_name": "王伟"}
    data.update(overrides)
    return data


def counts(session) -> tuple[int, int]:
    """(organizations, users) currently in the database."""
    session.expire_all()
    return (session.scalar(select(func.count(Organization.id))),
            session.scalar(select(func.count(User.id))))


def is_logged_in(client) -> bool:
    """A members-only page answers 200 when logged in, a redirect to /login otherwise."""
    response = client.get("/needs/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    return False


def test_register_creates_pending_org_that_cannot_log_in_until_approved(client, session, world):
    response = post_form(client, "/register", registration(), follow_redirects=True)
    assert response.status_code == 200
    assert "注册成功，等待平台运营方审核" in text(response)

    org = session.scalar(select(Organization).where(Organization.name == "乌鲁木齐新材料科技有限公司"))
    assert org is not None and org.status == OrgStatus.PENDING and org.kind == OrgKind.ENTERPRISE
    assert [u.login for u in org.users] == ["wang@example.com"]

    refused = login(client, "wang@example.com", "secret-pass-1")
    assert refused.status_code == 403
    assert "等待平台审核" in text(refused)
    assert not is_logged_in(client)

    _, operator = world.member(OrgKind.OPERATOR)
    op_client = client.application.test_client()
    assert login(op_client, operator.login).status_code == 302
    pending_page = text(op_client.get("/admin"))
    assert "乌鲁木齐新材料科技有限公司" in pending_page
    approve = op_client.post(f"/admin/organizations/{org.id}/approve",
                             data={"csrf_token": csrf_token(pending_page)})
    assert approve.status_code == 302

    accepted = login(client, "wang@example.com", "secret-pass-1")
    assert accepted.status_code == 302
    assert is_logged_in(client)


def test_university_may_register_without_credit_code(client, session):
    data = registration(kind="university", name="新疆示范大学", credit_code="", login="kjc@example.edu.cn")
    response = post_form(client, "/register", data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/register/done")
    org = session.scalar(select(Organization).where(Organization.name == "新疆示范大学"))
    assert org.credit_code is None and org.kind == OrgKind.UNIVERSITY


def test_register_with_invalid_credit_code_shows_field_message_and_writes_nothing(client, session):
    bad_code = valid_credit_code(77)[:-1] + ("0" if valid_credit_code(77)[-1] != "0" else "1")
    response = post_form(client, "/register", registration(credit_code=bad_code))
    page = text(response)
    assert response.status_code == 200
    assert 'data-testid="error-credit_code"' in page
    assert "统一社会信用代码校验位错误" in page
    assert 'value="乌鲁木齐新材料科技有限公司"' in page  # what the user typed is kept
    assert 'value="wang@example.com"' in page
    assert counts(session) == (0, 0)


def test_register_enterprise_without_credit_code_is_refused(client, session):
    page = text(post_form(client, "/register", registration(credit_code="")))
    assert "请填写统一社会信用代码（仅高校可不填）" in page
    assert counts(session) == (0, 0)


def test_register_with_duplicate_login_is_refused(client, session, world):
    _, existing = world.member(OrgKind.ENTERPRISE)
    before = counts(session)
    page = text(post_form(client, "/register", registration(login=existing.login.upper())))
    assert 'data-testid="error-login"' in page
    assert "该登录名已被使用" in page
    assert counts(session) == before


def test_register_password_confirmation_must_match(client, session):
    page = text(post_form(client, "/register", registration(password_confirm="other-pass-2")))
    assert "两次输入的密码不一致" in page
    assert counts(session) == (0, 0)


def test_login_with_wrong_password_is_refused(client, world):
    _, user = world.member(OrgKind.ENTERPRISE)
    response = login(client, user.login, "wrong-password-1")
    assert response.status_code == 200
    assert "登录名或密码错误" in text(response)
    assert f'value="{user.login}"' in text(response)
    assert not is_logged_in(client)


def test_login_shows_user_and_organization_in_header(client, world):
    org, user = world.member(OrgKind.UNIVERSITY)
    response = login(client, user.login, follow_redirects=True)
    page = text(response)
    assert user.display_name in page and org.name in page
    assert 'id="nav-my-patents"' in page and 'id="nav-new-patent"' in page
    assert 'id="nav-login"' not in page


def test_suspended_organization_cannot_log_in(client, world):
    _, user = world.member(OrgKind.ENTERPRISE, status=OrgStatus.SUSPENDED)
    response = login(client, user.login)
    assert response.status_code == 403
    assert "所在机构已被停用" in text(response)
    assert not is_logged_in(client)


def test_session_is_renewed_at_login(client, session, world):
    _, user = world.member(OrgKind.ENTERPRISE)
    token_before = user.session_token
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "by-an-attacker"
        csrf_before = sess.get("csrf_token")
    assert csrf_before

    assert login(client, user.login).status_code == 302

    with client.session_transaction() as sess:
        assert "planted" not in sess  # the pre-login session was cleared, not reused
        assert sess.get("csrf_token") != csrf_before
        user_id, _, token = sess["_user_id"].partition(":")
    session.refresh(user)
    assert user_id == str(user.id)
    assert token == user.session_token != token_before


def test_logout_invalidates_the_old_session_cookie(client, world):
    _, user = world.member(OrgKind.ENTERPRISE)
    assert login(client, user.login).status_code == 302
    assert is_logged_in(client)
    old_cookie = client.get_cookie("session").value

    response = logout(client)
    assert response.status_code == 302
    assert not is_logged_in(client)

    client.set_cookie("session", old_cookie)  # replay the cookie captured before logout
    assert not is_logged_in(client)


def test_logout_requires_post(client, world):
    _, user = world.member(OrgKind.ENTERPRISE)
    login(client, user.login)
    assert client.get("/logout").status_code == 405
    assert is_logged_in(client)


def test_login_redirects_only_to_safe_next(client, world):
    _, user = world.member(OrgKind.UNIVERSITY)
    token = token_from(client, "/login")
    ok = client.post("/login", data={"login": user.login, "password": PASSWORD,
                                     "next": "/patents/mine", "csrf_token": token})
    assert ok.headers["Location"] == "/patents/mine"

    other = client.application.test_client()
    token = token_from(other, "/login")
    evil = other.post("/login", data={"login": user.login, "password": PASSWORD,
                                      "next": "//evil.example.com/x", "csrf_token": token})
    assert evil.status_code == 302 and evil.headers["Location"] == "/"


def test_login_form_carries_next_from_redirect(client):
    response = client.get("/patents/mine")
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert 'name="next"' in page and 'value="/patents/mine"' in page


def test_post_without_csrf_token_is_refused(client, session, world):
    _, user = world.member(OrgKind.ENTERPRISE)
    response = client.post("/login", data={"login": user.login, "password": PASSWORD})
    assert response.status_code == 400
    assert "安全令牌" in text(response)
    assert not is_logged_in(client)

    before = counts(session)
    response = client.post("/register", data=registration())
    assert response.status_code == 400
    assert counts(session) == before


def test_a_registering_enterprise_may_choose_its_station(client, session, world):
    """The request waits for the station; it is a link once the station confirms (after the
    platform approved the enterprise)."""
    from matchmaker.models import LinkState, StationLink
    station, broker = world.member(OrgKind.STATION, name="天山创新驿站")
    page = text(client.get("/register"))
    assert f'<option value="{station.id}">天山创新驿站</option>' in page
    bad = post_form(client, "/register", registration(station_id="999999"))
    assert "请选择一家已审核的创新驿站" in text(bad) and counts(session) == (1, 1)
    assert post_form(client, "/register", registration(station_id=str(station.id))).status_code == 302
    link = session.scalar(select(StationLink))
    assert link.state == LinkState.PROPOSED and link.station_id == station.id
    assert link.enterprise.name == "乌鲁木齐新材料科技有限公司"
    # a university's choice of station is ignored (only enterprises are served)
    post_form(client, "/register", registration(kind="university", name="新疆测试学院", credit_code="",
                                                login="li@example.com", station_id=str(station.id)))
    assert session.scalar(select(func.count(StationLink.id))) == 1
