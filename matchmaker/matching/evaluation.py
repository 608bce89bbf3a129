"""Ranking metrics for the matching evaluation (pure functions; see scripts/eval_matching.py).

Judgments are pooled from lexical systems, so unjudged documents are not assumed irrelevant:
nDCG is computed on the condensed list (unjudged removed) and the unjudged share is reported.
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence


def dcg(gains: Sequence[float]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def condensed_ndcg(ranking: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float | None:
    """nDCG@k after dropping unjudged documents; None when the need has no positive grade.

    >>> round(condensed_ndcg(["x", "a", "b"], {"a": 1, "b": 3}, k=2), 4)
    0.7098
    """
    ideal = sorted((g for g in grades.values() if g > 0), reverse=True)[:k]
    if not ideal:
        return None
    judged = [grades[d] for d in ranking if d in grades][:k]
    return dcg(judged) / dcg(ideal)


def unjudged_share(ranking: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    top = list(ranking[:k])
    return sum(1 for d in top if d not in grades) / len(top) if top else 0.0


def recall_at(ranking: Sequence[str], grades: Mapping[str, int], k: int = 10,
              min_grade: int = 2) -> float | None:
    relevant = {d for d, g in grades.items() if g >= min_grade}
    if not relevant:
        return None
    return len(relevant & set(ranking[:k])) / len(relevant)


def reciprocal_rank(ranking: Sequence[str], targets: set[str]) -> float:
    for i, d in enumerate(ranking):
        if d in targets:
            return 1.0 / (i + 1)
    return 0.0


def hit_at(ranking: Sequence[str], targets: set[str], k: int = 10) -> float:
    return 1.0 if targets & set(ranking[:k]) else 0.0


def mean(values) -> float:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else float("nan")


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, math.ceil(p * len(ordered) / 100) - 1))
    return ordered[idx]


def ndcg_at(ranking: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float | None:
    """nDCG@k with unjudged documents counted as grade 0 (the search set is judged deeply
    enough for that); None when nothing is relevant.

    >>> round(ndcg_at(["x", "a", "b"], {"a": 1, "b": 3}, k=2), 4)
    0.0827
    """
    ideal = sorted((g for g in grades.values() if g > 0), reverse=True)[:k]
    if not ideal:
        return None
    return dcg([grades.get(d, 0) for d in ranking[:k]]) / dcg(ideal)


def precision_at(ranking: Sequence[str], grades: Mapping[str, int], k: int = 5,
                 min_grade: int = 2) -> float | None:
    """Share of the top k graded >= min_grade, relative to min(k, number of such documents);
    None when there are none.

    >>> precision_at(["a", "x", "b"], {"a": 2, "b": 3, "c": 1}, k=5)
    1.0
    """
    relevant = {d for d, g in grades.items() if g >= min_grade}
    if not relevant:
        return None
    return len(relevant & set(ranking[:k])) / min(k, len(relevant))


def grade_share(ranking: Sequence[str], grades: Mapping[str, int], grade: int | None,
                k: int = 10) -> float | None:
    """Share of the top k with exactly `grade` (None: unjudged); None for an empty ranking.

    >>> grade_share(["a", "b", "x"], {"a": 0, "b": 2}, 0)
    0.3333333333333333
    """
    top = list(ranking[:k])
    if not top:
        return None
    return sum(1 for d in top if grades.get(d) == grade) / len(top)
