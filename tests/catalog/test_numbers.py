"""Application numbers (domain.md §2) and unified social credit codes (GB 32100-2015)."""
from __future__ import annotations

from datetime import date

import pytest

from matchmaker.catalog.numbers import (app_no_check_char, credit_code_check_char,
                                        normalize_app_no, normalize_credit_code)
from matchmaker.errors import ValidationError

TODAY = date(2024, 6, 1)


def _body_with_check(check: str, year: int = 2018, type_digit: str = "1") -> str:
    """The first 12-digit body (by serial) whose check character is `check`."""
    for serial in range(1, 10_000):
        body = f"{year}{type_digit}{serial:07d}"
        if app_no_check_char(body) == check:
            return body
    raise AssertionError(f"no body with check character {check}")


def _app_no_error(raw: str) -> str:
    with pytest.raises(ValidationError) as info:
        normalize_app_no(raw, today=TODAY)
    assert set(info.value.errors) == {"app_no"}
    return info.value.errors["app_no"]


# --- application numbers: the domain.md fixtures ------------------------------------------


@pytest.mark.parametrize("raw", ["201710601862.3", "97101765.4"])
def test_domain_fixtures_are_valid_and_already_canonical(raw):
    assert normalize_app_no(raw, today=TODAY) == raw


@pytest.mark.parametrize("body, check", [("201710601862", "3"), ("97101765", "4"),
                                         ("201610123456", "6")])
def test_check_char_matches_the_weighted_mod_11_rule(body, check):
    assert app_no_check_char(body) == check


def test_counter_example_is_refused_and_the_message_names_the_expected_digit():
    message = _app_no_error("201610123456.7")
    assert "校验位" in message
    assert "应为 6" in message


def test_counter_example_with_its_correct_digit_is_valid():
    assert normalize_app_no("201610123456.6", today=TODAY) == "201610123456.6"


def test_remainder_ten_is_written_x_and_only_the_x_form_validates():
    body = _body_with_check("X")
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    assert sum(int(d) * w for d, w in zip(body, weights)) % 11 == 10
    assert normalize_app_no(f"{body}.X", today=TODAY) == f"{body}.X"
    assert normalize_app_no(f"{body}.x", today=TODAY) == f"{body}.X"
    for digit in "0123456789":
        message = _app_no_error(f"{body}.{digit}")
        assert "应为 X" in message


def test_eight_digit_form_with_x_check_char():
    body = next(b for b in (f"9{t}1{n:05d}" for t in range(7, 10) for n in range(1, 2000))
                if app_no_check_char(b) == "X")
    assert normalize_app_no(f"{body}.X", today=TODAY) == f"{body}.X"


# --- application numbers: normalization --------------------------------------------------


@pytest.mark.parametrize("raw", [
    "CN201710601862.3",
    "cn201710601862.3",
    "ZL201710601862.3",
    "ZL 201710601862.3",
    "2017106018623",
    "CN2017106018623",
    " 201710601862.3 ",
    "2017 1060 1862.3",
    "２０１７１０６０１８６２．３",      # full-width digits and dot
    "ＣＮ２０１７１０６０１８６２.３",
    "2017\u300010601862.3",              # ideographic space
])
def test_prefixes_missing_dot_full_width_and_spaces_normalize(raw):
    assert normalize_app_no(raw, today=TODAY) == "201710601862.3"


def test_eight_digit_form_normalizes_with_prefix_and_without_dot():
    assert normalize_app_no("ZL971017654", today=TODAY) == "97101765.4"


@pytest.mark.parametrize("raw", ["", "   ", "abc", "20171060186.3", "2017106018622.3",
                                 "201710601862.33", "201710601862-", "201710601862.A",
                                 "US201710601862.3", "1234567.8"])
def test_malformed_numbers_are_refused_with_a_format_message(raw):
    assert "格式" in _app_no_error(raw)


@pytest.mark.parametrize("type_digit", ["0", "4", "5", "6", "7"])
def test_unknown_type_digit_is_refused(type_digit):
    body = f"2017{type_digit}0601862"
    message = _app_no_error(f"{body}.{app_no_check_char(body)}")
    assert f"“{type_digit}”" in message


@pytest.mark.parametrize("type_digit", ["1", "2", "3", "8", "9"])
def test_every_known_type_digit_is_accepted(type_digit):
    body = f"2017{type_digit}0601862"
    raw = f"{body}.{app_no_check_char(body)}"
    assert normalize_app_no(raw, today=TODAY) == raw


@pytest.mark.parametrize("year", [1900, 1999, 2002, 2025, 2999, 9999])
def test_absurd_or_future_years_are_refused(year):
    body = f"{year}10601862"
    message = _app_no_error(f"{body}.{app_no_check_char(body)}")
    assert str(year) in message


@pytest.mark.parametrize("year", [2003, 2024])
def test_years_from_2003_up_to_this_year_are_accepted(year):
    body = f"{year}10601862"
    raw = f"{body}.{app_no_check_char(body)}"
    assert normalize_app_no(raw, today=TODAY) == raw


@pytest.mark.parametrize("yy", ["50", "70", "84"])
def test_eight_digit_numbers_before_the_patent_law_are_refused(yy):
    """The Chinese patent system started in 1985; an 8-digit number from 1950 is a typo."""
    body = f"{yy}101765"
    _app_no_error(f"{body}.{app_no_check_char(body)}")


@pytest.mark.parametrize("yy", ["85", "97", "00", "03"])
def test_eight_digit_numbers_from_1985_to_2003_are_accepted(yy):
    body = f"{yy}101765"
    raw = f"{body}.{app_no_check_char(body)}"
    assert normalize_app_no(raw, today=TODAY) == raw


# --- unified social credit codes ---------------------------------------------------------


REAL_CODES = ["91350100M000100Y43", "91440300708461136T"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_public_credit_codes_validate(code):
    assert credit_code_check_char(code[:17]) == code[17]
    assert normalize_credit_code(code) == code


@pytest.mark.parametrize("code", REAL_CODES)
def test_lower_case_and_spaces_normalize(code):
    assert normalize_credit_code(f" {code.lower()[:9]} {code.lower()[9:]} ") == code


def test_full_width_credit_code_normalizes():
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in REAL_CODES[1])
    assert normalize_credit_code(full_width) == REAL_CODES[1]


@pytest.mark.parametrize("code", REAL_CODES)
def test_changed_check_char_fails_and_message_names_the_expected_char(code):
    wrong = next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != code[17])
    with pytest.raises(ValidationError) as info:
        normalize_credit_code(code[:17] + wrong)
    assert set(info.value.errors) == {"credit_code"}
    assert f"应为 {code[17]}" in info.value.errors["credit_code"]


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_forbidden_letters_are_refused(letter):
    code = "91350100M00010" + letter + "Y4"
    code += credit_code_check_char(code.replace(letter, "0"))  # any last char: letter is the fault
    with pytest.raises(ValidationError) as info:
        normalize_credit_code(code)
    assert letter in info.value.errors["credit_code"]
    assert "无效字符" in info.value.errors["credit_code"]


@pytest.mark.parametrize("code", ["", "9135010", "91350100M000100Y4", "91350100M000100Y433",
                                  "91350100M000100Y43" + "0" * 5])
def test_wrong_length_is_refused(code):
    with pytest.raises(ValidationError) as info:
        normalize_credit_code(code)
    assert "18 位" in info.value.errors["credit_code"]


def test_check_char_is_mod_31_over_the_charset():
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    body = "91650100MA0000001"
    total = sum(charset.index(c) * w for c, w in zip(body, weights))
    assert credit_code_check_char(body) == charset[(31 - total % 31) % 31]
