"""Time-driven work, safe to run from cron every few minutes (`matchmaker tick`).

Idempotent: state changes only happen once (they change the state they test), and reminders
carry a dedupe key (unique in the database), so a second run the same day sends nothing new.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..clock import add_months
from ..errors import Conflict, InvalidTransition
from ..models import Deal, DealState, ListingState, Need, NeedState, Notification, Patent, User
from ..notifications import organization_audience, remind_once
from .deals import StepInput, deal_audience, transition

FREE_END_REMINDERS = (30, 7)      # days before the free period ends
RECORDAL_WARNING_DAYS = 14        # flag recordals due within this many days


@dataclass
class TickReport:
    reminders: int = 0
    conversion_due: list[int] = field(default_factory=list)
    licences_ended: int = 0
    recordal_flags: int = 0
    needs_expired: int = 0
    patents_archived: int = 0

    def lines(self) -> list[str]:
        return [f"免费期提醒 {self.reminders} 条", f"进入待转化 {len(self.conversion_due)} 笔",
                f"到期终止的许可 {self.licences_ended} 笔", f"备案期限提醒 {self.recordal_flags} 条", f"过期需求 {self.needs_expired} 条",
                f"到期专利归档 {self.patents_archived} 件"]


def tick(session: Session, *, today: date) -> TickReport:
    """Run every time-driven rule for `today` in the caller's transaction."""
    report = TickReport()
    _free_period_reminders(session, today, report)
    _conversion_due(session, today, report)
    _licences_ended(session, today, report)
    _recordal_deadlines(session, today, report)
    _expire_needs(session, today, report)
    _archive_expired_patents(session, today, report)
    session.flush()
    return report


def _remind(session: Session, users: list[User], key: str, title: str, body: str, link: str) -> int:
    return remind_once(session, users, key, "deal_reminder", title, body, link)


def _free_period_reminders(session: Session, today: date, report: TickReport) -> None:
    horizon = today + timedelta(days=max(FREE_END_REMINDERS))
    deals = session.scalars(select(Deal).where(Deal.state == DealState.FREE_ACTIVE,
                                               Deal.free_end.is_not(None),
                                               Deal.free_end >= today, Deal.free_end <= horizon))
    for deal in deals:
        left = (deal.free_end - today).days
        step = min(d for d in FREE_END_REMINDERS if left <= d)
        title = f"免费许可将于 {deal.free_end} 结束（还剩 {left} 天）"
        body = f"《{deal.patent.display_title}》与{deal.enterprise.name}的免费许可即将到期，请商定是否转为有偿许可或转让。"
        report.reminders += _remind(session, deal_audience(deal), f"deal{deal.id}:free-end:{step}",
                                    title, body, f"/deals/{deal.id}")


def _system_step(session: Session, deal_id: int, to_state: DealState, today: date,
                 note: str = "") -> Deal | None:
    """One system transition in a savepoint: if a user changed the deal at the same moment,
    skip it (the next run sees the new state) instead of losing the whole run."""
    try:
        with session.begin_nested():
            return transition(session, None, deal_id, to_state, expected_version=None,
                              today=today, step=StepInput(note=note))
    except (Conflict, InvalidTransition):
        return None


def _conversion_due(session: Session, today: date, report: TickReport) -> None:
    ids = list(session.scalars(select(Deal.id).where(Deal.state == DealState.FREE_ACTIVE,
                                                     Deal.free_end < today)))
    for deal_id in ids:
        deal = _system_step(session, deal_id, DealState.CONVERSION_DUE, today)
        if deal is None:
            continue
        report.conversion_due.append(deal_id)
        _remind(session, deal_audience(deal), f"deal{deal.id}:conversion-due",
                "免费许可期已结束，等待转化",
                f"《{deal.patent.display_title}》的免费许可期已于 {deal.free_end} 结束，请登记转为有偿许可、转让或不再转化。",
                f"/deals/{deal.id}")


def _licences_ended(session: Session, today: date, report: TickReport) -> None:
    """Paid licences whose term ran out, or whose patent expired, end (a system event)."""
    for deal in list(session.scalars(select(Deal).where(Deal.state == DealState.CONVERTED,
                                                        Deal.effective_date.is_not(None)))):
        months = int(deal.terms.get("term_months") or 0)
        term_end = add_months(deal.effective_date, months) if months else None
        expiry = deal.patent.expiry_date
        if (term_end and term_end <= today) or (expiry and expiry < today):
            reason = "许可期限届满" if term_end and term_end <= today else "专利保护期届满"
            if _system_step(session, deal.id, DealState.TERMINATED, today, reason):
                report.licences_ended += 1


def _recordal_deadlines(session: Session, today: date, report: TickReport) -> None:
    deals = session.scalars(select(Deal).where(
        Deal.state.in_([DealState.FREE_ACTIVE, DealState.CONVERSION_DUE, DealState.CONVERTED]),
        Deal.recordal_due.is_not(None),
        # not recorded, or recorded before the contract now in effect (the free licence's)
        or_(Deal.recordal_no == "", Deal.recordal_date.is_(None),
            Deal.recordal_date < Deal.effective_date),
        Deal.recordal_due <= today + timedelta(days=RECORDAL_WARNING_DAYS)))
    for deal in deals:
        overdue = deal.recordal_due < today
        title = (f"许可合同备案已逾期（应于 {deal.recordal_due} 前备案）" if overdue
                 else f"许可合同须于 {deal.recordal_due} 前备案")
        users = organization_audience(deal.patent.owner) + (
            organization_audience(deal.station) if deal.station else [])
        key = f"deal{deal.id}:recordal:{deal.recordal_due}:{'overdue' if overdue else 'soon'}"
        report.recordal_flags += _remind(session, users, key, title,
                                         "许可合同自生效之日起 3 个月内须向国家知识产权局备案。",
                                         f"/deals/{deal.id}")


def _expire_needs(session: Session, today: date, report: TickReport) -> None:
    for need in session.scalars(select(Need).where(Need.state == NeedState.OPEN,
                                                   Need.valid_until.is_not(None),
                                                   Need.valid_until < today)):
        need.state = NeedState.EXPIRED
        report.needs_expired += 1


def _archive_expired_patents(session: Session, today: date, report: TickReport) -> None:
    for patent in session.scalars(select(Patent).where(
            Patent.listing_state.in_([ListingState.LISTED, ListingState.DRAFT,
                                      ListingState.WITHDRAWN]),
            Patent.expiry_date.is_not(None), Patent.expiry_date < today)):
        patent.listing_state = ListingState.ARCHIVED
        report.patents_archived += 1
