"""The policy KPIs (domain.md §1), computed from the deal event log for any past date.

Definitions (also shown on the dashboard):
- converted SMEs: distinct enterprises with a deal that reached a paid licence or a transfer
  of a university/institute patent, cumulative up to `as_of` (target 100), counting only
  enterprises whose profile classes them as SMEs (micro, small, medium); converted enterprises
  without a profile, and large ones, are counted apart so the operator can follow them up;
- licences per year: deals whose licence took effect (free licence start, or a paid licence
  signed directly) in that year; transfers per year: deals transferred in that year;
- contract value per year: amounts recorded when deals converted to paid or were transferred;
- conversion rate: of deals whose free period has been decided (converted, transferred or
  lapsed after a free licence), the share that converted; median days from free-licence start
  to conversion;
- needs answered within N days: needs posted in the period whose first response (a pushed
  match, a broker's note or a licence request) came within N days;
- IP custody: see matchmaker.custody.kpis.
"""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..custody.kpis import CustodyKPIs, compute_custody
from ..models import Deal, DealEvent, DealState, Need, Organization, OrgKind, OrgStatus, Patent
from ..profiles.service import split_by_size
from .transitions import LICENCE_GRANTED, PAID

TARGET_SMES = 100
LICENCE_GROWTH_TARGET = 20.0   # % per year
VALUE_GROWTH_TARGET = 40.0     # % per year
ANSWER_DAYS = 7
FIRST_YEAR = 2000              # no figure of this platform is older: earlier dates are input errors


@dataclass
class YearRow:
    year: int
    licences: int = 0
    transfers: int = 0
    value_yuan: int = 0
    count_growth: float | None = None     # % vs the previous year
    value_growth: float | None = None

    @property
    def deals(self) -> int:
        return self.licences + self.transfers


@dataclass
class StationRow:
    station_id: int
    name: str
    deals: int = 0
    conversions: int = 0
    value_yuan: int = 0
    needs_posted: int = 0


@dataclass
class KPIs:
    as_of: date
    first_year: int
    last_year: int
    station_id: int | None = None
    converted_smes: int = 0
    target_smes: int = TARGET_SMES
    converted_enterprises: int = 0     # every converting enterprise, whatever its size
    converted_unclassified: int = 0    # … of which without a size class (no profile yet)
    converted_large: int = 0
    years: list[YearRow] = field(default_factory=list)
    conversion_rate: float | None = None
    conversions_from_free: int = 0
    lapsed: int = 0
    median_days_to_conversion: float | None = None
    stations: list[StationRow] = field(default_factory=list)
    needs_total: int = 0
    needs_answered: int = 0
    answer_days: int = ANSWER_DAYS
    pipeline: dict[str, int] = field(default_factory=dict)
    custody: CustodyKPIs | None = None     # the platform's figures only (not a station's)

    @property
    def needs_answered_pct(self) -> float | None:
        return round(100 * self.needs_answered / self.needs_total, 1) if self.needs_total else None

    @property
    def smes_progress_pct(self) -> float:
        return round(min(100.0, 100 * self.converted_smes / self.target_smes), 1)

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(), "first_year": self.first_year,
            "last_year": self.last_year, "station_id": self.station_id,
            "converted_smes": self.converted_smes, "target_smes": self.target_smes,
            "converted_enterprises": self.converted_enterprises,
            "converted_unclassified": self.converted_unclassified,
            "converted_large": self.converted_large,
            "years": [{"year": y.year, "licences": y.licences, "transfers": y.transfers,
                       "licences_and_transfers": y.deals, "count_growth_pct": y.count_growth,
                       "count_growth_target_pct": LICENCE_GROWTH_TARGET,
                       "contract_value_yuan": y.value_yuan, "value_growth_pct": y.value_growth,
                       "value_growth_target_pct": VALUE_GROWTH_TARGET} for y in self.years],
            "conversion_rate_pct": self.conversion_rate,
            "conversions_from_free": self.conversions_from_free, "lapsed": self.lapsed,
            "median_days_to_conversion": self.median_days_to_conversion,
            "stations": [s.__dict__ for s in self.stations],
            "needs_total": self.needs_total, "needs_answered": self.needs_answered,
            "needs_answered_pct": self.needs_answered_pct, "answer_days": self.answer_days,
            "pipeline": self.pipeline,
            "custody": self.custody.as_json() if self.custody else None,
        }


def _end_of(day: date) -> datetime:
    """End of `day` in the server's time zone (the one `clock.today()` uses), as an aware time."""
    return datetime.combine(day + timedelta(days=1), time(0)).astimezone()


def _local(moment: datetime) -> datetime:
    return moment.astimezone()


def _growth(now: int, before: int) -> float | None:
    return round(100 * (now - before) / before, 1) if before else None


def compute_kpis(session: Session, *, as_of: date, first_year: int | None = None,
                 last_year: int | None = None, station_id: int | None = None,
                 answer_days: int = ANSWER_DAYS) -> KPIs:
    """Every figure from events up to the end of `as_of` (UTC day)."""
    last_year = min(last_year or as_of.year, as_of.year)
    first_year = first_year or last_year - 2
    if first_year > last_year:
        first_year, last_year = last_year, first_year
    cutoff = _end_of(as_of)
    rows = session.execute(
        select(DealEvent.deal_id, DealEvent.to_state, DealEvent.from_state, DealEvent.at,
               DealEvent.amount_yuan, Deal.enterprise_id, Deal.station_id, Organization.kind)
        .join(Deal, Deal.id == DealEvent.deal_id).join(Patent, Patent.id == Deal.patent_id)
        .join(Organization, Organization.id == Patent.owner_id)
        .where(DealEvent.at < cutoff).order_by(DealEvent.at, DealEvent.id)).all()
    scope = _station_scope(session, station_id) if station_id else None
    if scope is not None:
        rows = [r for r in rows if r.station_id == station_id or r.enterprise_id in scope]
    k = KPIs(as_of=as_of, first_year=first_year, last_year=last_year, station_id=station_id,
             answer_days=answer_days)
    _count_smes(session, k, _deal_figures(k, rows, first_year, last_year))
    k.stations = _stations(session, rows, cutoff, station_id)
    _needs(session, k, cutoff, first_year, scope)
    if station_id is None:
        k.custody = compute_custody(session, as_of=as_of)
    return k


def _station_scope(session: Session, station_id: int) -> set[int]:
    station = session.get(Organization, station_id)
    return {c.id for c in station.clients} if station is not None else set()


def _count_smes(session: Session, k: KPIs, converted: set[int]) -> None:
    """The plan's indicator counts SMEs only: split the converting enterprises by size class."""
    split = split_by_size(session, converted)
    k.converted_enterprises = len(converted)
    k.converted_smes = len(split.smes)
    k.converted_unclassified = len(split.unclassified)
    k.converted_large = len(split.large)


def _deal_figures(k: KPIs, rows, first_year: int, last_year: int) -> set[int]:
    """Fill the deal figures; returns the enterprises that converted a university/institute
    patent (the caller keeps the SMEs among them)."""
    years = {y: YearRow(y) for y in range(first_year - 1, last_year + 1)}
    licensed: set[int] = set()
    free_start: dict[int, datetime] = {}
    converted: set[int] = set()
    last_state: dict[int, DealState] = {}
    days: list[int] = []
    for r in rows:
        last_state[r.deal_id] = r.to_state
        if r.to_state == r.from_state:
            continue      # a recorded fact (recordal), not a transition
        year = years.get(_local(r.at).year)
        if r.to_state in LICENCE_GRANTED and r.deal_id not in licensed:
            licensed.add(r.deal_id)
            if year:
                year.licences += 1
        if r.to_state == DealState.FREE_ACTIVE:
            free_start[r.deal_id] = r.at
        if r.to_state == DealState.TRANSFERRED and year:
            year.transfers += 1
        if r.to_state in PAID:
            if year:
                year.value_yuan += r.amount_yuan or 0
            if r.kind in (OrgKind.UNIVERSITY, OrgKind.INSTITUTE):
                converted.add(r.enterprise_id)
            if r.deal_id in free_start:
                k.conversions_from_free += 1
                days.append((_local(r.at).date() - _local(free_start[r.deal_id]).date()).days)
        if r.to_state == DealState.LAPSED and r.deal_id in free_start:
            k.lapsed += 1
    ordered = [years[y] for y in sorted(years)]
    for prev, cur in zip(ordered, ordered[1:]):
        cur.count_growth = _growth(cur.deals, prev.deals)
        cur.value_growth = _growth(cur.value_yuan, prev.value_yuan)
    k.years = ordered[1:]
    decided = k.conversions_from_free + k.lapsed
    k.conversion_rate = round(100 * k.conversions_from_free / decided, 1) if decided else None
    k.median_days_to_conversion = statistics.median(days) if days else None
    counts = Counter(s.value for s in last_state.values())
    k.pipeline = {s.value: counts.get(s.value, 0) for s in DealState}
    return converted


def _stations(session: Session, rows, cutoff: datetime, only: int | None) -> list[StationRow]:
    # Approved stations only: anyone can register a station (pending) under any name, and the
    # leaderboard is the operator's view of the stations it vetted.
    stations = {o.id: o for o in session.scalars(select(Organization).where(
        Organization.kind == OrgKind.STATION, Organization.status == OrgStatus.APPROVED))}
    if only is not None:
        stations = {i: o for i, o in stations.items() if i == only}
    client_station: dict[int, int] = {}
    for sid, org in sorted(stations.items()):   # an enterprise served by two: the older station
        for client in org.clients:
            client_station.setdefault(client.id, sid)
    table = {sid: StationRow(sid, org.name) for sid, org in stations.items()}
    seen: set[int] = set()
    for r in rows:
        sid = r.station_id or client_station.get(r.enterprise_id)
        if sid not in table or r.to_state == r.from_state:
            continue
        if r.deal_id not in seen:
            seen.add(r.deal_id)
            table[sid].deals += 1
        if r.to_state in PAID:
            table[sid].conversions += 1
            table[sid].value_yuan += r.amount_yuan or 0
    posted = defaultdict(int)
    for sid in session.scalars(select(Need.on_behalf_station_id).where(
            Need.on_behalf_station_id.is_not(None), Need.created_at < cutoff)):
        posted[sid] += 1
    for sid, row in table.items():
        row.needs_posted = posted.get(sid, 0)
    return sorted(table.values(), key=lambda s: (-s.conversions, -s.value_yuan, -s.deals, s.name))


def _needs(session: Session, k: KPIs, cutoff: datetime, first_year: int,
           scope: set[int] | None) -> None:
    start = datetime(first_year, 1, 1).astimezone()
    stmt = select(Need.created_at, Need.first_response_at, Need.enterprise_id).where(
        Need.created_at >= start, Need.created_at < cutoff)
    window = timedelta(days=k.answer_days)
    for created, first, enterprise_id in session.execute(stmt):
        if scope is not None and enterprise_id not in scope:
            continue
        k.needs_total += 1
        if first is not None and first < cutoff and first - created <= window:
            k.needs_answered += 1
