"""normalize(): the canonical form every index and query goes through."""
from __future__ import annotations

import pytest

from matchmaker.text.normalize import normalize


@pytest.mark.parametrize("raw, expected", [
    ("ＡＢＣ１２３ 電動汽車", "abc123 电动汽车"),
    ("ＰＶＣ管材　５Ｇ", "pvc管材 5g"),         # full-width letters, digits and U+3000 space
    ("電動汽車", "电动汽车"),
    ("資訊", "信息"),                            # Taiwan vocabulary → mainland term
    ("鋰離子電池", "锂离子电池"),
    ("LED燈", "led灯"),
    ("10㎜", "10mm"),                            # compatibility unit sign unfolded by NFKC
])
def test_width_script_and_case_are_folded(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_whitespace_collapsed_and_controls_stripped() -> None:
    assert normalize("  石墨烯\t\n\r  涂层 ") == "石墨烯 涂层"
    assert normalize("锂\u200b电\x00池\ufeff") == "锂电池"   # zero-width space, NUL, BOM
    assert normalize("a\u00a0b") == "a b"                  # no-break space is whitespace


@pytest.mark.parametrize("empty", [None, "", "   ", "\u200b\t"])
def test_empty_input_gives_empty_string(empty: str | None) -> None:
    assert normalize(empty) == ""


def test_simplified_text_is_unchanged_and_idempotent() -> None:
    text = "一种锂离子电池正极材料及其制备方法"
    assert normalize(text) == text
    messy = "本發明涉及ＰＶＣ　複合材料，溫度１００℃"
    assert normalize(normalize(messy)) == normalize(messy)


@pytest.mark.parametrize("a, b", [
    ("降黏剂", "降粘剂"), ("粘度", "黏度"), ("矽晶圓", "硅晶圆"), ("硷性", "碱性"),
    ("軟體", "软件"), ("記憶體", "内存"), ("資料庫", "数据库"), ("雷射切割", "激光切割"),
    ("奈米材料", "纳米材料"), ("塑膠件", "塑料件"), ("ＬＥＤ燈", "led灯"),
])
def test_variants_and_spellings_fold_to_one_form(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize("text", ["软体机器人", "软体土层", "半导体晶片", "方程式", "序列", "程序", "核心", "显著"])
def test_mainland_words_are_not_rewritten(text: str) -> None:
    """Only traditional spellings are mapped: simplified 软体 (soft robotics) stays."""
    assert normalize(text) == text


def test_vocabulary_mapping_is_idempotent() -> None:
    text = "軟體與記憶體的雷射列印，降黏"
    assert normalize(normalize(text)) == normalize(text) == "软件与内存的激光打印,降粘"
