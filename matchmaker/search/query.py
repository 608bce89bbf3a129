"""Turn what a user typed into a TextQuery. Never raises: any input is plain text.

A short query (a few parts, each a term rather than a sentence) becomes *concepts* that every
result must contain (see :class:`~.backend.Concept`); a long one (a need pasted into the box)
stays an OR of its words, like the matcher's queries.
"""
from __future__ import annotations

import re

from ..text.normalize import normalize
from ..text.synonyms import EXPANSION_WEIGHT, synonyms
from ..text.tokenize import char_bigrams, tokenize, tokenize_for_search
from .backend import Alternative, Concept, TextQuery

MAX_QUERY_CHARS = 500
MAX_WORDS = 60
MAX_BIGRAMS = 120
MAX_CONCEPTS = 8          # more parts than this read as prose
MAX_CONCEPT_CHARS = 16    # ...and so does a part longer than this
_PART_BREAKS = re.compile(r"[\W_]+")
# Upper-case boolean operators people copy from other search engines are not words to find.
_OPERATORS = re.compile(r"\b(?:AND|OR|NOT)\b")


def _unique(items, limit: int) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        if item not in seen:
            seen[item] = None
            if len(seen) >= limit:
                break
    return tuple(seen)


def parse_text(raw: str | None) -> tuple[TextQuery, bool]:
    """Analyze a query; returns the query and whether it was cut to MAX_QUERY_CHARS.

    Whoosh syntax (AND, *, quotes) means nothing here: the words are searched as words.
    >>> query = parse_text("鋰電池 AND *")[0]
    >>> query.words, [c.text for c in query.concepts]
    (('锂电', '锂电池', '电池'), ['锂电池'])
    """
    text = normalize(_OPERATORS.sub(" ", raw or ""))
    truncated = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS]
    return TextQuery(words=_unique(tokenize_for_search(text), MAX_WORDS),
                     bigrams=_unique(char_bigrams(text), MAX_BIGRAMS),
                     concepts=concepts(text)), truncated


def concepts(text: str) -> tuple[Concept, ...]:
    """The required parts of a short normalized query, each with its synonyms; ``()`` for
    prose. Parts made only of stopwords (方法, 技术) are not required.

    >>> [(c.text, [a.text for a in c.alternatives]) for c in concepts("光伏板 支架 技术")]
    [('光伏板', ['光伏板', '光伏组件', '太阳能电池板', '太阳能板']), ('支架', ['支架'])]
    >>> concepts("我们厂的锂电池循环寿命短想找正极材料改性技术")
    ()
    """
    parts = list(dict.fromkeys(p for p in _PART_BREAKS.split(text) if p))
    if len(parts) > MAX_CONCEPTS or any(len(p) > MAX_CONCEPT_CHARS for p in parts):
        return ()
    found = []
    for part in parts:
        words = tuple(tokenize(part))
        if not words:
            continue
        alternatives = [Alternative(part, words)]
        alternatives += [Alternative(syn, tuple(tokenize(syn)) or (syn,), EXPANSION_WEIGHT)
                         for syn in synonyms(part)]
        found.append(Concept(part, tuple(alternatives)))
    return tuple(found)
