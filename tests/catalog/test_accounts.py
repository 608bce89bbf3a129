"""Registration, authentication and session tokens."""
from __future__ import annotations

import pytest
import werkzeug.security
from sqlalchemy import func, select

from matchmaker.catalog import accounts
from matchmaker.catalog.accounts import (authenticate, get_user_by_session, register,
                                         rotate_session_token)
from matchmaker.catalog.organizations import OrganizationInput
from matchmaker.errors import PermissionDenied, ValidationError
from matchmaker.models import Organization, OrgKind, OrgStatus, User, UserRole
from tests.factories import PASSWORD, make_org, make_user, valid_credit_code

ENTERPRISE = OrganizationInput(kind="enterprise", name="乌鲁木齐示例科技有限公司",
                               credit_code="91440300708461136t", region="乌鲁木齐市")
GENERIC = "登录名或密码错误"


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_register_creates_a_pending_organization_and_its_admin(session):
    user = register(session, ENTERPRISE, "Boss@Example.com", "s3cret-pass", "王经理")
    session.commit()
    session.expire_all()
    user = session.get(User, user.id)
    org = user.organization
    assert (org.kind, org.name, org.status) == (OrgKind.ENTERPRISE, ENTERPRISE.name, OrgStatus.PENDING)
    assert org.credit_code == "91440300708461136T"
    assert (user.login, user.display_name, user.role) == ("boss@example.com", "王经理", UserRole.ADMIN)
    assert user.password_hash != "s3cret-pass"
    assert werkzeug.security.check_password_hash(user.password_hash, "s3cret-pass")
    assert user.session_token


def test_a_university_may_register_without_credit_code(session):
    user = register(session, OrganizationInput(kind="university", name="新疆示例大学",
                                               region="乌鲁木齐市"),
                    "13800138000", "s3cret-pass", "李老师")
    assert user.organization.credit_code is None
    assert user.login == "13800138000"


def test_register_reports_every_field_error_at_once_and_writes_nothing(session):
    bad_code = "91440300708461136A"
    with pytest.raises(ValidationError) as info:
        register(session, OrganizationInput(kind="enterprise", name="示例公司", credit_code=bad_code,
                                            region="乌鲁木齐市"),
                 "not-a-login", "short", "王经理")
    errors = info.value.errors
    assert set(errors) == {"credit_code", "password", "login"}
    assert "应为 T" in errors["credit_code"]
    assert "10" in errors["password"]
    session.rollback()
    assert count(session, Organization) == 0
    assert count(session, User) == 0


@pytest.mark.parametrize("password, fragment", [
    ("short1", "至少 10 位"),
    ("onlyletters", "字母和数字"),
    ("1234567890", "字母和数字"),
    ("a1" * 65, "128"),
    # issue 11: spaces plus two characters, blank, the login, a well-known password
    ("        a1", "至少 10 位（不计空格）"),
    ("a        1", "至少 10 位（不计空格）"),
    (" " * 12, "至少 10 位"),
    ("\u3000" * 8 + "a1", "至少 10 位"),
    ("boss@example.com1", "不能包含登录名"),
    ("BOSS-2024-secure", "不能包含登录名"),
    ("woaini1314", "太常见"),
    ("Password123", "太常见"),
    ("1qaz2wsx3edc", "太常见"),
    ("qq123456789", "太常见"),
    ("Pass word 123", "太常见"),
])
def test_weak_or_overlong_passwords_are_refused(session, password, fragment):
    with pytest.raises(ValidationError) as info:
        register(session, ENTERPRISE, "boss@example.com", password, "王经理")
    assert set(info.value.errors) == {"password"}
    assert fragment in info.value.errors["password"]


def test_register_refuses_operator_kind(session):
    with pytest.raises(ValidationError) as info:
        register(session, OrganizationInput(kind="operator", name="假冒运营方",
                                            credit_code=valid_credit_code(9001), region="乌鲁木齐市"),
                 "fake@example.com", "s3cret-pass", "冒充者")
    assert set(info.value.errors) == {"kind"}
    session.rollback()
    assert count(session, Organization) == 0


def test_enterprise_without_credit_code_is_refused(session):
    with pytest.raises(ValidationError) as info:
        register(session, OrganizationInput(kind="enterprise", name="无代码公司", region="乌鲁木齐市"),
                 "boss@example.com", "s3cret-pass", "王经理")
    assert set(info.value.errors) == {"credit_code"}


def test_register_refuses_taken_name_credit_code_and_login(session):
    register(session, ENTERPRISE, "boss@example.com", "s3cret-pass", "王经理")
    session.flush()
    with pytest.raises(ValidationError) as info:
        register(session, ENTERPRISE, "BOSS@example.com", "s3cret-pass", "王经理")
    assert set(info.value.errors) == {"name", "credit_code", "login"}


@pytest.fixture
def member(session):
    org = make_org(session, status=OrgStatus.APPROVED)
    user = make_user(session, org, login="member@example.com")
    session.flush()
    return user


def test_authenticate_returns_the_user_and_records_the_login(session, member):
    assert member.last_login_at is None
    user = authenticate(session, "  MEMBER@example.com ", PASSWORD)
    assert user.id == member.id
    assert user.last_login_at is not None
    assert get_user_by_session(session, user.id, user.session_token) is user


def test_authenticate_with_mobile_in_plus_86_form(session):
    user = make_user(session, make_org(session), login="13912345678")
    session.flush()
    assert authenticate(session, "+86 13912345678", PASSWORD).id == user.id


@pytest.mark.parametrize("login, password", [
    ("member@example.com", "wrong-pass-123"),
    ("member@example.com", ""),
    ("nobody@example.com", PASSWORD),
    ("not a login", PASSWORD),
])
def test_unknown_login_and_wrong_password_get_the_same_generic_message(session, member,
                                                                       login, password):
    with pytest.raises(ValidationError) as info:
        authenticate(session, login, password)
    assert info.value.errors == {"login": GENERIC}
    assert info.value.message == GENERIC


@pytest.mark.parametrize("status, fragment", [
    (OrgStatus.PENDING, "等待平台审核"),
    (OrgStatus.SUSPENDED, "已被停用"),
])
def test_authenticate_refuses_pending_and_suspended_organizations(session, member, status,
                                                                  fragment):
    member.organization.status = status
    session.flush()
    with pytest.raises(PermissionDenied) as info:
        authenticate(session, "member@example.com", PASSWORD)
    assert fragment in info.value.message


def test_wrong_password_for_a_pending_organization_reveals_nothing(session, member):
    member.organization.status = OrgStatus.PENDING
    session.flush()
    with pytest.raises(ValidationError) as info:
        authenticate(session, "member@example.com", "wrong-pass-123")
    assert info.value.errors == {"login": GENERIC}


def test_authenticate_refuses_inactive_users(session, member):
    member.is_active = False
    session.flush()
    with pytest.raises(PermissionDenied):
        authenticate(session, "member@example.com", PASSWORD)


def test_freshly_registered_user_cannot_log_in_until_approved(session):
    register(session, ENTERPRISE, "boss@example.com", "s3cret-pass", "王经理")
    session.flush()
    with pytest.raises(PermissionDenied):
        authenticate(session, "boss@example.com", "s3cret-pass")


def test_session_token_identifies_the_user_until_rotated(session, member):
    token = member.session_token
    assert get_user_by_session(session, member.id, token) is member
    rotate_session_token(member)
    session.flush()
    assert get_user_by_session(session, member.id, token) is None
    assert get_user_by_session(session, member.id, member.session_token) is member


@pytest.mark.parametrize("change", ["suspend", "deactivate", "unknown_id"])
def test_session_lookup_fails_for_suspended_inactive_or_unknown_users(session, member, change):
    user_id = member.id
    if change == "suspend":
        member.organization.status = OrgStatus.SUSPENDED
    elif change == "deactivate":
        member.is_active = False
    else:
        user_id = 999_999
    session.flush()
    assert get_user_by_session(session, user_id, member.session_token) is None


def test_production_hashing_uses_a_slow_key_derivation(session, monkeypatch):
    monkeypatch.setattr(accounts, "generate_password_hash", werkzeug.security.generate_password_hash)
    user = register(session, ENTERPRISE, "boss@example.com", "s3cret-pass", "王经理")
    assert user.password_hash.split(":")[0] in {"scrypt", "pbkdf2"}
    assert not user.password_hash.startswith("pbkdf2:sha256:1000$")
