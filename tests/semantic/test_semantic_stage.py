"""The semantic stage of the matching engine, and matching with it end to end."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.jobs.worker import run_until_empty
from matchmaker.matching.engine import MatchOptions, match_to_patents
from matchmaker.matching.profile import build_profile
from matchmaker.matching.scorers import DEFAULT_WEIGHTS
from matchmaker.models import Match, OrgKind, TextVector
from matchmaker.semantic.store import Similarities
from tests.factories import make_need, make_org

# The cathode need also shares words (材料, 制备, 提高) with the other patents.
TITLE, BODY = "提高电池材料寿命", "希望提高材料的循环寿命，需要改性制备方法。"


def lexical(runtime):
    return match_to_patents(runtime.search, build_profile(TITLE, BODY), MatchOptions())


def test_the_stage_reorders_by_meaning(runtime, corpus):
    base = lexical(runtime)
    assert len(base) >= 2
    last = base[-1].doc_id            # lexically the weakest candidate is the closest in meaning
    sims = {m.doc_id: (1.0 if m.doc_id == last else 0.1) for m in base}
    heavy = MatchOptions(weights={**DEFAULT_WEIGHTS, "semantic": 100.0})
    got = match_to_patents(runtime.search, build_profile(TITLE, BODY), heavy,
                           similarity=lambda ids: Similarities({i: sims[i] for i in ids}))
    assert got[0].doc_id == last
    assert got[0].signals["semantic"] == 1.0 and got[0].breakdown["semantic"] == 0
    assert [m.score for m in got] == sorted((m.score for m in got), reverse=True)


def test_the_stage_keeps_the_lexical_score_that_recommendations_are_decided_on(runtime, corpus):
    base = {m.doc_id: m.score for m in lexical(runtime)}
    assert all(m.lexical_score == m.score for m in lexical(runtime))
    first = max(base, key=base.get)   # lexically the best is the farthest in meaning
    sims = {d: (0.1 if d == first else 1.0) for d in base}
    got = match_to_patents(runtime.search, build_profile(TITLE, BODY), MatchOptions(),
                           similarity=lambda ids: Similarities({i: sims[i] for i in ids}))
    assert {m.doc_id: m.lexical_score for m in got} == base
    penalized = next(m for m in got if m.doc_id == first)
    assert penalized.breakdown["semantic"] < 0
    assert penalized.score == pytest.approx(base[first] + penalized.breakdown["semantic"], abs=0.01)


def test_without_every_vector_the_lexical_order_stands(runtime, corpus):
    base = lexical(runtime)
    missing_one = match_to_patents(
        runtime.search, build_profile(TITLE, BODY), MatchOptions(),
        similarity=lambda ids: Similarities({i: 1.0 for i in list(ids)[1:]}))
    assert [(m.doc_id, m.score) for m in missing_one] == [(m.doc_id, m.score) for m in base]
    assert all(m.signals.get("semantic") is None for m in missing_one)


def test_a_need_is_matched_with_its_vectors_stored(runtime, session, corpus):
    ent = make_org(session, OrgKind.ENTERPRISE)
    need = make_need(session, ent, title="动力电池正极材料寿命短",
                     description="三元正极材料循环寿命不足，希望引进正极材料包覆改性技术。")
    session.commit()
    run_until_empty(runtime)
    session.expire_all()
    rows = session.scalars(select(Match).where(Match.need_id == need.id)
                           .order_by(Match.score.desc())).all()
    assert rows and rows[0].patent_id == corpus["cathode"]
    assert rows[0].signals["semantic"] == 1.0                   # first by meaning too
    assert rows[0].breakdown["semantic"] == 0                   # so it loses nothing
    assert all(r.breakdown["semantic"] < 0 for r in rows[1:])   # the others lose points
    for r in rows:   # what they lost is not held against them as recommendations
        assert r.lexical_score == pytest.approx(r.score - r.breakdown["semantic"], abs=0.01)
    kinds = {(v.kind, v.object_id) for v in session.scalars(select(TextVector))}
    assert ("need", need.id) in kinds and ("patent", corpus["cathode"]) in kinds


class Nearby:
    """A similarity that can also name the documents nearest in meaning, as
    semantic.store.QuerySimilarity does."""

    def __init__(self, sims: dict[int, float]):
        self.sims = sims

    def __call__(self, ids):
        return Similarities({i: self.sims.get(i, 0.0) for i in ids})

    def nearest(self, k, min_closeness=None):
        self.asked = min_closeness
        return sorted(self.sims, key=lambda i: -self.sims[i])[:k]


WASTEWATER = ("煤化工高盐废水零排放处理", "我厂煤化工废水含盐量高，需要膜分离和蒸发结晶的废水处理装置。")


def test_the_channel_by_meaning_brings_a_patent_no_word_found(runtime, corpus):
    profile = build_profile(*WASTEWATER)
    lexical_ids = {m.doc_id for m in match_to_patents(runtime.search, profile, MatchOptions())}
    assert corpus["tea"] not in lexical_ids          # no word in common
    sims = {corpus["tea"]: 0.9, corpus["wastewater"]: 0.8}
    off = match_to_patents(runtime.search, profile, MatchOptions(meaning=0), similarity=Nearby(sims))
    on = match_to_patents(runtime.search, profile, MatchOptions(meaning=5), similarity=Nearby(sims))
    assert corpus["tea"] not in {m.doc_id for m in off}
    found = next(m for m in on if m.doc_id == corpus["tea"])
    assert found.signals["semantic"] == 1.0          # first by meaning, so it loses nothing
    assert found.breakdown.get("words", 0) == 0      # and no word channel points
    # Outside the head the stage re-orders, a hit by meaning ranks as if it alone were added
    # to it: the head's own ranks by meaning (here 0 and 1) do not move down.
    narrow = MatchOptions(meaning=5, semantic_depth=2)
    got = match_to_patents(runtime.search, profile, narrow, similarity=Nearby(sims))
    ranks = sorted(m.signals["semantic"] for m in got)
    assert ranks[-3:] == [0.9091, 1.0, 1.0]     # two head members, and the hit by meaning
    # Without the semantic stage (no similarity) the channel cannot run.
    assert corpus["tea"] not in {m.doc_id for m in match_to_patents(
        runtime.search, profile, MatchOptions(meaning=5))}


def test_the_channel_by_meaning_keeps_eligibility_and_exclusions(runtime, session, corpus):
    from matchmaker.models import ListingState, Patent
    session.get(Patent, corpus["tea"]).listing_state = ListingState.WITHDRAWN
    session.commit()
    run_until_empty(runtime)
    profile = build_profile(*WASTEWATER)
    sims = {corpus["tea"]: 0.9, corpus["film"]: 0.85, corpus["wastewater"]: 0.8}
    got = {m.doc_id for m in match_to_patents(runtime.search, profile, MatchOptions(meaning=5),
                                              similarity=Nearby(sims),
                                              exclude={corpus["film"]})}
    assert corpus["tea"] not in got and corpus["film"] not in got
    assert corpus["wastewater"] in got


def test_the_channel_by_meaning_also_finds_needs_for_a_patent(runtime, session):
    """The patent → needs direction: an open need that shares no word with the patent comes in
    through the channel; a closed one does not, whatever its closeness."""
    from matchmaker.matching.engine import match_to_needs
    from matchmaker.models import NeedState
    ent = make_org(session, OrgKind.ENTERPRISE)
    near = make_need(session, ent)                                  # batteries: shares words
    other = make_need(session, ent, title="茶园采摘时间预测", description="想知道茶叶什么时候采摘最好。")
    closed = make_need(session, ent, title="茶园病虫害", description="茶树虫害多。",
                       state=NeedState.CLOSED)
    session.commit()
    run_until_empty(runtime)
    profile = build_profile("一种锂离子电池正极材料", "提高电池的循环寿命和倍率性能。")
    sims = {other.id: 0.9, closed.id: 0.95, near.id: 0.8}
    off = {m.doc_id for m in match_to_needs(runtime.search, profile, MatchOptions(meaning=0),
                                            similarity=Nearby(sims))}
    on = {m.doc_id for m in match_to_needs(runtime.search, profile, MatchOptions(meaning=5),
                                           similarity=Nearby(sims))}
    assert near.id in off and other.id not in off
    assert other.id in on and closed.id not in on
