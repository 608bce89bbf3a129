"""Registrations: enterprises register (themselves or through their station's broker), the
organizer invites through the inbox, and records who attended.

Limits: registration is open while the event is published and not past its day; an
organization takes 1 … `seats_per_org` seats; the seats taken never exceed `capacity` (the
event row is locked while counting, so two requests cannot both take the last seats)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import permissions
from ..clock import moment
from ..errors import Conflict, InvalidTransition, NotFound, ValidationError
from ..models import (Event, EventRegistration, EventState, Organization, OrgKind, OrgStatus,
                      RegistrationState as R, User)
from ..notifications import enterprise_audience, notify, organization_audience
from ..params import parse_int
from .service import get_event, get_managed, lock_event


@dataclass(frozen=True)
class RegistrationInput:
    seats: str = "1"
    contact: str = ""
    note: str = ""


def seats_taken(session: Session, event_id: int) -> int:
    """Seats of the registered organizations, counted in the database (after the lock)."""
    return session.scalar(select(func.coalesce(func.sum(EventRegistration.seats), 0)).where(
        EventRegistration.event_id == event_id, EventRegistration.state == R.REGISTERED)) or 0


def registration_of(session: Session, event_id: int, org_id: int) -> EventRegistration | None:
    return session.scalar(select(EventRegistration).where(
        EventRegistration.event_id == event_id, EventRegistration.organization_id == org_id))


def _enterprise(session: Session, actor: User, enterprise_id: int | None) -> Organization:
    org = session.get(Organization, enterprise_id) if enterprise_id else actor.organization
    if org is None or org.kind != OrgKind.ENTERPRISE:
        raise ValidationError({"enterprise_id": "请选择报名的企业"})
    permissions.ensure_acts_for(actor, org)
    if org.status != OrgStatus.APPROVED:
        raise ValidationError({"enterprise_id": "企业通过平台审核后才能报名活动"})
    return org


def register(session: Session, actor: User, event_id: int, data: RegistrationInput, *,
             enterprise_id: int | None = None, today: date) -> EventRegistration:
    """An enterprise takes its seats (an invitation or a cancelled registration is renewed)."""
    get_event(session, actor, event_id)            # visibility first: a stranger's draft is 404
    org = _enterprise(session, actor, enterprise_id)
    event = lock_event(session, event_id)
    if event.state != EventState.PUBLISHED:
        raise InvalidTransition(f"活动{event.state.label}，不能报名")
    if event.event_date < today:
        raise InvalidTransition("活动已经举办，报名已截止")
    seats = parse_int(data.seats, low=1, high=event.seats_per_org)
    errors = {}
    if seats is None:
        errors["seats"] = f"每家单位可报 1–{event.seats_per_org} 人"
    contact = (data.contact or "").strip()
    if len(contact) > 100:
        errors["contact"] = "联系人不能超过 100 个字符"
    note = (data.note or "").strip()
    if len(note) > 500:
        errors["note"] = "备注不能超过 500 个字符"
    if errors:
        raise ValidationError(errors)
    reg = registration_of(session, event.id, org.id)
    if reg is not None and reg.state == R.REGISTERED:
        raise Conflict(f"{org.name}已报名该活动（{reg.seats} 人），如需调整请先取消报名")
    free = event.capacity - seats_taken(session, event.id)
    if seats > free:
        raise ValidationError({"seats": f"名额不足：仅剩 {free} 个名额" if free > 0 else "名额已满"})
    if reg is None:
        reg = EventRegistration(organization=org)
        event.registrations.append(reg)
    reg.state, reg.seats, reg.contact, reg.note = R.REGISTERED, seats, contact, note
    reg.registered_by_id, reg.registered_at, reg.attended = actor.id, moment(today), None
    session.flush()
    notify(session, organization_audience(event.organizer), "event",
           f"{org.name}报名了“{event.title[:40]}”（{seats} 人）", "",
           f"/events/{event.id}/manage")
    return reg


def cancel_registration(session: Session, actor: User, event_id: int, *,
                        enterprise_id: int | None = None, today: date) -> EventRegistration:
    """The enterprise (or its broker) frees its seats before the day."""
    event = get_event(session, actor, event_id)
    org = _enterprise(session, actor, enterprise_id)
    reg = registration_of(session, event.id, org.id)
    if reg is None or reg.state != R.REGISTERED:
        raise NotFound("未找到该报名")
    if event.event_date < today or event.state == EventState.HELD:
        raise InvalidTransition("活动已经举办，不能取消报名")
    reg.state = R.CANCELLED
    session.flush()
    return reg


def invite(session: Session, actor: User, event_id: int, enterprise_ids, *, today: date) -> int:
    """The organizer invites enterprises through the inbox (their users and their brokers);
    returns how many were newly invited (registered ones are skipped)."""
    event = get_managed(session, actor, event_id)
    if event.state != EventState.PUBLISHED:
        raise InvalidTransition("活动发布后才能邀请企业")
    if event.event_date < today:
        raise InvalidTransition("活动已经举办，不能再邀请")
    ids = list(dict.fromkeys(enterprise_ids))
    if not ids:
        raise ValidationError({"enterprise_ids": "请选择要邀请的企业"})
    invited = 0
    for org_id in ids:
        org = session.get(Organization, org_id)
        if org is None or org.kind != OrgKind.ENTERPRISE or org.status != OrgStatus.APPROVED:
            raise ValidationError({"enterprise_ids": "只能邀请已审核的企业"})
        reg = registration_of(session, event.id, org.id)
        if reg is not None and reg.state in (R.REGISTERED, R.INVITED):
            continue
        if reg is None:
            reg = EventRegistration(organization=org, seats=0)
            event.registrations.append(reg)
        reg.state, reg.seats = R.INVITED, 0
        reg.invited_by_id, reg.invited_at = actor.id, moment(today)
        invited += 1
        notify(session, enterprise_audience(org), "event_invite",
               f"邀请参加{event.kind.label}：{event.title[:40]}",
               f"{event.event_date} {event.time_text} {event.place or '线上'}".strip(),
               f"/events/{event.id}")
    session.flush()
    return invited


def record_attendance(session: Session, actor: User, event_id: int, attended_ids, *,
                      today: date) -> int:
    """On or after the day, the organizer ticks who came; the other registrants did not."""
    event = get_managed(session, actor, event_id)
    if event.state not in (EventState.PUBLISHED, EventState.HELD):
        raise InvalidTransition(f"活动{event.state.label}，不能登记签到")
    if event.event_date > today:
        raise InvalidTransition("活动当天或之后才能登记签到")
    came = set(attended_ids)
    regs = [r for r in event.registrations if r.state == R.REGISTERED]
    unknown = came - {r.id for r in regs}
    if unknown:
        raise ValidationError({"attended": "只能为已报名的单位登记签到"})
    for r in regs:
        r.attended = r.id in came
    session.flush()
    return len(came)


def registrations_for(session: Session, actor: User | None, event: Event) -> list[EventRegistration]:
    """The actor's own registrations at the event (its enterprise, or its station's clients)."""
    if actor is None:
        return []
    org = actor.organization
    ids = [org.id] if org.kind == OrgKind.ENTERPRISE else \
        [c.id for c in org.clients] if org.kind == OrgKind.STATION else []
    return [r for r in event.registrations if r.organization_id in ids]
