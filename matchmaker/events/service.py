"""Create, edit, publish, cancel and close events; who organizes and who may see them.

The operator and innovation stations organize. A draft is seen by its organizer and the
operator only; published, held and cancelled events are public (the programme is the point)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import permissions
from ..catalog.validation import FieldErrors
from ..errors import Conflict, InvalidTransition, NotFound, PermissionDenied
from ..models import (INDUSTRIES, REGIONS, Event, EventKind, EventState, OrgKind, RegistrationState,
                      User)
from ..notifications import notify, organization_audience
from ..params import parse_int
from ..profiles.districts import districts_of

ORGANIZER_KINDS = (OrgKind.OPERATOR, OrgKind.STATION)
MAX_CAPACITY = 5000
MAX_SEATS_PER_ORG = 20
STALE = "该活动已被他人修改，请刷新页面后重试"
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.I)
_IPC = re.compile(r"^[A-H](\d{2}[A-Z]?)?$")
STEPS = {  # action → (allowed from, to, the button's label)
    "publish": ({EventState.DRAFT}, EventState.PUBLISHED, "发布并开放报名"),
    "cancel": ({EventState.DRAFT, EventState.PUBLISHED}, EventState.CANCELLED, "取消活动"),
    "held": ({EventState.PUBLISHED}, EventState.HELD, "标记为已举办"),
}


@dataclass(frozen=True)
class EventInput:
    kind: str = "roadshow"
    title: str = ""
    theme: str = ""
    industry: str = ""
    ipc: str = ""
    event_date: str | date | None = None
    time_text: str = ""
    region: str = ""
    district: str = ""
    place: str = ""
    online_url: str = ""
    capacity: str = ""
    seats_per_org: str = "3"


def can_organize(actor: User | None) -> bool:
    return actor is not None and actor.organization.kind in ORGANIZER_KINDS


def is_organizer(actor: User | None, event: Event) -> bool:
    """The organizing organization's users, and the operator (who oversees every event)."""
    return actor is not None and (actor.organization_id == event.organizer_id
                                  or permissions.is_operator(actor))


def can_view(actor: User | None, event: Event) -> bool:
    return event.state != EventState.DRAFT or is_organizer(actor, event)


def get_event(session: Session, actor: User | None, event_id: int) -> Event:
    """An event the actor may see (a stranger's draft: NotFound)."""
    event = session.get(Event, event_id)
    if event is None or not can_view(actor, event):
        raise NotFound("未找到该活动")
    return event


def get_managed(session: Session, actor: User | None, event_id: int) -> Event:
    """An event the actor organizes; visible ones refuse with PermissionDenied."""
    event = get_event(session, actor, event_id)
    if not is_organizer(actor, event):
        raise PermissionDenied("只有活动的组织方可以管理该活动")
    return event


def lock_event(session: Session, event_id: int) -> Event | None:
    """The event row locked for the transaction (PostgreSQL; SQLite serializes writers), so
    two registrations cannot both take the last seats."""
    return session.scalars(select(Event).where(Event.id == event_id)
                           .with_for_update().execution_options(populate_existing=True)).first()


def _validate(data: EventInput, errors: FieldErrors, today: date, *, new: bool) -> dict:
    kind = errors.choice("kind", "活动类型", data.kind, [k.value for k in EventKind])
    values = {
        "kind": EventKind(kind) if kind else None,
        "title": errors.text("title", "活动名称", data.title, max_len=200, required=True, min_len=4),
        "theme": errors.text("theme", "活动主题", data.theme, max_len=4000),
        "industry": errors.choice("industry", "主题行业", data.industry, INDUSTRIES, required=False) or "",
        "time_text": errors.text("time_text", "时间", data.time_text, max_len=40),
        "region": errors.choice("region", "举办地区", data.region, REGIONS),
        "district": errors.text("district", "区（县）", data.district, max_len=32),
        "place": errors.text("place", "地点", data.place, max_len=200),
        "online_url": errors.text("online_url", "线上链接", data.online_url, max_len=300),
    }
    ipc = (data.ipc or "").strip().upper().replace(" ", "")
    if ipc and not _IPC.match(ipc):
        errors.add("ipc", "IPC 应为部、大类或小类，如 H、H01 或 H01M")
    values["ipc"] = ipc
    day = errors.date("event_date", "活动日期", data.event_date)
    if day is None and "event_date" not in errors.errors:
        errors.add("event_date", "请填写活动日期")
    elif day is not None and new and day < today:
        errors.add("event_date", "活动日期不能早于今天")
    values["event_date"] = day
    if values["online_url"] and not _URL.match(values["online_url"]):
        errors.add("online_url", "线上链接应以 http:// 或 https:// 开头")
    if not values["place"] and not values["online_url"]:
        errors.add("place", "请填写举办地点或线上链接")
    allowed = districts_of(values["region"] or "")
    if values["district"] and allowed and values["district"] not in allowed:
        errors.add("district", f"“{values['district']}”不是{values['region']}下辖的区（县）")
    capacity = parse_int(data.capacity, low=1, high=MAX_CAPACITY)
    if capacity is None:
        errors.add("capacity", f"容纳人数应为 1–{MAX_CAPACITY} 之间的整数")
    seats = parse_int(data.seats_per_org, low=1, high=MAX_SEATS_PER_ORG)
    if seats is None:
        errors.add("seats_per_org", f"每家单位名额应为 1–{MAX_SEATS_PER_ORG} 之间的整数")
    values["capacity"], values["seats_per_org"] = capacity, seats
    return values


def create_event(session: Session, actor: User, data: EventInput, *, today: date) -> Event:
    """A draft event organized by the actor's organization (operator or station)."""
    if not can_organize(actor):
        raise PermissionDenied("只有平台运营方和创新驿站可以组织活动")
    errors = FieldErrors()
    values = _validate(data, errors, today, new=True)
    errors.raise_if_any()
    event = Event(organizer_id=actor.organization_id, created_by_id=actor.id, **values)
    session.add(event)
    session.flush()
    return event


def update_event(session: Session, actor: User, event_id: int, data: EventInput, *,
                 expected_version: int | None, today: date) -> Event:
    """Edit the details; capacity may not drop below the seats already taken."""
    event = get_managed(session, actor, event_id)
    if expected_version is not None and event.version != expected_version:
        raise Conflict(STALE)
    if event.state not in (EventState.DRAFT, EventState.PUBLISHED):
        raise InvalidTransition(f"活动{event.state.label}，不能再修改")
    errors = FieldErrors()
    values = _validate(data, errors, today, new=event.event_date != _as_date(data.event_date))
    if values["capacity"] is not None and values["capacity"] < event.seats_taken:
        errors.add("capacity", f"已有 {event.seats_taken} 个报名名额，容纳人数不能少于此数")
    errors.raise_if_any()
    for key, value in values.items():
        setattr(event, key, value)
    session.flush()
    return event


def _as_date(raw) -> date | None:
    from ..params import parse_date
    return parse_date(raw)


def change_state(session: Session, actor: User, event_id: int, action: str, *, reason: str = "",
                 expected_version: int | None, today: date) -> Event:
    """Publish a draft (it needs a programme), cancel (with a reason; registrants are told), or
    mark held (not before the day)."""
    event = get_managed(session, actor, event_id)
    if expected_version is not None and event.version != expected_version:
        raise Conflict(STALE)
    if action not in STEPS:
        raise InvalidTransition("无效的操作")
    allowed, to, label = STEPS[action]
    if event.state not in allowed:
        raise InvalidTransition(f"活动当前{event.state.label}，不能{label}")
    if action == "publish":
        if not event.items:
            raise InvalidTransition("请先在活动中添加路演专利或技术需求，再发布")
        if event.event_date < today:
            raise InvalidTransition("活动日期已过，请先修改日期")
    if action == "held" and event.event_date > today:
        raise InvalidTransition(f"活动定于 {event.event_date} 举办，当天或之后才能标记为已举办")
    reason = (reason or "").strip()
    if action == "cancel":
        if not reason:
            raise InvalidTransition("请填写取消原因，报名单位会收到通知")
        if len(reason) > 500:
            raise InvalidTransition("取消原因不能超过 500 个字符")
        event.cancel_reason = reason
    event.state = to
    session.flush()
    if action == "cancel":
        users = [u for r in event.registrations if r.state != RegistrationState.CANCELLED
                 for u in organization_audience(r.organization)]
        notify(session, users, "event", f"活动“{event.title[:40]}”已取消", reason,
               f"/events/{event.id}")
    return event


def find_events(session: Session, actor: User | None, *, upcoming: bool, today: date,
                limit: int = 100) -> list[Event]:
    """Public events (and the actor's own drafts), upcoming soonest first or past latest first."""
    visible = Event.state != EventState.DRAFT
    if permissions.is_operator(actor):
        visible = Event.id.is_not(None)
    elif actor is not None:
        visible = or_(visible, Event.organizer_id == actor.organization_id)
    stmt = select(Event).where(visible)
    if upcoming:
        stmt = stmt.where(Event.event_date >= today).order_by(Event.event_date, Event.id)
    else:
        stmt = stmt.where(Event.event_date < today).order_by(Event.event_date.desc(), Event.id.desc())
    return list(session.scalars(stmt.limit(limit)))

