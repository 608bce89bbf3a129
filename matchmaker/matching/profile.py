"""What the matcher knows about one side of a pair: tokens, weighted keywords, field signals."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..search.backend import TextQuery
from ..text.keywords import extract_keywords
from ..text.normalize import normalize
from ..text.tokenize import char_bigrams, tokenize, tokenize_for_search

MAX_TEXT_CHARS = 3000   # long needs mix background with the problem; the opening matters most
QUERY_KEYWORDS = 20


@dataclass(frozen=True)
class Profile:
    """Analyzed text of a need or a patent (query side or candidate side)."""

    title: str
    body: str
    title_tokens: tuple[str, ...]
    body_tokens: tuple[str, ...]
    keywords: tuple[tuple[str, float], ...] = ()
    industries: frozenset[str] = frozenset()
    ipc_subclasses: frozenset[str] = frozenset()
    truncated: bool = False

    @property
    def token_set(self) -> frozenset[str]:
        return frozenset(self.title_tokens) | frozenset(self.body_tokens)


def build_profile(title: str, body: str, *, industries=(), ipc_subclasses=(),
                  with_keywords: bool = True) -> Profile:
    """Analyze a text pair once; keyword weights come from the corpus IDF (text.keywords).

    >>> build_profile("鋰電池的回收", "").title
    '锂电池的回收'
    """
    title = normalize(title or "")[:300]
    body_full = normalize(body or "")
    body = body_full[:MAX_TEXT_CHARS]
    keywords = tuple(extract_keywords(f"{title} {title} {body}", top_k=QUERY_KEYWORDS)) \
        if with_keywords else ()
    return Profile(title=title, body=body, title_tokens=tuple(tokenize(title)),
                   body_tokens=tuple(tokenize(body)), keywords=keywords,
                   industries=frozenset(industries), ipc_subclasses=frozenset(ipc_subclasses),
                   truncated=len(body_full) > MAX_TEXT_CHARS)


def profile_from_tokens(title: str, body: str, title_tokens: str, body_tokens: str, *,
                        industries=(), ipc_subclasses=()) -> Profile:
    """A candidate profile from the analyzed text the index already stores (no re-tokenizing)."""
    return Profile(title=title, body=body, title_tokens=tuple(title_tokens.split()),
                   body_tokens=tuple(body_tokens.split()), industries=frozenset(industries),
                   ipc_subclasses=frozenset(ipc_subclasses))


MAX_CHAR_TERMS = 200   # bigrams of a need's character query (title first)


def word_query(p: Profile, *, use_keywords: bool = True) -> TextQuery:
    """The word channel's query: every content word of the need, with its TF-IDF keywords
    and title words boosted.

    Measured on the development sets: keeping the non-keyword words at a low boost recovers
    recall that a keywords-only query loses, while the boosts keep known-item precision.
    """
    words = tuple(dict.fromkeys(tokenize_for_search(f"{p.title} {p.body}")))[:60]
    boosts: dict[str, float] = {}
    if use_keywords and p.keywords:
        top = max(w for _, w in p.keywords) or 1.0
        boosts = {w: 0.4 for w in words}
        for w, score in p.keywords:
            boosts[w] = 0.5 + score / top
        for t in p.title_tokens:
            boosts[t] = max(boosts.get(t, 0.0), 1.0)
        words = tuple(dict.fromkeys([w for w, _ in p.keywords] + list(p.title_tokens) + list(words)))
    return TextQuery(words=words, word_boosts=boosts)


def char_query(p: Profile) -> TextQuery:
    """The character channel's query: the bigrams of the title and the text, whatever their
    segmentation (降粘 finds 降黏, 滴灌带 finds 滴灌带 however jieba cut either side).

    >>> char_query(build_profile("降黏", "")).bigrams
    ('降粘',)
    """
    grams = char_bigrams(f"{p.title} {p.body}")
    counts = Counter(grams)   # a bigram the need repeats weighs more, as in BM25's query side
    unique = tuple(dict.fromkeys(grams))[:MAX_CHAR_TERMS]
    return TextQuery(bigrams=unique, word_boosts={g: float(counts[g]) for g in unique if counts[g] > 1})
