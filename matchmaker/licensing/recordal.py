"""Recordal (备案) of licence contracts: the CNIPA recordal number and date, and the
technology-contract registration, entered after a contract has taken effect.

This is a step of its own, not a deal transition: it happens with CNIPA (and the technology
market) outside the platform, months after the parties agreed, it changes no deal state, and
whoever handles the paperwork (the owner, the station's broker, the operator) records it. Its
clock starts in `deals` — a contract taking effect sets `recordal_due` — and `tick` reminds the
parties as the deadline nears; what is recorded, and whether it covers the contract now in
effect, is decided here. This module builds on `deals` (never the other way round).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from ..clock import moment
from ..db import utcnow
from ..errors import Conflict, PermissionDenied, ValidationError
from ..models import Deal, User
from .consent import parties_of
from .deals import STALE, _event, _flush, get_deal
from .transitions import BROKER, OPERATOR, OWNER


def record_filing(session: Session, actor: User, deal_id: int, *, expected_version: int | None,
                  recordal_no: str = "", recordal_date: date | None = None,
                  contract_reg_no: str = "", today: date, at: datetime | None = None) -> Deal:
    """Record the CNIPA recordal (备案) number/date and the technology-contract registration."""
    at = at or moment(today)
    deal = get_deal(session, actor, deal_id)
    if expected_version is not None and deal.version != expected_version:
        raise Conflict(STALE)
    if not parties_of(actor, deal) & {OWNER, BROKER, OPERATOR}:
        raise PermissionDenied("只有专利权人、驿站经纪人或运营方可以登记备案信息")
    if deal.effective_date is None:
        raise ValidationError({"__all__": "许可合同尚未生效，不能登记备案"})
    recordal_no, contract_reg_no = recordal_no.strip()[:60], contract_reg_no.strip()[:60]
    if not recordal_no and not contract_reg_no:
        raise ValidationError({"recordal_no": "请填写备案号或技术合同登记号"})
    if recordal_no and recordal_date is None:
        raise ValidationError({"recordal_date": "请填写备案日期"})
    first = first_effective_date(deal)
    if recordal_date and (recordal_date > today or recordal_date < first):
        raise ValidationError({"recordal_date": f"备案日期应在合同首次生效日 {first} 与今天之间"})
    data = {}
    if recordal_no:
        deal.recordal_no, deal.recordal_date = recordal_no, recordal_date
        data.update(recordal_no=recordal_no, recordal_date=recordal_date.isoformat())
    if contract_reg_no:
        deal.contract_reg_no = contract_reg_no
        data["contract_reg_no"] = contract_reg_no
    deal.updated_at = utcnow()
    _event(session, deal, actor, deal.state, deal.state, "登记备案信息", at=at, data=data)
    _flush(session)
    return deal


def first_effective_date(deal: Deal) -> date | None:
    """When the deal's first contract (the free licence, else the paid one) took effect."""
    dates = [d for d in (deal.free_start, deal.effective_date) if d is not None]
    return min(dates) if dates else None


def recordal_current(deal: Deal) -> bool:
    """Whether the recorded recordal covers the contract in effect (one recorded before a
    conversion's effective date was the free licence's: the paid contract needs its own)."""
    return bool(deal.recordal_no and deal.recordal_date and deal.effective_date
                and deal.recordal_date >= deal.effective_date)
