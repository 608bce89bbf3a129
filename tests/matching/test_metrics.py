"""Evaluation metrics on hand-computed examples (pure)."""
from __future__ import annotations

import math

import pytest

from matchmaker.matching.evaluation import (condensed_ndcg, dcg, hit_at, mean, percentile,
                                            recall_at, reciprocal_rank, unjudged_share)

LOG3 = math.log2(3)


def test_dcg_by_hand():
    assert dcg([]) == 0.0
    assert dcg([3]) == pytest.approx(7.0)
    assert dcg([3, 1]) == pytest.approx(7 + 1 / LOG3)
    assert dcg([0, 2, 1]) == pytest.approx(0 + 3 / LOG3 + 1 / 2)


def test_condensed_ndcg_drops_unjudged_documents():
    grades = {"a": 1, "b": 3}
    # x is unjudged: the condensed list is [a, b] -> gains [1, 3]; ideal [3, 1]
    expected = (1 + 7 / LOG3) / (7 + 1 / LOG3)
    assert condensed_ndcg(["x", "a", "b"], grades, k=2) == pytest.approx(expected)
    assert round(condensed_ndcg(["x", "a", "b"], grades, k=2), 4) == 0.7098
    # unjudged documents anywhere do not change the value
    assert condensed_ndcg(["a", "y", "x", "b", "z"], grades, k=2) == pytest.approx(expected)
    assert condensed_ndcg(["b", "a"], grades) == pytest.approx(1.0)


def test_condensed_ndcg_counts_judged_irrelevant_documents():
    grades = {"a": 0, "b": 2}
    # a is judged irrelevant: it stays and pushes b to rank 2
    assert condensed_ndcg(["a", "b"], grades, k=10) == pytest.approx((3 / LOG3) / 3)
    assert condensed_ndcg(["a", "b"], grades, k=1) == pytest.approx(0.0)


def test_condensed_ndcg_cutoff_applies_after_condensing():
    grades = {"a": 2, "b": 1}
    ranking = ["u1", "u2", "u3", "b", "a"]
    # condensed: [b, a] -> gains [1, 2]; at k=1 only b counts: 1 / 3
    assert condensed_ndcg(ranking, grades, k=1) == pytest.approx(1 / 3)


def test_condensed_ndcg_without_positive_grades_is_none():
    assert condensed_ndcg(["a"], {"a": 0}) is None
    assert condensed_ndcg(["a"], {}) is None


def test_condensed_ndcg_with_nothing_judged_retrieved_is_zero():
    assert condensed_ndcg(["x", "y"], {"a": 3}) == 0.0


def test_unjudged_share():
    grades = {"a": 1, "b": 0}
    assert unjudged_share(["a", "x", "b", "y"], grades, k=4) == pytest.approx(0.5)
    assert unjudged_share(["a", "x", "b", "y"], grades, k=2) == pytest.approx(0.5)
    assert unjudged_share(["x", "y", "a"], grades, k=2) == 1.0
    assert unjudged_share(["a", "b"], grades, k=10) == 0.0   # fewer than k: share of what is there
    assert unjudged_share([], grades) == 0.0


def test_recall_at():
    grades = {"a": 3, "b": 2, "c": 1, "d": 2}
    assert recall_at(["a", "c", "x", "b"], grades, k=4) == pytest.approx(2 / 3)
    assert recall_at(["a", "c", "x", "b"], grades, k=2) == pytest.approx(1 / 3)
    assert recall_at(["c"], grades, k=10, min_grade=1) == pytest.approx(1 / 4)
    assert recall_at(["a"], {"a": 1}, k=10) is None          # nothing relevant at grade 2


def test_reciprocal_rank():
    assert reciprocal_rank(["x", "y", "a"], {"a", "b"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(["b", "a"], {"a", "b"}) == 1.0
    assert reciprocal_rank(["x"], {"a"}) == 0.0
    assert reciprocal_rank([], {"a"}) == 0.0


def test_hit_at():
    assert hit_at(["x", "y", "a"], {"a"}, k=3) == 1.0
    assert hit_at(["x", "y", "a"], {"a"}, k=2) == 0.0
    assert hit_at([], {"a"}) == 0.0


def test_mean_skips_none():
    assert mean([1.0, None, 0.0]) == pytest.approx(0.5)
    assert math.isnan(mean([None]))
    assert math.isnan(mean([]))


def test_percentile_nearest_rank():
    values = [15, 20, 35, 40, 50]
    assert percentile(values, 30) == 20
    assert percentile(values, 40) == 20
    assert percentile(values, 50) == 35
    assert percentile(values, 100) == 50
    assert percentile(values, 0) == 15
    assert percentile([3, 1, 2], 50) == 2        # sorts first
    assert math.isnan(percentile([], 50))


def test_percentile_has_no_floating_point_off_by_one():
    """With values 1..100 the p-th percentile is p (nearest rank). p = 7, 14, 28, 55, 56 used to
    give p + 1 because p / 100 * n was computed in floating point (0.07 * 100 = 7.000000000000001)."""
    values = list(range(1, 101))
    assert [p for p in range(1, 101) if percentile(values, p) != p] == []
    assert percentile(list(range(1, 51)), 14) == 7
