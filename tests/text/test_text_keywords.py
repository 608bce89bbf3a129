"""TF-IDF keywords with an IDF learned from our own patent corpus."""
from __future__ import annotations

import math

import pytest

from matchmaker.text.keywords import (
    IdfTable, build_idf, corpus_idf, extract_keywords, is_keyword_candidate,
)
from matchmaker.text.resources import data_path, parse_idf

NEED = ("本公司是一家电池企业，目前需要一种用于锂离子电池的隔膜涂覆装置，"
        "希望寻求合作，解决隔膜涂覆不均匀的问题，提高生产效率。")


def test_build_idf_weights_rare_words_higher_and_trims() -> None:
    docs = ["锂离子电池 隔膜", "锂离子电池 电解液", "锂离子电池 隔膜 涂覆", "充电桩"]
    idf = build_idf(docs)
    assert idf["锂离子电池"] < idf["隔膜"] < idf["涂覆"]
    assert idf["涂覆"] == pytest.approx(math.log(5 / 2) + 1)
    assert idf["锂离子电池"] > 0
    trimmed = build_idf(docs, min_df=2)
    assert set(trimmed) == {"锂离子电池", "隔膜"}
    assert build_idf([]) == {}


def test_build_idf_uses_the_project_tokenizer() -> None:
    idf = build_idf(["本发明公开了一种鋰離子電池", "一种锂离子电池"])
    assert set(idf) == {"锂离子电池"}  # traditional folded, boilerplate dropped


def test_technical_terms_outrank_generic_words() -> None:
    keywords = extract_keywords(NEED)
    words = [word for word, _ in keywords]
    assert words[:3] and set(words[:3]) <= {"隔膜", "涂覆", "锂离子电池"}
    for generic in ("装置", "效率", "生产", "均匀"):
        if generic in words:
            assert words.index(generic) > words.index("隔膜")
    for boilerplate in ("本公司", "需要", "寻求", "合作", "问题", "解决", "目前", "企业"):
        assert boilerplate not in words
    scores = [score for _, score in keywords]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)


def test_shipped_idf_is_learned_from_patents() -> None:
    table = corpus_idf()
    assert len(table.weights) > 20_000
    shipped = parse_idf(data_path("idf.txt"))
    assert table.weights == shipped
    # In patents 装置 is everywhere and 隔膜 is specific; unknown words are rarer than both.
    assert table["装置"] + 3 < table["隔膜"] < table.default
    assert "本发明" not in table.weights and "所述" not in table.weights
    assert "100" not in table.weights and "10mm" not in table.weights  # never keywords
    assert table["某个从未见过的词"] == table.default


def test_idf_drives_the_ranking() -> None:
    text = "隔膜 隔膜 涂覆"
    assert extract_keywords(text, idf={"隔膜": 1.0, "涂覆": 5.0})[0][0] == "涂覆"
    assert extract_keywords(text, idf={"隔膜": 5.0, "涂覆": 1.0})[0][0] == "隔膜"


def test_unknown_words_get_the_median_idf() -> None:
    table = IdfTable.from_mapping({"隔膜": 1.0, "涂覆": 3.0, "电解液": 8.0})
    assert table.default == 3.0
    [(word, score)] = extract_keywords("充电桩", idf=table)
    assert (word, score) == ("充电桩", pytest.approx(3.0))


@pytest.mark.parametrize("word, expected", [
    ("100", False), ("3.5", False), ("30%", False), ("1-2", False),
    ("10mm", False), ("5kg", False), ("220v", False), ("20khz", False), ("mm", False),
    ("ppm", False), ("毫米", False), ("重量份", False), ("膜", False),
    ("100nm", False), ("100mol%", False), ("1000j", False), ("80目", False),
    ("5g", True), ("3d", True), ("pvc", True), ("石墨烯", True), ("304", False),
    ("h264", True), ("led灯", True),
])
def test_keyword_candidates(word: str, expected: bool) -> None:
    assert is_keyword_candidate(word) is expected


def test_numbers_units_and_single_characters_are_not_keywords() -> None:
    text = "温度100℃，厚度10mm，重量5kg，浓度0.01ppm，膜层为石墨烯，采用5G传输。"
    words = [word for word, _ in extract_keywords(text)]
    assert {"石墨烯", "5g"} <= set(words)
    assert not [w for w in words if len(w) < 2 or any(ch.isdigit() for ch in w) and w != "5g"]


def test_top_k_and_empty_input() -> None:
    assert len(extract_keywords(NEED, top_k=2)) == 2
    assert extract_keywords(NEED, top_k=0) == []
    assert extract_keywords(None) == [] and extract_keywords("本发明公开了一种") == []
