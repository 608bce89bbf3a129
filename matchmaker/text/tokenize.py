"""Token streams for indexing, querying and highlighting Chinese patent and need text.

Every function normalizes first (see :mod:`matchmaker.text.normalize`); **offsets always
refer to the normalized text**, never to the raw input, because NFKC and whitespace folding
change string length. Segmentation is loaded lazily by :mod:`matchmaker.text.segmenter`.

Token filter (both modes): stopwords, whitespace, punctuation-only tokens and single
non-CJK characters (``a``, ``5``, ``β``) are dropped; single CJK characters such as 膜 or 槽
stay because in patents they are often the whole technical noun.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Literal

from .normalize import normalize
from .resources import stopwords
from .segmenter import get_segmenter

Mode = Literal["default", "search"]
Token = tuple[str, int, int]

# CJK unified ideographs incl. extensions (OpenCC maps some characters there: 噁 -> 𫫇).
CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_CHAR = re.compile(f"[{CJK_CLASS}]")
# Runs for char bigrams: CJK runs, and Latin/digit words (normalized text is lower-case).
_BIGRAM_RUNS = re.compile(f"([{CJK_CLASS}]+)|([0-9a-z]+)")


def is_content_token(token: str, stop: frozenset[str] | None = None) -> bool:
    """True if ``token`` is worth indexing: not a stopword, punctuation or lone letter/digit.

    jieba's dictionary also holds glued boilerplate such as 解决目前 (解决 + 目前); a token of
    three or more characters made of two stopwords is treated as a stopword too.
    """
    if len(token) == 1 and not _CJK_CHAR.match(token):
        return False
    if not any(ch.isalnum() for ch in token):
        return False
    stop = stopwords() if stop is None else stop
    if token in stop:
        return False
    return len(token) < 3 or not any(
        token[:i] in stop and token[i:] in stop for i in range(1, len(token)))


@lru_cache(maxsize=1 << 18)
def _keep(token: str) -> bool:
    """:func:`is_content_token` with the shipped stopwords, memoized: the hot path."""
    return is_content_token(token)


def _sub_words(word: str, start: int) -> list[Token]:
    """Dictionary words strictly inside ``word`` (length >= 2), like jieba's cut_for_search.

    jieba only probes 2- and 3-grams; we probe every inner length so a long user-dictionary
    compound (锂离子电池正极) still yields 正极 and 锂离子 for recall.
    """
    is_word = get_segmenter().is_word
    found: list[Token] = []
    size = len(word)
    for i in range(size - 1):
        for j in range(i + 2, size + 1 if i else size):  # j == size with i == 0 is word itself
            sub = word[i:j]
            if is_word(sub) and _keep(sub):
                found.append((sub, start + i, start + j))
    return found


def token_spans(text: str | None, mode: Mode = "search") -> list[Token]:
    """``(token, start, end)`` list with ``normalize(text)[start:end] == token``.

    ``mode="default"``: jieba precise mode. ``mode="search"``: additionally, with each
    token longer than two characters, the dictionary sub-words it contains (sorted by
    start, then end), so 锂离子电池 also indexes 锂离子, 离子 and 电池.
    """
    if mode not in ("default", "search"):
        raise ValueError(f"unknown tokenize mode {mode!r}")
    norm = normalize(text)
    if not norm:
        return []
    search = mode == "search"
    spans: list[Token] = []
    start = 0
    for piece in get_segmenter().cut(norm):
        end = start + len(piece)
        if _keep(piece):
            if search and end - start > 2:
                found = _sub_words(piece, start)
                found.append((piece, start, end))
                found.sort(key=lambda tok: (tok[1], tok[2]))
                spans.extend(found)
            else:
                spans.append((piece, start, end))
        start = end
    return spans


def iter_tokens(text: str | None, mode: Mode = "search") -> Iterator[Token]:
    """Iterator form of :func:`token_spans` (the shape analyzers and highlighters want)."""
    return iter(token_spans(text, mode))


def tokenize(text: str | None) -> list[str]:
    """Precise-mode content words, e.g. for keyword extraction and query terms.

    >>> tokenize("本發明公開了一種鋰離子電池")
    ['锂离子电池']
    """
    return [tok for tok, _, _ in token_spans(text, "default")]


def tokenize_for_search(text: str | None) -> list[str]:
    """Search-mode content words (long words also yield their sub-words) for indexing."""
    return [tok for tok, _, _ in token_spans(text, "search")]


def iter_char_bigrams(text: str | None) -> Iterator[Token]:
    """Overlapping CJK character bigrams and Latin/digit words, with normalized offsets.

    A one-character CJK run yields itself; lone Latin letters/digits are dropped like in
    :func:`iter_tokens`. No dictionary is involved, so this never loads the segmenter.
    """
    norm = normalize(text)
    for match in _BIGRAM_RUNS.finditer(norm):
        run, start = match.group(0), match.start()
        if match.group(2) is not None:
            if len(run) > 1:
                yield run, start, match.end()
        elif len(run) == 1:
            yield run, start, start + 1
        else:
            for i in range(len(run) - 1):
                yield run[i:i + 2], start + i, start + i + 2


def char_bigrams(text: str | None) -> list[str]:
    """Bigram index field values, so a query matches however jieba segments either side.

    Same values as :func:`iter_char_bigrams` without offsets, built at C speed.

    >>> char_bigrams("電池 5G 膜")
    ['电池', '5g', '膜']
    """
    grams: list[str] = []
    for cjk, word in _BIGRAM_RUNS.findall(normalize(text)):
        if word:
            if len(word) > 1:
                grams.append(word)
        elif len(cjk) == 1:
            grams.append(cjk)
        else:
            grams.extend(map(str.__add__, cjk, cjk[1:]))
    return grams
