"""The programme: patents presented (with their offers) and needs put to the audience.

The organizer attaches both, starting from the strong matches in the event's theme (industry,
IPC); a university or institute presents its own listed patents at a published event."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..catalog.needs import COLLECTING
from ..errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from ..matching.matches import recommended_clause
from ..models import (Event, EventItem, EventState, ListingState, Match, MatchState, Need, Patent,
                      PatentIPC, User)
from .service import get_event, get_managed, is_organizer

EDITABLE = (EventState.DRAFT, EventState.PUBLISHED)
MAX_ITEMS = 200


@dataclass(frozen=True)
class Suggestion:
    """A patent or need in the theme with its best strong match (and with whom)."""

    patent: Patent | None
    need: Need | None
    score: float
    counterpart: str          # the other side of that best match


def in_theme(event: Event, patent: Patent, need: Need) -> bool:
    """Whether a matched pair belongs to the event's theme: its industry (a tag of the patent
    or the need's industry) and its IPC prefix (one of the patent's codes)."""
    if event.industry and event.industry not in (patent.industry_tags or []) \
            and need.industry != event.industry:
        return False
    if event.ipc and not any(code.replace(" ", "").upper().startswith(event.ipc)
                             for code in (patent.ipc_codes or [])):
        return False
    return True


def suggestions(session: Session, event: Event, *, limit: int = 30
                ) -> tuple[list[Suggestion], list[Suggestion]]:
    """Patents and needs not yet on the programme, from recommended, not declined matches in the
    theme, best score first."""
    rows = session.scalars(
        select(Match).join(Patent, Patent.id == Match.patent_id).join(Need, Need.id == Match.need_id)
        .where(recommended_clause(), Match.state != MatchState.DECLINED,
               Patent.listing_state == ListingState.LISTED, Need.state.in_(COLLECTING))
        .options(selectinload(Match.patent).selectinload(Patent.owner),
                 selectinload(Match.need).selectinload(Need.enterprise))
        .order_by(Match.score.desc()).limit(2000))
    on_patents = {i.patent_id for i in event.items if i.patent_id}
    on_needs = {i.need_id for i in event.items if i.need_id}
    patents: dict[int, Suggestion] = {}
    needs: dict[int, Suggestion] = {}
    for m in rows:
        if not in_theme(event, m.patent, m.need):
            continue
        if m.patent_id not in on_patents and m.patent_id not in patents:
            patents[m.patent_id] = Suggestion(m.patent, None, m.score, m.need.enterprise.name)
        if m.need_id not in on_needs and m.need_id not in needs:
            needs[m.need_id] = Suggestion(None, m.need, m.score, m.patent.owner.name)
    return list(patents.values())[:limit], list(needs.values())[:limit]


def theme_patents(session: Session, event: Event, *, exclude=(), limit: int = 30) -> list[Patent]:
    """Other listed patents in the theme (the newest first), for an organizer who wants more
    than the strong matches: by IPC through the indexed codes, by industry among the newest."""
    if not event.industry and not event.ipc:
        return []
    taken = {i.patent_id for i in event.items if i.patent_id} | set(exclude)
    stmt = select(Patent).where(Patent.listing_state == ListingState.LISTED)
    if event.ipc:
        column = {1: PatentIPC.section, 3: PatentIPC.ipc_class}.get(len(event.ipc), PatentIPC.subclass)
        stmt = stmt.where(Patent.id.in_(select(PatentIPC.patent_id).where(column == event.ipc)))
    out = []
    for p in session.scalars(stmt.order_by(Patent.id.desc()).limit(1000)):
        if p.id not in taken and (not event.industry or event.industry in (p.industry_tags or [])):
            out.append(p)
            if len(out) >= limit:
                break
    return out


def add_items(session: Session, actor: User, event_id: int, *, patent_ids=(), need_ids=(),
              note: str = "") -> list[EventItem]:
    """The organizer attaches listed patents and open needs; a university or institute
    presents its own listed patents. Items already on the programme are skipped."""
    event = get_event(session, actor, event_id)
    organizer = is_organizer(actor, event)
    if not organizer and not actor.organization.kind.is_supplier:
        raise PermissionDenied("只有活动组织方或专利权人可以添加路演项目")
    if event.state not in EDITABLE:
        raise InvalidTransition(f"活动{event.state.label}，不能再调整路演项目")
    if not organizer and event.state != EventState.PUBLISHED:
        raise PermissionDenied("活动发布后才能报名路演")
    if not organizer and need_ids:
        raise PermissionDenied("只有活动组织方可以添加技术需求")
    if not patent_ids and not need_ids:
        raise ValidationError({"items": "请选择要添加的专利或需求"})
    if len((note or "").strip()) > 500:
        raise ValidationError({"note": "说明不能超过 500 个字符"})
    present = {(i.patent_id, i.need_id) for i in event.items}
    if len(event.items) + len(set(patent_ids)) + len(set(need_ids)) > MAX_ITEMS:
        raise ValidationError({"items": f"一场活动最多 {MAX_ITEMS} 个路演项目"})
    position = max((i.position for i in event.items), default=0)
    added = []
    for pid in dict.fromkeys(patent_ids):
        patent = session.get(Patent, pid)
        if patent is None or patent.listing_state != ListingState.LISTED:
            raise ValidationError({"items": "只能添加已上架的专利"})
        if not organizer and patent.owner_id != actor.organization_id:
            raise PermissionDenied("只能报名本机构的专利")
        if (pid, None) in present:
            continue
        position += 1
        added.append(EventItem(patent=patent, presenter_id=patent.owner_id,
                               added_by_id=actor.id, position=position, note=(note or "").strip()))
        event.items.append(added[-1])
    for nid in dict.fromkeys(need_ids):
        need = session.get(Need, nid)
        if need is None or need.state not in COLLECTING:
            raise ValidationError({"items": "只能添加征集中的技术需求"})
        if (None, nid) in present:
            continue
        position += 1
        added.append(EventItem(need=need, presenter_id=need.enterprise_id,
                               added_by_id=actor.id, position=position, note=(note or "").strip()))
        event.items.append(added[-1])
    session.flush()
    return added


def remove_item(session: Session, actor: User, event_id: int, item_id: int) -> EventItem:
    """The organizer, or the patent's owner for its own presentation, takes an item off."""
    event = get_event(session, actor, event_id)
    item = session.get(EventItem, item_id)
    if item is None or item.event_id != event.id:
        raise NotFound("未找到该路演项目")
    if not (is_organizer(actor, event) or (item.patent_id and item.presenter_id == actor.organization_id)):
        raise PermissionDenied("只有活动组织方或专利权人可以撤下该项目")
    if event.state not in EDITABLE:
        raise InvalidTransition(f"活动{event.state.label}，不能再调整路演项目")
    event.items.remove(item)         # delete-orphan: the row goes, the collection stays true
    session.flush()
    return item


def event_of_item(session: Session, actor: User | None, item_id: int) -> Event:
    """The event an item is on, if the actor may see it."""
    item = session.get(EventItem, item_id)
    if item is None:
        raise NotFound("未找到该路演项目")
    return get_event(session, actor, item.event_id)


def own_listed_patents(session: Session, actor: User, event: Event, *, limit: int = 200) -> list[Patent]:
    """The supplier's listed patents not yet on the programme (what it may present)."""
    if not actor.organization.kind.is_supplier:
        return []
    taken = {i.patent_id for i in event.items if i.patent_id}
    return [p for p in session.scalars(select(Patent).where(
        Patent.owner_id == actor.organization_id, Patent.listing_state == ListingState.LISTED)
        .order_by(Patent.id.desc()).limit(limit)) if p.id not in taken]


def item_counts(session: Session, event_ids: list[int]) -> dict[int, int]:
    if not event_ids:
        return {}
    return dict(session.execute(select(EventItem.event_id, func.count()).where(
        EventItem.event_id.in_(event_ids)).group_by(EventItem.event_id)).all())


__all__ = ["Suggestion", "suggestions", "add_items", "remove_item", "own_listed_patents",
           "in_theme", "item_counts", "get_managed"]
