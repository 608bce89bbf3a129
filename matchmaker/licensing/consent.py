"""Two-party consent on deals: who stands on which side, which sides must agree to a step, the
proposal that waits for them, whose turn it is, and each user's to-do list.

A step that binds the licensor or the licensee (`Transition.consent`) takes effect only when
every such side has agreed: the proposer's own side counts at once, the others confirm. Until
then the deal keeps its state and carries the proposal (`Deal.pending_to`, `Deal.pending`) with
one flag per side still awaited, so to-do counts are one indexed query.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session

from .. import permissions
from ..models import Deal, DealState, LicenceType, Organization, OrgKind, Patent, User
from .transitions import (BROKER, ENTERPRISE, OPERATOR, OWNER, SIDES, Transition, allowed)


def parties_of(actor: User | None, deal: Deal) -> set[str]:
    """Which sides of the deal the actor stands on."""
    if actor is None:
        return set()
    org = actor.organization
    out: set[str] = set()
    if permissions.is_operator(actor):
        out.add(OPERATOR)
    if org.id == deal.patent.owner_id:
        out.add(OWNER)
    if org.id == deal.enterprise_id:
        out.add(ENTERPRISE)
    if org.kind == OrgKind.STATION and (org.id == deal.station_id
                                        or any(c.id == deal.enterprise_id for c in org.clients)):
        out.add(BROKER)
    return out


def enterprise_has_staff(deal: Deal) -> bool:
    return any(u.is_active for u in deal.enterprise.users)


def agreeing_sides(actor: User | None, deal: Deal) -> set[str]:
    """The contract sides this actor can agree for: the licensor's and the licensee's own staff.
    A broker speaks for an enterprise only when it has no active user of its own (somebody
    must, and the licensor still has to agree separately)."""
    parties = parties_of(actor, deal)
    sides = parties & set(SIDES)
    if BROKER in parties and not enterprise_has_staff(deal):
        sides.add(ENTERPRISE)
    return sides


def required_sides(rule: Transition, deal: Deal) -> frozenset[str]:
    return rule.consent_for(deal.licence_type)


@dataclass(frozen=True)
class Proposal:
    """A step waiting for the other side (read from the deal's columns)."""

    to_state: DealState
    start: date
    amount_yuan: int | None
    note: str
    by_user_id: int | None
    by_label: str
    at: datetime | None
    awaiting: frozenset[str]


def pending_proposal(deal: Deal) -> Proposal | None:
    if deal.pending_to is None:
        return None
    p = deal.pending or {}
    awaiting = frozenset(s for s, flag in ((OWNER, deal.awaits_owner),
                                           (ENTERPRISE, deal.awaits_enterprise)) if flag)
    return Proposal(deal.pending_to, date.fromisoformat(p["start"]), p.get("amount_yuan"),
                    p.get("note", ""), p.get("by"), p.get("by_label", ""),
                    datetime.fromisoformat(p["at"]) if p.get("at") else None, awaiting)


def open_proposal(deal: Deal, actor: User, to_state: DealState, *, start: date,
                  amount_yuan: int | None, note: str, awaiting: set[str], at: datetime) -> None:
    """Put the step on the deal, waiting for `awaiting` (a newer proposal replaces an older)."""
    deal.pending_to = to_state
    deal.pending = {"start": start.isoformat(), "amount_yuan": amount_yuan, "note": note,
                    "by": actor.id, "by_label": f"{actor.display_name}（{actor.organization.name}）",
                    "at": at.isoformat()}
    _set_awaiting(deal, awaiting)


def record_agreement(deal: Deal, sides: set[str]) -> None:
    proposal = pending_proposal(deal)
    if proposal is not None:
        _set_awaiting(deal, set(proposal.awaiting) - sides)


def clear_proposal(deal: Deal) -> None:
    deal.pending_to, deal.pending = None, {}
    _set_awaiting(deal, set())


def carry_over(deal: Deal) -> None:
    """After the deal moved on: keep a proposal that still applies from the new state (a
    conversion proposed during the free period survives the move to 待转化), drop any other."""
    if deal.pending_to is None:
        return
    rule = allowed(deal.state, deal.pending_to)
    if rule is None or not rule.consent or not rule.applies_to(deal.licence_type):
        clear_proposal(deal)


def _set_awaiting(deal: Deal, sides: set[str]) -> None:
    deal.awaits_owner = OWNER in sides
    deal.awaits_enterprise = ENTERPRISE in sides


def side_organizations(deal: Deal, sides) -> list[Organization]:
    """The organizations standing for these sides, licensor first."""
    orgs = {OWNER: deal.patent.owner, ENTERPRISE: deal.enterprise}
    return [orgs[s] for s in SIDES if s in sides]


def waiting_for(deal: Deal) -> str:
    """Whose turn it is, in words for the deal page ("" when nobody is awaited)."""
    proposal = pending_proposal(deal)
    if proposal is not None and proposal.awaiting:
        names = "、".join(o.name for o in side_organizations(deal, proposal.awaiting))
        return f"等待 {names} 确认"
    if deal.state == DealState.REQUESTED:
        if deal.licence_type == LicenceType.OPEN:
            return f"等待 {deal.enterprise.name} 递交书面通知并付费（开放许可无需许可方同意）"
        return f"等待 {deal.patent.owner.name} 答复"
    return ""


def todo_condition(actor: User):
    """SQL condition of the deals waiting for the actor's organization: proposals it has to
    confirm, and (for a licensor) requests it has not answered yet."""
    org_id = actor.organization_id
    mine_as_owner = Deal.patent_id.in_(select(Patent.id).where(Patent.owner_id == org_id))
    return or_(
        and_(Deal.awaits_owner.is_(True), mine_as_owner),
        and_(Deal.awaits_enterprise.is_(True), Deal.enterprise_id == org_id),
        and_(Deal.state == DealState.REQUESTED, Deal.licence_type != LicenceType.OPEN,
             mine_as_owner),
    ) if actor.organization.kind in (OrgKind.UNIVERSITY, OrgKind.INSTITUTE, OrgKind.ENTERPRISE) \
        else false()


def todo_count(session: Session, actor: User | None) -> int:
    """How many deals wait for the actor's organization (the badge on 许可交易)."""
    if actor is None:
        return 0
    return session.scalar(select(func.count()).select_from(Deal).where(todo_condition(actor))) or 0
