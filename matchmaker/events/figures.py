"""What events achieved: per event (registrations, attendance, pairs followed, deals started
and converted, contract value) and per year (events held, deals from events) for the
indicator table. Deal figures come from the deal event log, like every other KPI."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..licensing.transitions import PAID
from ..models import (Deal, DealEvent, DealState, Event, EventPair, EventState, PairOutcome,
                      RegistrationState as R)


@dataclass
class EventFigures:
    event_id: int
    registered: int = 0            # organizations
    seats: int = 0
    invited: int = 0               # invited and not (yet) registered
    attended: int = 0
    items: int = 0
    pairs_followed: int = 0        # pairs with a recorded outcome other than "open"
    deals: int = 0
    converted: int = 0             # deals that reached a paid licence or a transfer
    value_yuan: int = 0
    deal_ids: list[int] = field(default_factory=list)


def _cutoff(as_of: date) -> datetime:
    return datetime.combine(as_of + timedelta(days=1), time(0)).astimezone()


def event_figures(session: Session, events: list[Event], *, as_of: date) -> dict[int, EventFigures]:
    """The figures of each event as they stood at the end of `as_of`."""
    out = {e.id: EventFigures(e.id, items=len(e.items)) for e in events}
    if not out:
        return out
    for e in events:
        f = out[e.id]
        for r in e.registrations:
            if r.state == R.REGISTERED:
                f.registered += 1
                f.seats += r.seats
                f.attended += 1 if r.attended else 0
            elif r.state == R.INVITED:
                f.invited += 1
    for pair in session.scalars(select(EventPair).where(EventPair.event_id.in_(list(out)))):
        if pair.outcome != PairOutcome.OPEN:
            out[pair.event_id].pairs_followed += 1
    cutoff = _cutoff(as_of)
    rows = session.execute(
        select(Deal.id, Deal.event_id, DealEvent.to_state, DealEvent.from_state, DealEvent.amount_yuan)
        .join(DealEvent, DealEvent.deal_id == Deal.id)
        .where(Deal.event_id.in_(list(out)), DealEvent.at < cutoff).order_by(DealEvent.at, DealEvent.id))
    for deal_id, event_id, to_state, from_state, amount in rows:
        f = out[event_id]
        if to_state == DealState.REQUESTED and from_state is None:
            f.deals += 1
            f.deal_ids.append(deal_id)
        elif to_state in PAID and to_state != from_state:
            f.converted += 1
            f.value_yuan += amount or 0
    return out


@dataclass
class EventYear:
    """Year figures of events, split by the region (and district) where they were held."""

    year: int
    held: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    deals: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))


def events_by_year(session: Session, years: range, *, as_of: date) -> dict[int, EventYear]:
    """Events held (state held, dated in the year, on or before `as_of`) and deals requested
    from events in each year, keyed by the event's (region, district)."""
    out = {y: EventYear(y) for y in years}
    if not out:
        return out
    start, end = date(min(years), 1, 1), min(date(max(years), 12, 31), as_of)
    for e in session.scalars(select(Event).where(Event.state == EventState.HELD,
                                                 Event.event_date >= start, Event.event_date <= end)):
        out[e.event_date.year].held[(e.region, e.district)] += 1
    cutoff = _cutoff(as_of)
    rows = session.execute(
        select(DealEvent.at, Event.region, Event.district).join(Deal, Deal.id == DealEvent.deal_id)
        .join(Event, Event.id == Deal.event_id)
        .where(DealEvent.to_state == DealState.REQUESTED, DealEvent.from_state.is_(None),
               DealEvent.at < cutoff))
    for at, region, district in rows:
        year = at.astimezone().year
        if year in out:
            out[year].deals[(region, district)] += 1
    return out
