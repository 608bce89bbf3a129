"""The organizer's download: attendee list and pair outcomes, as CSV (two sections) or XLSX
(two sheets). Every cell goes through the one formula-neutralizing helper: names, contacts and
notes are text users typed."""
from __future__ import annotations

import io

from ..models import Event, RegistrationState
from ..spreadsheets import append_row, csv_bytes
from .pairs import PairRow

ATTENDEES = ("单位", "类型", "地区", "状态", "人数", "联系人", "备注", "签到")
OUTCOMES = ("专利", "专利权人", "企业", "匹配度", "对接结果", "跟进记录", "下次跟进", "交易")


def attendee_rows(event: Event) -> list[tuple]:
    out = [ATTENDEES]
    for r in event.registrations:
        came = "" if r.attended is None or r.state != RegistrationState.REGISTERED else (
            "已签到" if r.attended else "未到场")
        out.append((r.organization.name, r.organization.kind.label, r.organization.region,
                    r.state.label, r.seats, r.contact, r.note, came))
    return out


def outcome_rows(pairs: list[PairRow]) -> list[tuple]:
    out = [OUTCOMES]
    for p in pairs:
        rec = p.record
        out.append((p.patent.display_title, p.patent.owner.name, p.enterprise.name,
                    "" if p.score is None else round(p.score, 1), p.outcome.label,
                    rec.note if rec else "", rec.follow_up_on.isoformat() if rec and rec.follow_up_on else "",
                    f"#{rec.deal_id}" if rec and rec.deal_id else ""))
    return out


def event_csv(event: Event, pairs: list[PairRow]) -> bytes:
    return csv_bytes([("报名与签到",), *attendee_rows(event), (), ("对接结果",), *outcome_rows(pairs)])


def event_xlsx(event: Event, pairs: list[PairRow]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "报名与签到"
    for row in attendee_rows(event):
        append_row(ws, row)
    ws2 = wb.create_sheet("对接结果")
    for row in outcome_rows(pairs):
        append_row(ws2, row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
