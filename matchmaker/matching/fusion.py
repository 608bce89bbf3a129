"""Reciprocal-rank fusion of the matcher's retrieval channels.

The word channel (jieba words with keyword boosts) and the character channel (bigrams of the
whole need) fail differently: segmentation mismatches (降粘 / 降黏, 滴灌带) sink the first,
common title words the second. Measured on the development sets, each finds relevant patents
the other misses, so the candidates are the union and their retrieval signal is the fused rank.
RRF needs no score calibration between channels, only ranks.
"""
from __future__ import annotations

from typing import Mapping, Sequence

RRF_K = 60   # the constant of Cormack et al. (2009); smaller favours each channel's top ranks


def reciprocal_rank_fusion(rankings: Mapping[str, Sequence[int]],
                           weights: Mapping[str, float] | None = None,
                           k: float = RRF_K) -> dict[int, float]:
    """Document id → sum over channels of ``weight / (k + rank)`` (ranks start at 1).

    >>> fused = reciprocal_rank_fusion({"words": [7, 3], "chars": [3, 9]}, k=1)
    >>> sorted(fused.items(), key=lambda kv: -kv[1])
    [(3, 0.8333333333333333), (7, 0.5), (9, 0.3333333333333333)]
    """
    fused: dict[int, float] = {}
    for name, ranking in rankings.items():
        weight = 1.0 if weights is None else weights.get(name, 1.0)
        for rank, doc_id in enumerate(ranking, start=1):
            fused[doc_id] = fused.get(doc_id, 0.0) + weight / (k + rank)
    return fused
