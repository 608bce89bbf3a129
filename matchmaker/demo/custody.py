"""Demo custody: two service agencies (演示), agreements with demo enterprises (one paid by a
service voucher, one still waiting for the enterprise), and the enterprises' own patents in every
annuity situation — due soon, in the grace period, lapsed unpaid, paid on time and paid late —
so the agency workspace, the reminders of `tick` and the KPI page have something to show.
Enterprises with SME profiles come first (the loader makes the profiles before)."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy.orm import Session

from ..catalog.accounts import create_user
from ..catalog.numbers import app_no_check_char
from ..catalog.terms import compute_expiry
from ..clock import add_months
from ..custody import agreements as ag
from ..custody.portfolio import annuities_of, record_payment
from ..models import (LegalStatus, ListingState, Organization, OrgKind, OrgStatus, Patent, PatentType,
                      User, UserRole)
from ..profiles.service import split_by_size

AGENCIES = (("演示知识产权服务机构·天山专利代理事务所", "乌鲁木齐市", "agency1@demo.matchmaker.local"),
            ("演示知识产权服务机构·昌吉知识产权服务中心", "昌吉回族自治州", "agency2@demo.matchmaker.local"))


@dataclass
class DemoCustody:
    agreements: int = 0
    patents: int = 0
    payments: int = 0


def _app_no(year: int, type_digit: str, serial: int) -> str:
    body = f"{year}{type_digit}{serial:07d}"
    return f"{body}.{app_no_check_char(body)}"


def _own_patent(session: Session, owner: Organization, title: str, ptype: PatentType,
                filing: date, grant: date | None, serial: int, recorded: date, reduction: int = 0) -> Patent:
    digit = "2" if ptype == PatentType.UTILITY else "1"
    patent = Patent(owner=owner, title=title, app_no=_app_no(filing.year, digit, serial),
                    patent_type=ptype, filing_date=filing, grant_date=grant,
                    legal_status=LegalStatus.VALID, listing_state=ListingState.DRAFT,
                    annuity_reduction=reduction, source="演示：企业自有专利（托管）",
                    created_at=datetime.combine(recorded, time(9)).astimezone(timezone.utc))
    patent.expiry_date = compute_expiry(ptype, filing, 0)
    session.add(patent)
    session.flush()
    return patent


def create_demo_custody(session: Session, users: dict[str, User], today: date, *,
                        password: str | None = None,
                        credentials: list[tuple[str, str, str]] | None = None) -> DemoCustody:
    out = DemoCustody()
    agencies = []
    for name, region, login in AGENCIES:
        org = Organization(kind=OrgKind.AGENCY, name=name, region=region,
                           status=OrgStatus.APPROVED, source="demo")
        session.add(org)
        session.flush()
        pw = password or secrets.token_urlsafe(9) + "7a"
        users[name] = create_user(session, org, login, pw, f"演示用户·{name.split('·')[1]}顾问",
                                  role=UserRole.ADMIN)
        if credentials is not None:
            credentials.append((login, pw, name))
        agencies.append(org)
    enterprises = [u.organization for u in users.values()
                   if u.organization.kind == OrgKind.ENTERPRISE]
    # The custody indicator counts SMEs only (profiles are made before): SMEs get the agreements,
    # so the KPI page's coverage is not zero.
    smes = split_by_size(session, [e.id for e in enterprises]).smes
    enterprises.sort(key=lambda e: e.id not in smes)
    if len(enterprises) < 3:
        return out
    agent, agent2 = users[agencies[0].name], users[agencies[1].name]
    year_ago = today - timedelta(days=300)

    def agreement(agent_user: User, enterprise: Organization, **kw) -> ag.CustodyAgreement:
        values = dict(services=["annuity", "status_watch"], start_date=year_ago,
                      end_date=add_months(year_ago, 24), fee_wan="0.6", voucher_kind="none")
        values.update(kw)
        made = ag.propose(session, agent_user, enterprise.id, ag.AgreementInput(**values))
        out.agreements += 1
        return made

    first = agreement(agent, enterprises[0], voucher_kind="service", voucher_no="WLMQ-FWQ-2025-0137",
                      voucher_value_wan="0.5", fee_wan="")
    ag.respond(session, _user_of(users, enterprises[0]), first.id, True)
    second = agreement(agent, enterprises[1], services=["annuity", "status_watch", "navigation"])
    ag.respond(session, _user_of(users, enterprises[1]), second.id, True)
    agreement(agent2, enterprises[2], start_date=today + timedelta(days=7),
              end_date=add_months(today, 12))           # waits for the enterprise to confirm

    # Each patent is recorded on the platform 150 days before the annuity it illustrates (so
    # earlier years count as paid before custody): due in 20 days; two months overdue (in
    # grace); eight months overdue (lapsed); paid ten days early; paid a month late.
    cases = [
        (enterprises[0], "一种复合材料板材的热压成型装置", PatentType.UTILITY, 20, 85, None),
        (enterprises[0], "一种防腐涂层的制备方法", PatentType.INVENTION, -61, 0, None),
        (enterprises[1], "一种光伏组件清洗机器人", PatentType.UTILITY, -240, 0, None),
        (enterprises[1], "一种储能电池热管理系统", PatentType.INVENTION, -215, 70, "on_time"),
        (enterprises[0], "一种节水灌溉智能控制器", PatentType.UTILITY, -100, 0, "late"),
    ]
    for serial, (owner, title, ptype, offset, reduction, payment) in enumerate(cases, start=880001):
        due = today + timedelta(days=offset)
        filing = due.replace(year=due.year - 4)
        grant = add_months(filing, 14 if ptype == PatentType.INVENTION else 8)
        patent = _own_patent(session, owner, title, ptype, filing, grant, serial,
                             due - timedelta(days=150), reduction)
        out.patents += 1
        if payment:
            a = annuities_of(patent)[0]
            day = a.due - timedelta(days=10) if payment == "on_time" else add_months(a.due, 1) + timedelta(days=3)
            record_payment(session, agent, patent.id, year=str(a.year), paid_on=day.isoformat(),
                           amount_yuan=str(a.reduced + a.late_fee_on(day)),
                           receipt_no=f"DEMO-{patent.id}", today=today)
            out.payments += 1
    return out


def _user_of(users: dict[str, User], org: Organization) -> User:
    return users[org.name]

