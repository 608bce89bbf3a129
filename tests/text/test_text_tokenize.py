"""Segmentation: user dictionary, stopwords, search sub-words, bigrams and offsets."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from matchmaker.text.curated import BOILERPLATE_PHRASES, curated_terms
from matchmaker.text.normalize import normalize
from matchmaker.text.resources import data_path, parse_userdict, stopwords
from matchmaker.text.segmenter import canonical_ascii, make_segmenter
from matchmaker.text.tokenize import (
    char_bigrams, iter_char_bigrams, iter_tokens, tokenize, tokenize_for_search,
)

# Terms that jieba's bundled dictionary splits but the project user dictionary keeps whole.
USERDICT_TERMS = ["锂离子电池", "新能源汽车", "石墨烯", "充电桩"]


@pytest.fixture(scope="module")
def base_jieba():
    """Plain jieba without the project user dictionary (a private instance)."""
    return make_segmenter("jieba", entries=[])


@pytest.mark.parametrize("term", USERDICT_TERMS)
def test_user_dictionary_keeps_technical_terms_whole(base_jieba, term: str) -> None:
    sentence = f"氧化{term}的制备"
    assert term not in base_jieba.cut(sentence), "pick a term that default jieba splits"
    assert term in tokenize(sentence)


def test_user_dictionary_file_is_well_formed() -> None:
    entries = parse_userdict(data_path("userdict.txt"))
    assert len(entries) > 300
    words = [entry.word for entry in entries]
    assert len(words) == len(set(words))
    for entry in entries:
        assert 2 <= len(entry.word) <= 12 and entry.freq and entry.freq > 0
        assert entry.word == normalize(entry.word)
    assert {"锂离子电池", "3d打印", "其特征在于"} <= set(words)


def test_curated_terms_and_boilerplate_are_consistent() -> None:
    stop = stopwords()
    assert all(phrase in stop for phrase in BOILERPLATE_PHRASES)
    assert not [term for term in curated_terms() if term in stop or term != normalize(term)]


def test_patent_boilerplate_is_removed() -> None:
    tokens = tokenize("本发明公开了一种锂离子电池的制备方法，所述方法包括以下步骤，其特征在于：通过涂覆石墨烯。")
    assert tokens == ["锂离子电池", "制备", "涂覆", "石墨烯"]


def test_need_boilerplate_is_removed_but_technical_words_stay() -> None:
    tokens = tokenize("我公司目前希望寻求技术合作，解决锂电池防爆问题，需求内容：预期目标为降低能耗。")
    assert tokens == ["锂电池", "防爆", "能耗"]


def test_punctuation_and_single_latin_letters_or_digits_are_dropped() -> None:
    tokens = tokenize("（a）采用5G通信、1个PVC膜；温度≥100℃!")
    assert tokens == ["5g", "通信", "pvc", "膜", "温度", "100"]


def test_search_mode_adds_sub_words() -> None:
    assert tokenize("锂离子电池") == ["锂离子电池"]
    search = tokenize_for_search("锂离子电池")
    assert {"锂离子", "离子", "电池", "锂离子电池"} <= set(search)
    assert "子电" not in search  # only dictionary words, not arbitrary substrings


def test_search_mode_does_not_revive_stopword_parts() -> None:
    # 其特征在于 is dropped whole; its part 特征 must not leak back in as a sub-word.
    assert "特征" not in tokenize_for_search("其特征在于设有卡槽")
    assert "卡槽" in tokenize_for_search("其特征在于设有卡槽")


@pytest.mark.parametrize("mode", ["default", "search"])
def test_offsets_point_into_the_normalized_text(mode: str) -> None:
    raw = "本發明  涉及ＰＶＣ鋰離子電池\t正極材料，厚度１０ｍｍ與石墨烯塗層。"
    norm = normalize(raw)
    spans = list(iter_tokens(raw, mode=mode))
    assert spans
    for token, start, end in spans:
        assert norm[start:end] == token
    assert [s for _, s, _ in spans] == sorted(s for _, s, _ in spans)


def test_unknown_mode_is_rejected() -> None:
    with pytest.raises(ValueError):
        list(iter_tokens("电池", mode="fast"))  # type: ignore[arg-type]


def test_traditional_and_full_width_give_the_same_tokens() -> None:
    simplified = "一种锂离子电池正极材料，用于5g基站的储能系统"
    traditional = "一種鋰離子電池正極材料，用於５Ｇ基站的儲能系統"
    assert tokenize(traditional) == tokenize(simplified)
    assert tokenize_for_search(traditional) == tokenize_for_search(simplified)
    assert char_bigrams(traditional) == char_bigrams(simplified)


def test_char_bigrams() -> None:
    assert char_bigrams("電動汽車") == ["电动", "动汽", "汽车"]
    assert char_bigrams("膜") == ["膜"]
    assert char_bigrams("LED燈帶 a 5G") == ["led", "灯带", "5g"]
    assert char_bigrams(None) == []
    raw = "鋰電池，ＰＶＣ膜 x 5G通信\t二噁英"
    norm = normalize(raw)
    spans = list(iter_char_bigrams(raw))
    for gram, start, end in spans:
        assert norm[start:end] == gram
    assert [gram for gram, _, _ in spans] == char_bigrams(raw)
    assert "𫫇英" in char_bigrams(raw)  # OpenCC maps 噁 to an extension-B character


def test_ascii_runs_are_split_the_same_way_by_both_engines() -> None:
    assert canonical_ascii(["0.01ppm", "以上"]) == ["0.01", "ppm", "以上"]
    assert canonical_ascii(["c7-c20", " ", "z_wave"]) == ["c7", "-", "c20", " ", "z", "_", "wave"]
    assert canonical_ascii(["10mm", "厚"]) == ["10mm", "厚"]


def test_empty_input() -> None:
    assert tokenize(None) == [] and tokenize_for_search("  ") == [] and list(iter_tokens(""))== []


def test_importing_the_package_loads_no_dictionary() -> None:
    code = textwrap.dedent("""
        import sys
        import matchmaker.text
        from matchmaker.text import keywords, segmenter
        import jieba
        print(jieba.dt.initialized, "rjieba" in sys.modules, "opencc" in sys.modules,
              segmenter.is_loaded(), keywords.corpus_idf.cache_info().currsize)
        matchmaker.text.tokenize("锂电池")
        print(segmenter.is_loaded())
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.split() == ["False", "False", "False", "False", "0", "True"]


def test_english_function_words_are_dropped() -> None:
    assert tokenize("Method and Apparatus for a Lithium Battery") == ["apparatus", "lithium", "battery"]
