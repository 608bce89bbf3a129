"""Patent rows: per-row validation with spreadsheet row numbers, computed fields, cell problems."""
from __future__ import annotations

import csv
from datetime import date

import pytest
from sqlalchemy import select

from matchmaker.imports.report import open_report
from matchmaker.models import LegalStatus, ListingState, Patent, PatentType
from tests.imports.helpers import (FORMULA, app_no, counts, full_width, import_patents,
                                   patent_by_app_no, rejected_rows, warned_rows, with_wrong_check,
                                   write_csv, write_xlsx)

HEADER = ["申请号", "专利名称", "摘要", "专利类型", "法律状态", "申请日", "授权公告日", "IPC分类号"]


def rows_file(tmp_path, rows: list[list], name: str = "p.csv"):
    """Two title lines above the header, so the first data row is spreadsheet row 4."""
    table = [["新疆大学专利清单"], ["导出时间：2024-05-01"], HEADER, *rows]
    if name.endswith(".xlsx"):
        return write_xlsx(tmp_path / name, table)
    return write_csv(tmp_path / name, table)


def test_each_invalid_row_is_rejected_with_its_spreadsheet_row_number(session, university, tmp_path):
    good = app_no(2017, "1", 11)
    rows = [
        [with_wrong_check(app_no(2017, "1", 7)), "一种校验位错误的方法", "摘要", "", "有权", "2017-05-01", "", ""],
        [app_no(2017, "2", 8), "一种类型位不一致的装置", "摘要", "发明专利", "有权", "2017-05-01", "", ""],
        [app_no(2017, "1", 9), "一种授权早于申请的方法", "摘要", "", "有权", "2017-05-01", "2017-01-01", ""],
        [app_no(2017, "1", 10), "一种分类号错误的方法", "摘要", "", "有权", "2017-05-01", "", "XYZ 1/00"],
        [good, "一种分类号正确的方法", "摘要", "", "有权", "2017-05-01", "", "A01B 1/00;H01M10/052"],
        [app_no(2017, "1", 12), "一种类型未知的方法", "摘要", "商标", "有权", "2017-05-01", "", ""],
        [app_no(2017, "1", 13), "一种状态未知的方法", "摘要", "", "半死不活", "2017-05-01", "", ""],
        [app_no(2017, "1", 14), "长" * 301, "摘要", "", "有权", "2017-05-01", "", ""],
        [app_no(2017, "1", 15), "一种申请日年份不符的方法", "摘要", "", "有权", "2018-05-01", "", ""],
        [app_no(2017, "1", 16), "", "", "", "有权", "2017-05-01", "", ""],
        ["2017106018", "一种申请号太短的方法", "摘要", "", "有权", "2017-05-01", "", ""],
        [app_no(2030, "1", 17), "一种未来的方法", "摘要", "", "", "", "", ""],
    ]
    before = counts(session)
    summary = import_patents(session, rows_file(tmp_path, rows), university)
    wrong = with_wrong_check(app_no(2017, "1", 7))
    assert rejected_rows(summary) == {
        4: [f"申请号校验位错误：{wrong} 的校验位应为 {app_no(2017, '1', 7)[-1]}"],
        5: ["专利类型与申请号中的类型位不一致"],
        6: ["授权公告日不能早于申请日"],
        7: ["IPC 分类号“XYZ 1/00”格式不正确，应如 A01B 1/00 或 H01M10/052"],
        9: ["专利类型“商标”无法识别，可填：发明、实用新型、外观设计"],
        10: ["法律状态“半死不活”无法识别，可填：有效、审中、失效"],
        11: ["专利名称不能超过 300 个字符（当前 301 个）"],
        12: ["申请日年份与申请号中的年份不一致"],
        13: ["专利名称和摘要不能都为空"],
        14: ["申请号格式不正确，应为“年份+类型+流水号.校验位”，如 201710601862.3"],
        15: ["申请号中的年份 2030 不合理"],
    }
    assert summary.counts["new"] == 1 and summary.counts["rejected"] == 11
    assert {r["row"]: r["key"] for r in summary.rejected}[5] == app_no(2017, "2", 8)
    assert counts(session)["Patent"] == before["Patent"] + 1
    assert patent_by_app_no(session, good).ipc_codes == ["A01B 1/00", "H01M 10/052"]


def test_several_problems_of_one_row_are_reported_together(session, university, tmp_path):
    rows = [[app_no(2017, "1", 1), "一种方法", "摘要", "商标", "半死不活", "明天", "", ""]]
    summary = import_patents(session, rows_file(tmp_path, rows), university)
    assert rejected_rows(summary) == {4: [
        "专利类型“商标”无法识别，可填：发明、实用新型、外观设计",
        "法律状态“半死不活”无法识别，可填：有效、审中、失效",
        "申请日：“明天”不是有效日期（如 2017-07-21）"]}


def test_expiry_and_listing_state_follow_type_status_and_dates(session, university, tmp_path):
    valid, utility, lapsed = app_no(2017, "1", 1), app_no(2018, "2", 2), app_no(2017, "1", 3)
    expired, pending, design = app_no(2003, "1", 4), app_no(2022, "1", 5), app_no(2022, "3", 6)
    rows = [
        [valid, "一种有效的方法", "摘要", "", "有权-审定授权", "2017-08-01", "2019-05-10", ""],
        [utility, "一种实用新型装置", "摘要", "实用新型", "有效", "2018-05-01", "2018-11-01", ""],
        [lapsed, "一种失效的方法", "摘要", "", "失效-未缴年费终止", "2017-05-01", "", ""],
        [expired, "一种届满的方法", "摘要", "", "有权", "2003-05-01", "2006-01-01", ""],
        [pending, "一种审中的方法", "摘要", "发明公开", "审中-实质审查", "2022-05-01", "", ""],
        [design, "一种外观设计", "", "外观设计", "有效", "2022-02-01", "2022-06-01", ""],
    ]
    summary = import_patents(session, rows_file(tmp_path, rows), university)
    assert summary.counts["new"] == 6
    assert warned_rows(summary) == {6: ["该专利已失效，将作为已归档导入（不上架）"],
                                    7: ["该专利已于 2023-04-30 到期，将作为已归档导入（不上架）"],
                                    8: ["该专利尚未授权，导入为草稿"]}
    got = {p.app_no: (p.patent_type, p.legal_status, p.expiry_date, p.listing_state)
           for p in session.scalars(select(Patent))}
    assert got == {
        valid: (PatentType.INVENTION, LegalStatus.VALID, date(2037, 7, 31), ListingState.LISTED),
        utility: (PatentType.UTILITY, LegalStatus.VALID, date(2028, 4, 30), ListingState.LISTED),
        lapsed: (PatentType.INVENTION, LegalStatus.LAPSED, date(2037, 4, 30), ListingState.ARCHIVED),
        expired: (PatentType.INVENTION, LegalStatus.VALID, date(2023, 4, 30), ListingState.ARCHIVED),
        pending: (PatentType.INVENTION, LegalStatus.PENDING, date(2042, 4, 30), ListingState.DRAFT),
        design: (PatentType.DESIGN, LegalStatus.VALID, date(2037, 1, 31), ListingState.LISTED),
    }


def test_valid_patents_come_in_as_drafts_when_listing_is_off(session, university, tmp_path):
    rows = [[app_no(2017, "1", 1), "一种有效的方法", "摘要", "", "有效", "2017-08-01", "", ""],
            [app_no(2017, "1", 2), "一种失效的方法", "摘要", "", "失效", "2017-08-01", "", ""]]
    summary = import_patents(session, rows_file(tmp_path, rows), university, list_valid=False)
    assert summary.counts["new"] == 2
    assert patent_by_app_no(session, app_no(2017, "1", 1)).listing_state == ListingState.DRAFT
    assert patent_by_app_no(session, app_no(2017, "1", 2)).listing_state == ListingState.ARCHIVED


def test_full_width_digits_and_traditional_characters(session, university, tmp_path):
    number = app_no(2017, "1", 601862)
    rows = [[full_width(number), "一種鋰電池正極材料及其製備方法", "本發明公開了一種鋰電池。", "發明",
             "有效", "２０１７年７月２１日", "２０１９－０５－１０", "Ｈ０１Ｍ１０／０５２"]]
    summary = import_patents(session, rows_file(tmp_path, rows), university)
    assert summary.counts["new"] == 1
    assert warned_rows(summary) == {4: ["已将繁体字转换为简体"]}
    patent = patent_by_app_no(session, number)
    assert patent.title == "一种锂电池正极材料及其制备方法"
    assert patent.abstract == "本发明公开了一种锂电池。"
    assert (patent.filing_date, patent.grant_date) == (date(2017, 7, 21), date(2019, 5, 10))
    assert patent.ipc_codes == ["H01M 10/052"]


def test_duplicate_rows_in_the_file_name_the_first_row(session, university, tmp_path):
    number = app_no(2017, "1", 1)
    rows = [[number, "一种方法", "摘要", "", "有效", "2017-08-01", "", ""],
            [app_no(2017, "1", 2), "另一种方法", "摘要", "", "有效", "2017-08-01", "", ""],
            [full_width(number), "一种方法（重复）", "摘要", "", "有效", "2017-08-01", "", ""]]
    summary = import_patents(session, rows_file(tmp_path, rows), university)
    assert rejected_rows(summary) == {6: ["与第 4 行的申请号相同（文件内重复）"]}
    assert patent_by_app_no(session, number).title == "一种方法"
    assert counts(session)["Patent"] == 2


def read_report(path) -> list[list[str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")          # Excel needs the BOM
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize("name", ["p.csv", "p.xlsx"])
def test_formula_rows_are_rejected_and_reported_neutralized(session, university, tmp_path, name):
    rows = [[app_no(2017, "1", 1), FORMULA, "摘要", "", "有效", "2017-08-01", "", ""],
            [app_no(2017, "1", 2), "一种正常的方法", "摘要", "", "有效", "2017-08-01", "", ""]]
    path = rows_file(tmp_path, rows, name)
    if name.endswith(".xlsx"):      # openpyxl stores it as a real formula, never a cached value
        from openpyxl import load_workbook
        ws = load_workbook(path).active
        assert ws["B4"].data_type == "f" and ws["B4"].value == FORMULA
    report_path = tmp_path / "rejected.csv"
    fh, report = open_report(report_path)
    with fh:
        summary = run_with_report(session, path, university, report)
    expected = ("第 2 列是公式（=cmd|' /C calc'!A0），公式不会被执行，请改为纯文本" if name.endswith(".xlsx")
                else "“专利名称”列的内容像公式（=cmd|' /C calc'!A0），公式不会被执行，请改为纯文本")
    assert rejected_rows(summary) == {4: [expected]}
    assert summary.counts["new"] == 1
    assert session.scalars(select(Patent.title)).all() == ["一种正常的方法"]
    assert report.count == 1
    assert read_report(report_path) == [
        ["行号", "拒绝原因", *HEADER],
        ["4", expected, app_no(2017, "1", 1), "'" + FORMULA, "摘要", "", "有效", "2017-08-01", "", ""]]


def run_with_report(session, path, owner, report):
    from matchmaker.imports.service import ImportOptions, run_import
    from matchmaker.models import ImportKind
    from tests.imports.helpers import TODAY
    return run_import(session, path, ImportKind.PATENTS, organization=owner, write=True,
                      options=ImportOptions(today=TODAY), on_rejected=report.add,
                      on_open=lambda table, _cmap: report.start(table.headers,
                                                                table.format == "jsonl"))


def test_formula_in_any_column_rejects_the_row(session, university, tmp_path):
    """Enumerations and lists too: `=HYPERLINK(..., "发明")` must not read as 发明."""
    path = write_csv(tmp_path / "p.csv", [
        ["申请号", "专利名称", "发明人", "专利类型", "IPC分类号"],
        [app_no(2017, "1", 1), "一种方法一", FORMULA, "", ""],
        [app_no(2017, "1", 2), "一种方法二", "张三", '=HYPERLINK("http://x.cn","发明")', ""],
        [app_no(2017, "1", 3), "一种方法三", "张三", "", "@SUM(1+1)!A1"],
        [app_no(2017, "1", 4), "一种方法四", "张三", "发明", "H01M10/052"],
    ])
    before = counts(session)["Patent"]
    summary = import_patents(session, path, university)
    assert rejected_rows(summary) == {
        2: [f"“发明人”列的内容像公式（{FORMULA[:20]}），公式不会被执行，请改为纯文本"],
        3: ["“专利类型”列的内容像公式（=HYPERLINK(\"http://x），公式不会被执行，请改为纯文本"],
        4: ["“IPC分类号”列的内容像公式（@SUM(1+1)!A1），公式不会被执行，请改为纯文本"]}
    assert counts(session)["Patent"] == before + 1


def test_a_formula_wrapped_in_chinese_text_rejects_the_row(session, university, tmp_path):
    """Issue 11: `+锂电池cmd|...` was accepted because the old rule skipped any text with Chinese
    characters; the rule is the same for every script now."""
    payload = "+锂电池cmd|' /C calc'!A0"
    path = write_csv(tmp_path / "p.csv", [
        ["申请号", "专利名称", "摘要"],
        [app_no(2017, "1", 1), payload, "摘要"],
        [app_no(2017, "1", 2), "-用于锂电池的方法(改进)", "摘要"],
    ])
    summary = import_patents(session, path, university)
    assert rejected_rows(summary) == {
        2: [f"“专利名称”列的内容像公式（{payload[:20]}），公式不会被执行，请改为纯文本"]}
    assert session.scalars(select(Patent.title)).all() == ["-用于锂电池的方法(改进)"]


def test_rows_inside_a_vertical_merge_are_rejected_naming_the_range(session, university, tmp_path):
    table = [["新疆大学专利清单"], HEADER,
             [app_no(2017, "1", 1), "一种方法一", "摘要", "", "有效", "2017-08-01", "", ""],
             [app_no(2017, "1", 2), "一种方法二", "摘要", "", "有效", "2017-08-01", "", ""],
             [None, "一种方法三", "摘要", "", "有效", "2017-08-01", "", ""],
             [app_no(2017, "1", 4), "一种方法四", "摘要", "", "有效", "2017-08-01", "", ""]]
    path = write_xlsx(tmp_path / "p.xlsx", table, merges=("A4:A5", "E3:F3"))
    summary = import_patents(session, path, university)
    message = "该行处于合并单元格 A4:A5 中，请取消合并并在每一行填写完整"
    assert rejected_rows(summary) == {4: [message], 5: [message]}   # a one-row merge is harmless
    assert sorted(session.scalars(select(Patent.title))) == ["一种方法一", "一种方法四"]
