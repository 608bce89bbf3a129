"""Ownership disputes: the operator moves a patent to the organization that really holds it.

Anyone at a university can register an application number nobody has used yet, even as a
hidden draft, and so block the real owner (numbers are unique). The real owner is told to
contact the operator (without learning who holds it); the operator checks the register and
reassigns the patent here. The reassignment is audited with its reason, the previous owner's
licence offers are withdrawn (they offered what was not theirs) and the patent goes back to
draft for the new owner to check before listing it.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, notifications, permissions
from ..catalog.organizations import resolve_organization
from ..catalog.patents import get_patent
from ..errors import Conflict, NotFound, ValidationError
from ..models import Deal, LicenceOffer, ListingState, OfferState, OrgStatus, Patent, User
from .transitions import TERMINAL

MIN_REASON = 4


@dataclass(frozen=True)
class Reassignment:
    patent: Patent
    previous_owner_name: str
    offers_withdrawn: int


def reassign_patent(session: Session, actor: User, patent_id: int, new_owner_ref: str,
                    reason: str) -> Reassignment:
    """Make the university or institute named by `new_owner_ref` (id or exact name) the
    patent's owner. Refused while a deal on the patent is still open or in force."""
    permissions.ensure_operator(actor)
    patent = get_patent(session, patent_id)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": f"请写明变更原因（至少 {MIN_REASON} 个字），它会记入操作记录"})
    try:
        owner = resolve_organization(session, (new_owner_ref or "").strip())
    except NotFound:
        raise ValidationError({"new_owner": "未找到该机构，请填写机构的准确名称或编号"}) from None
    if not owner.kind.is_supplier or owner.status != OrgStatus.APPROVED:
        raise ValidationError({"new_owner": "专利权人须为已审核通过的高校或科研院所"})
    if owner.id == patent.owner_id:
        raise ValidationError({"new_owner": "该机构已是这件专利的专利权人"})
    open_deals = session.scalars(select(Deal.id).where(Deal.patent_id == patent.id,
                                                       Deal.state.not_in(TERMINAL))).all()
    if open_deals:
        ids = "、".join(f"#{i}" for i in open_deals)
        raise Conflict(f"该专利还有未结束的许可交易（{ids}），请先与双方处理这些交易，再变更专利权人")
    previous = patent.owner
    offers = session.scalars(select(LicenceOffer).where(LicenceOffer.patent_id == patent.id,
                                                        LicenceOffer.state == OfferState.ACTIVE)).all()
    for offer in offers:
        offer.state = OfferState.WITHDRAWN
    patent.owner = owner
    patent.listing_state = ListingState.DRAFT
    session.flush()
    audit.record(session, "patent", patent.id, "reassign", {
        "owner": (f"{previous.name}（#{previous.id}）", f"{owner.name}（#{owner.id}）"),
        "reason": (None, reason), "offers_withdrawn": (None, len(offers))})
    title = f"专利“{patent.title[:60]}”的专利权人已由平台运营方变更"
    notifications.notify(session, notifications.organization_audience(owner), "ownership",
                         title, f"现登记为贵单位的专利，已设为草稿，请核对后上架。原因：{reason}",
                         f"/patents/{patent.id}")
    notifications.notify(session, notifications.organization_audience(previous), "ownership",
                         title, f"该专利已不再登记在贵单位名下。原因：{reason}")
    return Reassignment(patent=patent, previous_owner_name=previous.name,
                        offers_withdrawn=len(offers))
