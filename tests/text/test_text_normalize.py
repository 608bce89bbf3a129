"""normalize(): the canonical form every index and query goes through."""
from __future__ import annotations

import pytest

from matchmaker.text.normalize import normalize


@pytest.mark.parametrize("raw, expected", [
    ("ＡＢＣ１２３ 電動汽車", "abc123 电动汽车"),
    ("ＰＶＣ管材　５Ｇ", "pvc管材 5g"),         # full-width letters, digits and U+3000 space
    ("電動汽車", "电动汽车"),
    ("資訊", "资讯"),
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
