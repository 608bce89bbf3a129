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
from typing import Literal

from .normalize import normalize
from .resources import stopwords
from .segmenter import get_segmenter

Mode = Literal["default", "search"]
Token = tuple[str, int, int]

CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{CJK_CLASS}]")
# Runs for char bigrams: CJK runs, and Latin/digit words (normalized text is lower-case).
_BIGRAM_RUNS = re.compile(f"([{CJK_CLASS}]+)|([0-9a-z]+)")


def is_content_token(token: str, stop: frozenset[str] | None = None) -> bool:
    """True if ``token`` is worth indexing: not a stopword, punctuation or lone letter/digit."""
    if len(token) == 1 and not _CJK_CHAR.match(token):
        return False
    if not any(ch.isalnum() for ch in token):
        return False
    return token not in (stopwords() if stop is None else stop)


def _precise_spans(norm: str) -> Iterator[Token]:
    """Every segment of precise mode with offsets; segments concatenate back to ``norm``."""
    start = 0
    for piece in get_segmenter().cut(norm):
        end = start + len(piece)
        yield piece, start, end
        start = end


def _sub_words(word: str, start: int, stop: frozenset[str]) -> list[Token]:
    """Dictionary words strictly inside ``word`` (length >= 2), like jieba's cut_for_search.

    jieba only probes 2- and 3-grams; we probe every inner length so a long user-dictionary
    compound (锂离子电池正极) still yields 正极 and 锂离子 for recall.
    """
    seg = get_segmenter()
    found: list[Token] = []
    size = len(word)
    for i in range(size - 1):
        for j in range(i + 2, size + 1 if i else size):  # j == size with i == 0 is word itself
            sub = word[i:j]
            if seg.is_word(sub) and is_content_token(sub, stop):
                found.append((sub, start + i, start + j))
    return found


def iter_tokens(text: str | None, mode: Mode = "search") -> Iterator[Token]:
    """Yield ``(token, start, end)`` with ``normalize(text)[start:end] == token``.

    ``mode="default"``: jieba precise mode. ``mode="search"``: additionally, before each
    token longer than two characters, the dictionary sub-words it contains (sorted by
    start, then end), so 锂离子电池 also indexes 锂离子, 离子 and 电池.
    """
    if mode not in ("default", "search"):
        raise ValueError(f"unknown tokenize mode {mode!r}")
    norm = normalize(text)
    if not norm:
        return
    stop = stopwords()
    for piece, start, end in _precise_spans(norm):
        if not is_content_token(piece, stop):
            continue
        if mode == "search" and len(piece) > 2:
            found = _sub_words(piece, start, stop)
            found.append((piece, start, end))
            found.sort(key=lambda tok: (tok[1], tok[2]))
            yield from found
        else:
            yield piece, start, end


def tokenize(text: str | None) -> list[str]:
    """Precise-mode content words, e.g. for keyword extraction and query terms.

    >>> tokenize("本發明公開了一種鋰離子電池")
    ['锂离子电池']
    """
    return [tok for tok, _, _ in iter_tokens(text, "default")]


def tokenize_for_search(text: str | None) -> list[str]:
    """Search-mode content words (long words also yield their sub-words) for indexing."""
    return [tok for tok, _, _ in iter_tokens(text, "search")]


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

    >>> char_bigrams("電池 5G 膜")
    ['电池', '5g', '膜']
    """
    return [tok for tok, _, _ in iter_char_bigrams(text)]
