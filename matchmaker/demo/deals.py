"""Demo licence offers and deals in every state, spread over the last three years, so a new
user opens a dashboard with history instead of zeros. Everything goes through the same
services as the web (offers validated, transitions from the table, events dated in the past).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..licensing.consent import agreeing_sides, pending_proposal
from ..licensing.deals import StepInput, request_deal, transition
from ..licensing.proposals import confirm
from ..licensing.recordal import record_filing
from ..licensing.offers import OfferInput, create_offer
from ..models import DealState as S
from ..models import ListingState, Need, OrgKind, Patent, User

OFFER_KINDS = (
    OfferInput(licence_type="ordinary", free_months=6, payment_mode="lump_sum", lump_sum_wan="15",
               term_months=36, support_included=True),
    OfferInput(licence_type="ordinary", free_months=12, payment_mode="royalty_sales",
               royalty_pct="3", term_months=60, knowhow_included=True),
    OfferInput(licence_type="sole", free_months=6, payment_mode="entry_plus_royalty",
               entry_fee_wan="8", royalty_pct="2.5", term_months=48),
    OfferInput(licence_type="open", free_months=3, payment_mode="lump_sum", lump_sum_wan="5",
               term_months=24, fee_standard="每年 5 万元，一次性支付", payment_method="银行转账"),
    OfferInput(licence_type="transfer", free_months=6, payment_mode="transfer_price",
               transfer_price_wan="60"),
)

# (days before today the request was made, path of (state, days after the previous step, 万元))
SCENARIOS: tuple[tuple[int, tuple], ...] = (
    (1000, ((S.NEGOTIATING, 10, None), (S.FREE_ACTIVE, 20, None), (S.CONVERSION_DUE, 185, None),
            (S.CONVERTED, 15, "18")),),
    (960, ((S.NEGOTIATING, 7, None), (S.FREE_ACTIVE, 14, None), (S.CONVERSION_DUE, 370, None),
           (S.LAPSED, 20, None)),),
    (900, ((S.NEGOTIATING, 5, None), (S.FREE_ACTIVE, 10, None), (S.CONVERTED, 120, "12")),),
    (850, ((S.NEGOTIATING, 12, None), (S.DECLINED, 20, None)),),
    (700, ((S.NEGOTIATING, 8, None), (S.FREE_ACTIVE, 15, None), (S.CONVERSION_DUE, 185, None),
           (S.CONVERTED, 30, "25")),),
    (640, ((S.NEGOTIATING, 6, None), (S.TRANSFERRED, 40, "60")),),
    (600, ((S.NEGOTIATING, 9, None), (S.FREE_ACTIVE, 12, None), (S.CONVERTED, 150, "20")),),
    (560, ((S.NEGOTIATING, 4, None), (S.FREE_ACTIVE, 10, None), (S.TERMINATED, 60, None)),),
    (520, ((S.NEGOTIATING, 10, None), (S.FREE_ACTIVE, 20, None), (S.CONVERSION_DUE, 185, None),
           (S.CONVERTED, 10, "30")),),
    (420, ((S.NEGOTIATING, 5, None), (S.FREE_ACTIVE, 10, None), (S.CONVERSION_DUE, 95, None),
           (S.TRANSFERRED, 30, "70")),),
    (330, ((S.NEGOTIATING, 7, None), (S.FREE_ACTIVE, 7, None), (S.CONVERSION_DUE, 185, None),
           (S.CONVERTED, 20, "35")),),
    (450, ((S.NEGOTIATING, 6, None), (S.FREE_ACTIVE, 14, None), (S.CONVERSION_DUE, 370, None)),),
    (240, ((S.NEGOTIATING, 5, None), (S.FREE_ACTIVE, 10, None), (S.CONVERTED, 100, "28")),),
    (200, ((S.NEGOTIATING, 5, None), (S.FREE_ACTIVE, 10, None), (S.CONVERSION_DUE, 185, None),
           (S.LAPSED, 5, None)),),
    (150, ((S.NEGOTIATING, 5, None), (S.FREE_ACTIVE, 10, None)),),
    (90, ((S.NEGOTIATING, 7, None), (S.FREE_ACTIVE, 14, None)),),
    (60, ((S.NEGOTIATING, 10, None),),),
    (20, ()),
    (10, ((S.TERMINATED, 3, None),),),
)


@dataclass
class DemoDeals:
    offers: int = 0
    deals: int = 0


def create_demo_deals(session: Session, users: dict[str, User], today: date) -> DemoDeals:
    """Offers on patents of the universities that have demo users; deals by demo enterprises
    (every other one through their station's broker)."""
    result = DemoDeals()
    owners = [u for u in users.values() if u.organization.kind.is_supplier]
    enterprises = [u for u in users.values() if u.organization.kind == OrgKind.ENTERPRISE]
    if not owners or not enterprises:
        return result
    start = today - timedelta(days=max(d for d, _ in SCENARIOS) + 5)
    patents = {u.id: list(session.scalars(select(Patent).where(
        Patent.owner_id == u.organization_id, Patent.listing_state == ListingState.LISTED)
        .order_by(Patent.id).limit(len(SCENARIOS)))) for u in owners}
    for n, (days_ago, path) in enumerate(SCENARIOS):
        owner = owners[n % len(owners)]
        pool = patents[owner.id]
        if not pool:
            continue
        patent = pool.pop(0)
        kind = OFFER_KINDS[n % len(OFFER_KINDS)]
        if path and path[-1][0] == S.TRANSFERRED:
            kind = OFFER_KINDS[4]
        elif any(s == S.FREE_ACTIVE for s, _d, _v in path) and kind.licence_type == "transfer":
            kind = OFFER_KINDS[0]
        elif any(s == S.DECLINED for s, _d, _v in path) and kind.licence_type == "open":
            kind = OFFER_KINDS[0]         # an open licence's request cannot be declined
        offer = create_offer(session, owner, patent.id, kind, today=start).offer
        result.offers += 1
        ent_user = enterprises[n % len(enterprises)]
        enterprise = ent_user.organization
        requester = ent_user
        if n % 2 and enterprise.stations:
            requester = next((users[s.name] for s in enterprise.stations if s.name in users), ent_user)
        need = session.scalar(select(Need).where(Need.enterprise_id == enterprise.id).limit(1))
        day = today - timedelta(days=days_ago)
        deal = request_deal(session, requester, offer.id, enterprise_id=enterprise.id,
                            need_id=need.id if need else None, today=day,
                            note="演示数据：企业提出许可申请")
        result.deals += 1
        broker = next((users[s.name] for s in enterprise.stations if s.name in users), None)
        for state, after, value in path:
            day = day + timedelta(days=after)
            if state == S.CONVERSION_DUE:        # when tick would have moved it
                day = deal.free_end + timedelta(days=1)
            if day > today:
                break
            actor = _actor_for(state, owner, ent_user, broker)
            transition(session, actor, deal.id, state, expected_version=deal.version, today=day,
                       step=StepInput(contract_value_wan=value or "", note="演示数据"))
            _agree(session, deal, owner, ent_user, day)
            if state in (S.CONVERTED, S.TRANSFERRED) and n % 3 == 0:
                record_filing(session, owner, deal.id, expected_version=deal.version,
                              recordal_no=f"X{day.year}990000{n:04d}",
                              recordal_date=min(day + timedelta(days=30), today),
                              contract_reg_no=f"{day.year}6501000{n:05d}", today=today)
        if (days_ago, path) == WAITING_SCENARIO and broker is not None:
            # a step the broker proposed, waiting for the licensor (shows whose turn it is)
            transition(session, broker, deal.id, S.FREE_ACTIVE, expected_version=deal.version,
                       today=today, step=StepInput(note="演示数据：企业已同意免费试用，请许可方确认"))
    session.flush()
    return result


WAITING_SCENARIO = (60, ((S.NEGOTIATING, 10, None),))


def _agree(session: Session, deal, owner: User, ent_user: User, day: date) -> None:
    """The licensor and the licensee confirm what their counterpart proposed (two-party steps)."""
    for user in (owner, ent_user):
        if deal.pending_to is not None and agreeing_sides(user, deal) & pending_proposal(deal).awaiting:
            confirm(session, user, deal.id, expected_version=deal.version, today=day)


def _actor_for(state: S, owner: User, ent_user: User, broker: User | None) -> User | None:
    if state == S.CONVERSION_DUE:
        return None                       # the system (tick) moves it when the free period ends
    if state in (S.TERMINATED, S.LAPSED):
        return ent_user
    return broker if (state == S.NEGOTIATING and broker is not None) else owner
