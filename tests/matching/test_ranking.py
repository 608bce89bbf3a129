"""Need → patents on a small real-looking corpus: ranking, odd inputs, ablation switches."""
from __future__ import annotations

import time

import pytest

from matchmaker.matching.engine import MatchOptions, match_to_patents, rank
from matchmaker.matching.matches import RECOMMEND_THRESHOLD
from matchmaker.matching.profile import build_profile
from matchmaker.matching.scorers import DEFAULT_WEIGHTS, Candidate
from matchmaker.matching.service import patents_for_profile
from matchmaker.models import OrgKind
from tests.factories import make_org

from .helpers import NEED_TEXT, add_corpus
from .test_scorers import prof


@pytest.fixture
def corpus(runtime, session):
    """The five corpus patents, committed (and so indexed); key -> patent id."""
    uni = make_org(session, OrgKind.UNIVERSITY)
    patents = add_corpus(session, uni)
    session.commit()
    return {k: p.id for k, p in patents.items()}


def ranked(runtime, title: str, body: str = "", **options):
    return match_to_patents(runtime.search, build_profile(title, body), MatchOptions(**options))


def key_of(corpus, doc_id: int) -> str:
    return {v: k for k, v in corpus.items()}[doc_id]


@pytest.mark.parametrize("key", sorted(NEED_TEXT))
def test_need_ranks_its_patent_first(runtime, corpus, key):
    title, body = NEED_TEXT[key]
    result = ranked(runtime, title, body)
    assert result[0].doc_id == corpus[key]
    assert result[0].score >= RECOMMEND_THRESHOLD
    # a clear margin over the rest, and best first throughout
    assert all(m.score < result[0].score - 20 for m in result[1:])
    assert [m.score for m in result] == sorted((m.score for m in result), reverse=True)
    top = result[0]
    assert 0 < top.score <= 100
    assert top.score == pytest.approx(sum(top.breakdown.values()), abs=0.011)
    # every weighted signal that applies counts; the need carries no IPC, so that one does not
    assert set(top.breakdown) == {k for k in DEFAULT_WEIGHTS if top.signals.get(k) is not None}
    assert top.signals["ipc"] is None and "ipc" not in top.breakdown
    assert top.matched_terms, "the terms that matched explain the result"


def test_service_loads_patents_in_rank_order(runtime, session, corpus):
    title, body = NEED_TEXT["film"]
    by_engine = ranked(runtime, title, body)
    by_service = patents_for_profile(session, runtime.search, build_profile(title, body))
    assert [pm.patent.id for pm in by_service] == [m.doc_id for m in by_engine]
    assert by_service[0].patent.title.startswith("一种可降解农用地膜")


def test_traditional_and_full_width_needs_rank_the_same(runtime, corpus):
    simplified = ranked(runtime, "农田残膜污染严重，需要PLA可降解地膜",
                        "棉田使用的聚乙烯地膜难以回收，残膜污染土壤，厚度0.01mm，希望找到可生物降解的农用地膜。")
    traditional = ranked(runtime, "農田殘膜污染嚴重，需要PLA可降解地膜",
                         "棉田使用的聚乙烯地膜難以回收，殘膜污染土壤，厚度0.01mm，希望找到可生物降解的農用地膜。")
    full_width = ranked(runtime, "农田残膜污染严重，需要ＰＬＡ可降解地膜",
                        "棉田使用的聚乙烯地膜难以回收，残膜污染土壤，厚度０.０１ｍｍ，希望找到可生物降解的农用地膜。")
    expected = [(m.doc_id, m.score) for m in simplified]
    assert expected[0][0] == corpus["film"]
    assert [(m.doc_id, m.score) for m in traditional] == expected
    assert [(m.doc_id, m.score) for m in full_width] == expected


def test_two_character_need(runtime, corpus):
    result = ranked(runtime, "地膜")
    assert result and result[0].doc_id == corpus["film"]


def test_ten_thousand_character_need_is_truncated_not_slow(runtime, corpus):
    title, body = NEED_TEXT["cathode"]
    body = (body * 200)[:10_000]
    profile = build_profile(title, body)
    assert profile.truncated
    start = time.perf_counter()
    result = match_to_patents(runtime.search, profile)
    assert time.perf_counter() - start < 10
    assert result[0].doc_id == corpus["cathode"]


@pytest.mark.parametrize("title, body", [
    ("10mm 5kg 100℃", ""),
    ("", "10mm 5kg 100℃ 3.5MPa 220V"),
    ("周末看电影吃火锅", "周末看电影吃火锅，听音乐唱歌跳舞"),
    ("", ""),
    ("，。！？", "……"),
])
def test_needs_without_a_match_return_nothing_or_low_scores(runtime, corpus, title, body):
    start = time.perf_counter()
    result = ranked(runtime, title, body)
    assert time.perf_counter() - start < 5
    assert all(m.score < RECOMMEND_THRESHOLD for m in result), [(m.doc_id, m.score) for m in result]


def test_top_min_score_and_exclude(runtime, corpus):
    title, body = NEED_TEXT["cathode"]
    everything = ranked(runtime, title, body, top=100)
    assert len(everything) >= 2
    assert len(ranked(runtime, title, body, top=1)) == 1
    cutoff = everything[0].score - 1
    assert [m.doc_id for m in ranked(runtime, title, body, min_score=cutoff)] == [corpus["cathode"]]
    rest = match_to_patents(runtime.search, build_profile(title, body), exclude={corpus["cathode"]})
    assert corpus["cathode"] not in [m.doc_id for m in rest]
    assert [m.doc_id for m in rest] == [m.doc_id for m in everything[1:]]


# -- ablation switches -----------------------------------------------------------------------

def test_rerank_off_orders_by_retrieval_only(runtime, corpus):
    title, body = NEED_TEXT["film"]
    plain = ranked(runtime, title, body, rerank=False)
    assert plain[0].score == 100.0           # retrieval is relative to the best hit
    for m in plain:
        assert set(m.breakdown) == {"retrieval"} and set(m.signals) == {"retrieval"}
        assert m.score == pytest.approx(100 * m.signals["retrieval"], abs=0.011)
    retrievals = [m.signals["retrieval"] for m in plain]
    assert retrievals == sorted(retrievals, reverse=True)
    reranked = ranked(runtime, title, body)
    assert reranked[0].score < 100.0 and len(reranked[0].breakdown) > 1


def test_rerank_changes_the_order_when_the_signals_disagree():
    query = prof(("锂电池", "正极材料"), keywords=(("锂电池", 2.0), ("正极材料", 2.0)))
    lexical = Candidate(1, prof(("电池", "外壳"), ("锂电池",)), retrieval=1.0)
    on_topic = Candidate(2, prof(("锂电池", "正极材料")), retrieval=0.6)
    assert [m.doc_id for m in rank(query, [lexical, on_topic], DEFAULT_WEIGHTS)] == [2, 1]
    assert [m.doc_id for m in rank(query, [lexical, on_topic], DEFAULT_WEIGHTS, rerank=False)] == [1, 2]


def test_rank_breaks_ties_by_id():
    c = [Candidate(i, prof(("x",)), 0.5) for i in (5, 2, 9)]
    assert [m.doc_id for m in rank(prof(("y",)), c, DEFAULT_WEIGHTS)] == [2, 5, 9]


def test_character_channel_finds_what_segmentation_hides(runtime, corpus):
    # 采棉 is not a word of the cotton patent (采棉机 is), only a character bigram of its title
    assert [m.doc_id for m in ranked(runtime, "采棉")] == [corpus["cotton"]]
    assert ranked(runtime, "采棉", channels=("words",)) == []


def test_keywords_switch_still_finds_the_patent(runtime, corpus):
    title, body = NEED_TEXT["wastewater"]
    result = ranked(runtime, title, body, use_keywords=False, channels=("words",))
    assert result[0].doc_id == corpus["wastewater"]


def test_candidates_cap_limits_what_is_reranked(runtime, corpus):
    title, body = NEED_TEXT["cathode"]
    assert len(ranked(runtime, title, body)) > 1
    only = ranked(runtime, title, body, candidates=1)
    assert [m.doc_id for m in only] == [corpus["cathode"]]


def test_excluding_the_best_hit_does_not_change_the_others_scores(runtime, corpus):
    """A declined or excluded patent must not lift the rest: scores are about the pair, so the
    second-best patent keeps its score when the best one is excluded. Today retrieval is
    normalized to the best *remaining* hit, so the runner-up jumps to the full 45 points."""
    title, body = NEED_TEXT["cathode"]
    everything = ranked(runtime, title, body, top=100)
    rest = match_to_patents(runtime.search, build_profile(title, body), MatchOptions(top=100),
                            exclude={everything[0].doc_id})
    assert [(m.doc_id, m.score) for m in rest] == [(m.doc_id, m.score) for m in everything[1:]]
