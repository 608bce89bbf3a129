"""Custody services: agreements confirmed by both sides, their history, the enterprise's own
patents kept apart, annuity payments and the reminders and escalations of `tick`."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from matchmaker.custody import agreements as ag
from matchmaker.custody.portfolio import (add_log_entry, agency_deadlines, deadlines, own_patents,
                                          record_payment, set_reduction)
from matchmaker.custody.tick import custody_tick
from matchmaker.errors import NotFound, PermissionDenied, ValidationError
from matchmaker.models import (AgreementState as A, AnnuityPayment, LegalStatus, ListingState,
                               Notification,
                               OrgKind, Patent, PatentType, ServiceLogEntry)
from tests.factories import make_org, make_patent, make_profile, make_user

TODAY = date(2024, 3, 1)


class Parties:
    def __init__(self, session):
        self.ent = make_org(session, OrgKind.ENTERPRISE, name="昌吉测试机械有限公司")
        self.ent_user = make_user(session, self.ent)
        self.agency = make_org(session, OrgKind.AGENCY, name="天山知识产权代理事务所")
        self.agent = make_user(session, self.agency)
        self.other_agency = make_org(session, OrgKind.AGENCY, name="另一家代理机构")
        self.other_agent = make_user(session, self.other_agency)
        self.operator_org = make_org(session, OrgKind.OPERATOR)
        self.operator = make_user(session, self.operator_org)
        session.flush()


@pytest.fixture
def p(session) -> Parties:
    return Parties(session)


def terms(**kw) -> ag.AgreementInput:
    values = dict(services=["annuity", "status_watch"], start_date="2024-03-01",
                  end_date="2025-02-28", fee_wan="", voucher_kind="service", voucher_no="FW2024-001",
                  voucher_value_wan="0.5")
    values.update(kw)
    return ag.AgreementInput(**values)


def active(session, p) -> "ag.CustodyAgreement":
    agreement = ag.propose(session, p.agent, p.ent.id, terms())
    ag.respond(session, p.ent_user, agreement.id, True, version=agreement.version)
    return agreement


def own(session, p, **kw) -> Patent:
    values = dict(patent_type=PatentType.UTILITY, filing_date=date(2021, 4, 10),
                  grant_date=date(2021, 11, 5), legal_status=LegalStatus.VALID,
                  listing_state=ListingState.DRAFT,
                  created_at=datetime(2024, 1, 5, tzinfo=timezone.utc))
    values.update(kw)
    return make_patent(session, p.ent, **values)


def test_either_side_proposes_and_only_the_other_confirms(session, p):
    agreement = ag.propose(session, p.agent, p.ent.id, terms())
    assert agreement.state == A.PROPOSED and agreement.voucher_value_yuan == 5000
    with pytest.raises(PermissionDenied):
        ag.respond(session, p.agent, agreement.id, True)
    with pytest.raises(NotFound):
        ag.respond(session, p.other_agent, agreement.id, True)
    ag.respond(session, p.ent_user, agreement.id, True, version=agreement.version)
    assert agreement.state == A.ACTIVE
    assert [(e.from_state, e.to_state) for e in agreement.events] == [("", "proposed"), ("proposed", "active")]
    inbox = session.scalars(select(Notification.user_id).where(Notification.kind == "custody")).all()
    assert set(inbox) == {p.ent_user.id, p.agent.id}, "each side hears of the other's step"
    assert ag.client_ids(session, p.agency.id, TODAY) == {p.ent.id}
    assert ag.may_manage(session, p.agent, p.ent.id, TODAY)
    assert not ag.may_manage(session, p.other_agent, p.ent.id, TODAY)


@pytest.mark.parametrize("change, field", [
    (dict(services=[]), "services"), (dict(services=["cooking"]), "services"),
    (dict(end_date="2024-02-01"), "end_date"), (dict(end_date="2030-03-02"), "end_date"),
    (dict(voucher_no=""), "voucher_no"), (dict(voucher_value_wan="-1"), "voucher_value_wan"),
    (dict(voucher_kind="none", fee_wan=""), "fee_wan"), (dict(start_date="0001-01-01"), "start_date"),
])
def test_bad_proposals_are_refused_field_by_field(session, p, change, field):
    with pytest.raises(ValidationError) as exc:
        ag.propose(session, p.agent, p.ent.id, terms(**change))
    assert field in exc.value.errors
    assert session.scalar(select(func.count()).select_from(ag.CustodyAgreement)) == 0


def test_overlapping_agreements_of_the_same_pair_are_refused_but_renewal_follows_on(session, p):
    first = active(session, p)
    with pytest.raises(ValidationError):
        ag.propose(session, p.ent_user, p.agency.id, terms(start_date="2024-06-01", end_date="2024-12-31"))
    renewal = ag.renew(session, p.ent_user, first.id, terms(end_date="2026-02-28"))
    assert renewal.start_date == date(2025, 3, 1) and renewal.renewal_of_id == first.id
    ag.respond(session, p.agent, renewal.id, True)
    assert ag.end_expired(session, date(2025, 3, 1)) == 1 and first.state == A.ENDED
    assert ag.covering(session, p.ent.id, date(2025, 3, 1)).id == renewal.id


def test_termination_needs_a_reason_and_a_fresh_version(session, p):
    agreement = active(session, p)
    with pytest.raises(ValidationError):
        ag.terminate(session, p.ent_user, agreement.id, "  ")
    with pytest.raises(ValidationError, match="已被他人修改"):
        ag.terminate(session, p.ent_user, agreement.id, "公司搬迁", version=agreement.version - 1)
    ag.terminate(session, p.agent, agreement.id, "企业不再续费", version=agreement.version)
    assert agreement.state == A.TERMINATED and agreement.events[-1].note == "企业不再续费"
    assert ag.client_ids(session, p.agency.id, TODAY) == set()


def test_own_patents_are_drafts_apart_from_the_catalogue(session, p):
    patent = own(session, p)
    listed_elsewhere = make_patent(session, make_org(session, OrgKind.UNIVERSITY))
    assert own_patents(session, [p.ent.id, listed_elsewhere.owner_id]) == [patent]


def test_deadlines_and_a_payment_with_its_late_fee(session, p):
    active(session, p)
    patent = own(session, p, annuity_reduction=85)
    # utility filed 2021-04-10, granted in year 1: year 4 due 2024-04-10, 900 × 15 % = 135 yuan
    (d,) = deadlines(session, [patent], TODAY)
    assert (d.annuity.year, d.annuity.due, d.annuity.reduced, d.status) == (4, date(2024, 4, 10), 135, "upcoming")
    work = agency_deadlines(session, p.agency, TODAY)
    assert [x.patent.id for x in work["upcoming"]] == [patent.id]
    late = date(2024, 6, 15)   # two full months late: 10 % of the full 900
    payment = record_payment(session, p.agent, patent.id, year="4", paid_on=late.isoformat(),
                             amount_yuan="225", receipt_no="R-1", today=late)
    assert payment.late_fee_yuan == 90 and not payment.on_time
    assert deadlines(session, [patent], late)[0].annuity.year == 5
    with pytest.raises(ValidationError, match="已登记"):
        record_payment(session, p.agent, patent.id, year="4", paid_on="2024-06-15",
                       amount_yuan="225", today=late)
    entry = session.scalar(select(ServiceLogEntry))
    assert entry.kind.value == "payment" and "第 4 年年费 225 元（含滞纳金 90 元）" in entry.text


def test_payments_are_refused_to_strangers_and_after_the_grace_period(session, p):
    patent = own(session, p)
    with pytest.raises(NotFound):
        record_payment(session, p.agent, patent.id, year="4", paid_on="2024-04-01",
                       amount_yuan="900", today=TODAY)
    with pytest.raises(ValidationError, match="专利权已终止"):
        record_payment(session, p.ent_user, patent.id, year="4", paid_on="2024-10-11",
                       amount_yuan="900", today=date(2024, 10, 11))
    with pytest.raises(ValidationError):
        set_reduction(session, p.ent_user, patent.id, "50", today=TODAY)
    assert set_reduction(session, p.ent_user, patent.id, "70", today=TODAY).annuity_reduction == 70


def test_service_log_only_for_the_keeping_agency(session, p):
    with pytest.raises(PermissionDenied):
        add_log_entry(session, p.agent, p.ent.id, kind="visit", occurred_on="2024-03-01",
                      text="走访", today=TODAY)
    active(session, p)
    entry = add_log_entry(session, p.agent, p.ent.id, kind="visit", occurred_on="2024-03-01",
                          text="走访企业，核对专利清单", today=TODAY)
    assert entry.kind.value == "visit"


def reminders(session, kind="annuity_reminder"):
    return sorted((n.user_id, n.dedupe_key.split(":")[2]) for n in session.scalars(
        select(Notification).where(Notification.kind == kind)))


def test_tick_reminds_90_30_7_days_ahead_then_monthly_in_grace_then_escalates(session, p):
    agreement = ag.propose(session, p.agent, p.ent.id, terms(start_date="2024-01-01", end_date="2024-12-31"))
    ag.respond(session, p.ent_user, agreement.id, True)
    patent = own(session, p)     # year 4 due 2024-04-10, grace to 2024-10-10
    both = {p.ent_user.id, p.agent.id}
    assert custody_tick(session, today=date(2024, 1, 10)).reminders == 0           # 91 days ahead
    assert custody_tick(session, today=date(2024, 1, 11)).reminders == 2           # 90
    assert custody_tick(session, today=date(2024, 1, 12)).reminders == 0, "idempotent"
    custody_tick(session, today=date(2024, 3, 12))
    custody_tick(session, today=date(2024, 4, 5))
    assert {k for _u, k in reminders(session)} == {"due90", "due30", "due7"}
    assert {u for u, _k in reminders(session)} == both
    report = custody_tick(session, today=date(2024, 5, 11))                       # 1 month late
    assert report.grace_reminders == 2
    grace = session.scalars(select(Notification).where(Notification.dedupe_key.like("%grace2%"))).first()
    assert grace is not None and "含滞纳金 45 元" in grace.body
    assert custody_tick(session, today=date(2024, 5, 20)).grace_reminders == 0
    final = custody_tick(session, today=date(2024, 10, 11))
    assert final.at_risk == 1 and patent.annuity_risk_since == date(2024, 4, 10)
    escalated = {n.user_id for n in session.scalars(select(Notification)
                                                    .where(Notification.kind == "annuity_escalation"))}
    assert escalated == both | {p.operator.id}
    assert custody_tick(session, today=date(2024, 10, 12)).at_risk == 0


def test_import_into_an_enterprise_keeps_its_patents_as_drafts(session, p, tmp_path):
    from matchmaker.imports.service import ImportOptions, run_import
    from matchmaker.models import ImportKind
    from tests.factories import valid_app_no
    path = tmp_path / "own.csv"
    number = valid_app_no(year=2021, type_digit="2", serial=77)
    path.write_text(f"申请号,专利名称,专利类型,申请日,授权公告日,法律状态\n{number},一种播种机,实用新型,"
                    "2021-04-10,2021-11-05,有权\n", encoding="utf-8")
    summary = run_import(session, path, ImportKind.PATENTS, organization=p.ent,
                         options=ImportOptions(today=TODAY), write=True)
    assert summary.counts["new"] == 1, summary.rejected
    patent = session.scalar(select(Patent).where(Patent.app_no == number))
    assert patent.owner_id == p.ent.id and patent.listing_state == ListingState.DRAFT


def test_a_status_refresh_import_updates_own_patents_by_application_number(session, p, tmp_path):
    """申请号 + 法律状态 only: known patents take the new status and keep everything else; an
    unknown number is rejected on its row (a refresh never creates an empty record)."""
    from matchmaker.imports.service import ImportOptions, run_import
    from matchmaker.models import ImportKind
    from tests.factories import valid_app_no
    number = valid_app_no(year=2021, type_digit="2", serial=77)
    patent = own(session, p, app_no=number, title="一种播种机")
    session.flush()
    path = tmp_path / "status.csv"
    unknown = valid_app_no(year=2021, type_digit="2", serial=78)
    path.write_text(f"申请号,法律状态\n{number},失效\n{unknown},有效\n", encoding="utf-8")
    summary = run_import(session, path, ImportKind.PATENTS, organization=p.ent,
                         options=ImportOptions(today=TODAY), write=True)
    assert summary.counts["updated"] == 1 and summary.counts["new"] == 0
    assert [r["key"] for r in summary.rejected] == [unknown]
    session.expire_all()
    assert patent.legal_status == LegalStatus.LAPSED and patent.title == "一种播种机"
    assert patent.listing_state == ListingState.DRAFT and patent.owner_id == p.ent.id


def test_custody_kpis_count_smes_payments_risks_and_vouchers(session, p):
    """Under custody: p.ent (small: counted), a large enterprise and one without a profile (both
    left out of the SME indicator and reported apart); a fourth is only proposed to."""
    from matchmaker.custody.kpis import TARGET_KEY, compute_custody
    from matchmaker.indicators.targets import set_target
    from matchmaker.licensing.kpis import compute_kpis
    from matchmaker.licensing.kpi_export import kpi_rows
    from matchmaker.models import SizeClass
    today = date.today()
    window = dict(start_date=(today - timedelta(days=10)).isoformat(),
                  end_date=(today + timedelta(days=100)).isoformat())
    make_profile(session, p.ent)                                               # small
    large = make_org(session, OrgKind.ENTERPRISE, name="大型企业")
    make_profile(session, large, employees=1200, revenue_wan=50000, size_class=SizeClass.LARGE)
    unprofiled = make_org(session, OrgKind.ENTERPRISE, name="未填画像企业")
    for ent, user in ((p.ent, p.ent_user), (large, make_user(session, large)),
                      (unprofiled, make_user(session, unprofiled))):
        agreement = ag.propose(session, p.agent, ent.id, terms(**window))
        ag.respond(session, user, agreement.id, True)
    ent2 = make_org(session, OrgKind.ENTERPRISE, name="第二家企业")
    pending = ag.propose(session, p.agent, ent2.id, terms(start_date=today.isoformat(),
                                                          end_date=(today + timedelta(days=30)).isoformat()))
    ok = own(session, p, filing_date=date(today.year - 3, 1, 1), grant_date=None,
             created_at=datetime(today.year - 1, 1, 1, tzinfo=timezone.utc))
    session.add(AnnuityPayment(patent=ok, year=3, due_date=date(today.year - 1, 1, 1),
                               paid_on=date(today.year - 1, 1, 1), amount_yuan=600))
    session.add(AnnuityPayment(patent=ok, year=4, due_date=date(today.year, 1, 1),
                               paid_on=date(today.year, 2, 15), amount_yuan=930, late_fee_yuan=30))
    risky = own(session, p, app_no=None, annuity_risk_since=today - timedelta(days=5))
    session.flush()
    k = compute_custody(session, as_of=today)
    assert (k.smes, k.active_smes, k.target) == (1, 1, 1000), "a proposal does not count"
    assert (k.covered_enterprises, k.covered_unclassified, k.covered_large) == (3, 1, 1)
    assert (k.on_time, k.late, k.lapsed, k.kept_alive) == (1, 1, 1, 1)
    assert (k.vouchers, k.voucher_value_yuan) == (3, 15000)
    with pytest.raises(PermissionDenied):
        set_target(session, p.agent, TARGET_KEY, today.year, 300)
    set_target(session, p.operator, TARGET_KEY, today.year, "300")
    full = compute_kpis(session, as_of=today)
    custody = full.as_dict()["custody"]
    assert full.custody.target == 300 and custody["smes"] == 1
    assert (custody["covered_enterprises"], custody["covered_unclassified"], custody["covered_large"]) == (3, 1, 1)
    rows = {row[0]: row[2] for row in kpi_rows(full)}
    assert rows["知识产权托管覆盖中小企业（家，累计）"] == 1
    assert rows["托管企业中未填写画像 / 大型企业（家，未计入）"] == "1 / 1"
    assert compute_kpis(session, as_of=today - timedelta(days=400)).custody.smes == 0
    assert pending.state == A.PROPOSED and risky.annuity_risk_since is not None
