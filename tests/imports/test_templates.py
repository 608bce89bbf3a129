"""Import templates re-import cleanly; the rejection report for JSON Lines keeps the raw line."""
from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from matchmaker.imports.columns import NEED_COLUMNS, PATENT_COLUMNS
from matchmaker.imports.report import open_report, template_csv, template_xlsx
from matchmaker.imports.service import ImportOptions, run_import
from matchmaker.models import ImportKind, LegalStatus, ListingState, Need, Patent, PatentType
from tests.imports.helpers import (FORMULA, TODAY, app_no, counts, import_needs, import_patents,
                                   write_jsonl)

COLUMNS = {ImportKind.PATENTS: PATENT_COLUMNS, ImportKind.NEEDS: NEED_COLUMNS}


def run(session, path, kind, org):
    return (import_patents if kind == ImportKind.PATENTS else import_needs)(session, path, org)


@pytest.mark.parametrize("kind", list(ImportKind))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_reimports_as_an_empty_file_with_every_column_mapped(
        session, university, enterprise, tmp_path, kind, fmt):
    content = template_csv(kind) if fmt == "csv" else template_xlsx(kind)
    path = tmp_path / f"template.{fmt}"
    path.write_bytes(content)
    labels = [c.label for c in COLUMNS[kind]]
    before = counts(session)
    summary = run(session, path, kind, university if kind == ImportKind.PATENTS else enterprise)
    assert summary.mapping == [(label, label) for label in labels]
    assert summary.unmapped == [] and summary.header_row == 1
    assert summary.total == 0
    assert counts(session) == before


def test_csv_template_is_excel_friendly_utf8():
    content = template_csv(ImportKind.NEEDS)
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").strip() == ",".join(c.label for c in NEED_COLUMNS)


def test_xlsx_template_explains_every_column():
    wb = load_workbook(io.BytesIO(template_xlsx(ImportKind.PATENTS)))
    assert wb.sheetnames == ["专利", "填写说明"]
    notes = {row[0]: row for row in wb["填写说明"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert notes["专利名称"][1] == "必填"
    assert "校验位" in notes["申请号"][2]
    assert "专利号" in notes["申请号"][3]


def fill(kind: ImportKind, values: dict[str, object], path):
    wb = load_workbook(io.BytesIO(template_xlsx(kind)))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    ws.append([values.get(h) for h in header])
    wb.save(path)
    return path


def test_filled_patent_template_imports(session, university, tmp_path):
    number = app_no(2019, "1", 42)
    path = fill(ImportKind.PATENTS, {
        "申请号": number, "专利名称": "一种棉花精量播种装置", "摘要": "本发明公开了一种播种装置。",
        "专利类型": "发明", "法律状态": "有效", "申请日": date(2019, 4, 2), "授权公告日": "2021-06-01",
        "IPC分类号": "A01C 7/20; A01C7/04", "专利权人": "新疆大学", "发明人": "张三、李四",
        "所属行业": "农业机械", "技术成熟度": 6, "提供技术支持": "是", "来源编号": "XJU-42"},
        tmp_path / "filled.xlsx")
    summary = import_patents(session, path, university)
    assert summary.counts["new"] == 1 and summary.rejected == [] and summary.warnings == []
    patent = session.scalars(select(Patent)).one()
    assert (patent.app_no, patent.title, patent.patent_type, patent.legal_status) == (
        number, "一种棉花精量播种装置", PatentType.INVENTION, LegalStatus.VALID)
    assert (patent.filing_date, patent.grant_date, patent.expiry_date) == (
        date(2019, 4, 2), date(2021, 6, 1), date(2039, 4, 1))
    assert patent.ipc_codes == ["A01C 7/20", "A01C 7/04"]
    assert (patent.industry_tags, patent.readiness, patent.knowhow_included, patent.source_id) == (
        ["农业机械"], 6, True, "XJU-42")
    assert patent.inventors == ["张三", "李四"]
    assert patent.listing_state == ListingState.LISTED


def test_filled_need_template_imports(session, enterprise, tmp_path):
    path = fill(ImportKind.NEEDS, {
        "需求名称": "提高滴灌带抗老化性能", "需求描述": "滴灌带在强紫外线下两季即老化。", "所属行业": "节水农业",
        "所在地区": "阿克苏地区", "预算下限（万元）": 20, "预算上限（万元）": 80.0, "合作方式": "许可、合作开发",
        "有效期至": date(2025, 3, 31), "需求编号": "XQ-7"}, tmp_path / "filled.xlsx")
    summary = import_needs(session, path, enterprise)
    assert summary.counts["new"] == 1 and summary.rejected == []
    need = session.scalars(select(Need)).one()
    assert (need.title, need.industry, need.region, need.budget_min_wan, need.budget_max_wan,
            need.wanted_forms, need.valid_until, need.source_id) == (
        "提高滴灌带抗老化性能", "节水农业", "阿克苏地区", 20, 80, ["licence", "joint"],
        date(2025, 3, 31), "XQ-7")


def test_rejection_report_of_json_lines_keeps_the_original_line(session, university, tmp_path):
    bad = {"app_no": app_no(2017, "1", 1), "title": FORMULA}
    path = write_jsonl(tmp_path / "p.jsonl", [
        {"app_no": app_no(2017, "1", 2), "title": "一种正常的方法"}, bad, "{oops"])
    report_path = tmp_path / "rejected.csv"
    fh, report = open_report(report_path)
    with fh:
        summary = run_import(session, path, ImportKind.PATENTS, organization=university, write=True,
                             options=ImportOptions(today=TODAY), on_rejected=report.add,
                             on_open=lambda t, _c: report.start(t.headers, t.format == "jsonl"))
    assert summary.counts == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 2,
                              "near_duplicate": 0}
    with open(report_path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [
        ["行号", "拒绝原因", "原始内容"],
        ["2", f"“专利名称”列的内容像公式（{FORMULA[:20]}），公式不会被执行，请改为纯文本",
         json.dumps(bad, ensure_ascii=False)],
        ["3", "不是有效的 JSON：Expecting property name enclosed in double quotes", "{oops"]]
