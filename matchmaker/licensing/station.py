"""An innovation station's workspace: its pipeline, the enterprises it serves, needs waiting
for a first response, and recent follow-ups."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..models import Deal, DealState, FollowUp, Need, NeedState, Organization, Patent, User
from ..paging import fetch_page
from .transitions import PIPELINE

PER_COLUMN = 6        # cards per board column; the column links to the full, paged list
WAITING_PER_PAGE = 20


@dataclass
class WaitingNeed:
    need: Need
    age_days: int


@dataclass
class ClientRow:
    enterprise: Organization
    open_needs: int = 0
    open_deals: int = 0


@dataclass
class BoardColumn:
    """A pipeline state: its newest deals and how many there are in all."""

    state: DealState
    deals: list[Deal]
    total: int


@dataclass
class Workspace:
    station: Organization
    columns: list[BoardColumn] = field(default_factory=list)
    clients: list[ClientRow] = field(default_factory=list)
    waiting: list[WaitingNeed] = field(default_factory=list)
    waiting_total: int = 0
    notes: list[FollowUp] = field(default_factory=list)


def workspace(session: Session, station: Organization, *, today: date, per_column: int = PER_COLUMN,
              waiting_page: int = 1, waiting_per_page: int = WAITING_PER_PAGE) -> Workspace:
    """The station's board (newest cards per state, with totals), its clients, one page of the
    needs waiting for a first response (oldest first) and its recent follow-ups."""
    client_ids = [c.id for c in station.clients]
    mine = or_(Deal.station_id == station.id, Deal.enterprise_id.in_(client_ids))
    # Each column's newest cards, with what a card shows loaded in bulk (not a query per card).
    ranked = select(Deal.id, func.row_number().over(
        partition_by=Deal.state, order_by=(Deal.updated_at.desc(), Deal.id.desc())).label("n")
    ).where(mine).subquery()
    deals = list(session.scalars(
        select(Deal).join(ranked, ranked.c.id == Deal.id).where(ranked.c.n <= per_column)
        .options(selectinload(Deal.patent).load_only(Patent.id, Patent.title, Patent.app_no),
                 selectinload(Deal.enterprise), selectinload(Deal.station))
        .order_by(Deal.updated_at.desc(), Deal.id.desc())))
    by_state: dict[DealState, list[Deal]] = defaultdict(list)
    for deal in deals:
        by_state[deal.state].append(deal)
    totals = dict(session.execute(select(Deal.state, func.count()).where(mine)
                                  .group_by(Deal.state)).all())
    ws = Workspace(station, columns=[BoardColumn(s, by_state[s], totals.get(s, 0)) for s in PIPELINE])
    open_needs = dict(session.execute(select(Need.enterprise_id, func.count()).where(
        Need.enterprise_id.in_(client_ids), Need.state == NeedState.OPEN)
        .group_by(Need.enterprise_id)).all())
    open_deals = dict(session.execute(select(Deal.enterprise_id, func.count()).where(
        mine, Deal.state.not_in([DealState.DECLINED, DealState.LAPSED, DealState.TERMINATED,
                                 DealState.TRANSFERRED])).group_by(Deal.enterprise_id)).all())
    ws.clients = [ClientRow(c, open_needs.get(c.id, 0), open_deals.get(c.id, 0))
                  for c in sorted(station.clients, key=lambda o: o.name)]
    waiting, ws.waiting_total = fetch_page(session, select(Need).where(
        Need.enterprise_id.in_(client_ids), Need.state == NeedState.OPEN,
        Need.first_response_at.is_(None)).options(selectinload(Need.enterprise))
        .order_by(Need.created_at, Need.id), page=waiting_page, per_page=waiting_per_page)
    ws.waiting = [WaitingNeed(n, max(0, (today - n.created_at.date()).days)) for n in waiting]
    ws.notes = list(session.scalars(select(FollowUp).join(User, User.id == FollowUp.author_id)
                                    .where(User.organization_id == station.id)
                                    .order_by(FollowUp.id.desc()).limit(20)))
    return ws
