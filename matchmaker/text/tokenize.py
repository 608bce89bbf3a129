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

from .curated import CHEMICAL_SUFFIXES, FALSE_FRIENDS
from .normalize import normalize
from .resources import stopwords
from .segmenter import get_segmenter

Mode = Literal["default", "search"]
Token = tuple[str, int, int]

# CJK unified ideographs incl. extensions (OpenCC maps some characters there: 噁 -> 𫫇).
CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_CHAR = re.compile(f"[{CJK_CLASS}]")
_ALL_CJK = re.compile(f"[{CJK_CLASS}]+")
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


_FRIEND_LENGTHS = sorted({len(f) for f in FALSE_FRIENDS}, reverse=True)


def false_friend_end(text: str, start: int, word: str) -> int:
    """End offset of a false-friend compound that begins with ``word`` at ``start`` in
    ``text`` (see :data:`~.curated.FALSE_FRIENDS`), or 0 when ``word`` stands for itself there.

    >>> false_friend_end("甜菜碱表面活性剂", 0, "甜菜"), false_friend_end("甜菜糖", 0, "甜菜")
    (3, 0)
    >>> false_friend_end("沃氏葡萄球菌", 2, "葡萄"), false_friend_end("红枣酸奶", 0, "红枣")
    (6, 0)
    """
    if len(word) < 2:
        return 0
    if text.startswith(word, start):
        for size in _FRIEND_LENGTHS:
            if size > len(word) and text[start:start + size] in FALSE_FRIENDS \
                    and start + size <= len(text):
                return start + size
    end = start + len(word)
    if end < len(text) and text[end] in CHEMICAL_SUFFIXES \
            and not get_segmenter().is_word(text[end:end + 2]):  # 红枣|酸奶 is jujube yogurt
        return end + 1
    return 0


def _sub_words(word: str, start: int) -> list[Token]:
    """Dictionary words strictly inside ``word`` (length >= 2), like jieba's cut_for_search.

    jieba only probes 2- and 3-grams; we probe every inner length so a long user-dictionary
    compound (锂离子电池正极) still yields 正极 and 锂离子 for recall.
    """
    is_word = get_segmenter().is_word
    found: list[Token] = []
    size = len(word)
    # A four-character CJK compound is nearly always two two-character words (脱氮除磷, 表面活性),
    # even when the dictionary lacks one of them (脱氮): both halves count as sub-words.
    halves = (word[:2], word[2:]) if size == 4 and _ALL_CJK.fullmatch(word) else ()
    for i in range(size - 1):
        for j in range(i + 2, size + 1 if i else size):  # j == size with i == 0 is word itself
            sub = word[i:j]
            if (is_word(sub) or (j - i == 2 and i in (0, 2) and sub in halves)) \
                    and _keep(sub) and not false_friend_end(word, i, sub):
                found.append((sub, start + i, start + j))
    return found


def token_spans(text: str | None, mode: Mode = "search") -> list[Token]:
    """``(token, start, end)`` list with ``normalize(text)[start:end] == token``.

    ``mode="default"``: jieba precise mode. ``mode="search"``: additionally, with each
    token longer than two characters, the dictionary sub-words it contains (sorted by
    start, then end), so 锂离子电池 also indexes 锂离子, 离子 and 电池. A word that only
    begins a false friend (甜菜 in 甜菜碱 or 甜菜夜蛾) is not a token there.

    >>> [t for t, _, _ in token_spans("甜菜夜蛾和甜菜碱危害甜菜")]
    ['甜菜夜蛾', '夜蛾', '甜菜碱', '危害', '甜菜']
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
        friend_end = false_friend_end(norm, start, piece)
        if friend_end > end:
            # jieba split a false friend (甜菜|夜蛾): the compound is the token, not its head.
            spans.append((norm[start:friend_end], start, friend_end))
        elif _keep(piece):
            if search and end - start > 2 and piece not in FALSE_FRIENDS:
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
