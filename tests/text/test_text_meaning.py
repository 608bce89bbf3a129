"""What words mean for matching: false friends, compound halves, derived titles, synonyms."""
from __future__ import annotations

import pytest

from matchmaker.text.curated import FALSE_FRIENDS
from matchmaker.text.normalize import normalize
from matchmaker.text.synonyms import NARROWER, SYNONYM_GROUPS, synonyms
from matchmaker.text.titles import MAX_TITLE_CHARS, derived_title
from matchmaker.text.tokenize import tokenize, tokenize_for_search


@pytest.mark.parametrize("text, word", [
    ("十二烷基甜菜碱表面活性剂", "甜菜"), ("以葡萄糖为原料", "葡萄"), ("金黄色葡萄球菌的检测", "葡萄"),
    ("防治甜菜夜蛾", "甜菜"), ("辣椒素的提取", "辣椒"), ("有机玻璃板材", "玻璃"), ("柠檬酸钠", "柠檬"),
])
def test_a_false_friend_does_not_index_its_leading_word(text, word):
    assert word not in tokenize_for_search(text) and word not in tokenize(text)


@pytest.mark.parametrize("text, word", [
    ("甜菜的种植", "甜菜"), ("甜菜糖的生产", "甜菜"), ("红枣酸奶", "红枣"), ("夹层玻璃", "玻璃"),
    ("葡萄酒酿造", "葡萄"),
])
def test_the_word_stands_for_itself_elsewhere(text, word):
    assert word in tokenize_for_search(text)


def test_false_friends_are_normalized_and_longer_than_their_head():
    assert all(f == normalize(f) and len(f) >= 3 for f in FALSE_FRIENDS)


def test_a_four_character_compound_also_indexes_its_halves():
    words = tokenize_for_search("强化脱氮除磷工艺")
    assert {"脱氮除磷", "脱氮", "除磷"} <= set(words)
    assert "除磷" in tokenize_for_search("脱氮除磷")
    assert "夜蛾" in tokenize_for_search("甜菜夜蛾") and "甜菜" not in tokenize_for_search("甜菜夜蛾")


@pytest.mark.parametrize("abstract, title", [
    ("本发明公开了一种户外保暖手套及其织造方法，所述保暖手套包括掌面。", "一种户外保暖手套及其织造方法"),
    ("本实用新型涉及一种农用滴灌带铺设装置,包括机架", "一种农用滴灌带铺设装置"),
    ("本發明公開了一種鋰電池正極材料。", "一种锂电池正极材料"),
    ("本发明提供一种用于棉花脱叶的药剂，其特征在于", "一种用于棉花脱叶的药剂"),
    ("一种钢渣改性系统包括破碎机和磁选机。", "一种钢渣改性系统"),
])
def test_derived_title_is_the_abstracts_first_noun_phrase(abstract, title):
    assert derived_title(abstract) == title


@pytest.mark.parametrize("abstract", [None, "", "本研究测量了温度。", "多功能卡包含集成电路。",
                                      "本发明的实施例包括一个第一栅极结构、至少一个间隔件。"])
def test_no_title_when_the_abstract_has_no_such_phrase(abstract):
    assert derived_title(abstract) == ""


def test_a_long_phrase_is_cut_to_a_title_length():
    title = derived_title("本发明公开了一种" + "甲" * 200 + "。")
    assert len(title) == MAX_TITLE_CHARS and title.endswith("…")


def test_synonym_groups_are_symmetric_normalized_and_disjoint():
    seen: set[str] = set()
    for group in SYNONYM_GROUPS:
        assert len(group) >= 2 and all(t == normalize(t) for t in group)
        assert not seen & set(group), "a term belongs to one group"
        seen |= set(group)
        for term in group:
            assert set(synonyms(term)) >= set(group) - {term}


def test_narrower_terms_expand_one_way_only():
    for broad, narrow in NARROWER.items():
        for term in narrow:
            assert term in synonyms(broad)
            assert broad not in synonyms(term)
