"""Re-ranking signals. Each scorer is a pure function (query profile, candidate) → [0, 1];
they live in a registry and their weights in settings, so they can be tuned and ablated."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from rapidfuzz import fuzz

from .profile import Profile


@dataclass(frozen=True)
class Candidate:
    """A retrieved document with its analyzed text and its retrieval score normalized to [0, 1]."""

    doc_id: int
    profile: Profile
    retrieval: float
    matched_terms: tuple[str, ...] = ()


Scorer = Callable[[Profile, Candidate], float]
SCORERS: dict[str, Scorer] = {}

# Weights chosen on the development sets with scripts/eval_matching.py (see README).
DEFAULT_WEIGHTS: dict[str, float] = {
    "retrieval": 0.45,
    "keyword_coverage": 0.25,
    "title_fuzzy": 0.15,
    "title_coverage": 0.10,
    "industry": 0.03,
    "ipc": 0.02,
}


def scorer(name: str):
    def register(func: Scorer) -> Scorer:
        SCORERS[name] = func
        return func
    return register


@scorer("retrieval")
def retrieval(q: Profile, c: Candidate) -> float:
    """Full-text relevance from the index (BM25F), relative to the best candidate."""
    return c.retrieval


@scorer("keyword_coverage")
def keyword_coverage(q: Profile, c: Candidate) -> float:
    """IDF-weighted share of the query's keywords that occur in the candidate.

    >>> from .profile import Profile
    >>> q = Profile("", "", (), (), keywords=(("电池", 2.0), ("回收", 1.0)))
    >>> keyword_coverage(q, Candidate(1, Profile("", "", ("电池",), ()), 0.0))
    0.6666666666666666
    """
    if not q.keywords:
        return 0.0
    have = c.profile.token_set
    total = sum(w for _, w in q.keywords)
    return sum(w for k, w in q.keywords if k in have) / total if total else 0.0


@scorer("title_fuzzy")
def title_fuzzy(q: Profile, c: Candidate) -> float:
    """Token-set similarity of the two titles (word order and extra words do not hurt)."""
    if not q.title_tokens or not c.profile.title_tokens:
        return 0.0
    return fuzz.token_set_ratio(" ".join(q.title_tokens), " ".join(c.profile.title_tokens)) / 100


@scorer("title_coverage")
def title_coverage(q: Profile, c: Candidate) -> float:
    """Share of the candidate's title words that the query mentions anywhere."""
    words = set(c.profile.title_tokens)
    if not words:
        return 0.0
    return len(words & q.token_set) / len(words)


@scorer("industry")
def industry(q: Profile, c: Candidate) -> float:
    """Both sides tagged with a common priority industry."""
    return 1.0 if q.industries & c.profile.industries else 0.0


@scorer("ipc")
def ipc(q: Profile, c: Candidate) -> float:
    """Both sides share an IPC subclass."""
    return 1.0 if q.ipc_subclasses & c.profile.ipc_subclasses else 0.0


def combine(signals: Mapping[str, float], weights: Mapping[str, float]) -> tuple[float, dict[str, float]]:
    """Weighted sum scaled to 0–100, and each signal's contribution in points."""
    total_w = sum(w for name, w in weights.items() if name in signals) or 1.0
    parts = {name: round(100 * weights[name] * signals[name] / total_w, 2)
             for name in signals if weights.get(name)}
    return round(sum(parts.values()), 2), parts
