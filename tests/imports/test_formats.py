"""Reading patent files: CSV encodings, XLSX, JSON Lines, title rows and header aliases."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from matchmaker.imports.files import FileProblem
from sqlalchemy import select

from matchmaker.models import LegalStatus, ListingState, Patent, PatentType
from tests.imports.helpers import (app_no, counts, csv_text, import_patents, patent_by_app_no,
                                   rejected_rows, warned_rows, write_csv, write_jsonl, write_xlsx)

NO = app_no(2017, "1", 601862)
EXPORT_HEADER = ["申请号", "名称", "主分类号", "IPC分类号", "申请人", "申请日", "授权公告日", "法律状态",
                 "专利类型"]
EXPORT_ROW = [NO, "一种锂离子电池正极材料及其制备方法", "H01M10/052", "H01M4/13;A01B 1/00", "新疆大学",
              "2017-08-01", "2019-05-10", "有权-审定授权", "发明专利"]
EXPORT_MAPPING = [("申请号", "申请号"), ("名称", "专利名称"), ("主分类号", "IPC分类号"),
                  ("IPC分类号", "IPC分类号"), ("申请人", "专利权人"), ("申请日", "申请日"),
                  ("授权公告日", "授权公告日"), ("法律状态", "法律状态"), ("专利类型", "专利类型")]


def assert_export_row_imported(session, owner) -> None:
    patent = patent_by_app_no(session, NO)
    assert patent.owner_id == owner.id
    assert patent.title == "一种锂离子电池正极材料及其制备方法"
    assert patent.ipc_codes == ["H01M 10/052", "H01M 4/13", "A01B 1/00"]   # main class first
    assert [e.code for e in patent.ipc_entries] == patent.ipc_codes
    assert (patent.filing_date, patent.grant_date) == (date(2017, 8, 1), date(2019, 5, 10))
    assert (patent.patent_type, patent.legal_status) == (PatentType.INVENTION, LegalStatus.VALID)
    assert patent.listing_state == ListingState.LISTED


@pytest.mark.parametrize("encoding, reported", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"),
                                                ("gb18030", "gb18030"), ("gbk", "gb18030")])
def test_csv_encoding_is_detected_and_title_rows_above_the_header_are_skipped(
        session, university, tmp_path, encoding, reported):
    path = write_csv(tmp_path / "export.csv", [["新疆大学专利清单（导出于 2024-05-01）"], [],
                                               EXPORT_HEADER, EXPORT_ROW], encoding)
    summary = import_patents(session, path, university)
    assert (summary.format, summary.encoding, summary.header_row) == ("csv", reported, 3)
    assert summary.mapping == EXPORT_MAPPING
    assert summary.unmapped == []
    assert summary.counts["new"] == 1 and summary.total == 1
    assert summary.warnings == []           # the applicant is the owner: nothing to confirm
    assert_export_row_imported(session, university)


@pytest.mark.parametrize("encoding, chosen", [("gbk", "gb18030"), ("utf-8-sig", "utf-8"),
                                              ("utf-8", "utf-8")])
def test_csv_encoding_chosen_explicitly(session, university, tmp_path, encoding, chosen):
    path = write_csv(tmp_path / "export.csv", [EXPORT_HEADER, EXPORT_ROW], encoding)
    summary = import_patents(session, path, university, encoding=chosen)
    assert summary.mapping[0] == ("申请号", "申请号")       # no BOM left on the first header
    assert summary.counts["new"] == 1
    assert_export_row_imported(session, university)


def test_tab_separated_text_is_read_as_well(session, university, tmp_path):
    path = tmp_path / "export.txt"
    path.write_text("\n".join("\t".join(r) for r in (EXPORT_HEADER, EXPORT_ROW)) + "\n",
                    encoding="utf-8")
    summary = import_patents(session, path, university)
    assert summary.counts["new"] == 1
    assert_export_row_imported(session, university)


def test_header_variants_traditional_characters_and_notes(session, university, tmp_path):
    header = ["*申請號", "*专利名称", "發明人", "申请日（YYYY-MM-DD）", "专利权人", "授权日",
              "当前法律状态", "类型", "摘要文本", "备注", "专利号"]
    row = [NO, "一种锂电池", "张三；李四、王五", "2017-08-01", "新疆大学", "2019-05-10", "有效", "发明授权",
           "本发明公开了一种锂电池。", "内部备注", NO]
    summary = import_patents(session, write_csv(tmp_path / "p.csv", [header, row]), university)
    assert summary.mapping == [
        ("*申請號", "申请号"), ("*专利名称", "专利名称"), ("發明人", "发明人"),
        ("申请日（YYYY-MM-DD）", "申请日"), ("专利权人", "专利权人"), ("授权日", "授权公告日"),
        ("当前法律状态", "法律状态"), ("类型", "专利类型"), ("摘要文本", "摘要"),
        ("备注", "（忽略）"), ("专利号", "（忽略）")]
    assert summary.unmapped == ["备注", "专利号"]    # a second application-number column is ignored
    patent = patent_by_app_no(session, NO)
    assert patent.inventors == ["张三", "李四", "王五"]
    assert patent.abstract == "本发明公开了一种锂电池。"
    assert patent.grant_date == date(2019, 5, 10)


def test_applicant_other_than_the_owner_is_imported_with_a_warning(session, university, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["申请号", "专利名称", "申请人"],
                                          [NO, "一种锂电池", "石河子大学;新疆农业大学"]])
    summary = import_patents(session, path, university)
    assert summary.counts["new"] == 1
    assert warned_rows(summary) == {2: ["申请人“石河子大学;新疆农业大学”中没有“新疆大学”，请确认专利权归属"]}
    assert patent_by_app_no(session, NO).owner_id == university.id


def test_xlsx_with_title_row_dates_of_every_kind_and_spreadsheet_row_numbers(
        session, university, tmp_path):
    rows = [["新疆大学 2023 年专利清单"],
            ["申请号", "专利名称", "申请日", "授权公告日", "发明人"],
            [app_no(2017, "1", 1), "一种方法一", 42948, datetime(2019, 5, 10), "张三"],  # serial
            [app_no(2017, "1", 2), "一种方法二", "42948", date(2019, 5, 10), "李四"],   # serial text
            [app_no(2017, "1", 3), "一种方法三", datetime(2017, 8, 1), "2019/5/10", "王五"],
            [None, None, None, None, None],                                         # skipped
            [app_no(2017, "1", 4), "一种方法四", "2017年8月1日", "20190510", "赵六"],
            [app_no(2017, "1", 5), "一种方法五", "2017-13-01", None, "钱七"]]
    summary = import_patents(session, write_xlsx(tmp_path / "p.xlsx", rows), university)
    assert (summary.format, summary.header_row) == ("xlsx", 2)
    assert summary.counts == {"new": 4, "updated": 0, "unchanged": 0, "rejected": 1,
                              "near_duplicate": 0}
    assert rejected_rows(summary) == {8: ["申请日：“2017-13-01”不是有效日期（如 2017-07-21）"]}
    for serial in (1, 2, 3, 4):
        patent = patent_by_app_no(session, app_no(2017, "1", serial))
        assert (patent.filing_date, patent.grant_date) == (date(2017, 8, 1), date(2019, 5, 10))


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them(session, university, tmp_path):
    """A quoted abstract with line breaks is one row in Excel; later rows keep their number."""
    text = csv_text([["申请号", "专利名称", "摘要"],
                     [app_no(2017, "1", 1), "一种方法一", "第一段。\n第二段。\n第三段。"],
                     [app_no(2017, "1", 2), "一种方法二", "摘要。"],
                     [app_no(2017, "1", 1), "一种方法三", "摘要。"]])
    path = tmp_path / "p.csv"
    path.write_text(text, encoding="utf-8")
    summary = import_patents(session, path, university)
    assert rejected_rows(summary) == {4: ["与第 2 行的申请号相同（文件内重复）"]}
    assert patent_by_app_no(session, app_no(2017, "1", 1)).abstract == "第一段。\n第二段。\n第三段。"


def test_json_lines_with_chinese_or_english_keys(session, university, tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [
        {"app_no": app_no(2017, "1", 1), "title": "一种方法一", "ipc": ["H01M10/052", "H01M4/13"],
         "app_date": "2017-08-01", "legal_status": "有权", "inventors": ["张三", "李四"]},
        {"申请号": app_no(2017, "1", 2), "专利名称": "一种方法二", "申请日": "2017-08-02"},
        "{not json",
        "[1, 2]",
    ])
    summary = import_patents(session, path, university)
    assert (summary.format, summary.header_row) == ("jsonl", 0)
    assert summary.counts["new"] == 2
    assert rejected_rows(summary) == {3: ["不是有效的 JSON：Expecting property name enclosed in double quotes"],
                                      4: ["每行须为一个 JSON 对象"]}
    first = patent_by_app_no(session, app_no(2017, "1", 1))
    assert first.ipc_codes == ["H01M 10/052", "H01M 4/13"]
    assert first.inventors == ["张三", "李四"]
    assert first.filing_date == date(2017, 8, 1)
    assert patent_by_app_no(session, app_no(2017, "1", 2)).filing_date == date(2017, 8, 2)


def test_header_only_file_imports_zero_rows(session, university, tmp_path):
    before = counts(session)
    summary = import_patents(session, write_csv(tmp_path / "p.csv", [EXPORT_HEADER]), university)
    assert summary.total == 0 and summary.applicable == 0
    assert summary.counts == {"new": 0, "updated": 0, "unchanged": 0, "rejected": 0,
                              "near_duplicate": 0}
    assert summary.mapping == EXPORT_MAPPING      # the preview still shows how columns map
    assert (summary.rejected, summary.file_error) == ([], "")
    assert counts(session) == before


def test_a_file_without_known_columns_is_refused_with_a_hint_about_encoding(
        session, university, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["编号", "备注"], ["1", "无关内容"]])
    with pytest.raises(FileProblem) as exc:
        import_patents(session, path, university)
    assert exc.value.message.startswith("没有识别出任何列。文件的表头是：编号、备注。")
    assert "GB18030/GBK" in exc.value.message


def test_patent_file_needs_a_title_abstract_or_number_column(session, university, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["申请日", "法律状态"], ["2017-08-01", "有效"]])
    with pytest.raises(FileProblem, match="没有找到“专利名称”“摘要”或“申请号”列"):
        import_patents(session, path, university)


def test_numbers_and_statuses_only_refresh_existing_patents(session, university, tmp_path):
    full = write_csv(tmp_path / "full.csv", [["申请号", "专利名称", "摘要", "申请日", "法律状态"],
                                              [NO, "一种正极材料", "摘要。", "2017-08-01", "有效"]])
    import_patents(session, full, university)
    refresh = write_csv(tmp_path / "status.csv", [["申请号", "法律状态"], [NO, "失效-未缴年费终止"]])
    summary = import_patents(session, refresh, university)
    assert summary.counts["updated"] == 1
    patent = session.scalar(select(Patent).where(Patent.owner_id == university.id))
    assert (patent.title, patent.legal_status.value, patent.listing_state.value) == \
        ("一种正极材料", "lapsed", "archived")
