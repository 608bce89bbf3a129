"""Canonical form of Chinese text, so that what users type and what documents say compare equal.

Users mix full-width and half-width characters, traditional and simplified characters and
letter case; every index and every query goes through :func:`normalize` first so that these
variants produce the same tokens.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # opencc is imported lazily: loading its dictionaries is not free
    from opencc import OpenCC

# Control (Cc) and format (Cf: zero-width space, BOM, soft hyphen...) characters are dropped;
# whitespace control characters (\t, \n, \r...) are turned into spaces first.
_WHITESPACE = re.compile(r"\s+")
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    """One traditional→simplified converter per process, built on first use."""
    from opencc import OpenCC

    return OpenCC("t2s")


def _drop_controls(text: str) -> str:
    if text.isprintable():  # fast path: nothing to drop (spaces are printable)
        return text
    return "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )


def normalize(text: str | None) -> str:
    """Return the canonical form used for indexing, querying and offsets.

    NFKC (full-width → half-width, ligatures and circled digits unfolded), traditional →
    simplified (OpenCC ``t2s``), lower case, control/format characters removed, whitespace
    runs collapsed to one space, ends stripped. Idempotent; ``None`` gives ``""``.

    >>> normalize("ＡＢＣ１２３ 電動汽車")
    'abc123 电动汽车'
    >>> normalize("  鋰電池\\t\\u200b保護板 ")
    '锂电池 保护板'
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _drop_controls(text)
    text = _WHITESPACE.sub(" ", text).strip()
    if not text:
        return ""
    if not text.isascii():
        text = _t2s().convert(text)
    return text.lower()


def to_simplified(text: str) -> str:
    """Traditional → simplified characters only (case, width and spacing are kept), for
    values that are stored as the user typed them but must read as simplified Chinese."""
    if not text or text.isascii():
        return text
    return _t2s().convert(text)
