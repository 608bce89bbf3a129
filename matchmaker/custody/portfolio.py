"""An enterprise's own patents in custody: their annuity deadlines and payments.

Own patents are Patent rows owned by the enterprise, entered or imported like any other but
kept as drafts (never listed in search unless the enterprise lists one for licensing).
Annuities due before a patent was recorded on the platform are taken as paid (the patent was in
force when it was recorded); from then on every year's payment is recorded here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.validation import FieldErrors
from ..errors import NotFound, PermissionDenied, ValidationError
from ..models import (AnnuityPayment, LegalStatus, Organization, OrgKind, Patent, PatentType,
                      ServiceLogEntry, ServiceLogKind, User)
from ..params import parse_int
from .agreements import client_ids, may_manage
from .annuities import Annuity, schedule

TRACKED_STATUSES = (LegalStatus.VALID, LegalStatus.UNKNOWN)
TYPE_KEYS = {PatentType.INVENTION: "invention", PatentType.UTILITY: "utility",
             PatentType.DESIGN: "design"}


@dataclass(frozen=True)
class Deadline:
    """The next unpaid annuity of one patent, as of a day."""

    patent: Patent
    annuity: Annuity
    status: str              # upcoming | in_grace | lapsed
    days_left: int           # to the due date (negative: past it)
    late_fee_today: int

    @property
    def payable_today(self) -> int:
        return self.annuity.reduced + self.late_fee_today


def own_patents(session: Session, enterprise_ids) -> list[Patent]:
    """The patents owned by these enterprises (custody portfolio)."""
    ids = list(enterprise_ids)
    if not ids:
        return []
    return list(session.scalars(select(Patent).join(Organization, Patent.owner_id == Organization.id)
                                .where(Patent.owner_id.in_(ids), Organization.kind == OrgKind.ENTERPRISE)
                                .order_by(Patent.owner_id, Patent.filing_date, Patent.id)))


def annuities_of(patent: Patent) -> list[Annuity]:
    """The annuities this platform follows for a patent: from the year it was recorded on."""
    if patent.patent_type not in TYPE_KEYS or patent.filing_date is None:
        return []
    recorded = patent.created_at.date()
    return schedule(TYPE_KEYS[patent.patent_type], patent.filing_date, patent.grant_date,
                    reduction=patent.annuity_reduction or 0, from_date=recorded)


def paid_years(session: Session, patent_ids) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for pid, year in session.execute(select(AnnuityPayment.patent_id, AnnuityPayment.year)
                                     .where(AnnuityPayment.patent_id.in_(list(patent_ids)))):
        out.setdefault(pid, set()).add(year)
    return out


def next_deadline(patent: Patent, paid: set[int], today: date) -> Deadline | None:
    """The first annuity not paid (lapsed ones included: they decide the patent's fate)."""
    if patent.legal_status not in TRACKED_STATUSES:
        return None
    for annuity in annuities_of(patent):
        if annuity.year not in paid:
            return Deadline(patent, annuity, annuity.status_on(today), (annuity.due - today).days,
                            annuity.late_fee_on(today) if today > annuity.due else 0)
    return None


def deadlines(session: Session, patents: list[Patent], today: date) -> list[Deadline]:
    """Every followed patent's next unpaid annuity, the most urgent first."""
    paid = paid_years(session, [p.id for p in patents])
    found = [d for p in patents if (d := next_deadline(p, paid.get(p.id, set()), today))]
    return sorted(found, key=lambda d: (d.annuity.due, d.patent.id))


def agency_deadlines(session: Session, agency: Organization, today: date,
                     horizon_days: int = 90) -> dict[str, list[Deadline]]:
    """The agency's work list: overdue (in grace or lapsed) and due within the horizon."""
    found = deadlines(session, own_patents(session, client_ids(session, agency.id, today)), today)
    limit = today + timedelta(days=horizon_days)
    return {"lapsed": [d for d in found if d.status == "lapsed"],
            "in_grace": [d for d in found if d.status == "in_grace"],
            "upcoming": [d for d in found if d.status == "upcoming" and d.annuity.due <= limit]}


def _patent_for(session: Session, actor: User, patent_id: int, today: date) -> Patent:
    patent = session.get(Patent, patent_id)
    if patent is None or patent.owner.kind != OrgKind.ENTERPRISE \
            or not may_manage(session, actor, patent.owner_id, today):
        raise NotFound("未找到该专利")
    return patent


def record_payment(session: Session, actor: User, patent_id: int, *, year, paid_on, amount_yuan,
                   receipt_no: str = "", today: date) -> AnnuityPayment:
    """Record a paid annuity; the late fee follows from the dates. A year past its grace
    period cannot be paid any more (the right has terminated: restoration is a separate
    procedure with CNIPA)."""
    patent = _patent_for(session, actor, patent_id, today)
    e = FieldErrors()
    year_no = parse_int(year, low=1, high=20)
    if year_no is None:
        e.add("year", "请选择年度")
    day = e.date("paid_on", "缴费日期", paid_on)
    if day is None and "paid_on" not in e.errors:
        e.add("paid_on", "请填写缴费日期")
    elif day is not None and day > today:
        e.add("paid_on", "缴费日期不能晚于今天")
    amount = parse_int(str(amount_yuan or "").replace(",", "").strip(), low=0, high=10_000_000)
    if amount is None:
        e.add("amount_yuan", "请填写实缴金额（元，整数）")
    receipt = e.text("receipt_no", "票据号", receipt_no, max_len=60)
    e.raise_if_any()
    annuity = next((a for a in annuities_of(patent) if a.year == year_no), None)
    if annuity is None:
        raise ValidationError({"year": f"第 {year_no} 年的年费不在本平台跟踪的范围内"})
    if session.scalar(select(AnnuityPayment.id).where(AnnuityPayment.patent_id == patent.id,
                                                      AnnuityPayment.year == year_no)):
        raise ValidationError({"year": f"第 {year_no} 年的年费已登记缴纳"})
    if day > annuity.grace_end:
        raise ValidationError({"paid_on": f"第 {year_no} 年年费的滞纳期已于 {annuity.grace_end} 届满，"
                                          "专利权已终止，需向国家知识产权局请求恢复权利"})
    payment = AnnuityPayment(patent=patent, year=year_no, due_date=annuity.due, paid_on=day,
                             amount_yuan=amount, late_fee_yuan=annuity.late_fee_on(day),
                             receipt_no=receipt, recorded_by_id=actor.id)
    session.add(payment)
    if patent.annuity_risk_since is not None and annuity.due <= patent.annuity_risk_since:
        patent.annuity_risk_since = None
    if actor.organization.kind == OrgKind.AGENCY:
        session.add(ServiceLogEntry(agency_id=actor.organization_id, enterprise_id=patent.owner_id,
                                    kind=ServiceLogKind.PAYMENT, occurred_on=day, author_id=actor.id,
                                    text=f"代缴《{patent.display_title}》第 {year_no} 年年费 {amount} 元"
                                         + (f"（含滞纳金 {payment.late_fee_yuan} 元）" if payment.late_fee_yuan else "")))
    session.flush()
    return payment


def set_reduction(session: Session, actor: User, patent_id: int, reduction, *, today: date) -> Patent:
    """The owner's fee reduction (0, 70 or 85 %), which the schedule applies from grant."""
    patent = _patent_for(session, actor, patent_id, today)
    value = parse_int(reduction, low=0, high=85)
    if value not in (0, 70, 85):
        raise ValidationError({"annuity_reduction": "费用减缴比例只能是不减缴、70% 或 85%"})
    patent.annuity_reduction = value
    return patent


def add_log_entry(session: Session, actor: User, enterprise_id: int, *, kind: str, occurred_on,
                  text: str, today: date) -> ServiceLogEntry:
    """The agency notes what it did for a client (visits, advice, documents filed)."""
    org = actor.organization
    if org.kind != OrgKind.AGENCY or enterprise_id not in client_ids(session, org.id, today):
        raise PermissionDenied("只有托管该企业的服务机构可以记录服务日志")
    e = FieldErrors()
    kind_value = e.choice("kind", "服务类型", kind, [k.value for k in ServiceLogKind])
    day = e.date("occurred_on", "日期", occurred_on) or (None if "occurred_on" in e.errors else today)
    if day is not None and day > today:
        e.add("occurred_on", "日期不能晚于今天")
    body = e.text("text", "服务内容", text, max_len=2000, required=True)
    e.raise_if_any()
    entry = ServiceLogEntry(agency_id=org.id, enterprise_id=enterprise_id, kind=ServiceLogKind(kind_value),
                            occurred_on=day, text=body, author_id=actor.id)
    session.add(entry)
    session.flush()
    return entry


def service_log(session: Session, *, agency_id: int | None = None,
                enterprise_id: int | None = None, limit: int = 200) -> list[ServiceLogEntry]:
    stmt = select(ServiceLogEntry).order_by(ServiceLogEntry.occurred_on.desc(), ServiceLogEntry.id.desc())
    if agency_id is not None:
        stmt = stmt.where(ServiceLogEntry.agency_id == agency_id)
    if enterprise_id is not None:
        stmt = stmt.where(ServiceLogEntry.enterprise_id == enterprise_id)
    return list(session.scalars(stmt.limit(limit)))


def add_own_patent(session: Session, actor: User, enterprise_id: int, data, *, reduction="0",
                   today: date) -> Patent:
    """Record one of the enterprise's own patents for custody (a draft: not offered for
    licensing). Annuities need the application number, the type and the filing date."""
    from ..catalog.patents import apply_values, validate_patent
    from ..models import ListingState
    if not may_manage(session, actor, enterprise_id, today):
        raise PermissionDenied("只能为本企业或托管中的客户登记专利")
    e = FieldErrors()
    for name, label in (("app_no", "申请号"), ("patent_type", "专利类型"), ("filing_date", "申请日")):
        if not getattr(data, name):
            e.add(name, f"年费监控需要{label}")
    value = parse_int(reduction, low=0, high=85)
    if value not in (0, 70, 85):
        e.add("annuity_reduction", "费用减缴比例只能是不减缴、70% 或 85%")
    try:
        values = validate_patent(data, today=today)
    except ValidationError as exc:
        for name, message in exc.errors.items():
            e.add(name, message)
        values = None
    e.raise_if_any()
    values["listing_state"] = ListingState.DRAFT
    patent = Patent(owner=session.get(Organization, enterprise_id), annuity_reduction=value)
    apply_values(session, patent, values, today)
    session.add(patent)
    session.flush()
    return patent
