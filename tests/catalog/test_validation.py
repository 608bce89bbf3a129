"""Field error collection and login normalization."""
from __future__ import annotations

from datetime import date

import pytest

from matchmaker.catalog.validation import FieldErrors, normalize_login
from matchmaker.errors import ValidationError


@pytest.mark.parametrize("raw, expected", [
    ("Alice@Example.COM", "alice@example.com"),
    ("  bob.smith+tag@xju.edu.cn ", "bob.smith+tag@xju.edu.cn"),
    ("ＡＬＩＣＥ＠ＥＸＡＭＰＬＥ．ＣＯＭ", "alice@example.com"),
    ("13800138000", "13800138000"),
    ("19912345678", "19912345678"),
    ("+8613800138000", "13800138000"),
    ("8613800138000", "13800138000"),
    ("+86 13800138000", "13800138000"),
    ("+86-13800138000", "13800138000"),
    ("１３８００１３８０００", "13800138000"),
])
def test_valid_logins_are_normalized(raw, expected):
    assert normalize_login(raw) == expected


@pytest.mark.parametrize("raw", [
    "", "   ", "alice", "alice@", "@example.com", "alice@example", "al ice@example.com",
    "12800138000",           # 12x is not a mainland mobile prefix
    "1380013800",            # 10 digits
    "138001380001",          # 12 digits
    "+1 13800138000",
    "+8612800138000",
    "a" * 195 + "@example.com",  # longer than the 200-character column
])
def test_bad_logins_are_refused(raw):
    with pytest.raises(ValidationError) as info:
        normalize_login(raw)
    assert set(info.value.errors) == {"login"}


def test_field_errors_collects_every_field_and_keeps_the_first_message():
    e = FieldErrors()
    assert e.text("title", "标题", "", max_len=10, required=True) == ""
    e.add("title", "second message")
    e.text("name", "名称", "x" * 11, max_len=10)
    e.choice("kind", "类型", "nope", ["a", "b"])
    assert e.date("when", "日期", "2024-02-30") is None
    with pytest.raises(ValidationError) as info:
        e.raise_if_any()
    assert info.value.errors == {
        "title": "请填写标题",
        "name": "名称不能超过 10 个字符（当前 11 个）",
        "kind": "类型“nope”不在可选范围内",
        "when": "日期不是有效日期（格式 YYYY-MM-DD）",
    }


def test_field_errors_without_problems_raises_nothing_and_cleans_values():
    e = FieldErrors()
    assert e.text("title", "标题", "  ＡＢＣ，锂电池。 ", max_len=10, required=True) == "ＡＢＣ，锂电池。"
    assert e.date("when", "日期", "２０２４-０２-２９") == date(2024, 2, 29)
    assert e.choice("kind", "类型", "", ["a"], required=False) is None
    e.raise_if_any()
    assert e.errors == {}


def test_text_keeps_chinese_punctuation_and_drops_control_characters():
    e = FieldErrors()
    assert e.text("t", "标题", "一种\x00电池，\x1b含正极；\n第二行\t。", max_len=50) == \
        "一种电池，含正极；\n第二行\t。"
    assert e.errors == {}


def test_min_len_applies_only_to_non_empty_text():
    e = FieldErrors()
    e.text("a", "甲", "", max_len=10, min_len=2)
    e.text("b", "乙", "x", max_len=10, min_len=2)
    assert e.errors == {"b": "乙至少需要 2 个字符"}


def test_run_keeps_the_validator_message_under_the_given_field():
    e = FieldErrors()
    assert e.run("contact", normalize_login, "not a login") is None
    assert e.errors == {"contact": "登录名须为有效的电子邮箱或 11 位手机号"}
