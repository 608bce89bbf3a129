"""Cells of the CSV and XLSX files we hand out, made safe for the spreadsheet that opens them.

Every export (KPI tables, rejection reports, import templates) writes its cells through
`safe_cell`, so text typed by anyone (an organization's name, an imported title) is shown in
Excel, LibreOffice or WPS, never evaluated as a formula (CSV/formula injection, OWASP ASVS 1.2.10).
"""
from __future__ import annotations

import csv
import io
from typing import IO, Any, Iterable

# A cell starting with one of these is read as a formula (or, for the control characters, may
# be after the spreadsheet trims them). Full-width forms are included: some spreadsheets fold
# them to ASCII on input, and a title never needs to start with one.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet could take this text for a formula: its first character, or the
    first after leading spaces, is a trigger.

    >>> starts_like_formula('=HYPERLINK("http://evil.example","点击")'), starts_like_formula("一种方法")
    (True, False)
    >>> starts_like_formula("  +锂电池cmd|' /C calc'!A0")
    True
    """
    return text.startswith(FORMULA_TRIGGERS) or text.lstrip(" \u3000").startswith(FORMULA_TRIGGERS)


def safe_cell(value: Any) -> Any:
    """The value to write: text that could start a formula gets a leading apostrophe (it stays
    readable and is never run); numbers, dates and empty cells are written as they are.

    >>> safe_cell("=1+1"), safe_cell("-5"), safe_cell("平台运营中心"), safe_cell(12.5), safe_cell(None)
    ("'=1+1", "'-5", '平台运营中心', 12.5, None)
    """
    if isinstance(value, str) and starts_like_formula(value):
        return "'" + value
    return value


class SafeCsvWriter:
    """`csv.writer` whose every cell goes through `safe_cell` (streams; the caller owns `fh`)."""

    def __init__(self, fh: IO[str]):
        self._writer = csv.writer(fh)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    """A whole CSV file, UTF-8 with BOM (so Excel detects the encoding)."""
    buf = io.StringIO()
    SafeCsvWriter(buf).writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def append_row(ws, row: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet; text cells are stored as text (openpyxl would
    store a string starting with "=" as a live formula)."""
    values = [safe_cell(cell) for cell in row]
    ws.append(values)
    for cell, value in zip(ws[ws.max_row], values):
        if isinstance(value, str):
            cell.data_type = "s"
