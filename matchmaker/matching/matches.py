"""Persist matches, record reactions (interested / declined with a reason) and push both ways.

Lists and pushes that span several enterprises put priority enterprises (small, start-up,
COVID-hit) first among the recommended matches; see matchmaker.matching.priority."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from sqlalchemy import ColumnElement, and_, case, delete, func, select, update
from sqlalchemy.orm import Session, selectinload

from .. import clock, permissions
from ..db import utcnow
from ..errors import NotFound, PermissionDenied, ValidationError
from ..models import (DeclineReason, ListingState, Match, MatchState, Need, NeedState, OrgKind,
                      Patent, User)
from ..notifications import enterprise_audience, notify, organization_audience
from ..profiles.service import priority_reasons_of
from ..search.backend import SearchBackend
from ..semantic.store import VectorStore
from .engine import MatchOptions, ScoredMatch
from .priority import PRIORITY_MARK, owner_note, rank_key
from .service import (need_profile, need_similarity, needs_for_profile, patent_profile,
                      patent_similarity, patents_for_profile)

# A match whose confidence reaches this is presented as a recommendation and pushed; below it,
# the best few are shown collapsed as "可能相关". The confidence is the lexical score (before the
# semantic stage's penalty, which orders candidates but does not calibrate them) moved by the
# calibrated closeness in meaning (semantic.background): CLOSENESS_POINTS per spread above
# TYPICAL_CLOSENESS. All three were chosen on the development sets (scripts/eval_matching.py
# prints how often nothing is recommended for needs without a relevant patent, and how often the
# best relevant patent of the others is): 75 % / 69 %, against 54 % / 56 % for the lexical score
# alone, which still decides when there is no background or no vector (README, Abstention).
RECOMMEND_THRESHOLD = 54.0
CLOSENESS_POINTS = 25.0
TYPICAL_CLOSENESS = 3.85
# Pushes also need a real share of the query's keywords (boilerplate overlap is not news).
PUSH_MIN_COVERAGE = 0.2
KEEP_TOP = 20             # suggestions kept per need
# What the enterprise reacted to stays among its recommendations whatever its score.
REACTED = (MatchState.INTERESTED, MatchState.REQUESTED)
# Later stages (licences) add reasons a patent must not be offered: fn(session) -> set of ids.
EXCLUSION_PROVIDERS: list[Callable[[Session], set[int]]] = []


def _provider_exclusions(session: Session) -> set[int]:
    out: set[int] = set()
    for provider in EXCLUSION_PROVIDERS:
        out |= provider(session)
    return out


def _excluded_patents(session: Session, need_id: int) -> set[int]:
    declined = set(session.scalars(select(Match.patent_id).where(
        Match.need_id == need_id, Match.state == MatchState.DECLINED)))
    return declined | _provider_exclusions(session)


def confidence(lexical_score: float, closeness: float | None, *, points: float = CLOSENESS_POINTS,
               typical: float = TYPICAL_CLOSENESS) -> float:
    """The number the recommendation threshold applies to (kept as `Match.confidence`); the
    constants are parameters for scripts/eval_matching.py, which refits them.

    >>> confidence(50.0, None)
    50.0
    >>> confidence(50.0, TYPICAL_CLOSENESS + 1)
    75.0
    """
    if closeness is None:
        return lexical_score
    return round(lexical_score + points * (closeness - typical), 2)


def recommended(confidence: float) -> bool:
    """Whether a match is strong enough to be presented as a recommendation, given its
    confidence (`Match.confidence`, `ScoredMatch` through `confidence()`)."""
    return confidence >= RECOMMEND_THRESHOLD


def listed_as_recommendation(match: Match) -> bool:
    """What a need's page lists among its recommendations: recommended matches and those the
    enterprise reacted to (`match_counts` counts the same in SQL)."""
    return recommended(match.confidence) or match.state in REACTED


@dataclass(frozen=True)
class Verdict:
    """Why a match is (or is not) a recommendation, for its explanation: the displayed score
    orders the list, but the decision is on the confidence, so a collapsed "可能相关" match can
    show more points than a recommended one; the pages say so with these figures."""

    lexical: float
    closeness_points: float      # what the closeness in meaning added (or took off); 0 without
    confidence: float
    threshold: float
    recommended: bool


def verdict(match: Match) -> Verdict:
    """The figures behind `recommended(match.confidence)`.

    >>> v = verdict(Match(score=40.0, lexical_score=50.0, confidence=62.5))
    >>> (v.closeness_points, v.recommended)
    (12.5, True)
    """
    return Verdict(lexical=match.lexical_score,
                   closeness_points=round(match.confidence - match.lexical_score, 2),
                   confidence=match.confidence, threshold=RECOMMEND_THRESHOLD,
                   recommended=recommended(match.confidence))


def recommended_clause() -> ColumnElement[bool]:
    """`recommended` as a SQL condition on `Match` (the threshold read at call time)."""
    return Match.confidence >= RECOMMEND_THRESHOLD


def scored_confidence(m: ScoredMatch) -> float:
    return confidence(m.lexical_score, m.closeness)


def pushable(m: ScoredMatch) -> bool:
    return (recommended(scored_confidence(m))
            and m.signals.get("keyword_coverage", 1.0) >= PUSH_MIN_COVERAGE)


def priority_first(matches: list[Match], priority: dict[int, list[str]]) -> list[Match]:
    """Matches of several enterprises: recommended ones of priority enterprises first, then by
    score (`priority`: enterprise id → reasons, as profiles.service.priority_reasons_of)."""
    return sorted(matches, key=lambda m: (*rank_key(priority=m.need.enterprise_id in priority,
                                                    recommended=recommended(m.confidence),
                                                    score=m.score), m.id))


def _store(session: Session, need_id: int, patent_id: int, m: ScoredMatch, origin: str) -> tuple[Match, bool]:
    row = session.scalar(select(Match).where(Match.need_id == need_id, Match.patent_id == patent_id))
    created = row is None
    if created:
        row = Match(need_id=need_id, patent_id=patent_id, origin=origin)
        session.add(row)
    row.score, row.breakdown, row.signals = m.score, m.breakdown, m.signals
    row.lexical_score = m.lexical_score
    row.confidence = scored_confidence(m)
    row.matched_terms = list(m.matched_terms)[:30]
    return row, created


def refresh_need_matches(session: Session, backend: SearchBackend, need_id: int, *,
                         options: MatchOptions = MatchOptions(top=KEEP_TOP),
                         today: date | None = None, vectors: VectorStore | None = None) -> list[Match]:
    """Recompute a need's suggestions; declined pairs never come back; push new good ones.
    With `vectors`, the best candidates are re-ranked by meaning too."""
    need = session.get(Need, need_id)
    if need is None or need.state != NeedState.OPEN:
        return []
    ranked = patents_for_profile(session, backend, need_profile(need), options, today=today,
                                 exclude=_excluded_patents(session, need_id),
                                 similarity=need_similarity(session, vectors, need))
    keep = {pm.patent.id for pm in ranked}
    # Untouched suggestions that fell out of the list go; anything a person reacted to stays.
    session.execute(delete(Match).where(Match.need_id == need_id,
                                        Match.state == MatchState.SUGGESTED,
                                        Match.patent_id.not_in(keep or {-1})))
    fresh = []
    for pm in ranked:
        row, created = _store(session, need_id, pm.patent.id, pm.match, "need")
        if created and pushable(pm.match):
            fresh.append(row)
    session.flush()
    if fresh:
        if need.first_response_at is None:   # a pushed match answers the need (KPI)
            need.first_response_at = utcnow()
        notify(session, enterprise_audience(need.enterprise), "need_matches",
               f"需求“{need.title[:30]}”有 {len(fresh)} 项新的专利推荐",
               "、".join(m.patent.title[:20] for m in fresh[:3]), f"/matches/need/{need.id}")
    return [m for m in find_need_matches_unchecked(session, need_id)]


def refresh_patent_matches(session: Session, backend: SearchBackend, patent_id: int, *,
                           options: MatchOptions = MatchOptions(top=KEEP_TOP),
                           today: date | None = None, vectors: VectorStore | None = None) -> list[Match]:
    """A listed patent → the open needs it may solve; enterprises above the threshold hear of it,
    priority enterprises first (their push marked 重点扶持), and the owner hears how many
    enterprises matched and how many of them are priorities. The threshold is the same for all."""
    patent = session.get(Patent, patent_id)
    if patent is None or patent.listing_state != ListingState.LISTED \
            or patent_id in _provider_exclusions(session):
        return []
    declined = set(session.scalars(select(Match.need_id).where(
        Match.patent_id == patent_id, Match.state == MatchState.DECLINED)))
    ranked = [nm for nm in needs_for_profile(session, backend, patent_profile(patent), options,
                                             today=today, exclude=declined,
                                             similarity=patent_similarity(session, vectors, patent))
              if pushable(nm.match)]
    priority = priority_reasons_of(session, {nm.need.enterprise_id for nm in ranked},
                                   (today or clock.today()).year)
    ranked.sort(key=lambda nm: rank_key(priority=nm.need.enterprise_id in priority, recommended=True,
                                        score=nm.match.score))
    out, new_enterprises = [], set()
    for nm in ranked:
        row, created = _store(session, nm.need.id, patent_id, nm.match, "patent")
        out.append(row)
        if created:
            new_enterprises.add(nm.need.enterprise_id)
            if nm.need.first_response_at is None:
                nm.need.first_response_at = utcnow()
            mark = PRIORITY_MARK if nm.need.enterprise_id in priority else ""
            notify(session, enterprise_audience(nm.need.enterprise), "patent_matches",
                   f"{mark}新上架专利可能解决您的需求“{nm.need.title[:30]}”", patent.title[:100],
                   f"/matches/need/{nm.need.id}")
    session.flush()
    if new_enterprises:   # the owner hears once per newly matched enterprise, not per refresh
        notify(session, organization_audience(patent.owner), "patent_demand",
               owner_note(len(new_enterprises), len(new_enterprises & priority.keys()), patent.title),
               "", f"/matches/patent/{patent.id}")
    return out


def find_need_matches_unchecked(session: Session, need_id: int) -> list[Match]:
    return list(session.scalars(select(Match).where(Match.need_id == need_id)
                                .options(selectinload(Match.patent).selectinload(Patent.owner))
                                .order_by(Match.score.desc(), Match.id)))


def need_matches(session: Session, actor: User, need_id: int) -> tuple[Need, list[Match]]:
    """A need's matches for someone acting for its enterprise (or an operator)."""
    need = session.get(Need, need_id)
    if need is None or not (permissions.acts_for(actor, need.enterprise)
                            or permissions.is_operator(actor)):
        raise NotFound("未找到该需求")
    return need, find_need_matches_unchecked(session, need_id)


def patent_matches(session: Session, actor: User, patent_id: int, *,
                   today: date | None = None) -> tuple[Patent, list[Match]]:
    """'Enterprises that may need this': matches of a patent, for its owner (or an operator);
    recommended matches of priority enterprises first, then by score."""
    patent = session.get(Patent, patent_id)
    if patent is None or not (permissions.can_edit_patent(actor, patent)
                              or permissions.is_operator(actor)):
        raise NotFound("未找到该专利")
    rows = session.scalars(select(Match).where(Match.patent_id == patent_id)
                           .options(selectinload(Match.need).selectinload(Need.enterprise))
                           .order_by(Match.score.desc(), Match.id)).all()
    priority = priority_reasons_of(session, {m.need.enterprise_id for m in rows},
                                   (today or clock.today()).year)
    return patent, priority_first(list(rows), priority)


def decline_summary(matches: list[Match]) -> dict[str, int]:
    """How often each decline reason was given — the feedback the lister sees."""
    out: dict[str, int] = {}
    for m in matches:
        if m.state == MatchState.DECLINED and m.decline_reason:
            out[m.decline_reason.label] = out.get(m.decline_reason.label, 0) + 1
    return out


@dataclass(frozen=True)
class Reaction:
    state: MatchState
    reason: str = ""
    note: str = ""


def react(session: Session, actor: User, match_id: int, reaction: Reaction) -> Match:
    """The enterprise side marks a match viewed, interested or declined (with a reason)."""
    match = session.get(Match, match_id)
    if match is None or not permissions.acts_for(actor, match.need.enterprise):
        raise NotFound("未找到该匹配")
    if reaction.state not in (MatchState.VIEWED, MatchState.INTERESTED, MatchState.DECLINED,
                              MatchState.REQUESTED):
        raise ValidationError({"state": "无效的操作"})
    if match.state == MatchState.REQUESTED and reaction.state != MatchState.REQUESTED:
        raise PermissionDenied("已申请许可的匹配不能再更改")
    if reaction.state == MatchState.VIEWED and match.state != MatchState.SUGGESTED:
        return match   # viewing never downgrades a decision
    if reaction.state == MatchState.DECLINED:
        if reaction.reason not in {r.value for r in DeclineReason}:
            raise ValidationError({"reason": "请选择不感兴趣的原因"})
        if len(reaction.note) > 1000:
            raise ValidationError({"note": "备注不能超过 1000 个字符"})
        match.decline_reason = DeclineReason(reaction.reason)
        match.decline_note = reaction.note.strip()
    match.state = reaction.state
    match.decided_by = actor
    session.flush()
    return match


def mark_viewed(session: Session, actor: User, need: Need, match_ids: set[int]) -> int:
    """The enterprise saw these suggestions: one UPDATE for all of them (only suggestions move;
    a decision is never downgraded)."""
    if not match_ids or not permissions.acts_for(actor, need.enterprise):
        return 0
    return session.execute(update(Match).where(
        Match.id.in_(match_ids), Match.need_id == need.id, Match.state == MatchState.SUGGESTED)
        .values(state=MatchState.VIEWED, decided_by_id=actor.id, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")).rowcount or 0


def station_matches(session: Session, actor: User, *, min_score: float = 0.0,
                    today: date | None = None) -> list[Match]:
    """Broker view: matches of every open need of the enterprises the actor's station serves,
    recommended matches of priority enterprises first (ordered in the query, so the cut at 200
    keeps them), then by score."""
    if actor.organization.kind != OrgKind.STATION:
        raise PermissionDenied("仅创新驿站可以查看")
    client_ids = [c.id for c in actor.organization.clients]
    if not client_ids:
        return []
    priority = priority_reasons_of(session, client_ids, (today or clock.today()).year)
    first = case((and_(Need.enterprise_id.in_(list(priority) or [-1]),
                       recommended_clause()), 0), else_=1)
    return list(session.scalars(
        select(Match).join(Need, Match.need_id == Need.id)
        .where(Need.enterprise_id.in_(client_ids), Need.state == NeedState.OPEN,
               Match.score >= min_score)
        .options(selectinload(Match.need).selectinload(Need.enterprise),
                 selectinload(Match.patent))
        .order_by(first, Match.score.desc(), Match.id).limit(200)))


def match_counts(session: Session, need_ids: list[int]) -> dict[int, int]:
    """Per need, the matches its page lists as recommendations: recommended ones and those the
    enterprise reacted to (the "可能相关" ones below the threshold are not counted)."""
    if not need_ids:
        return {}
    return dict(session.execute(select(Match.need_id, func.count()).where(
        Match.need_id.in_(need_ids), Match.state != MatchState.DECLINED,
        recommended_clause() | Match.state.in_(REACTED)).group_by(Match.need_id)).all())
