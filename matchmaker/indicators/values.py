"""The yearly values of each indicator, keyed by (region, district) so the table can add them
up per district, per region and for the platform. All from event logs, for any past date.

- enterprise indicators count in the enterprise's region and its profile's district
  ("未填写" without one); event indicators in the event's place;
- sme_conversions: enterprises whose first paid licence or transfer of a university/institute
  patent came by the end of the year (or `as_of`), SMEs only (size class from the profile);
- licences_transfers, contract_value: as the KPI page (licence granted, transfer, amounts);
- custody_smes: enterprises whose custody agreement was confirmed and had started by then,
  SMEs only (the same rule as sme_conversions);
- events_held, event_deals: see matchmaker.events.figures.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ..events.figures import events_by_year
from ..licensing.transitions import LICENCE_GRANTED, PAID
from ..models import (AgreementState, CustodyAgreement, CustodyEvent, Deal, DealEvent, DealState,
                      Organization, OrgKind, Patent)
from ..models.profile import EnterpriseProfile
from ..profiles.districts import UNKNOWN
from ..profiles.service import counts_as_sme

Place = tuple[str, str]                        # (region, district)
Values = dict[tuple[str, int], dict[Place, int]]   # (key, year) → place → value


def _cutoff(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0)).astimezone()


def _year_end(year: int, as_of: date) -> date:
    return min(date(year, 12, 31), as_of)


class _Enterprises:
    """Region, district and size class of enterprises, loaded once."""

    def __init__(self, session: Session):
        rows = session.execute(select(Organization.id, Organization.region, EnterpriseProfile.district,
                                      EnterpriseProfile.size_class)
                               .outerjoin(EnterpriseProfile, EnterpriseProfile.enterprise_id == Organization.id)
                               .where(Organization.kind == OrgKind.ENTERPRISE))
        self.place: dict[int, Place] = {}
        self.sme: set[int] = set()
        for oid, region, district, size in rows:
            self.place[oid] = (region or "其他", district or UNKNOWN)
            if counts_as_sme(size):
                self.sme.add(oid)

    def of(self, enterprise_id: int) -> Place:
        return self.place.get(enterprise_id, ("其他", UNKNOWN))


def compute_values(session: Session, years: range, *, as_of: date) -> Values:
    """Every indicator's value per year and place, as of the end of `as_of`."""
    out: Values = defaultdict(lambda: defaultdict(int))
    ents = _Enterprises(session)
    _deal_values(session, out, years, as_of, ents)
    _custody_values(session, out, years, as_of, ents)
    by_year = events_by_year(session, years, as_of=as_of)
    for year, ey in by_year.items():
        for place, n in ey.held.items():
            out[("events_held", year)][place] += n
        for place, n in ey.deals.items():
            out[("event_deals", year)][place] += n
    return out


def _deal_values(session, out: Values, years: range, as_of: date, ents: _Enterprises) -> None:
    owner = aliased(Organization)
    rows = session.execute(
        select(DealEvent.deal_id, DealEvent.to_state, DealEvent.from_state, DealEvent.at,
               DealEvent.amount_yuan, Deal.enterprise_id, owner.kind)
        .join(Deal, Deal.id == DealEvent.deal_id).join(Patent, Patent.id == Deal.patent_id)
        .join(owner, owner.id == Patent.owner_id)
        .where(DealEvent.at < _cutoff(as_of)).order_by(DealEvent.at, DealEvent.id))
    licensed: set[int] = set()
    first_conversion: dict[int, date] = {}
    for deal_id, to, frm, at, amount, enterprise_id, owner_kind in rows:
        if to == frm:
            continue
        year, place = at.astimezone().year, ents.of(enterprise_id)
        if to in LICENCE_GRANTED and deal_id not in licensed:
            licensed.add(deal_id)
            out[("licences_transfers", year)][place] += 1
        if to == DealState.TRANSFERRED:
            out[("licences_transfers", year)][place] += 1
        if to in PAID:
            out[("contract_value", year)][place] += amount or 0
            if owner_kind.is_supplier and enterprise_id in ents.sme:
                first_conversion.setdefault(enterprise_id, at.astimezone().date())
    _cumulate(out, "sme_conversions", first_conversion, years, as_of, ents)


def _custody_values(session, out: Values, years: range, as_of: date, ents: _Enterprises) -> None:
    """An enterprise is covered from the later of the confirmation and the agreement's start."""
    rows = session.execute(
        select(CustodyAgreement.enterprise_id, CustodyAgreement.start_date, CustodyEvent.created_at)
        .join(CustodyEvent, CustodyEvent.agreement_id == CustodyAgreement.id)
        .where(CustodyEvent.to_state == AgreementState.ACTIVE.value,
               CustodyEvent.created_at < _cutoff(as_of)))
    since: dict[int, date] = {}
    for enterprise_id, start, confirmed in rows:
        if enterprise_id not in ents.sme:
            continue      # the plan counts SMEs under custody (the KPI page shows the others)
        day = max(start, confirmed.astimezone().date())
        if enterprise_id not in since or day < since[enterprise_id]:
            since[enterprise_id] = day
    _cumulate(out, "custody_smes", since, years, as_of, ents)


def _cumulate(out: Values, key: str, since: dict[int, date], years: range, as_of: date,
              ents: _Enterprises) -> None:
    for year in years:
        end = _year_end(year, as_of)
        for enterprise_id, day in since.items():
            if day <= end:
                out[(key, year)][ents.of(enterprise_id)] += 1
