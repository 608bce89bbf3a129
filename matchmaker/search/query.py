"""Turn what a user typed into a TextQuery. Never raises: any input is plain text."""
from __future__ import annotations

import re

from ..text.normalize import normalize
from ..text.tokenize import char_bigrams, tokenize_for_search
from .backend import TextQuery

MAX_QUERY_CHARS = 500
MAX_WORDS = 60
MAX_BIGRAMS = 120
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
    >>> parse_text("鋰電池 AND *")[0].words
    ('锂电', '锂电池', '电池')
    """
    text = normalize(_OPERATORS.sub(" ", raw or ""))
    truncated = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS]
    return TextQuery(words=_unique(tokenize_for_search(text), MAX_WORDS),
                     bigrams=_unique(char_bigrams(text), MAX_BIGRAMS)), truncated
