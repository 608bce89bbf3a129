"""Teams: invitations by one-time links, deactivation, roles, handing over admin; the last
active admin cannot leave; everything audited."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from matchmaker.catalog import memberships as m
from matchmaker.catalog.accounts import authenticate, get_user_by_session
from matchmaker.errors import Conflict, NotFound, PermissionDenied, ValidationError
from matchmaker.models import AccountToken, AuditEntry, Job, Notification, OrgKind, OrgStatus, UserRole
from matchmaker.notifications import MAIL_KEY
from tests.factories import PASSWORD, make_org, make_user

NOW = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)
WEEK = timedelta(days=7)


@pytest.fixture
def team(session):
    class T:
        uni = make_org(session, OrgKind.UNIVERSITY, name="新疆测试大学")
        admin = make_user(session, uni, display_name="王主任")
        member = make_user(session, uni, role=UserRole.MEMBER, display_name="李老师")
        other = make_user(session, make_org(session, OrgKind.ENTERPRISE))
    session.commit()
    return T


def test_an_invitation_is_a_one_time_link_stored_hashed(session, team):
    made = m.invite(session, team.admin, role="member", email="zhao@xju.example.com", now=NOW,
                    lifetime=WEEK)
    session.commit()
    row = session.scalar(select(AccountToken))
    assert made.token not in (row.token_hash, row.email) and len(made.token) >= 40
    assert (row.role, row.organization_id, row.expires_at) == (UserRole.MEMBER, team.uni.id, NOW + WEEK)
    user = m.accept_invitation(session, made.token, login="zhao@xju.example.com",
                               password="another-pass-2026", display_name="赵工", now=NOW)
    session.commit()
    assert (user.organization_id, user.role, user.is_active, user.email) == (
        team.uni.id, UserRole.MEMBER, True, "zhao@xju.example.com")
    assert authenticate(session, "zhao@xju.example.com", "another-pass-2026").id == user.id
    with pytest.raises(NotFound, match="已使用或已过期"):        # single use
        m.accept_invitation(session, made.token, login="x@example.com", password="another-pass-2026",
                            display_name="X", now=NOW)


def test_an_invitation_expires_and_can_be_revoked(session, team):
    made = m.invite(session, team.admin, role="admin", now=NOW, lifetime=WEEK)
    with pytest.raises(NotFound):
        m.invitation_for(session, made.token, NOW + WEEK)
    assert m.invitation_for(session, made.token, NOW + WEEK - timedelta(seconds=1)).role == UserRole.ADMIN
    m.revoke_invitation(session, team.admin, made.row.id, NOW)
    with pytest.raises(NotFound):
        m.invitation_for(session, made.token, NOW)
    assert m.pending_invitations(session, team.uni, NOW) == []
    with pytest.raises(NotFound):
        m.invitation_for(session, "not-a-token", NOW)


def test_only_admins_invite_and_answers_are_field_errors(session, team):
    for actor in (team.member, ):
        with pytest.raises(PermissionDenied, match="只有机构管理员"):
            m.invite(session, actor, role="member", now=NOW, lifetime=WEEK)
    with pytest.raises(ValidationError) as exc:
        m.invite(session, team.admin, role="owner", email="not an email", now=NOW, lifetime=WEEK)
    assert set(exc.value.errors) == {"role", "email"}
    other_invite = m.invite(session, team.other, role="member", now=NOW, lifetime=WEEK)
    with pytest.raises(NotFound):           # another organization's invitation
        m.revoke_invitation(session, team.admin, other_invite.row.id, NOW)


def test_a_bad_join_form_writes_nothing_and_keeps_the_link(session, team):
    made = m.invite(session, team.admin, role="member", now=NOW, lifetime=WEEK)
    session.commit()
    with pytest.raises(ValidationError) as exc:
        m.accept_invitation(session, made.token, login=team.member.login, password="short",
                            display_name="", now=NOW)
    assert {"login", "password", "display_name"} <= set(exc.value.errors)
    session.rollback()
    assert m.invitation_for(session, made.token, NOW).used_at is None


def test_deactivating_a_member_ends_their_sessions(session, team):
    token = team.member.session_token
    m.set_active(session, team.admin, team.member.id, False)
    session.commit()
    assert get_user_by_session(session, team.member.id, token) is None
    with pytest.raises(PermissionDenied, match="已停用"):
        authenticate(session, team.member.login, PASSWORD)
    m.set_active(session, team.admin, team.member.id, True)
    assert authenticate(session, team.member.login, PASSWORD).id == team.member.id


def test_a_member_cannot_manage_but_may_leave(session, team):
    with pytest.raises(PermissionDenied):
        m.set_active(session, team.member, team.admin.id, False)
    with pytest.raises(PermissionDenied):
        m.set_role(session, team.member, team.member.id, "admin")
    m.set_active(session, team.member, team.member.id, False)      # leaving
    assert not team.member.is_active


def test_the_last_admin_can_neither_leave_nor_step_down(session, team):
    for attempt in (lambda: m.set_active(session, team.admin, team.admin.id, False),
                    lambda: m.set_role(session, team.admin, team.admin.id, "member")):
        with pytest.raises(Conflict, match="至少需要一位在职的管理员"):
            attempt()
    assert team.admin.is_active and team.admin.role == UserRole.ADMIN
    m.set_role(session, team.admin, team.member.id, "admin")        # a second admin...
    m.set_active(session, team.admin, team.admin.id, False)         # ...so the first may leave
    assert not team.admin.is_active
    with pytest.raises(Conflict, match="至少需要一位在职的管理员"):
        m.set_role(session, team.member, team.member.id, "member")


def test_handing_over_swaps_the_roles(session, team):
    m.hand_over(session, team.admin, team.member.id)
    assert (team.admin.role, team.member.role) == (UserRole.MEMBER, UserRole.ADMIN)
    with pytest.raises(PermissionDenied):
        m.hand_over(session, team.admin, team.member.id)
    with pytest.raises(NotFound):
        m.hand_over(session, team.member, team.other.id)             # not of the organization


def test_a_pending_organization_manages_nobody(session, team):
    team.uni.status = OrgStatus.PENDING
    with pytest.raises(PermissionDenied, match="通过审核后"):
        m.invite(session, team.admin, role="member", now=NOW, lifetime=WEEK)


def test_membership_changes_are_audited_without_secrets(session, team):
    m.set_role(session, team.admin, team.member.id, "admin")
    made = m.invite(session, team.admin, role="member", now=NOW, lifetime=WEEK)
    session.commit()
    entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    roles = [e for e in entries if e.object_type == "user" and e.object_id == team.member.id
             and e.action == "update"]
    assert roles[-1].changes == {"role": ["member", "admin"]}
    token_entries = [e for e in entries if e.object_type == "account_token"]
    assert token_entries and all(made.token not in str(e.changes) and "token_hash" not in e.changes
                                 for e in token_entries)
    assert all("password_hash" not in e.changes and "session_token" not in e.changes for e in entries)


# -- invitations to an address that already has an account -----------------------------------------

@pytest.fixture
def registered(session, team):
    """Users elsewhere under one address: by login, by profile e-mail (another case), and
    deactivated; a colleague in the inviting organization with it too; a stranger."""
    class R:
        ent = make_org(session, OrgKind.ENTERPRISE, name="昌吉测试电池有限公司")
        by_login = make_user(session, ent, login="zhao@xju.example.com", display_name="赵工")
        by_email = make_user(session, make_org(session, OrgKind.STATION),
                             email="Zhao@XJU.example.com")
        gone = make_user(session, ent, email="zhao@xju.example.com", is_active=False)
        colleague = make_user(session, team.uni, role=UserRole.MEMBER, email="zhao@xju.example.com")
        stranger = make_user(session, ent, login="qian@xju.example.com")
    session.commit()
    return R


def inbox(session, user) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_an_invitation_to_a_registered_address_reaches_their_inbox(session, team, registered):
    """They used to hear of it only by e-mail, i.e. not at all without SMTP; the entry opens the
    invitation by id: the link itself (only its hash is stored) is nowhere in it."""
    session.info[MAIL_KEY] = "https://matchmaker.example.cn"     # e-mail set up
    made = m.invite(session, team.admin, role="admin", email="zhao@xju.example.com", now=NOW,
                    lifetime=WEEK)
    session.commit()
    for user in (registered.by_login, registered.by_email):
        [entry] = inbox(session, user)
        assert (entry.kind, entry.title, entry.link) == (
            "invitation", "新疆测试大学邀请您加入", f"/account/invitations/{made.row.id}")
        assert "王主任（新疆测试大学）" in entry.body and "“管理员”" in entry.body
        assert made.token not in entry.body + entry.link
    for user in (registered.gone, registered.colleague, registered.stranger, team.member):
        assert inbox(session, user) == []
    # the invitation's own e-mail carries the link: the entry is not mailed a second time
    assert session.scalars(select(Job).where(Job.kind == "send_mail")).all() == []


def test_an_invitation_without_an_address_notifies_nobody(session, team, registered):
    m.invite(session, team.admin, role="member", now=NOW, lifetime=WEEK)
    assert session.scalar(select(func.count()).select_from(Notification)) == 0


def test_the_addressed_user_accepts_from_the_inbox_with_a_new_account(session, team, registered):
    made = m.invite(session, team.admin, role="member", email="zhao@xju.example.com", now=NOW,
                    lifetime=WEEK)
    for outsider in (registered.stranger, registered.colleague, team.admin):
        with pytest.raises(NotFound, match="未找到该邀请"):
            m.addressed_invitation(session, outsider, made.row.id, NOW)
    with pytest.raises(NotFound):
        m.addressed_invitation(session, registered.by_login, made.row.id, NOW + WEEK)   # expired
    assert m.addressed_invitation(session, registered.by_email, made.row.id, NOW) is made.row
    with pytest.raises(ValidationError) as exc:           # the login is taken: nothing is spent
        m.accept_addressed_invitation(session, registered.by_login, made.row.id,
                                      login="zhao@xju.example.com", password="another-pass-2026",
                                      display_name="赵工", now=NOW)
    assert "login" in exc.value.errors and made.row.used_at is None
    new = m.accept_addressed_invitation(session, registered.by_login, made.row.id,
                                        login="13800000001", password="another-pass-2026",
                                        display_name="赵工", now=NOW)
    session.commit()
    assert (new.organization_id, new.role, new.email) == (team.uni.id, UserRole.MEMBER,
                                                          "zhao@xju.example.com")
    assert registered.by_login.organization_id == registered.ent.id and registered.by_login.is_active
    with pytest.raises(NotFound):                          # spent: neither way works again
        m.addressed_invitation(session, registered.by_login, made.row.id, NOW)
    with pytest.raises(NotFound):
        m.invitation_for(session, made.token, NOW)


def test_a_revoked_invitation_cannot_be_accepted_from_the_inbox(session, team, registered):
    made = m.invite(session, team.admin, role="member", email="zhao@xju.example.com", now=NOW,
                    lifetime=WEEK)
    m.revoke_invitation(session, team.admin, made.row.id, NOW)
    with pytest.raises(NotFound):
        m.accept_addressed_invitation(session, registered.by_login, made.row.id, login="13800000001",
                                      password="another-pass-2026", display_name="赵工", now=NOW)
