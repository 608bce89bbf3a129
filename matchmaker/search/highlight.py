"""Snippets with matched terms highlighted, HTML-escaped (jieba-aware: terms come from the
same tokenizer that built the index)."""
from __future__ import annotations

import html
import re
from typing import Iterable

import unicodedata

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"


def fold(text: str) -> str:
    """Width- and script-folded copy of `text` with the same length (offsets stay valid).

    >>> fold("鋰電池ＬＥＤ")
    '锂电池LED'
    """
    from ..text.normalize import _t2s
    folded = "".join(n if len(n := unicodedata.normalize("NFKC", c)) == 1 else c for c in text)
    converted = _t2s().convert(folded)
    return converted if len(converted) == len(folded) else folded


def _pattern(terms: Iterable[str]) -> re.Pattern | None:
    words = sorted({t for t in terms if t and len(t) >= 1}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def snippet(text: str, terms: Iterable[str], width: int = 120) -> str:
    """An HTML-safe excerpt of `text` around the densest cluster of `terms`, marked up.

    >>> snippet("一种锂电池正极材料的制备方法", ["正极"], width=20)
    '一种锂电池<mark>正极</mark>材料的制备方法'
    """
    # Display the text exactly as written; match on a same-length folded copy (width,
    # traditional→simplified) so simplified query terms mark traditional text too.
    if not text:
        return ""
    pattern = _pattern(terms)
    matches = list(pattern.finditer(fold(text))) if pattern else []
    start = 0
    if matches and len(text) > width:
        best = max(range(len(matches)), key=lambda i: sum(
            1 for m in matches[i:] if m.start() < matches[i].start() + width))
        start = max(0, min(matches[best].start() - width // 6, len(text) - width))
    end = min(len(text), start + width)
    out, pos = [], start
    for m in matches:
        if m.start() < start or m.end() > end:
            continue
        if m.start() < pos:
            continue
        out.append(html.escape(text[pos:m.start()]))
        out.append(MARK_OPEN + html.escape(text[m.start():m.end()]) + MARK_CLOSE)
        pos = m.end()
    out.append(html.escape(text[pos:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(out) + suffix


def unmark(marked: str) -> str:
    """Plain text of a :func:`snippet` result: marks removed, entities unescaped.

    >>> unmark("一种<mark>锂电池</mark> &amp; 隔膜")
    '一种锂电池 & 隔膜'
    """
    return html.unescape(marked.replace(MARK_OPEN, "").replace(MARK_CLOSE, ""))
