"""工作台: what waits for the logged-in user, counted, so the first page after logging in says
what to do instead of showing the marketing page and 99+ unread recommendations.

A read model over several stages (deals, matches, needs, patents, custody deadlines), for one
organization: only counts and a few rows, each a cheap aggregate query.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from .catalog.patents import without_active_offer
from .custody.portfolio import agency_deadlines
from .licensing.consent import todo_condition
from .licensing.transitions import BROKER, waiting_states
from .matching.matches import recommended_clause
from .models import (Deal, ListingState, Match, MatchState, Need, NeedState, Organization, OrgKind,
                     OrgStatus, Patent, User)

WEEK = timedelta(days=7)
DEALS_SHOWN = 5


@dataclass
class Workbench:
    """Counts for one organization; a count that does not apply to its kind stays None."""

    kind: str
    deals_waiting: list[Deal] = field(default_factory=list)
    deals_waiting_total: int | None = None
    recommendations_this_week: int | None = None   # strong matches made in the last 7 days
    recommendations_unseen: int | None = None      # strong matches nobody of the enterprise opened
    needs_waiting: int | None = None               # open needs without a first response
    needs_open: int | None = None
    # listed, but no active licence terms: the rows of 我的专利?state=listed&offer=none
    patents_without_offer: int | None = None
    patent_drafts: int | None = None
    orgs_pending: int | None = None
    custody_due: dict[str, int] | None = None      # lapsed / in grace / due in 90 days


def build_workbench(session: Session, actor: User, *, today: date, now: datetime) -> Workbench:
    """The 工作台 of the actor's organization as of `today` / `now`."""
    org = actor.organization
    bench = Workbench(org.kind.value)
    if org.kind in (OrgKind.UNIVERSITY, OrgKind.INSTITUTE):
        _deals(session, bench, todo_condition(actor))
        _supplier(session, bench, org)
        strong = (Match.patent_id.in_(select(Patent.id).where(Patent.owner_id == org.id)),)
        bench.recommendations_this_week = _strong_matches(session, now, strong)
    elif org.kind == OrgKind.ENTERPRISE:
        _deals(session, bench, todo_condition(actor))
        _demand(session, bench, [org.id], now)
    elif org.kind == OrgKind.STATION:
        client_ids = [c.id for c in org.clients]
        _deals(session, bench, and_(or_(Deal.station_id == org.id, Deal.enterprise_id.in_(client_ids)),
                                    Deal.state.in_(waiting_states(BROKER))))
        _demand(session, bench, client_ids, now)
    elif org.kind == OrgKind.OPERATOR:
        bench.orgs_pending = _count(session, select(Organization.id)
                                    .where(Organization.status == OrgStatus.PENDING))
    elif org.kind == OrgKind.AGENCY:
        bench.custody_due = {k: len(v) for k, v in agency_deadlines(session, org, today).items()}
    return bench


def _count(session: Session, stmt) -> int:
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def _deals(session: Session, bench: Workbench, waiting) -> None:
    """Deals that wait for the organization (licensing/consent.py: proposals to confirm, requests
    to answer; a broker: deals in a state it moves on), oldest activity first."""
    stmt = select(Deal).join(Deal.patent).where(waiting)
    bench.deals_waiting_total = _count(session, stmt)
    bench.deals_waiting = list(session.scalars(
        stmt.options(selectinload(Deal.patent), selectinload(Deal.enterprise))
        .order_by(Deal.updated_at, Deal.id).limit(DEALS_SHOWN)))


def _supplier(session: Session, bench: Workbench, org: Organization) -> None:
    """A university's patents: drafts, and listed ones nobody can request (no active terms)."""
    own = Patent.owner_id == org.id
    bench.patents_without_offer = _count(session, select(Patent.id).where(
        own, Patent.listing_state == ListingState.LISTED, without_active_offer()))
    bench.patent_drafts = _count(session, select(Patent.id).where(
        own, Patent.listing_state == ListingState.DRAFT))


def _demand(session: Session, bench: Workbench, enterprise_ids: list[int], now: datetime) -> None:
    """An enterprise's (or a station's clients') open needs and what matching found for them."""
    open_need = (Need.enterprise_id.in_(enterprise_ids), Need.state == NeedState.OPEN)
    bench.needs_open = _count(session, select(Need.id).where(*open_need))
    bench.needs_waiting = _count(session, select(Need.id).where(
        *open_need, Need.first_response_at.is_(None)))
    of_needs = Match.need_id.in_(select(Need.id).where(*open_need))
    bench.recommendations_this_week = _strong_matches(session, now, (of_needs,))
    bench.recommendations_unseen = _count(session, select(Match.id).where(
        of_needs, recommended_clause(), Match.state == MatchState.SUGGESTED))


def _strong_matches(session: Session, now: datetime, where: tuple) -> int:
    """Recommendations (matches at or above the threshold) made in the last seven days."""
    return _count(session, select(Match.id).where(
        *where, recommended_clause(), Match.created_at >= now - WEEK))
