"""Files we hand back: the rejection report (CSV) and the import templates (CSV, XLSX)."""
from __future__ import annotations

import io
from pathlib import Path
from typing import IO

from ..models import ImportKind
from ..private import open_private
from ..spreadsheets import SafeCsvWriter, append_row, csv_bytes
from .cells import as_text
from .columns import NEED_COLUMNS, PATENT_COLUMNS, Column
from .files import SourceRow
from .runner import RowResult


class RejectionReport:
    """Streams rejected rows to CSV (UTF-8 with BOM so Excel opens it correctly): row number,
    reason, then the original cells under the original headers. Cells are written as text
    through the export writer, so `=cmd|...` from the upload is shown, never run, when reopened."""

    def __init__(self, fh: IO[str]):
        self.writer = SafeCsvWriter(fh)
        self.headers_written = False
        self.count = 0

    def start(self, headers: list[str], is_jsonl: bool = False) -> None:
        cols = ["原始内容"] if is_jsonl else [h or f"第{i + 1}列" for i, h in enumerate(headers)]
        self.writer.writerow(["行号", "拒绝原因", *(as_text(c) for c in cols)])
        self.headers_written = True

    def add(self, row: SourceRow, result: RowResult) -> None:
        self.writer.writerow([row.number, "；".join(result.errors), *(as_text(c) for c in row.cells)])
        self.count += 1


def open_report(path: Path) -> tuple[IO[str], RejectionReport]:
    fh = open_private(path, "w", encoding="utf-8-sig", newline="")
    return fh, RejectionReport(fh)


def columns_for(kind: ImportKind) -> tuple[Column, ...]:
    return PATENT_COLUMNS if kind == ImportKind.PATENTS else NEED_COLUMNS


def template_csv(kind: ImportKind) -> bytes:
    """Header row only (an example row would be imported by whoever forgets to delete it)."""
    return csv_bytes([[c.label for c in columns_for(kind)]])


def template_xlsx(kind: ImportKind) -> bytes:
    """A data sheet with the headers, and an instructions sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    data = wb.active
    data.title = "专利" if kind == ImportKind.PATENTS else "技术需求"
    cols = columns_for(kind)
    append_row(data, [c.label for c in cols])
    for i, col in enumerate(cols, 1):
        data.cell(row=1, column=i).font = Font(bold=True)
        data.column_dimensions[data.cell(row=1, column=i).column_letter].width = \
            40 if col.field in ("abstract", "description", "first_claim") else 16
        data.cell(row=1, column=i).number_format = "@"
    data.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明")
    append_row(notes, ["列名", "是否必填", "说明", "也可识别的列名"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for col in cols:
        append_row(notes, [col.label, "必填" if col.required else "", col.hint,
                           "、".join(a for a in col.aliases if not a.isascii())])
    append_row(notes, [])
    append_row(notes, ["只导入第一个工作表；表头上方可以有标题行。空白单元格不会清除已有内容。"])
    for letter, width in zip("ABCD", (16, 10, 60, 50)):
        notes.column_dimensions[letter].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
