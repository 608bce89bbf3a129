"""Which enterprises a station serves: one side asks, the other confirms; the operator may link
and unlink directly; either side may end a link. Only active links let a station's brokers act
for an enterprise (permissions.acts_for reads `Organization.clients`). Every step is an event,
the other side is told, and a version column refuses a second person acting on a stale page.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationError
from ..models import (LinkState as L, Organization, OrgKind, OrgStatus, StationLink,
                      StationLinkEvent, User)
from ..notifications import notify, organization_audience
from .validation import FieldErrors

STALE = "该服务关系已被他人修改，请刷新页面后重试"
OPEN = (L.PROPOSED, L.ACTIVE)
# Who may take each step: the side that did not ask, the side that asked, either side (or the
# operator).
COUNTERPART, REQUESTER, EITHER = "counterpart", "requester", "either"
TRANSITIONS: dict[tuple[L, L], str] = {
    (L.PROPOSED, L.ACTIVE): COUNTERPART,
    (L.PROPOSED, L.DECLINED): COUNTERPART,
    (L.PROPOSED, L.WITHDRAWN): REQUESTER,
    (L.ACTIVE, L.ENDED): EITHER,
}
ACTIONS = {"confirm": L.ACTIVE, "decline": L.DECLINED, "withdraw": L.WITHDRAWN, "end": L.ENDED}


def _note(raw: str | None, *, required: bool = False, label: str = "说明") -> str:
    e = FieldErrors()
    text = e.text("note", label, raw or "", max_len=500, required=required)
    e.raise_if_any()
    return text


def _counterpart(session: Session, mine: Organization, counterpart_id: int | None) -> Organization:
    wanted = OrgKind.ENTERPRISE if mine.kind == OrgKind.STATION else OrgKind.STATION
    other = session.get(Organization, counterpart_id) if counterpart_id else None
    if other is None or other.kind != wanted or other.status != OrgStatus.APPROVED:
        raise ValidationError({"counterpart": f"请选择一家已审核的{wanted.label}"})
    return other


def _open_link(session: Session, station_id: int, enterprise_id: int) -> StationLink | None:
    return session.scalar(select(StationLink).where(
        StationLink.station_id == station_id, StationLink.enterprise_id == enterprise_id,
        StationLink.state.in_(OPEN)))


def _refuse_duplicate(session: Session, station: Organization, enterprise: Organization) -> None:
    existing = _open_link(session, station.id, enterprise.id)
    if existing is not None:
        what = "已建立服务关系" if existing.state == L.ACTIVE else "已有待确认的申请"
        raise ValidationError({"counterpart": f"{station.name}与{enterprise.name}{what}"})


def _event(session: Session, link: StationLink, actor: User | None, before: L | None, after: L,
           note: str = "") -> None:
    session.add(StationLinkEvent(link=link, actor_id=actor.id if actor else None,
                                 from_state=before.value if before else "", to_state=after.value,
                                 note=note))


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise Conflict(STALE) from None


def _refresh_clients(session: Session, link: StationLink) -> None:
    """The read-only `clients`/`stations` collections were loaded before the change."""
    for org in (link.station, link.enterprise):
        session.expire(org, ["clients", "stations"])


def request_link(session: Session, actor: User, counterpart_id: int | None,
                 note: str = "") -> StationLink:
    """A station asks to serve an enterprise, or an enterprise asks a station to serve it."""
    mine = actor.organization
    if mine.kind not in (OrgKind.STATION, OrgKind.ENTERPRISE):
        raise PermissionDenied("只有创新驿站和企业可以申请建立服务关系")
    other = _counterpart(session, mine, counterpart_id)
    note = _note(note)
    station, enterprise = (mine, other) if mine.kind == OrgKind.STATION else (other, mine)
    _refuse_duplicate(session, station, enterprise)
    link = StationLink(station=station, enterprise=enterprise, requested_by=mine, note=note)
    session.add(link)
    _event(session, link, actor, None, L.PROPOSED, note)
    _flush(session)
    verb = f"{mine.name}申请为贵企业提供服务" if mine.kind == OrgKind.STATION else \
        f"{mine.name}希望由贵驿站提供服务"
    notify(session, organization_audience(other), "station_link", f"{verb}，请确认",
           note or "确认后，驿站经纪人可以代企业发布需求、申请许可。", "/links/")
    return link


def request_at_registration(session: Session, user: User, station_id: int | None) -> StationLink | None:
    """An enterprise registering may name its station (optional): the request waits for the
    station, which confirms once the platform has approved the enterprise."""
    if station_id is None:
        return None
    station = session.get(Organization, station_id)
    if station is None or station.kind != OrgKind.STATION or station.status != OrgStatus.APPROVED:
        raise ValidationError({"station_id": "请选择一家已审核的创新驿站"})
    link = StationLink(station=station, enterprise=user.organization,
                       requested_by=user.organization, note="注册时选择的服务驿站")
    session.add(link)
    _event(session, link, user, None, L.PROPOSED, link.note)
    _flush(session)
    notify(session, organization_audience(station), "station_link",
           f"新注册企业{user.organization.name}选择由贵驿站提供服务",
           "该企业通过平台审核后即可确认服务关系。", "/links/")
    return link


def registration_choices(session: Session) -> list[Organization]:
    """The stations a registering enterprise may choose from."""
    return list(session.scalars(select(Organization).where(
        Organization.kind == OrgKind.STATION, Organization.status == OrgStatus.APPROVED)
        .order_by(Organization.name)))


def operator_link(session: Session, actor: User, station_id: int | None,
                  enterprise_id: int | None, note: str = "") -> StationLink:
    """The operator links a station and an enterprise at once (a pending request of the pair
    is confirmed instead of duplicated)."""
    _ensure_operator(actor)
    e = FieldErrors()
    station = session.get(Organization, station_id) if station_id else None
    enterprise = session.get(Organization, enterprise_id) if enterprise_id else None
    if station is None or station.kind != OrgKind.STATION or station.status != OrgStatus.APPROVED:
        e.add("station_id", "请选择一家已审核的创新驿站")
    if enterprise is None or enterprise.kind != OrgKind.ENTERPRISE \
            or enterprise.status != OrgStatus.APPROVED:
        e.add("enterprise_id", "请选择一家已审核的企业")
    e.raise_if_any()
    note = _note(note)
    existing = _open_link(session, station.id, enterprise.id)
    if existing is not None and existing.state == L.ACTIVE:
        raise ValidationError({"enterprise_id": f"{station.name}与{enterprise.name}已建立服务关系"})
    link = existing or StationLink(station=station, enterprise=enterprise,
                                   requested_by=actor.organization, note=note)
    session.add(link)
    return _move(session, actor, link, L.ACTIVE, note or "平台运营方建立服务关系")


def link_station_client(session: Session, station: Organization, enterprise: Organization,
                        note: str = "由系统建立") -> StationLink:
    """An active link made by the system (command line, data loading): no user asked, so the
    event names no actor."""
    if station.kind != OrgKind.STATION or enterprise.kind != OrgKind.ENTERPRISE:
        raise Conflict("只能将创新驿站关联到企业")
    existing = _open_link(session, station.id, enterprise.id)
    if existing is not None and existing.state == L.ACTIVE:
        return existing
    link = existing or StationLink(station=station, enterprise=enterprise, requested_by=station,
                                   note=note)
    session.add(link)
    return _move(session, None, link, L.ACTIVE, note)


def _ensure_operator(actor: User | None) -> None:
    if actor is None or actor.organization.kind != OrgKind.OPERATOR:
        raise PermissionDenied("只有平台运营方可以直接建立服务关系")


def act(session: Session, actor: User, link_id: int, action: str, *, note: str = "",
        version: int | None = None) -> StationLink:
    """confirm / decline / withdraw / end one link, as the side the table allows."""
    to = ACTIONS.get(action)
    if to is None:
        raise NotFound("未找到该操作")
    link = get_link(session, actor, link_id)
    if version is not None and version != link.version:
        raise Conflict(STALE)
    who = TRANSITIONS.get((link.state, to))
    if who is None:
        raise InvalidTransition(f"服务关系当前为“{link.state.label}”，不能改为“{to.label}”")
    org = actor.organization
    operator = org.kind == OrgKind.OPERATOR
    requester = org.id == link.requested_by_id
    if who == COUNTERPART and (requester or operator):
        raise PermissionDenied("需由对方确认")
    if who == REQUESTER and not requester:
        raise PermissionDenied("只有提出申请的一方可以撤回")
    if to == L.ACTIVE and link.enterprise.status != OrgStatus.APPROVED:
        raise InvalidTransition("该企业尚未通过平台审核，审核通过后才能确认服务关系")
    note = _note(note, required=to == L.ENDED, label="解除原因" if to == L.ENDED else "说明")
    return _move(session, actor, link, to, note)


def _move(session: Session, actor: User | None, link: StationLink, to: L, note: str) -> StationLink:
    before = link.state if link.id is not None else None     # None: made active at once
    link.state = to
    link.open_slot = 1 if to in OPEN else None
    _event(session, link, actor, before, to, note)
    _flush(session)
    _refresh_clients(session, link)
    if actor is None:           # made by the system (command line, data loading): nobody to tell
        return link
    mine = actor.organization
    audience = [o for o in (link.station, link.enterprise) if o.id != mine.id]
    notify(session, [u for o in audience for u in organization_audience(o)], "station_link",
           f"{link.station.name}与{link.enterprise.name}的服务关系：{to.label}",
           f"{mine.name}：{note}" if note else mine.name, "/links/")
    return link


def get_link(session: Session, actor: User | None, link_id: int) -> StationLink:
    """A link its two sides and operators may see; others get NotFound."""
    link = session.scalar(select(StationLink).where(StationLink.id == link_id)
                          .options(selectinload(StationLink.events)))
    org = actor.organization if actor is not None else None
    if link is None or org is None or not (
            org.kind == OrgKind.OPERATOR or org.id in (link.station_id, link.enterprise_id)):
        raise NotFound("未找到该服务关系")
    return link


@dataclass
class LinkBoard:
    """An organization's links: open ones first, then the history."""

    active: list[StationLink]
    incoming: list[StationLink]     # waiting for this organization
    outgoing: list[StationLink]     # waiting for the other side
    history: list[StationLink]


def board(session: Session, org: Organization) -> LinkBoard:
    rows = list(session.scalars(select(StationLink).where(or_(
        StationLink.station_id == org.id, StationLink.enterprise_id == org.id))
        .options(selectinload(StationLink.events))
        .order_by(StationLink.updated_at.desc(), StationLink.id.desc())))
    proposed = [r for r in rows if r.state == L.PROPOSED]
    return LinkBoard(active=[r for r in rows if r.state == L.ACTIVE],
                     incoming=[r for r in proposed if r.requested_by_id != org.id],
                     outgoing=[r for r in proposed if r.requested_by_id == org.id],
                     history=[r for r in rows if r.state not in OPEN])


def find_links(session: Session, *, state: L | None = None, page: int = 1, per_page: int = 50
               ) -> tuple[list[StationLink], int]:
    """Every link (the operator's screen), newest activity first."""
    stmt = select(StationLink)
    if state is not None:
        stmt = stmt.where(StationLink.state == state)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(StationLink.updated_at.desc(), StationLink.id.desc())
                           .offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def candidates(session: Session, org: Organization) -> list[Organization]:
    """Approved organizations of the other kind with no open link to `org` (the request form)."""
    other = OrgKind.ENTERPRISE if org.kind == OrgKind.STATION else OrgKind.STATION
    mine = StationLink.station_id if org.kind == OrgKind.STATION else StationLink.enterprise_id
    theirs = StationLink.enterprise_id if org.kind == OrgKind.STATION else StationLink.station_id
    linked = select(theirs).where(mine == org.id, StationLink.state.in_(OPEN))
    return list(session.scalars(select(Organization).where(
        Organization.kind == other, Organization.status == OrgStatus.APPROVED,
        Organization.id.not_in(linked)).order_by(Organization.name)))


def waiting_count(session: Session, org: Organization) -> int:
    """Requests waiting for this organization's answer."""
    return session.scalar(select(func.count()).select_from(StationLink).where(
        StationLink.state == L.PROPOSED, StationLink.requested_by_id != org.id,
        or_(StationLink.station_id == org.id, StationLink.enterprise_id == org.id))) or 0
