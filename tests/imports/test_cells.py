"""Pure helpers: cell readers, header matching, encoding and format detection, formulas."""
from __future__ import annotations

import codecs
from datetime import date, datetime

import pytest

from matchmaker.imports import cells
from matchmaker.imports.columns import (NEED_COLUMNS, PATENT_COLUMNS, header_key, header_scorer,
                                        map_columns)
from matchmaker.imports.files import FileProblem, detect_format, sniff_encoding


@pytest.mark.parametrize("raw", [
    "2017-08-01", "2017/8/1", "2017.8.1", "2017年8月1日", "2017年8月1", "20170801", "42948",
    "42948.0", 42948, 42948.0, "２０１７－０８－０１", "２０１７年８月１日", "2017-08-01 00:00:00",
    datetime(2017, 8, 1, 0, 0), date(2017, 8, 1),
])
def test_dates_in_every_written_form(raw):
    assert cells.as_date(raw) == date(2017, 8, 1)


def test_excel_serial_numbers_follow_the_1900_epoch():
    assert cells.as_date(43101) == date(2018, 1, 1)
    assert cells.as_date("43101") == date(2018, 1, 1)
    assert cells.as_date(None) is None and cells.as_date("") is None and cells.as_date("  ") is None


@pytest.mark.parametrize("raw, message", [
    ("2017-02-30", "“2017-02-30”不是有效日期（如 2017-07-21）"),
    ("8/1/2017", "“8/1/2017”不是有效日期（如 2017-07-21）"),
    ("明年", "“明年”不是有效日期（如 2017-07-21）"),
    (12345, "“12345”不是有效日期（如 2017-07-21）"),            # a serial before 1954
    ("99999", "“99999”不是有效日期（如 2017-07-21）"),
])
def test_invalid_dates_raise_a_cell_error(raw, message):
    with pytest.raises(cells.CellError) as exc:
        cells.as_date(raw)
    assert str(exc.value) == message


@pytest.mark.parametrize("raw, expected", [
    ("发明专利", "invention"), ("发明授权", "invention"), ("发明公开", "invention"),
    ("實用新型", "utility"), ("新型", "utility"), ("外观设计", "design"), ("invention", "invention"),
    ("", ""), (None, ""),
])
def test_patent_type_words(raw, expected):
    assert cells.patent_type(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("有权-审定授权", "valid"), ("有效", "valid"), ("专利权维持", "valid"),
    ("失效-未缴年费终止", "lapsed"), ("失效-授权后放弃", "lapsed"), ("期限届满", "lapsed"),
    ("审中-实质审查", "pending"), ("公开", "pending"), ("未知", "unknown"), ("", "unknown"),
    ("無效", "lapsed"),
])
def test_legal_status_words(raw, expected):
    assert cells.legal_status(raw) == expected


def test_unknown_enumeration_values_name_the_allowed_ones():
    with pytest.raises(cells.CellError, match="专利类型“商标”无法识别，可填：发明、实用新型、外观设计"):
        cells.patent_type("商标")
    with pytest.raises(cells.CellError, match="法律状态“半死不活”无法识别，可填：有效、审中、失效"):
        cells.legal_status("半死不活")
    with pytest.raises(cells.CellError, match="合作方式“赠送”无法识别"):
        cells.wanted_forms("许可、赠送")


def test_wanted_forms_and_lists():
    assert cells.wanted_forms("许可、转让，合作开发；许可") == ["licence", "transfer", "joint"]
    assert cells.wanted_forms("技术合作") == ["joint"]
    assert cells.split_list("张三；李四,王五、赵六\n钱七|孙八") == ["张三", "李四", "王五", "赵六", "钱七",
                                                            "孙八"]


def test_text_numbers_and_booleans():
    assert cells.as_text(2017.0) == "2017" and cells.as_text(2.5) == "2.5"
    assert cells.as_text(True) == "是" and cells.as_text(None) == ""
    assert cells.as_int_text("１,２００") == "1200" and cells.as_int_text(300.0) == "300"
    assert (cells.as_bool("是"), cells.as_bool("否"), cells.as_bool(""), cells.as_bool("Y")) == \
        (True, False, False, True)
    with pytest.raises(cells.CellError, match="应为“是”或“否”"):
        cells.as_bool("也许")


@pytest.mark.parametrize("text, formula", [
    ("=cmd|' /C calc'!A0", True), ("=1+1", True), ("@SUM(A1:A2)", True), ("+A1!B2", True),
    ("-2+3|x", True), ("-用于锂电池的方法(改进)", False), ("-5", False), ("+86 991 1234567", False),
    ("一种方法=更好", False), ("", False),
    # Chinese text around a payload does not disarm it (issue 11)
    ("+锂电池cmd|' /C calc'!A0", True), ("=锂电池", True), ('@锂电池HYPERLINK("http://x","点击")', True),
    ("-锂电池!A1", True), ("＝锂电池", True), ('  =HYPERLINK("http://x")', True),
])
def test_formula_detection(text, formula):
    assert cells.looks_like_formula(text) is formula


def test_traditional_text_is_simplified_and_reported():
    assert cells.simplified("一種鋰電池正極材料") == ("一种锂电池正极材料", True)
    assert cells.simplified("一种锂电池") == ("一种锂电池", False)


@pytest.mark.parametrize("header, key", [
    ("申請號", "申请号"), ("*专利名称", "专利名称"), ("申请日（YYYY-MM-DD）", "申请日"),
    ("IPC 分类号", "ipc分类号"), ("预算上限(万元)", "预算上限"), ("【必填】需求名称", "需求名称"),
    ("ＩＰＣ分类号", "ipc分类号"), (None, ""),
])
def test_header_key(header, key):
    assert header_key(header) == key


@pytest.mark.parametrize("headers, field", [
    (("申请号", "专利号", "专利申请号", "申請號"), "app_no"),
    (("名称", "发明名称", "标题", "专利名称", "發明名稱"), "title"),
    (("申请人", "专利权人", "当前权利人"), "applicant"),
    (("申请日", "申请日期"), "filing_date"),
    (("授权公告日", "授权日"), "grant_date"),
    (("法律状态", "当前法律状态"), "legal_status"),
    (("专利类型", "类型"), "patent_type"),
    (("主分类号", "IPC分类号", "IPC主分类号"), "ipc_codes"),
])
def test_patent_header_aliases(headers, field):
    for header in headers:
        assert map_columns([header], PATENT_COLUMNS).fields == {field: [0]}, header


def test_ipc_main_class_and_all_classes_both_feed_ipc_codes():
    cmap = map_columns(["主分类号", "申请号", "IPC分类号", "专利号", "标题", "名称"], PATENT_COLUMNS)
    assert cmap.fields["ipc_codes"] == [0, 2]
    assert cmap.fields["app_no"] == [1] and cmap.fields["title"] == [4]
    assert cmap.unmapped == ["专利号", "名称"]


def test_header_scorer_counts_distinct_known_fields():
    score = header_scorer(NEED_COLUMNS)
    assert score(["需求名称", "需求描述", "行业", "备注"]) == 3
    assert score(["标题", "名称"]) == 1                      # both are the title
    assert score(["2024 年技术需求汇总", None, 3]) == 0


def test_sniff_encoding():
    assert sniff_encoding(codecs.BOM_UTF8 + "申请号".encode()) == "utf-8-sig"
    assert sniff_encoding("申请号".encode()) == "utf-8"
    assert sniff_encoding("申请号".encode()[:-1]) == "utf-8"     # cut inside a character
    assert sniff_encoding("申请号".encode("gbk")) == "gb18030"
    with pytest.raises(FileProblem, match="UTF-16"):
        sniff_encoding(codecs.BOM_UTF16_LE + "申请号".encode("utf-16-le"))


@pytest.mark.parametrize("name, head, fmt", [
    ("a.csv", b"abc", "csv"), ("a.TSV", b"abc", "csv"), ("a.txt", b"abc", "csv"),
    ("a.xlsx", b"PK\x03\x04", "xlsx"), ("a.xlsm", b"PK\x03\x04", "xlsx"),
    ("a.jsonl", b"{", "jsonl"), ("a.ndjson", b"{", "jsonl"), ("a.jsonl.gz", b"\x1f\x8b", "jsonl"),
    ("upload", b"PK\x03\x04", "xlsx"),
])
def test_detect_format(name, head, fmt):
    assert detect_format(name, head) == fmt
