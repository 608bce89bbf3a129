"""Account, team and one-time-link pages through the real forms."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from matchmaker.models import AccountToken, OrgKind, User, UserRole
from tests.factories import PASSWORD, make_user
from tests.web.helpers import login, logout, post_form, text


def _link(page: str, testid: str) -> str:
    match = re.search(rf'value="(http[^"]+)" id="[^"]*" data-testid="{testid}"', page)
    assert match, f"no {testid} on the page"
    return urlsplit(match.group(1)).path


def test_invite_accept_and_act_as_the_new_member(client, session, world):
    uni, admin = world.member(OrgKind.UNIVERSITY, name="新疆测试大学")
    login(client, admin.login)
    answer = post_form(client, "/account/team/invite", {"role": "member", "email": ""},
                       token_page="/account/team", follow_redirects=True)
    assert "只显示这一次" in text(answer)
    join = _link(text(answer), "invitation-link")
    assert join.startswith("/account/join/")
    assert 'data-testid="invitation-link"' not in text(client.get("/account/team"))   # shown once
    logout(client)

    page = text(client.get(join))
    assert "加入新疆测试大学" in page and "“成员”" in page
    bad = post_form(client, join, {"login": "zhao@example.com", "display_name": "赵老师",
                                   "password": "join-pass-2026", "password_confirm": "other-pass-2026"})
    assert bad.status_code == 422 and "两次输入的密码不一致" in text(bad)
    assert session.scalar(select(User).where(User.login == "zhao@example.com")) is None
    done = post_form(client, join, {"login": "zhao@example.com", "display_name": "赵老师",
                                    "password": "join-pass-2026", "password_confirm": "join-pass-2026"},
                     follow_redirects=True)
    assert "欢迎加入新疆测试大学" in text(done) and 'id="current-user-name"' in text(done)
    assert client.get("/patents/mine").status_code == 200      # acts as the university's member
    logout(client)
    assert client.get(join).status_code == 404                  # single use


def test_a_registered_invitee_finds_the_invitation_in_the_inbox_and_accepts_it(client, session, world):
    """Inviting the address of an existing user puts the invitation in their inbox (before, only
    the e-mail had it: nothing at all without SMTP); its link opens the join form for them."""
    uni, admin = world.member(OrgKind.UNIVERSITY, name="新疆测试大学")
    ent, invitee = world.member(OrgKind.ENTERPRISE, name="昌吉测试电池有限公司")
    _, bystander = world.member(OrgKind.STATION, name="昌吉创新驿站")
    login(client, admin.login)
    post_form(client, "/account/team/invite", {"role": "member", "email": invitee.login.upper()},
              token_page="/account/team")
    invitation = session.scalar(select(AccountToken))
    logout(client)

    login(client, bystander.login)
    assert client.get(f"/account/invitations/{invitation.id}").status_code == 404
    logout(client)

    login(client, invitee.login)
    inbox = text(client.get("/inbox"))
    assert "新疆测试大学邀请您加入" in inbox
    entry = re.search(r'data-notification-id="(\d+)" data-kind="invitation"', inbox)
    opened = post_form(client, f"/inbox/{entry.group(1)}/open", {}, token_page="/inbox")
    assert opened.headers["Location"].endswith(f"/account/invitations/{invitation.id}")
    page = text(client.get(f"/account/invitations/{invitation.id}"))
    assert "加入新疆测试大学" in page and 'data-testid="join-existing-account"' in page
    assert f'value="{invitee.display_name}"' in page            # starts from the user's name
    taken = post_form(client, f"/account/invitations/{invitation.id}",
                      {"login": invitee.login, "display_name": "赵工", "password": "join-pass-2026",
                       "password_confirm": "join-pass-2026"})
    assert taken.status_code == 422 and 'data-testid="join-existing-account"' in text(taken)
    done = post_form(client, f"/account/invitations/{invitation.id}",
                     {"login": "13800000001", "display_name": "赵工", "password": "join-pass-2026",
                      "password_confirm": "join-pass-2026"}, follow_redirects=True)
    assert "欢迎加入新疆测试大学" in text(done) and "登录名 13800000001" in text(done)
    assert client.get("/patents/mine").status_code == 200      # now the university's member
    new = session.scalar(select(User).where(User.login == "13800000001"))
    assert (new.organization_id, new.email) == (uni.id, invitee.login.upper())
    assert client.get(f"/account/invitations/{invitation.id}").status_code == 404   # spent
    logout(client)
    assert login(client, invitee.login).status_code == 302     # the old account is untouched


def test_deactivated_member_cannot_log_in_and_last_admin_cannot_leave(client, session, world):
    uni, admin = world.member(OrgKind.UNIVERSITY, name="新疆测试大学")
    colleague = make_user(session, uni, role=UserRole.MEMBER, display_name="李老师")
    session.commit()
    login(client, admin.login)
    leave = post_form(client, f"/account/team/{admin.id}/deactivate", {}, token_page="/account/team",
                      follow_redirects=True)
    assert "至少需要一位在职的管理员" in text(leave)
    post_form(client, f"/account/team/{colleague.id}/deactivate", {}, token_page="/account/team")
    session.refresh(colleague)
    assert not colleague.is_active
    logout(client)
    refused = login(client, colleague.login)
    assert refused.status_code == 403 and "该账号已停用" in text(refused)


def test_members_see_the_team_but_cannot_manage_it(client, session, world):
    uni, admin = world.member(OrgKind.UNIVERSITY, name="新疆测试大学")
    colleague = make_user(session, uni, role=UserRole.MEMBER, display_name="李老师")
    session.commit()
    login(client, colleague.login)
    page = text(client.get("/account/team"))
    assert admin.display_name in page and 'id="invite-form"' not in page
    assert post_form(client, "/account/team/invite", {"role": "admin"},
                     token_page="/account/team").status_code == 403
    assert post_form(client, f"/account/team/{admin.id}/deactivate", {},
                     token_page="/account/team").status_code == 403
    assert session.scalar(select(AccountToken.id)) is None


def test_change_password_keeps_this_browser_logged_in(client, session, world):
    """(Other sessions end with the rotated session token: tests/catalog/test_self_service.py.)"""
    _, user = world.member(OrgKind.ENTERPRISE, name="测试企业有限公司")
    login(client, user.login)
    session.refresh(user)
    token = user.session_token
    wrong = post_form(client, "/account/password", {"current_password": "nope-nope-1",
                                                    "password": "brand-new-pass-7",
                                                    "password_confirm": "brand-new-pass-7"},
                      token_page="/account/")
    assert wrong.status_code == 422 and "当前密码不正确" in text(wrong)
    done = post_form(client, "/account/password", {"current_password": PASSWORD,
                                                   "password": "brand-new-pass-7",
                                                   "password_confirm": "brand-new-pass-7"},
                     token_page="/account/", follow_redirects=True)
    assert "密码已修改" in text(done)
    assert client.get("/account/").status_code == 200
    session.refresh(user)
    assert user.session_token != token
    logout(client)
    assert login(client, user.login, "brand-new-pass-7").status_code == 302


def test_profile_is_validated_and_saved(client, session, world):
    _, user = world.member(OrgKind.ENTERPRISE, name="测试企业有限公司")
    login(client, user.login)
    bad = post_form(client, "/account/profile", {"display_name": "", "email": "nope"},
                    token_page="/account/")
    assert bad.status_code == 422 and "邮箱格式不正确" in text(bad)
    post_form(client, "/account/profile", {"display_name": "王经理", "email": "wang@example.com"},
              token_page="/account/")
    session.refresh(user)
    assert (user.display_name, user.email) == ("王经理", "wang@example.com")


def test_operator_reset_link_new_password_login(client, session, world):
    _, user = world.member(OrgKind.ENTERPRISE, name="测试企业有限公司")
    _, operator = world.member(OrgKind.OPERATOR, name="平台运营方")
    login(client, operator.login)
    assert user.login in text(client.get(f"/admin/users?q={user.login}"))
    answer = post_form(client, f"/admin/users/{user.id}/reset-link", {}, token_page="/admin/users",
                       follow_redirects=True)
    assert 'data-testid="reset-link"' not in text(client.get("/admin/users"))   # shown once
    link = _link(text(answer), "reset-link")
    logout(client)
    page = text(client.get(link))
    assert user.login in page
    weak = post_form(client, link, {"password": "password123", "password_confirm": "password123"})
    assert weak.status_code == 422
    done = post_form(client, link, {"password": "fresh-pass-2026", "password_confirm": "fresh-pass-2026"})
    assert done.status_code == 200 and "密码已设置" in text(done)
    assert login(client, user.login, "fresh-pass-2026").status_code == 302
    logout(client)
    assert client.get(link).status_code == 404
