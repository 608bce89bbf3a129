"""The custody indicators of the plan ("专业知识产权托管服务累计覆盖中小企业1000家"), for any date.

- smes: distinct enterprises whose custody agreement was confirmed and had started by `as_of`
  (cumulative coverage, the plan's wording), SMEs only by the rule of the 100-SME indicator
  (size class from the enterprise profile, profiles.service.counts_as_sme); covered enterprises
  without a profile and large ones are counted apart so the operator can follow them up;
  active_smes: the SMEs among them under an agreement in force;
- target: the operator's plan for `as_of`'s year (cumulative), else the plan's 1,000;
- annuities paid on time (on or before the due date) and late (in the grace period), and
  patents whose annuity lapsed unpaid past the grace period (at risk of termination);
- patents kept alive: own patents of enterprises under custody (whatever their size: this
  measures the service, not the SME indicator), in force, not at risk;
- vouchers: confirmed agreements paid by 创新券/服务券 and their face value.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (AgreementState as A, AnnuityPayment, CustodyAgreement, CustodyEvent,
                      IndicatorTarget, LegalStatus, Patent, VoucherKind)
from ..profiles.service import split_by_size

TARGET_KEY = "custody_smes"
PLAN_TARGET = 1000


@dataclass
class CustodyKPIs:
    as_of: date
    smes: int = 0
    active_smes: int = 0
    covered_enterprises: int = 0     # every enterprise covered, whatever its size
    covered_unclassified: int = 0    # … of which without a size class (no profile yet)
    covered_large: int = 0
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
                "covered_enterprises": self.covered_enterprises,
                "covered_unclassified": self.covered_unclassified,
                "covered_large": self.covered_large,
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
    covered = split_by_size(session, {a.enterprise_id for a in agreements})
    k.smes = len(covered.smes)
    k.covered_unclassified, k.covered_large = len(covered.unclassified), len(covered.large)
    k.covered_enterprises = k.smes + k.covered_unclassified + k.covered_large
    active = {a.enterprise_id for a in agreements if a.id not in ended and a.end_date >= as_of}
    k.active_smes = len(active & covered.smes)
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

