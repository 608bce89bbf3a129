"""The annual report of a year: the indicator table, the events held, and the success cases
(deals converted to a paid licence or transferred that year, named only with both parties'
consent; the others are counted, not named)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..events.figures import EventFigures, event_figures
from ..indicators.table import Row, build_table
from ..licensing.transitions import PAID
from ..models import Deal, DealEvent, Event, EventState
from .consent import both_consented, consents


@dataclass
class Case:
    deal: Deal
    at: date
    state_label: str
    amount_yuan: int
    event: Event | None


@dataclass
class AnnualReport:
    year: int
    as_of: date                      # the year's end, or today for the running year
    indicators: list[Row] = field(default_factory=list)
    events: list[tuple[Event, EventFigures]] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    unnamed_cases: int = 0           # conversions without both parties' consent

    @property
    def complete(self) -> bool:
        return self.as_of == date(self.year, 12, 31)


def build_report(session: Session, year: int, *, today: date) -> AnnualReport:
    as_of = min(date(year, 12, 31), today)
    report = AnnualReport(year, as_of)
    report.indicators = build_table(session, first_year=year, last_year=year, as_of=as_of)
    events = list(session.scalars(select(Event).where(
        Event.event_date >= date(year, 1, 1), Event.event_date <= date(year, 12, 31),
        Event.state.in_((EventState.PUBLISHED, EventState.HELD))).order_by(Event.event_date, Event.id)))
    figures = event_figures(session, events, as_of=as_of)
    report.events = [(e, figures[e.id]) for e in events]
    start = datetime.combine(date(year, 1, 1), time(0)).astimezone()
    end = datetime.combine(as_of + timedelta(days=1), time(0)).astimezone()
    rows = session.execute(select(DealEvent, Deal).join(Deal, Deal.id == DealEvent.deal_id).where(
        DealEvent.to_state.in_(list(PAID)), DealEvent.at >= start, DealEvent.at < end)
        .order_by(DealEvent.at, DealEvent.id)).all()
    rows = [(ev, deal) for ev, deal in rows if ev.from_state != ev.to_state]
    given = consents(session, [deal.id for _ev, deal in rows])
    for ev, deal in rows:
        if both_consented(deal, given.get(deal.id, set())):
            report.cases.append(Case(deal, ev.at.astimezone().date(), ev.to_state.label, ev.amount_yuan or 0,
                                     session.get(Event, deal.event_id) if deal.event_id else None))
        else:
            report.unnamed_cases += 1
    return report
