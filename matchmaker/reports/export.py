"""The annual report as an XLSX workbook: indicator table, events, success cases (every cell
through the formula-neutralizing helper)."""
from __future__ import annotations

import io

from ..indicators.export import indicator_rows
from ..spreadsheets import append_row
from .annual import AnnualReport

EVENTS = ("日期", "活动", "类型", "组织方", "地区", "区（县）", "报名单位", "签到单位", "路演项目",
          "跟进组合", "发起交易", "转化", "成交额（万元）")
CASES = ("日期", "专利", "专利权人", "受让/被许可企业", "结果", "合同金额（万元）", "来自活动")


def report_xlsx(report: AnnualReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    sheets = [("指标表", indicator_rows(report.indicators)), ("路演与对接活动", event_rows(report)),
              ("成功案例", case_rows(report))]
    for n, (title, rows) in enumerate(sheets):
        ws = wb.active if n == 0 else wb.create_sheet()
        ws.title = title
        append_row(ws, (f"{report.year} 年度知识产权运营报告 · {title}（截至 {report.as_of}）",))
        for row in rows:
            append_row(ws, row)
        for cell in ws[1] + ws[2]:
            cell.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def event_rows(report: AnnualReport) -> list[tuple]:
    out = [EVENTS]
    for e, f in report.events:
        out.append((e.event_date.isoformat(), e.title, e.kind.label, e.organizer.name, e.region, e.district,
                    f.registered, f.attended, f.items, f.pairs_followed, f.deals, f.converted,
                    round(f.value_yuan / 10_000, 2)))
    return out


def case_rows(report: AnnualReport) -> list[tuple]:
    out = [CASES]
    for c in report.cases:
        out.append((c.at.isoformat(), c.deal.patent.display_title, c.deal.patent.owner.name,
                    c.deal.enterprise.name, c.state_label, round(c.amount_yuan / 10_000, 2),
                    c.event.title if c.event else ""))
    if report.unnamed_cases:
        out.append((f"另有 {report.unnamed_cases} 项成果转化未获双方同意公开署名，仅计入指标",))
    return out
