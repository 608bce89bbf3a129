"""A party's consent to be named in success cases: the licensor's and the licensee's own users
give or withdraw it on the deal page; a case is published only when both sides consented."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import PermissionDenied
from ..licensing.deals import get_deal
from ..models import Deal, DealPublicity, User


def party_org(actor: User, deal: Deal) -> int | None:
    """The side of the deal the actor's organization is (licensor or licensee), if any."""
    org = actor.organization_id
    return org if org in (deal.patent.owner_id, deal.enterprise_id) else None


def consents(session: Session, deal_ids) -> dict[int, set[int]]:
    """deal id → the organizations that consented."""
    out: dict[int, set[int]] = {}
    ids = list(deal_ids)
    if ids:
        for deal_id, org_id in session.execute(select(DealPublicity.deal_id, DealPublicity.organization_id)
                                               .where(DealPublicity.deal_id.in_(ids))):
            out.setdefault(deal_id, set()).add(org_id)
    return out


def both_consented(deal: Deal, given: set[int]) -> bool:
    return {deal.patent.owner_id, deal.enterprise_id} <= given


def set_consent(session: Session, actor: User, deal_id: int, consent: bool) -> DealPublicity | None:
    """Give (or withdraw) the actor's organization's consent to be named with this deal."""
    deal = get_deal(session, actor, deal_id)
    org = party_org(actor, deal)
    if org is None:
        raise PermissionDenied("只有许可双方可以决定是否公开署名")
    row = session.scalar(select(DealPublicity).where(DealPublicity.deal_id == deal.id,
                                                     DealPublicity.organization_id == org))
    if consent and row is None:
        row = DealPublicity(deal_id=deal.id, organization_id=org, consented_by_id=actor.id)
        session.add(row)
    elif not consent and row is not None:
        session.delete(row)
        row = None
    session.flush()
    return row
