"""IPC code syntax."""
from __future__ import annotations

import pytest

from matchmaker.catalog.ipc import parse_ipc, split_ipc_list
from matchmaker.errors import ValidationError


@pytest.mark.parametrize("raw, code, section, ipc_class, subclass", [
    ("A01B 1/00", "A01B 1/00", "A", "A01", "A01B"),
    ("H01M10/052", "H01M 10/052", "H", "H01", "H01M"),
    ("h01m 10/052", "H01M 10/052", "H", "H01", "H01M"),
    ("H01M 10 / 052", "H01M 10/052", "H", "H01", "H01M"),
    ("  G06F 16/3344 ", "G06F 16/3344", "G", "G06", "G06F"),
    ("G06F", "G06F", "G", "G06", "G06F"),
    ("ｇ０６ｆ", "G06F", "G", "G06", "G06F"),                # full width
    ("B64U101/30", "B64U 101/30", "B", "B64", "B64U"),
    ("C07D0401/04", "C07D 401/04", "C", "C07", "C07D"),   # leading zero in the main group
])
def test_valid_codes_are_parsed_into_levels(raw, code, section, ipc_class, subclass):
    parsed = parse_ipc(raw)
    assert (parsed.code, parsed.section, parsed.ipc_class, parsed.subclass) == \
        (code, section, ipc_class, subclass)


@pytest.mark.parametrize("raw", ["Z99X 1/00", "H01M10", "1234", "", "H1M 10/052", "H01 10/052",
                                 "H01M 10/", "H01M /052", "I01M 10/052", "H01M 10/052 extra"])
def test_invalid_codes_are_refused_under_the_ipc_field(raw):
    with pytest.raises(ValidationError) as info:
        parse_ipc(raw)
    assert set(info.value.errors) == {"ipc_codes"}
    assert "格式不正确" in info.value.errors["ipc_codes"]


def test_message_quotes_the_bad_code():
    with pytest.raises(ValidationError) as info:
        parse_ipc("Z99X 1/00")
    assert "Z99X 1/00" in info.value.errors["ipc_codes"]


@pytest.mark.parametrize("raw, expected", [
    ("A01B 1/00; H01M10/052", ["A01B 1/00", "H01M10/052"]),
    ("A01B 1/00，H01M 10/052、G06F", ["A01B 1/00", "H01M 10/052", "G06F"]),
    ("A01B 1/00\nG06F\n\n", ["A01B 1/00", "G06F"]),
    (["A01B 1/00", " ", "G06F "], ["A01B 1/00", "G06F"]),
    (None, []),
    ("", []),
])
def test_split_list_keeps_spaces_inside_codes(raw, expected):
    assert split_ipc_list(raw) == expected
