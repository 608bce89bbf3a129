"""Match pages: patents recommended for a need, enterprises that may need a patent, the station
broker view, and the enterprise's reactions (interested / declined with a reason / licence request)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from markupsafe import Markup
from sqlalchemy import select

from .. import clock, permissions
from ..catalog import needs as needs_catalog
from ..licensing.offers import offers_for
from ..errors import ValidationError
from ..matching import matches as svc
from ..matching.matches import Reaction
from ..matching.scorers import SIGNAL_LABELS
from ..matching.station_view import NEEDS_PER_PAGE, station_match_page
from ..models import DeclineReason, Job, Match, MatchState, Need
from ..params import parse_decimal
from ..profiles.service import priority_reasons_of
from ..search.highlight import snippet
from ..text.tokenize import tokenize_for_search
from .auth import require_kinds
from .context import actor, db
from .pagination import Page, page_number, per_page

bp = Blueprint("matches", __name__, url_prefix="/matches")

# Display names of the scorers in matchmaker.matching.scorers, in their weight order.
REACTIONS = {"interested": MatchState.INTERESTED, "declined": MatchState.DECLINED}
SNIPPET_WIDTH = 160
MAX_CHIPS = 12


@dataclass(frozen=True)
class Signal:
    """One scorer's share of a match: strength in [0, 1] and the points it added (or, for a
    penalty, took off)."""

    name: str
    label: str
    strength: float
    points: float


@dataclass(frozen=True)
class Explanation:
    """Why a need and a patent were paired: shared terms, both texts highlighted, the signals."""

    terms: tuple[str, ...]
    need_snippet: Markup
    patent_snippet: Markup
    signals: tuple[Signal, ...]
    verdict: svc.Verdict

    @property
    def counted(self) -> tuple[Signal, ...]:
        """Signals that changed the score: those that added points, strongest first, then the
        penalties (the semantic stage's), so the listed points add up to the total."""
        return tuple(sorted((s for s in self.signals if s.points), key=lambda s: (s.points < 0, -abs(s.points))))


def display_terms(matched: list[str], *texts: str) -> tuple[str, ...]:
    """Matched index terms worth showing: real words of either text, longest-first, no fragments.

    The index also matches character bigrams (锂电池正极 → 池正); those read as noise, so only
    terms the word tokenizer produces survive, and words inside a longer shown term are dropped.
    """
    words = set()
    for text in texts:
        words.update(tokenize_for_search(text))
    kept = [t for t in matched if t in words] or list(matched)
    kept = sorted(set(kept), key=lambda t: (-len(t), t))
    out: list[str] = []
    for term in kept:
        if not any(term in longer for longer in out):
            out.append(term)
    return tuple(out[:MAX_CHIPS])


def explain(match: Match) -> Explanation:
    """Build the explanation block of one match (snippets are HTML-safe, only <mark> is markup)."""
    need, patent = match.need, match.patent
    need_text = f"{need.title}。{need.description or ''}"
    patent_text = patent.abstract or patent.title
    terms = display_terms(list(match.matched_terms or []), need_text, patent_text)
    values = match.signals or {}
    # Signals that did not apply to this pair (e.g. a record without a title) are not shown.
    signals = tuple(Signal(name, label, float(values[name]),
                           float((match.breakdown or {}).get(name, 0.0)))
                    for name, label in SIGNAL_LABELS.items() if values.get(name) is not None)
    return Explanation(terms=terms,
                       need_snippet=Markup(snippet(need_text, terms, SNIPPET_WIDTH)),
                       patent_snippet=Markup(snippet(patent_text, terms, SNIPPET_WIDTH)),
                       signals=signals, verdict=svc.verdict(match))


def _matching_pending(kind: str, key: str, object_id: int) -> bool:
    """Whether a matching job for this need/patent is still waiting or running.

    Belongs in matchmaker.jobs.queue (no such query exists yet); payloads are JSON, so the
    comparison is done in Python over the few unfinished jobs.
    """
    jobs = db().scalars(select(Job).where(Job.kind == kind, Job.state.in_(("queued", "running"))))
    return any(int(j.payload.get(key, -1)) == object_id for j in jobs)


def _mark_viewed(need: Need, matches: list[Match]) -> set[int]:
    """The enterprise opening the page marks new suggestions viewed; returns the ids that were new.

    Only the enterprise's own users count: a broker or an operator looking does not mean the
    enterprise has seen them."""
    fresh = {m.id for m in matches if m.state == MatchState.SUGGESTED}
    if not fresh or actor().organization_id != need.enterprise_id:
        return fresh
    svc.mark_viewed(db(), actor(), need, fresh)
    db().commit()
    return fresh


MAYBE_SHOWN = 5   # below the recommendation threshold, only the best few, collapsed


def _need_page(need_id: int, errors: dict | None = None, values: dict | None = None):
    need, matches = svc.need_matches(db(), actor(), need_id)
    active = [m for m in matches if m.state != MatchState.DECLINED]
    strong = [m for m in active if svc.listed_as_recommendation(m)]
    maybe = [m for m in active if m not in strong][:MAYBE_SHOWN]
    fresh = _mark_viewed(need, matches) & {m.id for m in strong}
    return render_template(
        "matches/need.html", need=need, active=strong + maybe, recommended=strong, maybe=maybe,
        declined=[m for m in matches if m.state == MatchState.DECLINED],
        explanations={m.id: explain(m) for m in active}, fresh=fresh,
        pending=_matching_pending("match_need", "need_id", need.id),
        can_react=permissions.acts_for(actor(), need.enterprise),
        reasons=DeclineReason.choices(), errors=errors or {}, values=values or {})


@bp.route("/")
@require_kinds("enterprise")
def index():
    """An enterprise's needs with how many recommendations each has."""
    number, size = page_number(), per_page()
    result = needs_catalog.find_needs(db(), actor(), page=number, per_page=size)
    counts = svc.match_counts(db(), [n.id for n in result[0]])
    return render_template("matches/index.html", page=Page.of(result, number, size), counts=counts)


@bp.route("/need/<int:need_id>")
@login_required
def need(need_id: int):
    """为需求推荐的专利: ranked matches with explanations and the enterprise's actions."""
    return _need_page(need_id)


@bp.route("/<int:match_id>/react", methods=["POST"])
@login_required
def react(match_id: int):
    """Interested, or declined with a reason (and an optional note) that the lister will see."""
    state = REACTIONS.get(request.form.get("state", ""), MatchState.SUGGESTED)  # else: invalid
    reaction = Reaction(state, request.form.get("reason", ""), request.form.get("note", ""))
    try:
        match = svc.react(db(), actor(), match_id, reaction)
    except ValidationError as exc:
        db().rollback()
        need_id = db().get(Match, match_id).need_id   # react checked existence and access first
        return _need_page(need_id, errors={match_id: exc.errors},
                          values={match_id: {"reason": reaction.reason, "note": reaction.note}})
    db().commit()
    flash("已标记为感兴趣，可随时申请许可" if state == MatchState.INTERESTED
          else "已标记为不感兴趣，该专利不会再推荐给此需求，原因将反馈给专利权人", "success")
    return redirect(url_for("matches.need", need_id=match.need_id, _anchor=f"match-{match.id}"))


@bp.route("/<int:match_id>/request", methods=["POST"])
@login_required
def request_licence(match_id: int):
    """Go to the patent's licence terms (with the need preselected); when the owner has not
    published terms yet, record the interest so the owner sees it."""
    match = svc.react(db(), actor(), match_id, Reaction(MatchState.INTERESTED))
    db().commit()
    if offers_for(db(), match.patent_id):
        return redirect(url_for("patents.detail", patent_id=match.patent_id, need=match.need_id,
                                _anchor="offers"))
    flash("专利权人尚未发布许可条件，已记录您的意向；发布后即可申请", "info")
    return redirect(url_for("matches.need", need_id=match.need_id, _anchor=f"match-{match.id}"))


@bp.route("/patent/<int:patent_id>")
@login_required
def patent(patent_id: int):
    """可能需要此专利的企业, for the owner: matching needs and why enterprises declined."""
    today = clock.today()
    patent, matches = svc.patent_matches(db(), actor(), patent_id, today=today)
    active = [m for m in matches if m.state != MatchState.DECLINED]
    # A patent can match many needs: one page of them (the decline summary counts them all).
    number, size = page_number(), per_page()
    shown = active[(number - 1) * size:number * size]
    return render_template(
        "matches/patent.html", patent=patent, active=active,
        page=Page(items=shown, total=len(active), number=number, per_page=size),
        declined=[m for m in matches if m.state == MatchState.DECLINED],
        explanations={m.id: explain(m) for m in shown}, summary=svc.decline_summary(matches),
        priority=priority_reasons_of(db(), {m.need.enterprise_id for m in shown}, today.year),
        pending=not matches and _matching_pending("match_patent", "patent_id", patent.id))


def _min_score() -> float | None:
    """`?min_score=` clamped to 0–100 (anything unparsable: no filter); without it (or empty),
    None: only recommendations, as the need pages and pushes decide them."""
    raw = request.args.get("min_score")
    if raw is None or not raw.strip():
        return None
    return parse_decimal(raw, low=0, high=100) or 0.0


@bp.route("/station")
@require_kinds("station")
def station():
    """Broker view: the served enterprises' needs with matches, a page of needs at a time."""
    min_score = _min_score()
    number = page_number()
    result = station_match_page(db(), actor(), min_score=min_score, page=number, today=clock.today())
    page = Page(items=result.needs, total=result.needs_total, number=number, per_page=NEEDS_PER_PAGE)
    return render_template("matches/station.html", result=result, page=page,
                           min_score=min_score, clients=actor().organization.clients,
                           terms={m.id: display_terms(list(m.matched_terms or []), m.need.title,
                                                      m.need.description or "", m.patent.title,
                                                      m.patent.abstract or "")
                                  for row in result.needs for m in row.matches})
