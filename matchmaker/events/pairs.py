"""Pairs met at an event: each registered (or need-presenting) enterprise × each presented
patent, with the best match score between the enterprise's needs and the patent; the
organizer follows each pair up (outcome, note, next date). A licence request made from the
event carries its id and marks the pair "deal"."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InvalidTransition, NotFound, ValidationError
from ..models import (Deal, Event, EventPair, EventState, Match, Need, Organization, PairOutcome,
                      Patent, RegistrationState, User)
from .service import get_managed

FOLLOWED = (EventState.PUBLISHED, EventState.HELD)


@dataclass
class PairRow:
    patent: Patent
    enterprise: Organization
    score: float | None
    need: Need | None               # the enterprise's need that matched best
    record: EventPair | None        # the follow-up, once the organizer recorded one

    @property
    def outcome(self) -> PairOutcome:
        return self.record.outcome if self.record else PairOutcome.OPEN


def participants(event: Event) -> dict[int, Organization]:
    """Enterprises at the event: registered (not marked absent) or presenting a need."""
    out = {r.organization_id: r.organization for r in event.registrations
           if r.state == RegistrationState.REGISTERED and r.attended is not False}
    for item in event.items:
        if item.need_id:
            out.setdefault(item.need.enterprise_id, item.need.enterprise)
    return out


def presented_patents(event: Event) -> dict[int, Patent]:
    return {i.patent_id: i.patent for i in event.items if i.patent_id}


def pair_rows(session: Session, event: Event) -> list[PairRow]:
    """Every participant × presented patent, best score first (unscored pairs last)."""
    enterprises, patents = participants(event), presented_patents(event)
    if not enterprises or not patents:
        return []
    best: dict[tuple[int, int], Match] = {}
    for m in session.scalars(select(Match).join(Need, Need.id == Match.need_id).where(
            Need.enterprise_id.in_(list(enterprises)), Match.patent_id.in_(list(patents)))):
        key = (m.patent_id, m.need.enterprise_id)
        if key not in best or m.score > best[key].score:
            best[key] = m
    records = {(p.patent_id, p.enterprise_id): p for p in session.scalars(
        select(EventPair).where(EventPair.event_id == event.id))}
    rows = []
    for pid, patent in patents.items():
        for eid, org in enterprises.items():
            m = best.get((pid, eid))
            rows.append(PairRow(patent, org, m.score if m else None, m.need if m else None,
                                records.get((pid, eid))))
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.enterprise.name, r.patent.id))
    return rows


@dataclass(frozen=True)
class PairInput:
    patent_id: int | None
    enterprise_id: int | None
    outcome: str = "following"
    note: str = ""
    follow_up_on: date | None = None


def _pair(session: Session, event: Event, patent_id: int | None, enterprise_id: int | None
          ) -> tuple[Patent, Organization]:
    patents, enterprises = presented_patents(event), participants(event)
    if patent_id not in patents or enterprise_id not in enterprises:
        raise NotFound("该企业与专利不是本次活动的对接组合")
    return patents[patent_id], enterprises[enterprise_id]


def _record(session: Session, event: Event, patent: Patent, enterprise: Organization) -> EventPair:
    row = session.scalar(select(EventPair).where(
        EventPair.event_id == event.id, EventPair.patent_id == patent.id,
        EventPair.enterprise_id == enterprise.id))
    if row is None:
        best = max((r for r in pair_rows(session, event)
                    if r.patent.id == patent.id and r.enterprise.id == enterprise.id),
                   key=lambda r: r.score or 0, default=None)
        row = EventPair(event_id=event.id, patent_id=patent.id, enterprise_id=enterprise.id,
                        score=best.score if best else None, need_id=best.need.id if best and best.need else None)
        session.add(row)
    return row


def follow_up(session: Session, actor: User, event_id: int, data: PairInput) -> EventPair:
    """The organizer records where a pair stands (a deal is only set by a licence request)."""
    event = get_managed(session, actor, event_id)
    if event.state not in FOLLOWED:
        raise InvalidTransition(f"活动{event.state.label}，不能登记对接结果")
    patent, enterprise = _pair(session, event, data.patent_id, data.enterprise_id)
    allowed = (PairOutcome.OPEN.value, PairOutcome.FOLLOWING.value, PairOutcome.NO_INTEREST.value)
    errors = {}
    if data.outcome not in allowed:
        errors["outcome"] = "请选择对接结果（发起交易请由企业在活动页申请许可）"
    note = (data.note or "").strip()
    if len(note) > 1000:
        errors["note"] = "跟进记录不能超过 1000 个字符"
    if errors:
        raise ValidationError(errors)
    row = _record(session, event, patent, enterprise)
    if row.outcome == PairOutcome.DEAL:
        raise InvalidTransition("该组合已发起许可交易，请在交易页面跟进")
    row.outcome, row.note, row.follow_up_on = PairOutcome(data.outcome), note, data.follow_up_on
    row.updated_by_id = actor.id
    session.flush()
    return row


def check_deal_origin(session: Session, event_id: int, patent_id: int, enterprise_id: int) -> Event:
    """A licence request "from an event": the event took place or is open, the patent was
    presented there and the enterprise took part. Raises ValidationError otherwise."""
    event = session.get(Event, event_id)
    if event is None or event.state not in FOLLOWED:
        raise ValidationError({"event_id": "该活动不存在或尚未发布"})
    if patent_id not in presented_patents(event):
        raise ValidationError({"event_id": "该专利未在此活动中路演"})
    if enterprise_id not in participants(event):
        raise ValidationError({"event_id": "该企业未报名此活动"})
    return event


def link_deal(session: Session, deal: Deal, actor: User) -> EventPair:
    """The deal came out of the event: its pair becomes "deal" (recorded if it was not)."""
    event = session.get(Event, deal.event_id)
    row = _record(session, event, deal.patent, deal.enterprise)
    row.outcome, row.deal_id, row.updated_by_id = PairOutcome.DEAL, deal.id, actor.id
    session.flush()
    return row
