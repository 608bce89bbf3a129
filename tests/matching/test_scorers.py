"""The re-ranking scorers and `combine`: pure functions, tested with plain strings and profiles."""
from __future__ import annotations

import pytest

from matchmaker.matching.engine import rank
from matchmaker.matching.profile import MAX_TEXT_CHARS, Profile, build_profile, char_query, word_query
from matchmaker.matching.scorers import (DEFAULT_WEIGHTS, SCORERS, Candidate, combine, industry, ipc,
                                         keyword_coverage, retrieval, title_coverage, title_fuzzy)


def prof(title_tokens=(), body_tokens=(), *, keywords=(), industries=(), ipc_subclasses=()) -> Profile:
    return Profile(title=" ".join(title_tokens), body=" ".join(body_tokens),
                   title_tokens=tuple(title_tokens), body_tokens=tuple(body_tokens),
                   keywords=tuple(keywords), industries=frozenset(industries),
                   ipc_subclasses=frozenset(ipc_subclasses))


def cand(profile: Profile, retrieval_score: float = 0.0, doc_id: int = 1) -> Candidate:
    return Candidate(doc_id, profile, retrieval_score)


def test_registry_holds_every_weighted_scorer():
    assert set(DEFAULT_WEIGHTS) == set(SCORERS)
    lexical = {k: w for k, w in DEFAULT_WEIGHTS.items() if k != "semantic"}
    assert sum(lexical.values()) == pytest.approx(1.0)   # semantic comes on top when it applies
    assert all(w > 0 for w in DEFAULT_WEIGHTS.values())


# -- keyword coverage ------------------------------------------------------------------------

@pytest.mark.parametrize("candidate_tokens, expected", [
    (("锂电池",), 0.75),                   # the heavy keyword alone
    (("回收",), 0.25),                     # the light keyword alone
    (("锂电池", "回收"), 1.0),
    (("光伏", "组件"), 0.0),
    ((), 0.0),
])
def test_keyword_coverage_is_idf_weighted(candidate_tokens, expected):
    q = prof(keywords=(("锂电池", 3.0), ("回收", 1.0)))
    assert keyword_coverage(q, cand(prof(body_tokens=candidate_tokens))) == pytest.approx(expected)


def test_keyword_coverage_counts_title_and_body_words_once():
    q = prof(keywords=(("锂电池", 3.0), ("回收", 1.0)))
    c = cand(prof(("锂电池",), ("锂电池", "锂电池", "回收")))
    assert keyword_coverage(q, c) == pytest.approx(1.0)


def test_keyword_coverage_without_query_keywords_is_zero():
    assert keyword_coverage(prof(("锂电池",)), cand(prof(("锂电池",)))) == 0.0
    zero = prof(keywords=(("锂电池", 0.0),))
    assert keyword_coverage(zero, cand(prof(("锂电池",)))) == 0.0


def test_keyword_coverage_on_real_text_prefers_the_on_topic_patent():
    need = build_profile("提高锂电池正极材料的循环寿命", "正极材料循环寿命不足，希望引进包覆改性技术。")
    on_topic = build_profile("一种锂电池正极材料的包覆改性方法", "提高循环寿命。", with_keywords=False)
    off_topic = build_profile("一种可降解农用地膜", "聚乳酸地膜。", with_keywords=False)
    assert need.keywords, "the need must yield weighted keywords"
    assert keyword_coverage(need, cand(on_topic)) > 0.5
    assert keyword_coverage(need, cand(off_topic)) < 0.1


# -- title fuzzy -----------------------------------------------------------------------------

def test_title_fuzzy_identical_titles_score_one():
    a = prof(("锂电池", "正极材料", "制备方法"))
    assert title_fuzzy(a, cand(a)) == pytest.approx(1.0)


def test_title_fuzzy_ignores_word_order():
    a = prof(("锂电池", "正极材料", "制备方法"))
    b = prof(("制备方法", "锂电池", "正极材料"))
    assert title_fuzzy(a, cand(b)) == pytest.approx(1.0)


def test_title_fuzzy_extra_words_do_not_hurt_and_it_is_symmetric():
    short = prof(("锂电池", "正极材料"))
    long_ = prof(("一种", "锂电池", "正极材料", "及其", "制备方法"))
    there = title_fuzzy(short, cand(long_))
    back = title_fuzzy(long_, cand(short))
    assert there == pytest.approx(back, abs=0.02)
    assert there == pytest.approx(1.0)   # token-set: a subset matches fully


def test_title_fuzzy_related_beats_unrelated():
    q = build_profile("锂电池正极材料循环寿命", "")
    related = build_profile("一种锂离子电池正极材料", "", with_keywords=False)
    unrelated = build_profile("棉花采摘机的清花装置", "", with_keywords=False)
    assert title_fuzzy(q, cand(related)) > title_fuzzy(q, cand(unrelated)) + 0.2
    assert 0.0 <= title_fuzzy(q, cand(unrelated)) < 0.5


def test_title_fuzzy_is_zero_for_an_untitled_query_and_not_applicable_to_an_untitled_record():
    assert title_fuzzy(prof(), cand(prof(("锂电池",)))) == 0.0
    # corpus records without a title must not be penalized: the signal does not apply
    assert title_fuzzy(prof(("锂电池",)), cand(prof())) is None


# -- title coverage --------------------------------------------------------------------------

def test_title_coverage_is_the_share_of_candidate_title_words_the_query_mentions():
    q = prof(("锂电池",), ("正极材料", "循环"))   # title and body words both count
    c = cand(prof(("锂电池", "正极材料", "制备方法", "装置")))
    assert title_coverage(q, c) == pytest.approx(0.5)
    assert title_coverage(q, cand(prof(("锂电池",)))) == pytest.approx(1.0)
    assert title_coverage(q, cand(prof(("地膜",)))) == 0.0
    assert title_coverage(q, cand(prof((), ("锂电池",)))) is None  # no title: not applicable


# -- industry and IPC ------------------------------------------------------------------------

def test_industry_agreement():
    q = prof(industries={"新能源"})
    assert industry(q, cand(prof(industries={"新材料", "新能源"}))) == 1.0
    assert industry(q, cand(prof(industries={"节水农业"}))) == 0.0
    assert industry(prof(), cand(prof(industries={"新能源"}))) is None   # unknown on one side


def test_ipc_agreement_is_on_subclass():
    q = prof(ipc_subclasses={"H01M"})
    assert ipc(q, cand(prof(ipc_subclasses={"H01M", "C01B"}))) == 1.0
    assert ipc(q, cand(prof(ipc_subclasses={"H01L"}))) == 0.0
    assert ipc(prof(), cand(prof(ipc_subclasses={"H01M"}))) is None


def test_retrieval_passes_the_normalized_index_score_through():
    assert retrieval(prof(), cand(prof(), 0.37)) == 0.37


# -- combine ---------------------------------------------------------------------------------

def test_combine_rescales_over_the_signals_that_apply():
    weights = {"retrieval": 0.5, "keyword_coverage": 0.3, "title_fuzzy": 0.2}
    score, parts = combine({"retrieval": 1.0, "keyword_coverage": 0.5, "title_fuzzy": None}, weights)
    assert "title_fuzzy" not in parts
    assert parts["retrieval"] == pytest.approx(62.5) and parts["keyword_coverage"] == pytest.approx(18.75)
    assert score == pytest.approx(81.25)


def test_combine_parts_sum_to_the_score():
    signals = {"retrieval": 0.8, "keyword_coverage": 0.5, "title_fuzzy": 0.33,
               "title_coverage": 0.25, "industry": 1.0, "ipc": 0.0, "text_fuzzy": 0.4,
               "words": 0.6, "chars": 0.2, "words_rank": 0.5}
    score, parts = combine(signals, DEFAULT_WEIGHTS)
    assert set(parts) == set(signals)
    assert score == pytest.approx(sum(parts.values()), abs=0.011)
    expected = 100 * sum(DEFAULT_WEIGHTS[k] * v for k, v in signals.items())
    assert score == pytest.approx(expected, abs=0.05)
    assert parts["retrieval"] == pytest.approx(100 * DEFAULT_WEIGHTS["retrieval"] * 0.8)
    assert parts["ipc"] == 0.0


def test_combine_is_zero_to_hundred():
    assert combine({k: 1.0 for k in DEFAULT_WEIGHTS}, DEFAULT_WEIGHTS)[0] == pytest.approx(100.0, abs=0.06)   # each part is rounded to 0.01
    assert combine({k: 0.0 for k in DEFAULT_WEIGHTS}, DEFAULT_WEIGHTS)[0] == 0.0


def test_combine_respects_weights():
    signals = {"retrieval": 1.0, "keyword_coverage": 0.0}
    score, parts = combine(signals, {"retrieval": 3, "keyword_coverage": 1})
    assert score == pytest.approx(75.0)
    assert parts == {"retrieval": 75.0, "keyword_coverage": 0.0}
    flipped, _ = combine(signals, {"retrieval": 1, "keyword_coverage": 3})
    assert flipped == pytest.approx(25.0)


def test_combine_normalizes_weights_that_do_not_sum_to_one():
    signals = {"retrieval": 0.5, "title_fuzzy": 0.5}
    assert combine(signals, {"retrieval": 2, "title_fuzzy": 2})[0] == pytest.approx(50.0)


def test_zero_weight_drops_the_signal():
    signals = {"retrieval": 1.0, "keyword_coverage": 0.2}
    score, parts = combine(signals, {"retrieval": 1.0, "keyword_coverage": 0.0})
    assert "keyword_coverage" not in parts
    assert score == pytest.approx(100.0)


def test_zero_weight_scorer_is_not_even_computed_by_rank():
    q = prof(("锂电池",), keywords=(("锂电池", 1.0),))
    c = cand(prof(("锂电池",)), 0.5)
    weights = dict(DEFAULT_WEIGHTS, title_fuzzy=0.0, industry=0, unknown_scorer=5.0)
    [m] = rank(q, [c], weights)
    assert "title_fuzzy" not in m.signals and "title_fuzzy" not in m.breakdown
    assert "industry" not in m.breakdown
    assert "unknown_scorer" not in m.signals    # names outside the registry are ignored
    assert m.score == pytest.approx(sum(m.breakdown.values()), abs=0.011)


# -- profile ---------------------------------------------------------------------------------

def test_build_profile_normalizes_and_truncates():
    p = build_profile("鋰電池正極材料", "ＡＢＣ" + "电" * (MAX_TEXT_CHARS + 10))
    assert p.title == "锂电池正极材料"
    assert p.title_tokens == build_profile("锂电池正极材料", "").title_tokens
    assert p.body.startswith("abc")
    assert p.truncated and len(p.body) == MAX_TEXT_CHARS
    assert not build_profile("锂电池", "短文本").truncated


def test_channel_queries():
    p = build_profile("锂电池正极材料", "循环寿命不足，循环寿命")
    words = word_query(p)
    assert words.word_boosts and not words.bigrams
    assert set(p.title_tokens) <= set(words.words)
    assert all(words.word_boosts[t] >= 1.0 for t in p.title_tokens)
    plain = word_query(p, use_keywords=False)
    assert plain.word_boosts == {} and plain.words
    chars = char_query(p)
    assert not chars.words and chars.bigrams[:3] == ("锂电", "电池", "池正")
    assert chars.word_boosts["循环"] == 2.0, "a repeated bigram weighs more"
    assert word_query(build_profile("", "")).is_empty and char_query(build_profile("", "")).is_empty
