"""The agency's deadline list as CSV or XLSX (every cell through the one neutralizing helper)."""
from __future__ import annotations

import io

from openpyxl import Workbook

from ..spreadsheets import append_row, csv_bytes
from .portfolio import Deadline

HEADER = ("客户", "申请号", "专利名称", "年度", "缴费截止日", "应缴（元）", "今日滞纳金（元）",
          "滞纳期届满", "状态")
STATUS = {"upcoming": "待缴", "in_grace": "滞纳期内", "lapsed": "滞纳期已满"}


def rows(groups: dict[str, list[Deadline]]) -> list[tuple]:
    out = [HEADER]
    for key in ("lapsed", "in_grace", "upcoming"):
        for d in groups.get(key, []):
            out.append((d.patent.owner.name, d.patent.app_no or "", d.patent.display_title,
                        d.annuity.year, d.annuity.due.isoformat(), d.annuity.reduced,
                        d.late_fee_today, d.annuity.grace_end.isoformat(), STATUS[d.status]))
    return out


def deadlines_csv(groups: dict[str, list[Deadline]]) -> bytes:
    return csv_bytes(rows(groups))


def deadlines_xlsx(groups: dict[str, list[Deadline]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "年费期限"
    for row in rows(groups):
        append_row(ws, row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
