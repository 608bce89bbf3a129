"""Deals: an enterprise (or its broker) requests a licence under an offer; the parties move it
through the transition table. A step that binds the licensor or the licensee waits for their
agreement (consent.py, proposals.py). Every change is a DealEvent; stale versions are refused;
no step clears what an earlier one recorded (free period, recordal, registration)."""
from __future__ import annotations

from typing import Callable

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .. import permissions
from ..clock import add_months, moment
from ..catalog.needs import COLLECTING
from ..db import utcnow
from ..errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationError
from ..models import (Deal, DealEvent, DealState, LicenceType, Match, MatchState, Need,
                      OfferState, Organization, OrgKind, User)
from ..money import AmountError, parse_wan
from .offers import (IN_FORCE, exclusive_in_force, get_offer, offer_problem, open_offer,
                     terms_snapshot)
from . import consent
from .consent import parties_of
from .transitions import OPEN_STATES, SYSTEM, Transition, allowed, next_steps

RECORDAL_MONTHS = 3
# A licence (or transfer) takes effect when a deal enters one of these from outside IN_FORCE.
TAKES_EFFECT = frozenset(IN_FORCE) | {DealState.TRANSFERRED}
STALE = "该交易已被他人修改，请刷新页面后重试"
OPEN_DECLARED = "该专利已声明开放许可，只能发放普通许可"


def get_deal(session: Session, actor: User | None, deal_id: int) -> Deal:
    """A deal the actor is party to (others: NotFound, so its existence is not revealed)."""
    deal = session.get(Deal, deal_id)
    if deal is None or not parties_of(actor, deal):
        raise NotFound("未找到该交易")
    return deal


class _EventOrigin:
    """Deals that start at a roadshow or matchmaking event: events sit above licensing, so the
    events package registers its check and link here (runtime.build_runtime) instead of
    licensing importing it."""

    check: Callable | None = None     # (session, event_id, patent_id, enterprise_id) -> None
    link: Callable | None = None      # (session, deal, actor) -> None


EVENT_ORIGIN = _EventOrigin()


def register_event_origin(check: Callable, link: Callable) -> None:
    EVENT_ORIGIN.check, EVENT_ORIGIN.link = check, link


def request_deal(session: Session, actor: User, offer_id: int, *, enterprise_id: int | None = None,
                 need_id: int | None = None, note: str = "", today: date,
                 at: datetime | None = None, event_id: int | None = None) -> Deal:
    """An enterprise asks for the licence (a broker asks on behalf of a client); `event_id`:
    the roadshow or matchmaking event where the two met (the patent presented there, the
    enterprise taking part)."""
    offer = get_offer(session, offer_id)
    enterprise = session.get(Organization, enterprise_id) if enterprise_id else actor.organization
    if enterprise is None or enterprise.kind != OrgKind.ENTERPRISE:
        raise ValidationError({"enterprise_id": "请选择申请许可的企业"})
    permissions.ensure_acts_for(actor, enterprise)
    if offer.state != OfferState.ACTIVE:
        raise ValidationError({"offer": "该许可已撤回，不能再申请"})
    problem = offer_problem(session, offer.patent, None, today)
    if problem:
        raise ValidationError({"offer": problem[1]})
    _lock_patent(session, offer.patent_id)
    if offer.licence_type in (LicenceType.SOLE, LicenceType.EXCLUSIVE, LicenceType.TRANSFER):
        blocking = exclusive_in_force(session, offer.patent_id)
        if blocking:
            raise ValidationError({"offer": f"该专利已有生效中的{blocking.licence_type.label}，暂不能申请"})
    if offer.licence_type.is_exclusive_kind and open_offer(session, offer.patent_id):
        raise ValidationError({"offer": OPEN_DECLARED})
    open_deal = session.scalar(select(Deal.id).where(
        Deal.patent_id == offer.patent_id, Deal.enterprise_id == enterprise.id,
        Deal.state.in_(OPEN_STATES | {DealState.CONVERTED})))
    if open_deal:
        raise Conflict(f"该企业已有进行中的申请（交易 #{open_deal}），请勿重复提交")
    need = None
    if need_id is not None:
        need = session.get(Need, need_id)
        if need is None or need.enterprise_id != enterprise.id:
            raise ValidationError({"need_id": "该需求不属于申请企业"})
        if need.state not in COLLECTING:
            raise ValidationError({"need_id": f"该需求{need.state.label}，不能关联许可申请"})
    _check_note(note)
    if event_id is not None:
        if EVENT_ORIGIN.check is None:
            raise ValidationError({"event_id": "活动对接功能未启用"})
        EVENT_ORIGIN.check(session, event_id, offer.patent_id, enterprise.id)
    at = at or moment(today)
    deal = Deal(offer=offer, patent=offer.patent, enterprise=enterprise, need=need, event_id=event_id,
                requested_by=actor, licence_type=offer.licence_type, terms=terms_snapshot(offer),
                station=actor.organization if actor.organization.kind == OrgKind.STATION else None)
    session.add(deal)
    _event(session, deal, actor, None, DealState.REQUESTED, note, at=at)
    session.flush()
    if event_id is not None:
        EVENT_ORIGIN.link(session, deal, actor)
    _notify_parties(session, deal, actor, f"{enterprise.name}申请许可《{_title(deal)}》",
                    f"许可类型：{deal.licence_type.label}。请在交易页面开始洽谈或答复。")
    if need is not None:
        if need.first_response_at is None:
            need.first_response_at = at
        match = session.scalar(select(Match).where(Match.need_id == need.id,
                                                   Match.patent_id == offer.patent_id))
        if match is not None:
            match.state = MatchState.REQUESTED
    session.flush()
    return deal


@dataclass
class StepInput:
    note: str = ""
    contract_value_wan: str = ""
    start_date: date | None = None   # free period / contract effective date; default today


def transition(session: Session, actor: User | None, deal_id: int, to_state: DealState, *,
               expected_version: int | None, step: StepInput | None = None, today: date,
               at: datetime | None = None) -> Deal:
    """Take (or propose) one row of the table; `actor` None is the system (tick).

    A row that needs the agreement of a side the actor cannot speak for becomes a proposal:
    the deal keeps its state and waits (`consent`). `expected_version` is the version the user
    saw: if the deal changed since, Conflict.
    """
    step = step or StepInput()
    at = at or moment(today)
    deal = session.get(Deal, deal_id) if actor is None else get_deal(session, actor, deal_id)
    if deal is None:
        raise NotFound("未找到该交易")
    if expected_version is not None and deal.version != expected_version:
        raise Conflict(STALE)
    rule = _rule(deal, to_state)
    parties = {SYSTEM} if actor is None else parties_of(actor, deal)
    if not rule.parties & parties:
        raise PermissionDenied(f"您不能执行“{rule.label}”")
    _check_note(step.note)
    if rule.open_only and not (step.note or "").strip():
        raise ValidationError({"note": "请填写书面通知的内容（通知日期、方式及付款情况）"})
    start = step.start_date or today
    amount = _check_terms(session, deal, rule, step, start, today)
    waiting = set(consent.required_sides(rule, deal)) - consent.agreeing_sides(actor, deal)
    if actor is not None and waiting:
        if to_state in TAKES_EFFECT and deal.state not in IN_FORCE:
            _check_exclusivity(session, deal)    # tell the proposer now, not the other side later
        return _propose(session, actor, deal, to_state, start, amount, step.note, waiting, at)
    return apply_step(session, actor, deal, rule, to_state, start=start, amount=amount,
                      note=step.note, today=today, at=at)


def _rule(deal: Deal, to_state: DealState) -> Transition:
    rule = allowed(deal.state, to_state)
    if rule is None:
        raise InvalidTransition(f"交易当前为“{deal.state.label}”，不能变为“{to_state.label}”")
    if not rule.applies_to(deal.licence_type):
        if rule.declines:
            raise InvalidTransition("开放许可的申请符合公布的许可条件，不能拒绝；"
                                    "被许可方递交书面通知并付费后许可即生效")
        raise InvalidTransition(f"“{rule.label}”只适用于开放许可")
    return rule


def _check_terms(session: Session, deal: Deal, rule: Transition, step: StepInput, start: date,
                 today: date) -> int | None:
    """Start date and contract value of a step that needs them (checked before anything
    changes); returns the amount in yuan."""
    if rule.starts_free or rule.needs_value:
        _check_start(session, deal, start, today)
    if rule.starts_free and int(deal.terms.get("free_months") or 0) <= 0:
        raise ValidationError({"__all__": "该许可没有免费期，请直接签订有偿许可"})
    if not rule.needs_value:
        return None
    try:
        amount = parse_wan(step.contract_value_wan, "合同金额")
    except AmountError as exc:
        raise ValidationError({"contract_value_wan": str(exc)}) from None
    if not amount:
        raise ValidationError({"contract_value_wan": "请填写合同金额（万元，须大于 0）"})
    return amount


def _propose(session: Session, actor: User, deal: Deal, to_state: DealState, start: date,
             amount: int | None, note: str, waiting: set[str], at: datetime) -> Deal:
    """Record the step as a proposal waiting for `waiting`; tell them it is their turn."""
    replaced = deal.pending_to is not None
    consent.open_proposal(deal, actor, to_state, start=start, amount_yuan=amount,
                          note=(note or "").strip(), awaiting=waiting, at=at)
    deal.updated_at = utcnow()
    data = {"proposal": to_state.value, "action": "propose", "start": start.isoformat()}
    _event(session, deal, actor, deal.state, deal.state, note, amount=amount, at=at, data=data)
    _flush(session)
    rule = allowed(deal.state, to_state)
    names = "、".join(o.name for o in consent.side_organizations(deal, waiting))
    what = f"{rule.label}" + (f"，合同金额 {_wan(amount)}" if amount else "") + f"，生效日期 {start}"
    asked = [u for o in consent.side_organizations(deal, waiting) for u in o.users if u.is_active]
    from ..notifications import notify
    notify(session, [u for u in asked if u.id != actor.id], "deal",
           f"待您确认：交易 #{deal.id}《{_title(deal)}》{rule.label}",
           f"{actor.organization.name}{'修改了提议' if replaced else '提议'}：{what}。请在交易页面确认或不同意。",
           f"/deals/{deal.id}")
    asked_ids = {u.id for u in asked}
    notify(session, [u for u in deal_audience(deal) if u.id != actor.id and u.id not in asked_ids],
           "deal", f"交易 #{deal.id}《{_title(deal)}》：等待 {names} 确认", what, f"/deals/{deal.id}")
    return deal


def apply_step(session: Session, actor: User | None, deal: Deal, rule: Transition,
               to_state: DealState, *, start: date, amount: int | None, note: str, today: date,
               at: datetime, data: dict | None = None) -> Deal:
    """The step takes effect (every side needed has agreed): dates, amount, state, event."""
    if to_state in TAKES_EFFECT and deal.state not in IN_FORCE:
        _lock_patent(session, deal.patent_id)
        _check_exclusivity(session, deal)
    if rule.starts_free:
        months = int(deal.terms.get("free_months") or 0)
        deal.free_start, deal.free_end = start, add_months(start, months)
        _takes_effect(deal, start)
    if rule.needs_value:
        deal.contract_value_yuan = amount
        _takes_effect(deal, start)
    from_state = deal.state
    deal.state = to_state
    if deal.pending_to == to_state:
        consent.clear_proposal(deal)
    else:
        consent.carry_over(deal)
    event_data = {"start": start.isoformat()} if (rule.starts_free or rule.needs_value) else {}
    event_data.update(data or {})
    _event(session, deal, actor, from_state, to_state, note, amount=amount, at=at,
           data=event_data or None)
    _flush(session)         # the version check happens here, before anyone is told
    if actor is not None:   # the system's own steps (tick) send their own reminders
        _notify_parties(session, deal, actor, f"交易 #{deal.id}《{_title(deal)}》：{to_state.label}",
                        (note or "").strip()[:200])
    return deal


def available_steps(actor: User | None, deal: Deal):
    """The rows the actor may take or propose now, for this deal's licence type."""
    return next_steps(deal.state, parties_of(actor, deal), deal.licence_type)


def find_deals(session: Session, actor: User, *, state: DealState | None = None,
               station_id: int | None = None, todo: bool = False, page: int = 1,
               per_page: int = 20) -> tuple[list[Deal], int]:
    """Deals the actor is party to, newest activity first; `todo`: only those waiting for the
    actor's organization (consent.todo_condition)."""
    from ..models import Patent
    org = actor.organization
    stmt = select(Deal).join(Deal.patent)
    if not permissions.is_operator(actor):
        visible = (Patent.owner_id == org.id) | (Deal.enterprise_id == org.id)
        if org.kind == OrgKind.STATION:
            client_ids = [c.id for c in org.clients]
            visible = visible | (Deal.station_id == org.id) | Deal.enterprise_id.in_(client_ids)
        stmt = stmt.where(visible)
    if station_id is not None:
        stmt = stmt.where(Deal.station_id == station_id)
    if state is not None:
        stmt = stmt.where(Deal.state == state)
    if todo:
        stmt = stmt.where(consent.todo_condition(actor))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Deal.updated_at.desc(), Deal.id.desc())
                           .offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def _takes_effect(deal: Deal, start: date) -> None:
    """A licence contract (free or paid) takes effect: its recordal is due within 3 months.
    A recordal made earlier (of the free licence) is kept: `recordal.recordal_current` tells
    whether it covers the contract now in effect."""
    deal.effective_date = start
    deal.recordal_due = add_months(start, RECORDAL_MONTHS)


def _check_note(note: str | None) -> None:
    """Checked before anything changes, so a refused note leaves the deal as it was."""
    if len((note or "").strip()) > 2000:
        raise ValidationError({"note": "备注不能超过 2000 个字符"})


def _check_exclusivity(session: Session, deal: Deal) -> None:
    """An exclusive or sole licence in force shuts every other licence (and transfer) out:
    refuse a deal taking effect next to one, or an exclusive/sole deal next to any licence or
    while an open licence is declared (only ordinary licences then)."""
    others = select(Deal).where(Deal.patent_id == deal.patent_id, Deal.id != deal.id,
                                Deal.state.in_(IN_FORCE))
    if not deal.licence_type.is_exclusive_kind:
        others = others.where(Deal.licence_type.in_([LicenceType.SOLE, LicenceType.EXCLUSIVE]))
    blocking = session.scalar(others.order_by(Deal.id).limit(1))
    if blocking is not None:
        raise Conflict(f"该专利已有生效中的{blocking.licence_type.label}（交易 #{blocking.id}），"
                       f"本交易的{deal.licence_type.label}不能生效")
    if deal.licence_type.is_exclusive_kind and open_offer(session, deal.patent_id):
        raise Conflict(OPEN_DECLARED)


def _event(session: Session, deal: Deal, actor: User | None, from_state: DealState | None,
           to_state: DealState, note: str = "", *, amount: int | None = None,
           at: datetime, data: dict | None = None) -> DealEvent:
    note = (note or "").strip()
    _check_note(note)
    event = DealEvent(deal=deal, actor=actor, from_state=from_state, to_state=to_state, note=note,
                      amount_yuan=amount, at=at, data=data or {})
    session.add(event)
    return event


def _flush(session: Session) -> None:
    """A concurrent update of the same deal shows up here as a version mismatch: the
    transaction is rolled back (only the savepoint when `tick` runs one per deal)."""
    try:
        session.flush()
    except StaleDataError:
        if not session.in_nested_transaction():   # a savepoint (tick) is rolled back by its owner
            session.rollback()
        raise Conflict(STALE) from None


def _lock_patent(session: Session, patent_id: int) -> None:
    """Serialize requests and licences taking effect on one patent (a row lock on PostgreSQL;
    SQLite already lets one writer at a time), so two at once cannot both pass the checks."""
    from ..models import Patent
    session.execute(select(Patent.id).where(Patent.id == patent_id).with_for_update())


MAX_START_AHEAD_DAYS = 366   # a typo in the year, not a contract signed ahead


def _check_start(session: Session, deal: Deal, start: date, today: date) -> None:
    """An effective date is not before the request, nor more than 90 days ahead."""
    requested = session.scalar(select(DealEvent.at).where(
        DealEvent.deal_id == deal.id, DealEvent.to_state == DealState.REQUESTED))
    if requested is not None and start < requested.astimezone().date():
        raise ValidationError({"start_date": f"生效日期不能早于申请日期 {requested.astimezone().date()}"})
    if (start - today).days > MAX_START_AHEAD_DAYS:
        raise ValidationError({"start_date": "生效日期最多可提前一年登记"})


def _wan(yuan: int | None) -> str:
    from ..money import wan
    return wan(yuan)


def _title(deal: Deal) -> str:
    return deal.patent.display_title[:40]


def deal_audience(deal: Deal) -> list[User]:
    """Everyone on the deal: the owner's staff, the enterprise's users and the brokers of the
    stations serving it, and the station that handles the deal."""
    from ..notifications import enterprise_audience, organization_audience
    users = organization_audience(deal.patent.owner) + enterprise_audience(deal.enterprise)
    if deal.station is not None:
        users += organization_audience(deal.station)
    return users


def _notify_parties(session: Session, deal: Deal, actor: User | None, title: str, body: str) -> None:
    """Everyone on the deal except the actor."""
    from ..notifications import notify
    notify(session, [u for u in deal_audience(deal) if actor is None or u.id != actor.id],
           "deal", title, body, f"/deals/{deal.id}")
