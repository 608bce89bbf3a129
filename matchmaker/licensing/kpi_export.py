"""The KPI figures as a table, for CSV and XLSX downloads."""
from __future__ import annotations

import io
from typing import Sequence

from ..spreadsheets import append_row, csv_bytes
from .kpis import LICENCE_GROWTH_TARGET, VALUE_GROWTH_TARGET, KPIs


def kpi_rows(k: KPIs) -> list[list]:
    """One header row, then (指标, 年份/对象, 数值, 目标) rows; amounts in 万元. Station names are
    text users typed: the writers below pass every cell through the export helper."""
    rows: list[list] = [["指标", "范围", "数值", "目标"]]
    rows.append(["转化高校院所专利的中小企业（家，累计）", f"截至 {k.as_of}", k.converted_smes, k.target_smes])
    rows.append(["转化企业中未填写画像 / 大型企业（家，未计入）", f"截至 {k.as_of}",
                 f"{k.converted_unclassified} / {k.converted_large}", ""])
    for y in k.years:
        rows.append(["许可数（件）", y.year, y.licences, ""])
        rows.append(["转让数（件）", y.year, y.transfers, ""])
        rows.append(["许可与转让合计增长（%）", y.year, _n(y.count_growth), f"≥{LICENCE_GROWTH_TARGET:g}"])
        rows.append(["技术合同成交额（万元）", y.year, round(y.value_yuan / 10_000, 2), ""])
        rows.append(["成交额增长（%）", y.year, _n(y.value_growth), f"≥{VALUE_GROWTH_TARGET:g}"])
    rows.append(["免费→有偿转化率（%）", f"截至 {k.as_of}", _n(k.conversion_rate), ""])
    rows.append(["转化中位天数", f"截至 {k.as_of}", _n(k.median_days_to_conversion), ""])
    rows.append([f"{k.answer_days} 天内得到响应的需求（%）", f"{k.first_year}–{k.last_year}",
                 _n(k.needs_answered_pct), ""])
    for s in k.stations:
        rows.append(["驿站转化数", s.name, s.conversions, ""])
        rows.append(["驿站成交额（万元）", s.name, round(s.value_yuan / 10_000, 2), ""])
    c = k.custody
    if c is not None:
        rows.append(["知识产权托管覆盖中小企业（家，累计）", f"截至 {k.as_of}", c.smes, c.target])
        rows.append(["托管企业中未填写画像 / 大型企业（家，未计入）", f"截至 {k.as_of}",
                     f"{c.covered_unclassified} / {c.covered_large}", ""])
        rows.append(["托管中的中小企业（家）", f"截至 {k.as_of}", c.active_smes, ""])
        rows.append(["按期缴纳年费（笔）", f"截至 {k.as_of}", c.on_time, ""])
        rows.append(["滞纳期内补缴年费（笔）", f"截至 {k.as_of}", c.late, ""])
        rows.append(["年费逾期致有终止风险的专利（件）", f"截至 {k.as_of}", c.lapsed, ""])
        rows.append(["托管中维持有效的专利（件）", f"截至 {k.as_of}", c.kept_alive, ""])
        rows.append(["使用创新券/服务券的托管协议（份）", f"截至 {k.as_of}", c.vouchers, ""])
        rows.append(["券面金额（万元）", f"截至 {k.as_of}", round(c.voucher_value_yuan / 10_000, 2), ""])
    return rows


def _n(value):
    return "" if value is None else value


def kpis_csv(k: KPIs, extra: Sequence[tuple[str, list]] = ()) -> bytes:
    """The figures, then each extra table (title, rows) after a blank line."""
    rows = kpi_rows(k)
    for title, table in extra:
        rows += [[], [title], *table]
    return csv_bytes(rows)


def kpis_xlsx(k: KPIs, extra: Sequence[tuple[str, list]] = ()) -> bytes:
    """The figures on the first sheet; each extra table (title, rows) on a sheet of its own."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "指标"
    for row in kpi_rows(k):
        append_row(ws, row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (40, 24, 14, 10)):
        ws.column_dimensions[letter].width = width
    for title, table in extra:
        sheet = wb.create_sheet(title[:31])
        for row in table:
            append_row(sheet, row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
