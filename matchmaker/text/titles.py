"""A title for records that have none, taken from the abstract's "一种…" phrase.

Most corpus records (and many portfolio exports) carry only an abstract. Patent abstracts
state the title in their first sentence: "本发明公开了一种户外保暖手套及其织造方法，所述…".
That phrase reads like a title on result lists and gives the matcher the title signals that
title-less records would otherwise lack.
"""
from __future__ import annotations

import re

from .normalize import normalize

MAX_TITLE_CHARS = 60
_OPENING_CHARS = 160   # the phrase must start in the first sentence or two
# "一种" (or "一类") up to the first clause break; "一个" opens enumerations, not titles.
_PHRASE = re.compile(r"一[种类]([^，。；;：:,（(\n]{2,120})")
# Clause openers that end a title-like noun phrase inside one clause.
_TAIL = re.compile(r"(?:，|,)|(?:其特征|所述|包括|该|由|它|具有|用于解决)")


def derived_title(abstract: str | None) -> str:
    """The "一种…" noun phrase of ``abstract``, or "" when there is none.

    >>> derived_title("本发明公开了一种户外保暖手套及其织造方法，所述保暖手套包括掌面。")
    '一种户外保暖手套及其织造方法'
    >>> derived_title("本实用新型涉及一种农用滴灌带铺设装置,包括机架")
    '一种农用滴灌带铺设装置'
    >>> derived_title("一种钢渣改性系统，包括破碎机。"), derived_title("本研究测量了温度。")
    ('一种钢渣改性系统', '')
    """
    text = normalize(abstract)[:_OPENING_CHARS + MAX_TITLE_CHARS]
    match = _PHRASE.search(text, 0, _OPENING_CHARS + MAX_TITLE_CHARS)
    if match is None or match.start() > _OPENING_CHARS:
        return ""
    phrase = match.group(0)
    tail = _TAIL.search(phrase, 3)
    if tail is not None:
        phrase = phrase[:tail.start()]
    phrase = phrase.strip(" 、的")
    if len(phrase) < 5:
        return ""
    return phrase if len(phrase) <= MAX_TITLE_CHARS else phrase[:MAX_TITLE_CHARS - 1] + "…"
