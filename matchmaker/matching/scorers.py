"""Re-ranking signals. Each scorer is a pure function (query profile, candidate) → [0, 1];
they live in a registry and their weights in settings, so they can be tuned and ablated."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

from rapidfuzz import fuzz

from .profile import Profile


@dataclass(frozen=True)
class Candidate:
    """A retrieved document with its analyzed text and its retrieval scores: the fused one and
    each channel's (relative to that channel's best, 0 when the channel did not find it),
    with the 0-based rank in each channel that found it."""

    doc_id: int
    profile: Profile
    retrieval: float
    matched_terms: tuple[str, ...] = ()
    channels: Mapping[str, float] = field(default_factory=dict)
    ranks: Mapping[str, int] = field(default_factory=dict)


# A scorer returns None when its signal does not apply (e.g. a corpus record with no title):
# the remaining weights are rescaled instead of counting the missing signal as zero.
Scorer = Callable[[Profile, Candidate], float | None]
SCORERS: dict[str, Scorer] = {}

# Weights fitted on the development sets by scripts/tune_matching.py (5-fold cross-validation;
# the held-out figures are in the README). industry and ipc never apply there (the corpus has
# neither on the need side) and keep small hand-set weights.
DEFAULT_WEIGHTS: dict[str, float] = {
    "retrieval": 0.028,
    "words": 0.222,
    "chars": 0.028,
    "words_rank": 0.111,
    "keyword_coverage": 0.443,
    "text_fuzzy": 0.056,
    "title_coverage": 0.056,
    "title_fuzzy": 0.028,
    "industry": 0.017,
    "ipc": 0.011,
    # A penalty, not part of the mean (PENALTIES): applies only when the semantic stage ran.
    "semantic": 0.7,
}

# Signals that only take points off. The semantic stage re-orders the lexical head without
# lifting any score: the candidate closest in meaning keeps its lexical score, the others lose
# up to 70 points, so a need with nothing relevant gains no recommendation from it (README,
# Matching quality: abstention) and the recommendation threshold keeps its meaning.
PENALTIES = frozenset({"semantic"})


# How the pages name each signal when they explain a match.
SIGNAL_LABELS: dict[str, str] = {
    "retrieval": "全文相关度", "words": "词语检索得分", "chars": "字符检索得分",
    "words_rank": "词语检索排名", "keyword_coverage": "关键词覆盖", "text_fuzzy": "内容相似度",
    "title_coverage": "标题词覆盖", "title_fuzzy": "标题相似度", "industry": "行业一致",
    "ipc": "IPC 一致", "semantic": "语义相近",
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


@scorer("words")
def words_channel(q: Profile, c: Candidate) -> float:
    """BM25F of the word channel (jieba words, keywords boosted), relative to its best hit."""
    return c.channels.get("words", 0.0)


@scorer("chars")
def chars_channel(q: Profile, c: Candidate) -> float:
    """BM25F of the character-bigram channel, relative to its best hit."""
    return c.channels.get("chars", 0.0)


@scorer("words_rank")
def words_rank(q: Profile, c: Candidate) -> float:
    """The word channel's rank as 10 / (10 + rank): the head of that list counts most.

    >>> words_rank(None, Candidate(1, None, 0.0, ranks={"words": 0}))
    1.0
    """
    rank = c.ranks.get("words")
    return 0.0 if rank is None else 10 / (10 + rank)


@scorer("semantic")
def semantic(q: Profile, c: Candidate) -> float | None:
    """Rank by meaning among the lexical head (engine._semantic_stage) as 10 / (10 + rank), a
    penalty (PENALTIES: the closest in meaning loses nothing);
    None when the stage did not run (no vectors), so the lexical weights rescale.

    >>> semantic(None, Candidate(1, None, 0.0, ranks={"semantic": 10}))
    0.5
    >>> semantic(None, Candidate(1, None, 0.0)) is None
    True
    """
    rank = c.ranks.get("semantic")
    return None if rank is None else 10 / (10 + rank)


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


@scorer("text_fuzzy")
def text_fuzzy(q: Profile, c: Candidate) -> float | None:
    """Token-set similarity of the query's text and the candidate's abstract: paraphrases that
    share the technical words score high whatever their order."""
    if not c.profile.body_tokens:
        return None
    query = " ".join(dict.fromkeys(q.title_tokens + q.body_tokens[:200]))
    return fuzz.token_set_ratio(query, " ".join(dict.fromkeys(c.profile.body_tokens[:300]))) / 100


@scorer("title_fuzzy")
def title_fuzzy(q: Profile, c: Candidate) -> float | None:
    """Token-set similarity of the two titles (word order and extra words do not hurt)."""
    if not c.profile.title_tokens:
        return None
    if not q.title_tokens:
        return 0.0
    return fuzz.token_set_ratio(" ".join(q.title_tokens), " ".join(c.profile.title_tokens)) / 100


@scorer("title_coverage")
def title_coverage(q: Profile, c: Candidate) -> float | None:
    """Share of the candidate's title words that the query mentions anywhere."""
    words = set(c.profile.title_tokens)
    if not words:
        return None
    return len(words & q.token_set) / len(words)


@scorer("industry")
def industry(q: Profile, c: Candidate) -> float | None:
    """Both sides tagged with a common priority industry (unknown when either side is not)."""
    known_q = q.industries - {"其他"}
    if not known_q or not c.profile.industries:
        return None
    return 1.0 if known_q & c.profile.industries else 0.0


@scorer("ipc")
def ipc(q: Profile, c: Candidate) -> float | None:
    """Both sides share an IPC subclass (unknown when either side has none)."""
    if not q.ipc_subclasses or not c.profile.ipc_subclasses:
        return None
    return 1.0 if q.ipc_subclasses & c.profile.ipc_subclasses else 0.0


def combine(signals: Mapping[str, float | None], weights: Mapping[str, float]
            ) -> tuple[float, dict[str, float]]:
    """Weighted mean of the signals that apply, scaled to 0–100, with each one's points; a
    PENALTIES signal instead takes off 100 · weight · (1 − value) points, at most what is left,
    so the score stays ≥ 0 and the points still add up to it.

    >>> combine({"words": 0.5, "semantic": 0.5}, {"words": 1.0, "semantic": 0.7})
    (15.0, {'words': 50.0, 'semantic': -35.0})
    >>> combine({"words": 0.5, "semantic": 0.0}, {"words": 1.0, "semantic": 0.7})
    (0.0, {'words': 50.0, 'semantic': -50.0})
    >>> combine({"words": 0.5, "semantic": 1.0}, {"words": 1.0, "semantic": 0.7})
    (50.0, {'words': 50.0, 'semantic': 0.0})
    """
    total_w = sum(w for name, w in weights.items()
                  if signals.get(name) is not None and name not in PENALTIES) or 1.0
    parts = {name: round(100 * weights[name] * value / total_w, 2)
             for name, value in signals.items()
             if value is not None and weights.get(name) and name not in PENALTIES}
    left = sum(parts.values())
    for name, value in signals.items():
        if value is not None and weights.get(name) and name in PENALTIES:
            taken = min(left, round(100 * weights[name] * (1 - value), 2))
            parts[name] = 0.0 - taken     # 0.0, not -0.0, when nothing is taken
            left -= taken
    return round(left, 2), parts
