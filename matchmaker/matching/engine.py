"""The matching pipeline: profile → index candidates → re-ranked, explained matches."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Callable, Iterable, Mapping, Protocol, Sequence

from ..models import LegalStatus, ListingState, NeedState
from ..search.backend import Hit, SearchBackend
from ..search.documents import day_number
from ..search.fields import NEED, PATENT
from .fusion import reciprocal_rank_fusion
from .profile import Profile, char_query, profile_from_tokens, word_query
from .scorers import DEFAULT_WEIGHTS, SCORERS, Candidate, combine

CHANNELS = ("words", "chars")
# The semantic stage re-orders the lexical top SEMANTIC_DEPTH (scorers.semantic); candidates
# below it get rank SEMANTIC_OUTSIDE, i.e. the whole semantic penalty.
SEMANTIC_DEPTH = 40
SEMANTIC_OUTSIDE = 10**6
# The channel by meaning (semantic.nearest): its top MEANING hits that are at least
# MEANING_CLOSENESS background spreads close join the candidates and the stage's pool. 20 and 50
# hits measured alike on the development sets; floors of 3.85 and 4.5 kept fewer relevant patents
# in the top 10 (README, Matching quality).
MEANING = 20
MEANING_CLOSENESS = 3.0


class SemanticAnswer(Protocol):
    """What a similarity gives for candidate ids (semantic.store.Similarities)."""

    cosine: Mapping[int, float]                 # orders the pool
    closeness: Mapping[int, float] | None       # calibrated (semantic.background), or None


# Given document ids, their similarity to the query; None or a partial answer skips the stage.
# It may also have `nearest(k, min_closeness)`: the ids of the k documents closest in meaning
# among all that have vectors, those at least that close (semantic.store.QuerySimilarity),
# which feeds the channel by meaning.
Similarity = Callable[[Sequence[int]], "SemanticAnswer | None"]


@dataclass(frozen=True)
class MatchOptions:
    candidates: int = 100          # K: hits per channel; the union (fused order) is re-ranked
    top: int = 10
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    use_keywords: bool = True      # ablation switches, see scripts/eval_matching.py
    channels: tuple[str, ...] = CHANNELS
    rerank: bool = True
    min_score: float = 0.0
    semantic_depth: int = SEMANTIC_DEPTH
    meaning: int = MEANING         # hits of the channel by meaning (0: off; needs `nearest`)
    meaning_closeness: float = MEANING_CLOSENESS   # ... at least this close (background spreads)


@dataclass(frozen=True)
class ScoredMatch:
    doc_id: int
    score: float                        # 0–100
    breakdown: dict[str, float]         # points each signal contributed
    signals: dict[str, float | None]    # raw signal values in [0, 1]; None = not applicable
    matched_terms: tuple[str, ...]
    profile: Profile
    # The score before the semantic stage: recommendations are decided on it and `closeness`
    # (matches.confidence) because the stage's rank penalty orders well but does not calibrate
    # (README, Abstention).
    lexical_score: float
    # How much closer in meaning than the catalog's patents in general (semantic.background), in
    # spreads; None without the stage or a background.
    closeness: float | None = None


def rank(query: Profile, candidates: Iterable[Candidate], weights: Mapping[str, float],
         rerank: bool = True) -> list[ScoredMatch]:
    """Score candidates with every weighted scorer; best first (pure, no I/O)."""
    active = _active(weights, rerank)
    out = []
    wanted = [w for w, _ in query.keywords] + list(query.title_tokens)
    for c in candidates:
        signals = {name: _round(SCORERS[name](query, c)) for name in active}
        score, parts = combine(signals, active)
        have = c.profile.token_set
        terms = tuple(dict.fromkeys(w for w in wanted if w in have))  # words, not bigram shards
        out.append(ScoredMatch(c.doc_id, score, parts, signals, terms, c.profile, lexical_score=score))
    out.sort(key=lambda m: (-m.score, m.doc_id))
    return out


def _active(weights: Mapping[str, float], rerank: bool) -> dict[str, float]:
    """The weights that count: registered scorers with a weight (only retrieval without re-ranking)."""
    if not rerank:
        return {"retrieval": 1.0}
    return {name: w for name, w in weights.items() if w and name in SCORERS}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _candidates(hits: dict[int, Hit], fused: dict[int, float], best: float,
                channels: dict[str, dict[int, float]],
                ranks: dict[str, dict[int, int]]) -> list[Candidate]:
    """Candidates in fused order, retrieval relative to `best`, the best fused score before
    any exclusion (so declining the best patent does not inflate the runner-up)."""
    best = best or 1.0
    out = []
    for doc_id, score in sorted(fused.items(), key=lambda kv: (-kv[1], kv[0])):
        f = hits[doc_id].fields
        ipc = {c for c in (f.get("ipc") or "").split() if len(c) == 4}
        industries = {i for i in (f.get("industry") or "").split(",") if i}
        prof = profile_from_tokens("", "", f.get("title") or "", f.get("abstract") or "",
                                   industries=industries, ipc_subclasses={c.upper() for c in ipc})
        out.append(Candidate(doc_id, prof, score / best, hits[doc_id].matched_terms,
                             channels={n: s[doc_id] for n, s in channels.items() if doc_id in s},
                             ranks={n: r[doc_id] for n, r in ranks.items() if doc_id in r}))
    return out


def eligible_patent_filters(today: date) -> tuple[dict, dict]:
    """Only listed, granted-and-valid (or unknown-status corpus records), unexpired patents."""
    return ({"listing_state": [ListingState.LISTED.value],
             "legal_status": [LegalStatus.VALID.value, LegalStatus.UNKNOWN.value]},
            {"expiry": (day_number(today), None)})


def open_need_filters(today: date) -> tuple[dict, dict]:
    return {"state": [NeedState.OPEN.value]}, {"expiry": (day_number(today), None)}


def match_to_patents(backend: SearchBackend, query: Profile, options: MatchOptions = MatchOptions(),
                     *, today: date | None = None, exclude: set[int] = frozenset(),
                     similarity: Similarity | None = None) -> list[ScoredMatch]:
    """Need (or any text) → eligible patents, re-ranked (by meaning too, given `similarity`)."""
    filters, ranges = eligible_patent_filters(today or date.today())
    return _match(backend, PATENT, query, options, filters, ranges, exclude, similarity)


def match_to_needs(backend: SearchBackend, query: Profile, options: MatchOptions = MatchOptions(),
                   *, today: date | None = None, exclude: set[int] = frozenset(),
                   similarity: Similarity | None = None) -> list[ScoredMatch]:
    """Patent → open, unexpired needs, re-ranked."""
    filters, ranges = open_need_filters(today or date.today())
    return _match(backend, NEED, query, options, filters, ranges, exclude, similarity)


def channel_queries(query: Profile, options: MatchOptions) -> dict[str, object]:
    """The retrieval query of each enabled channel (see :mod:`.fusion`)."""
    queries = {"words": word_query(query, use_keywords=options.use_keywords),
               "chars": char_query(query)}
    return {name: q for name, q in queries.items() if name in options.channels and not q.is_empty}


def _match(backend, kind, query, options, filters, ranges, exclude, similarity=None) -> list[ScoredMatch]:
    queries = channel_queries(query, options)
    if not queries:
        return []
    rankings: dict[str, list[int]] = {}
    scores: dict[str, dict[int, float]] = {}
    hits: dict[int, Hit] = {}
    for name, tq in queries.items():
        res = backend.search(kind, tq, filters=filters, ranges=ranges,
                             limit=options.candidates + len(exclude), stored=True, count=False)
        rankings[name] = [h.id for h in res.hits]
        top = max((h.score for h in res.hits), default=0.0) or 1.0
        scores[name] = {h.id: h.score / top for h in res.hits}
        for h in res.hits:
            hits.setdefault(h.id, h)
    semantic = similarity is not None and options.rerank and bool(options.weights.get("semantic"))
    nearest = getattr(similarity, "nearest", None) if semantic and options.meaning else None
    if nearest is not None:
        found = backend.documents(kind, nearest(options.meaning + len(exclude),
                                                options.meaning_closeness),
                                  filters=filters, ranges=ranges)
        rankings["meaning"] = [h.id for h in found]
        for h in found:
            hits.setdefault(h.id, h)
    fused = reciprocal_rank_fusion(rankings)
    best = max(fused.values(), default=0.0)
    kept = {d: s for d, s in fused.items() if d not in exclude}
    kept = dict(sorted(kept.items(), key=lambda kv: (-kv[1], kv[0]))[:2 * options.candidates])
    by_meaning = [d for d in rankings.get("meaning", ()) if d not in exclude]
    for d in by_meaning:   # the channel by meaning is never cut by the others
        kept.setdefault(d, fused[d])
    ranks = {name: {d: i for i, d in enumerate(ids)} for name, ids in rankings.items()}
    candidates = _candidates(hits, kept, best, scores, ranks)
    ranked = rank(query, candidates, options.weights, options.rerank)
    if semantic:
        ranked = _semantic_stage(query, candidates, ranked, similarity, options, by_meaning)
    return [m for m in ranked if m.score >= options.min_score][:options.top]


def _semantic_stage(query: Profile, candidates: list[Candidate], ranked: list[ScoredMatch],
                    similarity: Similarity, options: MatchOptions,
                    extra: Sequence[int] = ()) -> list[ScoredMatch]:
    """Re-rank with each candidate's rank by meaning among the lexical top `semantic_depth`.

    A hit of the channel by meaning (`extra`) outside that head gets the rank it would have if
    it alone were added to it: the head's ranks stay what they were, so a catalog-wide
    neighbour can only win a place on its own points — given the top ranks outright, such hits
    crowded relevant lexical matches out of the top 10 (Recall@10 0.84 → 0.71).

    A rank, not the cosine itself: the encoder's cosines crowd into a narrow band whose level
    varies from need to need, while its order is what proved reliable (README, Matching
    quality). The stage is all or nothing: when a pool member has no vector the lexical
    ranking stands, so scores within one list are always comparable."""
    head = [m.doc_id for m in ranked[:options.semantic_depth]]
    pool = list(dict.fromkeys(head + list(extra)))
    found = similarity(pool) if pool else None
    sims = found.cosine if found is not None else None
    if not sims or any(d not in sims for d in pool):
        return ranked
    closeness = found.closeness or {}
    order = {d: r for r, d in enumerate(sorted(head, key=lambda d: (-sims[d], d)))}
    for d in pool:   # a hit by meaning ranks among the head as if it were added to it alone
        if d not in order:
            order[d] = sum(1 for h in head if (-sims[h], h) < (-sims[d], d))
    active = _active(options.weights, options.rerank)
    by_id = {c.doc_id: c for c in candidates}
    out = []
    for m in ranked:   # the other signals stand as the first pass computed them
        c = by_id[m.doc_id]
        c = replace(c, ranks={**c.ranks, "semantic": order.get(m.doc_id, SEMANTIC_OUTSIDE)})
        signals = {**m.signals, "semantic": _round(SCORERS["semantic"](query, c))}
        score, parts = combine(signals, active)
        out.append(replace(m, score=score, breakdown=parts, signals=signals,
                           closeness=closeness.get(m.doc_id)))
    out.sort(key=lambda m: (-m.score, m.doc_id))
    return out
