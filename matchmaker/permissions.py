"""Who may see and change what. Every feature asks here instead of re-deriving the rules.

Invisible objects raise NotFound (so their existence is not revealed); visible but
read-only objects raise PermissionDenied on change.
"""
from __future__ import annotations

from .errors import NotFound, PermissionDenied
from .models import ImportBatch, ListingState, Need, Organization, OrgKind, Patent, User

PUBLIC_LISTING = {ListingState.LISTED}


def is_operator(actor: User | None) -> bool:
    return actor is not None and actor.organization.kind == OrgKind.OPERATOR


def acts_for(actor: User | None, enterprise: Organization) -> bool:
    """An enterprise's own users, and brokers of a station that serves it, act for it."""
    if actor is None or enterprise.kind != OrgKind.ENTERPRISE:
        return False
    org = actor.organization
    if org.id == enterprise.id:
        return True
    return org.kind == OrgKind.STATION and any(c.id == enterprise.id for c in org.clients)


def can_view_patent(actor: User | None, patent: Patent) -> bool:
    if patent.listing_state in PUBLIC_LISTING:
        return True
    return is_operator(actor) or (actor is not None and actor.organization_id == patent.owner_id)


def can_edit_patent(actor: User | None, patent: Patent) -> bool:
    return actor is not None and actor.organization_id == patent.owner_id


def can_list_patents(actor: User | None) -> bool:
    """Only universities and institutes put patents on the platform."""
    return actor is not None and actor.organization.kind.is_supplier


def can_view_need(actor: User | None, need: Need) -> bool:
    """Needs are visible to their enterprise, its brokers, suppliers, stations and operators."""
    if actor is None:
        return False
    kind = actor.organization.kind
    if kind in (OrgKind.OPERATOR, OrgKind.STATION) or kind.is_supplier:
        return True
    return acts_for(actor, need.enterprise)


def can_edit_need(actor: User | None, need: Need) -> bool:
    return acts_for(actor, need.enterprise)


def can_search_needs(actor: User | None) -> bool:
    if actor is None:
        return False
    kind = actor.organization.kind
    return kind in (OrgKind.OPERATOR, OrgKind.STATION) or kind.is_supplier


def can_decide_batch(actor: User | None, batch: ImportBatch) -> bool:
    """Only the uploading organization confirms or cancels its import: the rows are written in
    its name (an operator, who may read every batch, would post an enterprise's needs as
    itself)."""
    return (actor is not None and batch.uploaded_by is not None
            and batch.uploaded_by.organization_id == actor.organization_id)


def ensure_view_patent(actor: User | None, patent: Patent) -> Patent:
    if not can_view_patent(actor, patent):
        raise NotFound("未找到该专利")
    return patent


def ensure_edit_patent(actor: User | None, patent: Patent) -> Patent:
    ensure_view_patent(actor, patent)
    if not can_edit_patent(actor, patent):
        raise PermissionDenied("只能修改本机构的专利")
    return patent


def ensure_view_need(actor: User | None, need: Need) -> Need:
    if not can_view_need(actor, need):
        raise NotFound("未找到该需求")
    return need


def ensure_edit_need(actor: User | None, need: Need) -> Need:
    ensure_view_need(actor, need)
    if not can_edit_need(actor, need):
        raise PermissionDenied("只能修改本企业（或所服务企业）的需求")
    return need


def ensure_acts_for(actor: User | None, enterprise: Organization) -> Organization:
    if not acts_for(actor, enterprise):
        raise PermissionDenied("只能以本企业或所服务企业的名义办理")
    return enterprise


def ensure_operator(actor: User | None) -> User:
    if not is_operator(actor):
        raise PermissionDenied("只有平台运营方可以执行此操作")
    return actor  # type: ignore[return-value]
