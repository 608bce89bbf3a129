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

# Variant characters (异体字) that OpenCC's t2s keeps but that mean the same thing in technical
# text: patents write 降粘 and 降黏, 矽 (Taiwan) and 硅, 硷 and 碱. Folded on both sides, so a
# query in one form finds documents in the other. Reviewed one by one: 沈 (a surname and 沈阳)
# and 著 (显著) are deliberately absent.
VARIANT_CHARS = str.maketrans({
    "黏": "粘", "硷": "碱", "矽": "硅", "搾": "榨", "蔴": "麻", "韮": "韭", "氷": "冰",
})
# Taiwan vocabulary → mainland terms. OpenCC's tw2sp does this too, but it also rewrites
# mainland words (序列→串行, 程序→进程, 核心→内核), and simplified 软体 is a mainland word
# (软体机器人, 软体土层). So the keys are the *traditional* spellings, applied before t2s: only
# text typed in traditional characters is mapped. Keys that are written the same in both
# scripts (雷射, 奈米, 列印, 光碟) are Taiwan-only words; 晶片, 程式 and 伺服器 are not (半导体晶片,
# 方程式, 伺服器 = servo) and stay out.
TW_VOCABULARY = {
    "軟體": "软件", "硬體": "硬件", "韌體": "固件", "記憶體": "内存", "資料庫": "数据库",
    "網際網路": "互联网", "網路": "网络", "滑鼠": "鼠标", "雷射": "激光", "鐳射": "激光",
    "印表機": "打印机", "列印": "打印", "積體電路": "集成电路",
    "電晶體": "晶体管", "奈米": "纳米", "塑膠": "塑料", "螢幕": "屏幕",
    "訊號": "信号", "資訊": "信息", "數位": "数字", "記憶卡": "存储卡", "隨身碟": "u盘",
    "筆記型電腦": "笔记本电脑", "光碟": "光盘", "視訊": "视频", "程式設計": "程序设计",
    "行動電話": "移动电话",
}
_TW_WORDS = re.compile("|".join(sorted(map(re.escape, TW_VOCABULARY), key=len, reverse=True)))
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
    simplified (OpenCC ``t2s``), variant characters folded (:data:`VARIANT_CHARS`), Taiwan
    technical vocabulary mapped to mainland terms (:data:`TW_VOCABULARY`), lower case,
    control/format characters removed, whitespace runs collapsed to one space, ends stripped.
    Idempotent; ``None`` gives ``""``.

    >>> normalize("ＡＢＣ１２３ 電動汽車")
    'abc123 电动汽车'
    >>> normalize("  鋰電池\\t\\u200b保護板 ")
    '锂电池 保护板'
    >>> normalize("软体机器人"), normalize("半导体晶片"), normalize("方程式")
    ('软体机器人', '半导体晶片', '方程式')
    >>> normalize("原油降黏劑"), normalize("軟體與記憶體"), normalize("矽晶圓")
    ('原油降粘剂', '软件与内存', '硅晶圆')
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _drop_controls(text)
    text = _WHITESPACE.sub(" ", text).strip()
    if not text:
        return ""
    if not text.isascii():
        text = _t2s().convert(_TW_WORDS.sub(_mainland, text)).translate(VARIANT_CHARS)
    return text.lower()


def _mainland(match: re.Match) -> str:
    return TW_VOCABULARY[match.group(0)]


def to_simplified(text: str) -> str:
    """Traditional → simplified characters only (case, width and spacing are kept), for
    values that are stored as the user typed them but must read as simplified Chinese."""
    if not text or text.isascii():
        return text
    return _t2s().convert(text)
