"""Account self-service: password change with the current password, profile, reset links."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from matchmaker.catalog import self_service as ss
from matchmaker.catalog.accounts import authenticate, get_user_by_session
from matchmaker.errors import NotFound, PermissionDenied, ValidationError
from matchmaker.models import AccountToken, AuditEntry, OrgKind
from tests.factories import PASSWORD, make_org, make_user

NOW = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)
DAY = timedelta(hours=24)


@pytest.fixture
def people(session):
    class P:
        user = make_user(session, make_org(session, OrgKind.ENTERPRISE), login="li@example.com")
        op = make_user(session, make_org(session, OrgKind.OPERATOR))
    session.commit()
    return P


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(session, people):
    old_token = people.user.session_token
    with pytest.raises(ValidationError) as exc:
        ss.change_password(session, people.user, "wrong-pass-1", "brand-new-pass-7")
    assert exc.value.errors == {"current_password": "当前密码不正确"}
    with pytest.raises(ValidationError, match="不能与当前密码相同"):
        ss.change_password(session, people.user, PASSWORD, PASSWORD)
    with pytest.raises(ValidationError) as exc:
        ss.change_password(session, people.user, PASSWORD, "short1")
    assert "password" in exc.value.errors
    ss.change_password(session, people.user, PASSWORD, "brand-new-pass-7")
    session.commit()
    assert get_user_by_session(session, people.user.id, old_token) is None
    assert authenticate(session, "li@example.com", "brand-new-pass-7").id == people.user.id
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "password")).one()
    assert entry.object_id == people.user.id and "brand-new" not in str(entry.changes)


def test_profile_fields_are_validated(session, people):
    with pytest.raises(ValidationError) as exc:
        ss.update_profile(session, people.user, display_name=" ", email="no-at-sign")
    assert set(exc.value.errors) == {"display_name", "email"}
    ss.update_profile(session, people.user, display_name="李工", email="li.work@example.com")
    assert (people.user.display_name, people.user.mail_address) == ("李工", "li.work@example.com")


def test_a_reset_link_sets_a_new_password_once(session, people):
    user, token = ss.issue_reset(session, people.op, people.user.id, now=NOW, lifetime=DAY)
    session.commit()
    assert session.scalar(select(AccountToken.token_hash)) != token
    assert ss.reset_target(session, token, NOW).id == people.user.id
    with pytest.raises(ValidationError):
        ss.reset_password(session, token, "li@example.com-1", NOW)     # contains the login
    session.rollback()
    ss.reset_password(session, token, "fresh-pass-2026", NOW + timedelta(hours=1))
    session.commit()
    assert authenticate(session, "li@example.com", "fresh-pass-2026").id == user.id
    with pytest.raises(NotFound):
        ss.reset_password(session, token, "again-pass-2026", NOW)


def test_a_reset_link_expires_and_a_newer_one_replaces_it(session, people):
    _, first = ss.issue_reset(session, people.op, people.user.id, now=NOW, lifetime=DAY)
    with pytest.raises(NotFound):
        ss.reset_target(session, first, NOW + DAY)
    _, second = ss.issue_reset(session, None, people.user.id, now=NOW, lifetime=DAY)   # CLI
    with pytest.raises(NotFound):
        ss.reset_target(session, first, NOW)
    assert ss.reset_target(session, second, NOW).id == people.user.id


def test_only_operators_issue_reset_links(session, people):
    with pytest.raises(PermissionDenied):
        ss.issue_reset(session, people.user, people.op.id, now=NOW, lifetime=DAY)
    with pytest.raises(NotFound):
        ss.issue_reset(session, people.op, 999999, now=NOW, lifetime=DAY)
