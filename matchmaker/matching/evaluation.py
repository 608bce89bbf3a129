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
