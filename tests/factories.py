"""Builders for test data: sensible defaults, any field overridable."""
from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy.orm import Session

from matchmaker.catalog.accounts import create_user
from matchmaker.catalog.numbers import app_no_check_char, credit_code_check_char
from matchmaker.models import (EnterpriseProfile, LegalStatus, ListingState, Need, NeedState, Organization, OrgKind,
                               OrgStatus, Patent, PatentType, SizeClass, User, UserRole)

PASSWORD = "demo-pass-123"
_seq = itertools.count(1)


def valid_credit_code(n: int) -> str:
    body = f"91650100MA{n:07d}"
    return body + credit_code_check_char(body)


def valid_app_no(year: int = 2018, type_digit: str = "1", serial: int = 1) -> str:
    body = f"{year}{type_digit}{serial:07d}"
    return f"{body}.{app_no_check_char(body)}"


def make_org(session: Session, kind: OrgKind = OrgKind.ENTERPRISE, **overrides) -> Organization:
    n = next(_seq)
    values = dict(kind=kind, name=f"测试机构{n}", region="乌鲁木齐市", status=OrgStatus.APPROVED,
                  credit_code=None if kind == OrgKind.UNIVERSITY else valid_credit_code(n))
    values.update(overrides)
    org = Organization(**values)
    session.add(org)
    session.flush()
    return org


def make_user(session: Session, org: Organization, *, login: str | None = None,
              password: str = PASSWORD, role: UserRole = UserRole.ADMIN, **overrides) -> User:
    user = create_user(session, org, login or f"user{next(_seq)}@example.com", password,
                       overrides.pop("display_name", "测试用户"), role=role)
    for key, value in overrides.items():
        setattr(user, key, value)
    session.flush()
    return user


def make_patent(session: Session, owner: Organization, **overrides) -> Patent:
    n = next(_seq)
    values = dict(title=f"一种测试用锂电池正极材料的制备方法{n}", abstract="本发明公开了一种锂电池正极材料。",
                  owner=owner, patent_type=PatentType.INVENTION, legal_status=LegalStatus.VALID,
                  filing_date=date(2018, 3, 1), expiry_date=date(2038, 2, 28),
                  listing_state=ListingState.LISTED, source_id=f"TEST-{n}")
    values.update(overrides)
    patent = Patent(**values)
    session.add(patent)
    session.flush()
    return patent


def make_need(session: Session, enterprise: Organization, **overrides) -> Need:
    values = dict(enterprise=enterprise, title="提高锂电池正极材料的循环寿命",
                  description="我公司生产动力电池，正极材料循环寿命不足，希望引进相关专利技术。",
                  industry="新能源", region=enterprise.region, wanted_forms=["licence"],
                  valid_until=date.today() + timedelta(days=90), state=NeedState.OPEN)
    values.update(overrides)
    need = Need(**values)
    session.add(need)
    session.flush()
    return need


def make_profile(session: Session, enterprise: Organization, **overrides) -> EnterpriseProfile:
    """An enterprise profile; a small industrial enterprise (so an SME) unless overridden."""
    values = dict(enterprise=enterprise, employees=50, revenue_wan=800, size_class=SizeClass.SMALL,
                  founded_year=2015, district="", industry="新能源")
    values.update(overrides)
    profile = EnterpriseProfile(**values)
    session.add(profile)
    session.flush()
    return profile
