"""The demo's profiles and events, built on a miniature of the demo organizations."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from matchmaker.catalog.station_links import link_station_client

from matchmaker.demo.events import OPERATOR, PROFILES, STATION1, STATION2, create_demo_events, create_demo_profiles
from matchmaker.events.figures import event_figures
from matchmaker.indicators.table import build_table
from matchmaker.licensing.offers import OfferInput, create_offer
from matchmaker.models import (Deal, DealPublicity, Event, EventState, OrgKind, PairOutcome, EventPair,
                               RegistrationState, SizeClass)
from matchmaker.models.profile import EnterpriseProfile
from matchmaker.reports.annual import build_report
from tests.factories import make_need, make_org, make_patent, make_user

TODAY = date.today()


def test_demo_profiles_and_events(session):
    users, orgs = {}, {}

    def member(name, kind, region):
        orgs[name] = make_org(session, kind, name=name, region=region)
        users[name] = make_user(session, orgs[name])
    regions = {"演示企业·新材料示例有限公司": "哈密市", "演示企业·新能源示例有限公司": "克拉玛依市",
               "演示企业·智能装备示例有限公司": "巴音郭楞蒙古自治州", "演示企业·生物医药示例有限公司": "伊犁哈萨克自治州",
               "演示企业·信息技术示例有限公司": "乌鲁木齐市", "演示企业·农业食品示例有限公司": "石河子市",
               "演示企业·煤化工示例有限公司": "昌吉回族自治州", "演示企业·环保示例有限公司": "吐鲁番市"}
    for name, region in regions.items():
        member(name, OrgKind.ENTERPRISE, region)
    member(OPERATOR, OrgKind.OPERATOR, "乌鲁木齐市")
    member(STATION1, OrgKind.STATION, "乌鲁木齐市")
    member(STATION2, OrgKind.STATION, "昌吉回族自治州")
    member("演示大学", OrgKind.UNIVERSITY, "乌鲁木齐市")
    session.flush()
    for client in ("演示企业·信息技术示例有限公司", "演示企业·智能装备示例有限公司"):
        link_station_client(session, orgs[STATION1], orgs[client])
    for n in range(5):
        patent = make_patent(session, orgs["演示大学"], filing_date=date(2019, 1, 1), expiry_date=date(2039, 1, 1))
        create_offer(session, users["演示大学"], patent.id, OfferInput(
            licence_type="ordinary", free_months=6, payment_mode="lump_sum", lump_sum_wan="8", term_months=24),
            today=TODAY - timedelta(days=400))
    make_need(session, orgs["演示企业·新能源示例有限公司"], valid_until=None)

    assert create_demo_profiles(session, users, orgs, TODAY) == len(PROFILES)
    sizes = {p.enterprise.name: p.size_class for p in session.scalars(select(EnterpriseProfile))}
    assert sizes["演示企业·煤化工示例有限公司"] == SizeClass.LARGE
    assert {SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM} <= set(sizes.values())
    assert len({p.district for p in session.scalars(select(EnterpriseProfile))}) == 8

    assert create_demo_events(session, users, TODAY) == 3
    events = {e.state: e for e in session.scalars(select(Event))}
    held, open_, draft = events[EventState.HELD], events[EventState.PUBLISHED], events[EventState.DRAFT]
    f = event_figures(session, [held, open_], as_of=TODAY)
    assert (f[held.id].registered, f[held.id].attended, f[held.id].deals) == (4, 3, 1)
    assert f[held.id].pairs_followed >= 2
    deal = session.scalar(select(Deal).where(Deal.event_id == held.id))
    assert deal.state.value == "free_active"
    assert session.scalar(select(EventPair).where(EventPair.deal_id == deal.id)).outcome == PairOutcome.DEAL
    states = sorted(r.state.value for r in open_.registrations)
    assert states == ["invited", "invited", "registered", "registered"]
    assert draft.organizer.name == STATION2
    table = {(r.indicator.key, r.year): r.total for r in build_table(session, first_year=TODAY.year,
                                                                     last_year=TODAY.year, as_of=TODAY)}
    assert table[("events_held", TODAY.year)].target == 4
    assert session.scalar(select(DealPublicity).limit(1)) is None     # no paid deal in this miniature
    assert build_report(session, TODAY.year, today=TODAY).events
    assert all(r.state != RegistrationState.CANCELLED for r in held.registrations)
