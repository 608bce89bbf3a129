"""Snippets: marked terms, HTML escaped, a window around the densest matches."""
from __future__ import annotations

import re

import pytest

from matchmaker.search.highlight import snippet


def strip_marks(html: str) -> str:
    return html.replace("<mark>", "").replace("</mark>", "")


def marked(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


def test_marks_every_occurrence():
    out = snippet("锂电池正极材料。锂电池负极材料", ["锂电池"])
    assert out == "<mark>锂电池</mark>正极材料。<mark>锂电池</mark>负极材料"


def test_longest_term_wins_and_marks_do_not_nest():
    out = snippet("一种锂电池隔膜", ["锂电", "锂电池", "电池"])
    assert out == "一种<mark>锂电池</mark>隔膜"


def test_case_insensitive_and_width_folded_matching_shows_text_as_written():
    out = snippet("ＬＥＤ灯具散热，（含）", ["led"])
    assert out == "<mark>ＬＥＤ</mark>灯具散热，（含）"


def test_script_in_text_comes_out_escaped():
    text = '<script>alert("x")</script>锂电池<b>正极</b> & 负极'
    out = snippet(text, ["锂电池", "正极"])
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in out
    assert "&amp; 负极" in out
    assert marked(out) == ["锂电池", "正极"]
    # the only raw tags left are our own marks
    assert "<" not in strip_marks(out)


def test_terms_with_html_or_regex_characters():
    out = snippet("用于 a<b 与 c++ (x) 的装置", ["a<b", "c++", "(x"])
    assert marked(out) == ["a&lt;b", "c++", "(x"]
    assert "<" not in strip_marks(out).replace("&lt;", "")


def test_term_inside_an_escaped_entity_is_not_broken():
    # "amp" must not be marked inside the escaped "&amp;": escaping happens per piece
    out = snippet("A&B 工艺", ["amp", "工艺"])
    assert out == "A&amp;B <mark>工艺</mark>"


def test_window_around_a_late_match():
    text = "甲" * 700 + "锂电池" + "乙" * 300
    out = snippet(text, ["锂电池"], width=120)
    assert out.startswith("…") and out.endswith("…")
    assert marked(out) == ["锂电池"]
    body = strip_marks(out)[1:-1]
    assert len(body) == 120
    assert body.index("锂电池") == 120 // 6, "the match sits near the start of the window"


def test_window_picks_the_densest_cluster():
    text = "锂电池" + "甲" * 500 + "正极" + "乙" * 10 + "正极" + "丙" * 10 + "锂电池" + "丁" * 500
    out = snippet(text, ["锂电池", "正极"], width=100)
    assert len(marked(out)) == 3
    assert out.startswith("…")


def test_short_text_is_returned_whole():
    assert snippet("节水滴灌带", ["滴灌"], width=120) == "节水<mark>滴灌</mark>带"


def test_no_match_gives_the_opening():
    out = snippet("乙" * 300, ["锂电池"], width=50)
    assert out == "乙" * 50 + "…"


@pytest.mark.parametrize("text,terms", [
    ("", ["锂电池"]), (None, ["锂电池"]), ("锂电池", []), ("锂电池", [""]), ("", []),
    ("锂电池", ["锂电池"] * 3), ("\u200b", ["x"]),
])
def test_no_crash_on_empty_or_odd_input(text, terms):
    out = snippet(text, terms)
    assert isinstance(out, str)
    assert "<" not in strip_marks(out)


def test_traditional_text_is_marked_by_simplified_terms():
    """Query terms are simplified (the index folds traditional characters), so a record
    written in traditional characters must still get its matches marked, shown as written.

    BUG: snippet() only NFKC-normalizes the text, so 鋰電池 is never matched by 锂电池.
    """
    out = snippet("一種鋰電池保護板", ["锂电池", "保护板"])
    assert out == "一種<mark>鋰電池</mark><mark>保護板</mark>"
