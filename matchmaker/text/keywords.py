"""TF-IDF keywords, with IDF learned from our own patent corpus, to turn a need into a query.

jieba ships an IDF table learned from news, where 电池 or 涂层 are rare and 本发明 unseen;
``data/idf.txt`` is learned from title + abstract of the 25.5k shared patents with the
project tokenizer (``scripts/build_text_data.py``), so patent boilerplate scores low and
technical terms high. Words missing from the table get its median IDF.
"""
from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from .resources import IDF, data_path, parse_idf
from .tokenize import tokenize

# Pure numbers and ranges: 100, 3.5, 1-2, 30%, 1,000
_NUMBER = re.compile(r"^[+\-]?[\d.,%‰~\-]+$")
# A number followed by a short unit: 10mm, 5kg, 100°c, 3.5v, 20khz, 100nm, 2wt%, 100mol%
_UNIT = re.compile(r"^[+\-]?\d+(?:\.\d+)?(?:[\-~]\d+(?:\.\d+)?)?(?:[a-zμµ°]{1,5}%?|%|目)$")
# ...except the few number+letter names that are technical terms, not measurements.
_NUMBERED_TERMS = frozenset("2g 3g 4g 5g 6g 2d 3d 4d 4k 8k".split())
# The segmenter splits 10mm into 10 + mm, so bare Latin unit symbols must go too.
_UNIT_SYMBOL = re.compile(
    r"^(?:[mcdkμµun]m[23]?|[mkμµu]g|[mk]l|[mk]v|ma|mah|[mkg]w|kwh|[kmg]?hz|[kmg]pa|pa|bar|ms"
    r"|min|rpm|mol|ppm|ppb|wt|dtex|db|lux|mesh)$"
)
# Chinese measure words that jieba emits as separate tokens after a number.
UNIT_WORDS = frozenset(
    "毫米 厘米 分米 千米 公里 纳米级 微米级 千克 公斤 毫克 克 吨 毫升 升 伏 伏特 千伏 毫安 安培 "
    "瓦 千瓦 兆瓦 赫兹 千赫 兆赫 帕 千帕 兆帕 秒 毫秒 分钟 小时 摄氏度 重量份 质量份 体积份 "
    "重量比 质量比 体积比 百分比 转每分".split()
)


def is_keyword_candidate(word: str) -> bool:
    """Content tokens that can stand alone as a query term (no numbers, units, single chars)."""
    if len(word) < 2 or word in UNIT_WORDS or _NUMBER.match(word) or _UNIT_SYMBOL.match(word):
        return False
    return word in _NUMBERED_TERMS or not _UNIT.match(word)


def build_idf(docs: Iterable[str], min_df: int = 1,
              tokenizer: Callable[[str], list[str]] = tokenize) -> dict[str, float]:
    """Smoothed IDF ``ln((N + 1) / (df + 1)) + 1`` of every token seen in >= ``min_df`` docs.

    Smoothing keeps the value positive for words present in every document, so they still
    rank by frequency instead of vanishing.
    """
    df: Counter[str] = Counter()
    n_docs = 0
    for doc in docs:
        n_docs += 1
        df.update(set(tokenizer(doc)))
    return {word: math.log((n_docs + 1) / (count + 1)) + 1.0
            for word, count in df.items() if count >= min_df}


@dataclass(frozen=True)
class IdfTable:
    """An IDF mapping plus the value used for words it does not know."""

    weights: Mapping[str, float]
    default: float

    @classmethod
    def from_mapping(cls, weights: Mapping[str, float]) -> IdfTable:
        default = statistics.median(weights.values()) if weights else 1.0
        return cls(weights, default)

    def __getitem__(self, word: str) -> float:
        return self.weights.get(word, self.default)


@lru_cache(maxsize=1)
def corpus_idf() -> IdfTable:
    """The shipped corpus IDF, read once per process on first use."""
    return IdfTable.from_mapping(parse_idf(data_path(IDF)))


def extract_keywords(text: str | None, top_k: int = 12,
                     idf: Mapping[str, float] | IdfTable | None = None) -> list[tuple[str, float]]:
    """The ``top_k`` words of ``text`` by TF-IDF, best first, as ``(word, score)``.

    TF is the word's share of the text's candidate tokens (precise mode, stopwords removed,
    numbers/units/single characters skipped); ties keep first-occurrence order. ``idf``
    defaults to the corpus table; a plain mapping gets its own median for unknown words.
    """
    if top_k <= 0:
        return []
    table = (corpus_idf() if idf is None
             else idf if isinstance(idf, IdfTable) else IdfTable.from_mapping(idf))
    counts = Counter(word for word in tokenize(text) if is_keyword_candidate(word))
    total = sum(counts.values())
    if not total:
        return []
    scored = [(word, count / total * table[word]) for word, count in counts.items()]
    scored.sort(key=lambda item: item[1], reverse=True)  # stable: first occurrence wins ties
    return scored[:top_k]
