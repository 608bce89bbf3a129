"""Custody's time-driven work (run by `matchmaker tick`): agreements past their end date end;
the enterprise and its agency are reminded 90, 30 and 7 days before each annuity falls due, and
every month of the grace period with the late fee then due; an annuity unpaid past its grace
period marks the patent at risk of termination and is escalated (the operator hears too).

Idempotent like the licence reminders: each reminder has a dedupe key.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import add_months
from ..models import Organization, OrgKind, User
from ..notifications import organization_audience, remind_once
from .agreements import covering, end_expired
from .annuities import GRACE_MONTHS
from .portfolio import deadlines, own_patents

DUE_REMINDERS = (90, 30, 7)     # days before the due date


@dataclass
class CustodyTickReport:
    agreements_ended: int = 0
    reminders: int = 0
    grace_reminders: int = 0
    at_risk: int = 0

    def lines(self) -> list[str]:
        return [f"托管协议到期 {self.agreements_ended} 份", f"年费缴纳提醒 {self.reminders} 条",
                f"滞纳期提醒 {self.grace_reminders} 条", f"年费逾期致专利权有终止风险 {self.at_risk} 件"]


def custody_tick(session: Session, *, today: date) -> CustodyTickReport:
    report = CustodyTickReport(agreements_ended=end_expired(session, today))
    enterprises = list(session.scalars(select(Organization.id).where(Organization.kind == OrgKind.ENTERPRISE)))
    operators = [u for o in session.scalars(select(Organization).where(Organization.kind == OrgKind.OPERATOR))
                 for u in organization_audience(o)]
    for d in deadlines(session, own_patents(session, enterprises), today):
        patent, a = d.patent, d.annuity
        audience = _audience(session, patent.owner, today)
        title_of = f"《{patent.display_title[:30]}》第 {a.year} 年年费"
        link = f"/custody/patents/{patent.id}"
        key = f"annuity{patent.id}:y{a.year}"
        if d.status == "upcoming":
            window = [n for n in DUE_REMINDERS if d.days_left <= n]
            if window:
                step = min(window)
                report.reminders += remind_once(
                    session, audience, f"{key}:due{step}", "annuity_reminder",
                    f"{title_of}将于 {a.due} 到期（还剩 {d.days_left} 天）",
                    f"应缴 {a.reduced} 元" + (f"（减缴后，原价 {a.amount} 元）" if a.reduced != a.amount else "")
                    + f"；逾期可在 {a.grace_end} 前补缴，但需缴纳滞纳金。", link)
        elif d.status == "in_grace":
            month = next(m for m in range(1, GRACE_MONTHS + 1) if today < add_months(a.due, m))
            report.grace_reminders += remind_once(
                session, audience, f"{key}:grace{month}", "annuity_reminder",
                f"{title_of}已逾期（滞纳期第 {month} 个月）",
                f"今日补缴需 {d.payable_today} 元（含滞纳金 {d.late_fee_today} 元）；"
                f"{a.grace_end} 前未缴，专利权将自 {a.due} 起终止。", link)
        else:   # lapsed: the right terminates from the due date unless restored
            if patent.annuity_risk_since is None:
                patent.annuity_risk_since = a.due
                report.at_risk += 1
            remind_once(session, audience + operators, f"{key}:lapsed", "annuity_escalation",
                        f"{title_of}滞纳期已满未缴：专利权有终止风险",
                        f"滞纳期已于 {a.grace_end} 届满。如属疏忽，请在收到终止通知之日起 2 个月内向国家"
                        "知识产权局请求恢复权利（恢复费 1,000 元）。", link)
    session.flush()
    return report


def _audience(session: Session, enterprise: Organization, today: date) -> list[User]:
    """The enterprise's users, and its agency's while an agreement is in force."""
    users = organization_audience(enterprise)
    agreement = covering(session, enterprise.id, today)
    if agreement is not None:
        users = users + organization_audience(agreement.agency)
    return users
