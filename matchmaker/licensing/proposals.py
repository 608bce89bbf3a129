"""Answering a proposed deal step: the awaited side confirms (the step takes effect once every
side needed has agreed) or disagrees; the proposer's side may withdraw it. Each answer is a
deal event and is refused on a stale page like any other step."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from ..clock import moment
from ..db import utcnow
from ..errors import Conflict, InvalidTransition, PermissionDenied
from ..models import Deal, User
from . import consent
from .deals import (STALE, _check_note, _event, _flush, _notify_parties, _title, allowed,
                    apply_step, get_deal, parties_of)
from .transitions import OPERATOR

NOTHING_PENDING = "该交易没有等待确认的提议（可能已被确认、拒绝或撤回），请刷新页面"


def _pending(session: Session, actor: User, deal_id: int, expected_version: int | None,
             note: str) -> tuple[Deal, consent.Proposal]:
    deal = get_deal(session, actor, deal_id)
    if expected_version is not None and deal.version != expected_version:
        raise Conflict(STALE)
    proposal = consent.pending_proposal(deal)
    if proposal is None:
        raise InvalidTransition(NOTHING_PENDING)
    _check_note(note)
    return deal, proposal


def confirm(session: Session, actor: User, deal_id: int, *, expected_version: int | None,
            note: str = "", today: date, at: datetime | None = None) -> Deal:
    """The actor agrees for its side; the last side to agree makes the step take effect."""
    at = at or moment(today)
    deal, proposal = _pending(session, actor, deal_id, expected_version, note)
    mine = consent.agreeing_sides(actor, deal) & proposal.awaiting
    if not mine:
        names = "、".join(o.name for o in consent.side_organizations(deal, proposal.awaiting))
        raise PermissionDenied(f"该提议需由 {names} 确认")
    rule = allowed(deal.state, proposal.to_state)
    data = {"proposal": proposal.to_state.value, "action": "confirm"}
    if proposal.awaiting - mine:
        consent.record_agreement(deal, mine)
        deal.updated_at = utcnow()
        _event(session, deal, actor, deal.state, deal.state, note, at=at, data=data)
        _flush(session)
        _notify_parties(session, deal, actor, f"交易 #{deal.id}《{_title(deal)}》：{actor.organization.name}已确认",
                        consent.waiting_for(deal))
        return deal
    return apply_step(session, actor, deal, rule, proposal.to_state, start=proposal.start,
                      amount=proposal.amount_yuan, note=proposal.note, today=today, at=at,
                      data={"proposed_by": proposal.by_user_id, "confirmed_by": actor.id,
                            **({"confirm_note": note.strip()} if note.strip() else {})})


def reject(session: Session, actor: User, deal_id: int, *, expected_version: int | None,
           note: str = "", today: date, at: datetime | None = None) -> Deal:
    """An awaited side does not agree: the proposal is dropped, the deal stays as it was."""
    at = at or moment(today)
    deal, proposal = _pending(session, actor, deal_id, expected_version, note)
    if not consent.agreeing_sides(actor, deal) & proposal.awaiting:
        raise PermissionDenied("只有被请求确认的一方可以表示不同意")
    return _drop(session, actor, deal, proposal, "reject", note, at,
                 f"{actor.organization.name}不同意该提议")


def withdraw(session: Session, actor: User, deal_id: int, *, expected_version: int | None,
             note: str = "", today: date, at: datetime | None = None) -> Deal:
    """The proposer's organization (or an operator) takes its proposal back."""
    at = at or moment(today)
    deal, proposal = _pending(session, actor, deal_id, expected_version, note)
    proposer = session.get(User, proposal.by_user_id) if proposal.by_user_id else None
    same_org = proposer is not None and proposer.organization_id == actor.organization_id
    if not same_org and OPERATOR not in parties_of(actor, deal):
        raise PermissionDenied("只有提议方可以撤回提议")
    return _drop(session, actor, deal, proposal, "withdraw", note, at,
                 f"{actor.organization.name}撤回了提议")


def _drop(session: Session, actor: User, deal: Deal, proposal: consent.Proposal, action: str,
          note: str, at: datetime, title: str) -> Deal:
    consent.clear_proposal(deal)
    deal.updated_at = utcnow()
    _event(session, deal, actor, deal.state, deal.state, note, at=at,
           data={"proposal": proposal.to_state.value, "action": action})
    _flush(session)
    rule = allowed(deal.state, proposal.to_state)
    _notify_parties(session, deal, actor, f"交易 #{deal.id}《{_title(deal)}》：{title}",
                    f"“{rule.label if rule else proposal.to_state.label}”未生效。{(note or '').strip()[:200]}")
    return deal
