"""The custody indicators of the plan ("专业知识产权托管服务累计覆盖中小企业1000家"), for any date.

- smes: distinct enterprises whose custody agreement was confirmed and had started by `as_of`
  (cumulative coverage, the plan's wording); active_smes: those under an agreement in force;
- target: the operator's plan for `as_of`'s year (cumulative), else the plan's 1,000;
- annuities paid on time (on or before the due date) and late (in the grace period), and
  patents whose annuity lapsed unpaid past the grace period (at risk of termination);
- patents kept alive: own patents of enterprises under custody, in force, not at risk;
- vouchers: confirmed agreements paid by 创新券/服务券 and their face value.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (AgreementState as A, AnnuityPayment, CustodyAgreement, CustodyEvent,
                      IndicatorTarget, LegalStatus, Patent, User, VoucherKind)

TARGET_KEY = "custody_smes"
PLAN_TARGET = 1000


@dataclass
class CustodyKPIs:
    as_of: date
    smes: int = 0
    active_smes: int = 0
    target: int = PLAN_TARGET
    on_time: int = 0
    late: int = 0
    lapsed: int = 0
    kept_alive: int = 0
    vouchers: int = 0
    voucher_value_yuan: int = 0
    plan: dict[int, int] = field(default_factory=dict)   # year → cumulative target

    @property
    def progress_pct(self) -> float:
        return round(100 * self.smes / self.target, 1) if self.target else 0.0

    def as_json(self) -> dict:
        return {"smes": self.smes, "active_smes": self.active_smes, "target": self.target,
                "on_time": self.on_time, "late": self.late, "lapsed": self.lapsed,
                "kept_alive": self.kept_alive, "vouchers": self.vouchers,
                "voucher_value_yuan": self.voucher_value_yuan,
                "plan": {str(y): v for y, v in sorted(self.plan.items())}}


def compute_custody(session: Session, *, as_of: date) -> CustodyKPIs:
    cutoff = datetime.combine(as_of + timedelta(days=1), time(0)).astimezone(timezone.utc)
    confirmed = {aid for aid, in session.execute(select(CustodyEvent.agreement_id).where(
        CustodyEvent.to_state == A.ACTIVE.value, CustodyEvent.created_at < cutoff))}
    ended = {aid for aid, in session.execute(select(CustodyEvent.agreement_id).where(
        CustodyEvent.to_state.in_((A.TERMINATED.value, A.ENDED.value)), CustodyEvent.created_at < cutoff))}
    agreements = [a for a in session.scalars(select(CustodyAgreement).where(
        CustodyAgreement.id.in_(confirmed or {-1}), CustodyAgreement.start_date <= as_of))]
    k = CustodyKPIs(as_of=as_of, plan=plans(session))
    k.target = k.plan.get(as_of.year, PLAN_TARGET)
    k.smes = len({a.enterprise_id for a in agreements})
    active = {a.enterprise_id for a in agreements if a.id not in ended and a.end_date >= as_of}
    k.active_smes = len(active)
    paid = list(session.execute(select(AnnuityPayment.paid_on, AnnuityPayment.due_date)
                                .where(AnnuityPayment.paid_on <= as_of)))
    k.on_time = sum(1 for paid_on, due in paid if paid_on <= due)
    k.late = len(paid) - k.on_time
    k.lapsed = session.scalar(select(func.count()).select_from(Patent).where(
        Patent.annuity_risk_since.is_not(None), Patent.annuity_risk_since <= as_of)) or 0
    if active:
        k.kept_alive = session.scalar(select(func.count()).select_from(Patent).where(
            Patent.owner_id.in_(active), Patent.legal_status.in_((LegalStatus.VALID, LegalStatus.UNKNOWN)),
            Patent.annuity_risk_since.is_(None))) or 0
    vouchers = [a for a in agreements if a.voucher_kind != VoucherKind.NONE]
    k.vouchers = len(vouchers)
    k.voucher_value_yuan = sum(a.voucher_value_yuan or 0 for a in vouchers)
    return k


def plans(session: Session, key: str = TARGET_KEY) -> dict[int, int]:
    """The platform-wide milestones of an indicator by year (regions' and districts' apart)."""
    return dict(session.execute(select(IndicatorTarget.year, IndicatorTarget.value)
                                .where(IndicatorTarget.key == key, IndicatorTarget.scope == "")).all())

