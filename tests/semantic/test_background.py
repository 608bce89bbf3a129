"""The background sample and the calibrated closeness that recommendations are decided on."""
from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from matchmaker.jobs.worker import run_until_empty
from matchmaker.matching import matches
from matchmaker.models import Match, OrgKind, Patent
from matchmaker.semantic import store as store_module
from matchmaker.semantic.background import Background, members_first, sample_ids
from matchmaker.semantic.store import NEED, PATENT, VectorStore
from matchmaker.semantic.encoder import Encoder
from tests.factories import make_need, make_org, make_patent
from tests.matching.helpers import CORPUS, NEED_TEXT


def test_the_sample_is_a_fixed_spread_of_the_catalog(session, corpus):
    uni = make_org(session, OrgKind.UNIVERSITY)
    for n in range(20):
        make_patent(session, uni, title=f"一种装置{n}")
    session.commit()
    every = set(session.scalars(select(Patent.id)))
    first = sample_ids(session, size=8)
    assert len(first) == 8 and set(first) <= every
    assert sample_ids(session, size=8) == first, "the same members every time"
    assert first != sorted(every)[:8], "not simply the oldest patents"
    assert sample_ids(session, size=12)[:8] == first, "a larger sample keeps the smaller one"


def test_sync_order_puts_the_background_members_first(session, corpus, monkeypatch):
    from matchmaker.semantic import background
    uni = make_org(session, OrgKind.UNIVERSITY)
    for n in range(12):
        make_patent(session, uni, title=f"一种装置{n}")
    session.commit()
    every = sorted(session.scalars(select(Patent.id)))
    monkeypatch.setattr(background, "SAMPLE", 4)
    members = set(sample_ids(session, size=4))
    ordered = members_first(session, every)
    assert sorted(ordered) == every, "nothing added or lost"
    assert set(ordered[:4]) == members
    assert ordered[4:] == [i for i in every if i not in members], "the rest keep their order"


def test_no_background_below_the_minimum_then_one_after_a_top_up(session, corpus, monkeypatch):
    vectors = VectorStore(Encoder())
    monkeypatch.setattr(store_module, "MIN_SAMPLE", len(CORPUS))
    assert vectors.background(session) is None, "nothing is encoded without a top-up"
    assert vectors.background(session, top_up=2) is None, "2 of 5 vectors are not enough"
    bg = vectors.background(session, top_up=len(CORPUS))
    assert bg is not None and bg.size == len(CORPUS)
    assert vectors.background(session).size == len(CORPUS), "the top-up was stored"


def test_closeness_is_measured_against_the_need_from_either_side(session, corpus, monkeypatch):
    """The same pair has the same closeness whether the need or the patent asks."""
    monkeypatch.setattr(store_module, "MIN_SAMPLE", 3)
    vectors = VectorStore(Encoder())
    ent = make_org(session, OrgKind.ENTERPRISE)
    title, body = NEED_TEXT["cathode"]
    need = make_need(session, ent, title=title, description=body)
    session.flush()
    bg = vectors.background(session, top_up=len(CORPUS))
    need_vec = vectors.vectors(session, NEED, [need.id])[need.id]
    cathode = corpus["cathode"]
    patent_vec = vectors.vectors(session, PATENT, [cathode])[cathode]
    from_need = vectors.similarity(session, PATENT, need_vec, bg)([cathode, corpus["tea"]])
    from_patent = vectors.similarity(session, NEED, patent_vec, bg)([need.id])
    assert from_need.cosine[cathode] == pytest.approx(from_patent.cosine[need.id], abs=1e-4)
    assert from_need.closeness[cathode] == pytest.approx(from_patent.closeness[need.id], abs=1e-3)
    assert from_need.closeness[cathode] > from_need.closeness[corpus["tea"]]
    assert vectors.similarity(session, PATENT, need_vec)([cathode]).closeness is None


def test_closeness_is_in_spreads_above_the_background_mean():
    bg = Background(np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32))
    query = np.array([[1.0, 0.0]], dtype=np.float32)
    mean, spread = bg.level(query)
    assert mean == pytest.approx(1.6 / 3) and spread == pytest.approx(np.std([1.0, 0.0, 0.6]))
    assert bg.closeness(query, {1: mean + 2 * spread})[1] == pytest.approx(2.0, abs=1e-3)


def test_recommendations_follow_the_confidence(runtime, session, corpus, monkeypatch):
    """With a background, a match is recommended on its lexical score moved by its closeness:
    the same lexical score is a recommendation when close in meaning and not when far."""
    monkeypatch.setattr(store_module, "MIN_SAMPLE", 3)
    ent = make_org(session, OrgKind.ENTERPRISE)
    title, body = NEED_TEXT["cathode"]
    need = make_need(session, ent, title=title, description=body)
    session.commit()
    run_until_empty(runtime)
    session.expire_all()
    rows = session.scalars(select(Match).where(Match.need_id == need.id)).all()
    best = next(r for r in rows if r.patent_id == corpus["cathode"])
    assert any(r.confidence != r.lexical_score for r in rows), "closeness was measured"
    others = [r for r in rows if r is not best]
    assert len(others) >= 2
    assert all(best.confidence - best.lexical_score > r.confidence - r.lexical_score for r in others), \
        "the patent closest in meaning gains the most"
    monkeypatch.setattr(matches, "RECOMMEND_THRESHOLD", best.confidence - 0.01)
    assert matches.listed_as_recommendation(best)
    assert not any(matches.listed_as_recommendation(r) for r in others)
    assert session.scalar(select(Match.id).where(Match.need_id == need.id,
                                                 matches.recommended_clause())) == best.id


def test_the_background_is_read_once_for_a_while(session, corpus, monkeypatch):
    monkeypatch.setattr(store_module, "MIN_SAMPLE", len(CORPUS))
    vectors = VectorStore(Encoder())
    first = vectors.background(session, top_up=len(CORPUS))
    reads = []
    monkeypatch.setattr(store_module, "sample_ids", lambda s: reads.append(1) or sample_ids(s))
    assert vectors.background(session, top_up=4) is first and reads == []
    monkeypatch.setattr(store_module, "BACKGROUND_TTL", 0.0)
    assert vectors.background(session) is not first and reads == [1]
