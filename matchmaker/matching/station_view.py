"""The broker's view of matches: the served enterprises' open needs, one page of needs at a time,
each with its best few matches and how many it has in all.

The page used to show the 200 best matches at once (a 200-card page on a phone); paging by need
keeps a need's matches together and tells the broker what was left out. Needs of priority
enterprises (small, start-up, COVID-hit) with a recommended match come first, so brokers follow
them up first (see matchmaker.matching.priority).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .. import clock
from ..errors import PermissionDenied
from ..models import Match, Need, NeedState, Organization, OrgKind, User
from ..profiles.service import priority_reasons_of
from .matches import recommended, recommended_clause
from .priority import rank_key

NEEDS_PER_PAGE = 10
MATCHES_PER_NEED = 5


@dataclass(frozen=True)
class NeedMatches:
    """One need, its best matches (at most MATCHES_PER_NEED) and the count of all of them."""

    need: Need
    matches: list[Match]
    total: int


@dataclass(frozen=True)
class StationMatchPage:
    """One page of needs, grouped by enterprise in the order of their best match."""

    needs: list[NeedMatches]
    needs_total: int
    matches_total: int
    priority: dict[int, list[str]] = field(default_factory=dict)   # enterprise id → badges

    @property
    def groups(self) -> list[tuple[Organization, list[NeedMatches]]]:
        """[(enterprise, [need rows])]: a page's needs under their enterprise."""
        out: dict[int, tuple[Organization, list[NeedMatches]]] = {}
        for row in self.needs:
            out.setdefault(row.need.enterprise_id, (row.need.enterprise, []))[1].append(row)
        return list(out.values())


def station_match_page(session: Session, actor: User, *, min_score: float | None = None,
                       page: int = 1, per_page: int = NEEDS_PER_PAGE,
                       per_need: int = MATCHES_PER_NEED, today: date | None = None
                       ) -> StationMatchPage:
    """Needs of the served enterprises that have matches scoring at least `min_score` (None: the
    recommended matches only): those of priority enterprises with a recommended match first,
    then the need with the best match first; `page` of them, each with its `per_need` best
    matches."""
    if actor.organization.kind != OrgKind.STATION:
        raise PermissionDenied("仅创新驿站可以查看")
    client_ids = [c.id for c in actor.organization.clients]
    if not client_ids:
        return StationMatchPage([], 0, 0)
    eligible = (Need.enterprise_id.in_(client_ids), Need.state == NeedState.OPEN,
                recommended_clause() if min_score is None
                else Match.score >= min_score)
    # One row per need: a client's open needs are a few hundred at most, so they are ranked here
    # and sliced in Python rather than counted and offset twice.
    priority = priority_reasons_of(session, client_ids, (today or clock.today()).year)
    ranked = sorted(session.execute(
        select(Match.need_id, func.count(), func.max(Match.score), func.max(Match.confidence),
               Need.enterprise_id)
        .join(Need, Match.need_id == Need.id).where(*eligible)
        .group_by(Match.need_id, Need.enterprise_id)).all(), key=lambda row: _order(row, priority))
    start = (max(page, 1) - 1) * per_page
    shown = ranked[start:start + per_page]
    ids = [row[0] for row in shown]
    matches: dict[int, list[Match]] = {need_id: [] for need_id in ids}
    if ids:
        rows = session.scalars(
            select(Match).join(Need, Match.need_id == Need.id)
            .where(Match.need_id.in_(ids), *eligible)
            .options(selectinload(Match.need).selectinload(Need.enterprise), selectinload(Match.patent))
            .order_by(Match.score.desc(), Match.id))
        for match in rows:
            if len(matches[match.need_id]) < per_need:
                matches[match.need_id].append(match)
    needs = [NeedMatches(matches[need_id][0].need, matches[need_id], count)
             for need_id, count, *_rest in shown if matches[need_id]]
    return StationMatchPage(needs, len(ranked), sum(row[1] for row in ranked), priority)


def _order(row, priority: dict[int, list[str]]) -> tuple:
    """A need's place: by its best match, as matchmaker.matching.priority ranks a match."""
    need_id, _count, best, best_confidence, enterprise_id = row
    return (*rank_key(priority=enterprise_id in priority, recommended=recommended(best_confidence),
                      score=best), need_id)
