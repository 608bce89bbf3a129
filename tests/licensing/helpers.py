"""Builders for the licensing tests: the parties of a deal, offers, and deals driven into a state
through real transitions."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.catalog.station_links import link_station_client
from matchmaker.licensing.consent import pending_proposal
from matchmaker.licensing.deals import StepInput, request_deal, transition
from matchmaker.licensing.proposals import confirm
from matchmaker.licensing.offers import OfferInput, create_offer
from matchmaker.licensing.transitions import BROKER, ENTERPRISE, OPERATOR, OWNER, SYSTEM, allowed
from matchmaker.models import (Deal, DealEvent, DealState as S, LicenceOffer, Notification,
                               Organization, OrgKind, Patent, User)
from tests.factories import make_org, make_patent, make_user

TODAY = date(2024, 3, 1)


@dataclass
class World:
    university: Organization        # owns `patent`
    owner: User
    enterprise: Organization        # a client of `station`
    ent_user: User
    station: Organization
    broker: User
    operator_org: Organization
    operator: User
    outsider_ent: Organization      # an enterprise nobody here serves
    outsider: User
    other_university: Organization
    other_owner: User
    patent: Patent

    def actor(self, party: str) -> User | None:
        """A user standing on exactly one side of a deal on `patent` with `enterprise`."""
        return {OWNER: self.owner, ENTERPRISE: self.ent_user, BROKER: self.broker,
                OPERATOR: self.operator, SYSTEM: None}[party]


def build_world(session: Session) -> World:
    university = make_org(session, OrgKind.UNIVERSITY, name="新疆测试大学")
    enterprise = make_org(session, OrgKind.ENTERPRISE, name="乌鲁木齐测试电池有限公司")
    station = make_org(session, OrgKind.STATION, name="天山创新驿站")
    link_station_client(session, station, enterprise)
    operator_org = make_org(session, OrgKind.OPERATOR, name="平台运营中心")
    outsider_ent = make_org(session, OrgKind.ENTERPRISE, name="哈密无关企业有限公司")
    other_university = make_org(session, OrgKind.UNIVERSITY, name="另一所大学")
    w = World(university=university, owner=make_user(session, university),
              enterprise=enterprise, ent_user=make_user(session, enterprise),
              station=station, broker=make_user(session, station),
              operator_org=operator_org, operator=make_user(session, operator_org),
              outsider_ent=outsider_ent, outsider=make_user(session, outsider_ent),
              other_university=other_university, other_owner=make_user(session, other_university),
              patent=make_patent(session, university))
    session.flush()
    return w


def offer_input(**fields) -> OfferInput:
    """A valid ordinary licence: 6 free months, then 10 万元 lump sum, 36 months."""
    values = dict(licence_type="ordinary", free_months=6, payment_mode="lump_sum",
                  lump_sum_wan="10", term_months=36)
    values.update(fields)
    return OfferInput(**values)


def make_offer(session: Session, w: World, patent: Patent | None = None, *,
               actor: User | None = None, today: date = TODAY, **fields) -> LicenceOffer:
    patent = patent or w.patent
    if actor is None:
        actor = next(u for u in patent.owner.users)
    return create_offer(session, actor, patent.id, offer_input(**fields), today=today).offer


# How each state is reached from REQUESTED, one real transition per step.
PATHS: dict[S, tuple[S, ...]] = {
    S.REQUESTED: (),
    S.NEGOTIATING: (S.NEGOTIATING,),
    S.FREE_ACTIVE: (S.NEGOTIATING, S.FREE_ACTIVE),
    S.CONVERSION_DUE: (S.NEGOTIATING, S.FREE_ACTIVE, S.CONVERSION_DUE),
    S.CONVERTED: (S.NEGOTIATING, S.CONVERTED),
    S.TRANSFERRED: (S.NEGOTIATING, S.TRANSFERRED),
    S.DECLINED: (S.DECLINED,),
    S.LAPSED: (S.NEGOTIATING, S.FREE_ACTIVE, S.CONVERSION_DUE, S.LAPSED),
    S.TERMINATED: (S.TERMINATED,),
}


def step(session: Session, actor: User | None, deal: Deal, to: S, *, today: date = TODAY,
         value: str = "10", note: str = "", start: date | None = None) -> Deal:
    """One transition with the deal's current version (a value is sent only where needed)."""
    rule = allowed(deal.state, to)
    needs_value = rule is not None and rule.needs_value
    return transition(session, actor, deal.id, to, expected_version=deal.version, today=today,
                      step=StepInput(note=note, contract_value_wan=value if needs_value else "",
                                     start_date=start))


def agree(session: Session, w: World | None, deal: Deal, *, today: date = TODAY) -> Deal:
    """Every side the deal's pending proposal waits for confirms it (licensor first)."""
    for side, org in ((OWNER, deal.patent.owner), (ENTERPRISE, deal.enterprise)):
        if deal.pending_to is not None and side in pending_proposal(deal).awaiting:
            user = next(u for u in org.users if u.is_active)
            confirm(session, user, deal.id, expected_version=deal.version, today=today)
    return deal


def settle(session: Session, w: World, actor: User | None, deal: Deal, to: S, *,
           today: date = TODAY, **kw) -> Deal:
    """Take (or propose) the step and have every side it needs agree: the step takes effect."""
    step(session, actor, deal, to, today=today, **kw)
    agree(session, w, deal, today=today)
    assert deal.state == to, (deal.state, to)
    return deal


def deal_in(session: Session, w: World, state: S, *, offer: LicenceOffer | None = None,
            requester: User | None = None, today: date = TODAY) -> Deal:
    """A deal of `w.enterprise` driven into `state` (the system moves it to CONVERSION_DUE)."""
    offer = offer or make_offer(session, w)
    deal = request_deal(session, requester or w.ent_user, offer.id,
                        enterprise_id=w.enterprise.id, today=today)
    for to in PATHS[state]:
        actor = None if to == S.CONVERSION_DUE else w.operator
        settle(session, w, actor, deal, to, today=today)
    assert deal.state == state
    return deal


def count(session: Session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def events_of(session: Session, deal_id: int) -> list[DealEvent]:
    return list(session.scalars(select(DealEvent).where(DealEvent.deal_id == deal_id)
                                .order_by(DealEvent.id)))


def notifications(session: Session, key_like: str = "%") -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.dedupe_key.like(key_like))
                                .order_by(Notification.id)))
