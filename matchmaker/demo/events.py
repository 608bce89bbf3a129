"""Demo enterprise profiles in several districts (one large enterprise and SMEs of every
class, start-ups and COVID-hit ones among them); demo events — a roadshow held by the operator
four months ago (registrations, attendance, followed-up pairs and a deal that came out of it),
a station's matchmaking event open for registration, another station's draft — and the
operator's milestones for the year, so the SME indicator, the event pages, the indicator table
and the annual report have something to show. Everything goes through the services."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import MatchmakerError
from ..events import pairs, programme, registration, service
from ..indicators.targets import set_target
from ..licensing.deals import StepInput, request_deal, transition
from ..licensing.transitions import OPEN_STATES
from ..models import (Deal, DealState, LicenceOffer, Need, NeedState, OfferState, Organization,
                      OrgKind, User)
from ..profiles.service import ProfileInput, save_profile
from ..reports.consent import set_consent

OPERATOR = "演示运营方·知识产权运营服务平台"
STATION1, STATION2 = "演示创新驿站·乌鲁木齐高新区", "演示创新驿站·昌吉"

# enterprise name → (district, industry, sector, employees, revenue 万元, founded, 专精特新,
# high-tech, COVID-affected)
PROFILES = {
    "演示企业·新材料示例有限公司": ("伊州区", "新材料", "industry", 120, 6000, 2012, True, True, False),
    "演示企业·新能源示例有限公司": ("克拉玛依区", "新能源", "industry", 45, 1500, -2, False, False, False),
    "演示企业·智能装备示例有限公司": ("库尔勒市", "高端装备", "industry", 260, 12000, 2009, True, True, False),
    "演示企业·生物医药示例有限公司": ("伊宁市", "生物医药", "industry", 15, 200, 2016, False, False, True),
    "演示企业·信息技术示例有限公司": ("新市区", "信息技术", "software", 80, 900, -1, False, True, False),
    "演示企业·农业食品示例有限公司": ("石河子市", "农产品加工", "industry", 320, 25000, 2005, False, False, True),
    "演示企业·煤化工示例有限公司": ("阜康市", "煤化工", "industry", 1800, 60000, 2003, False, True, False),
    "演示企业·环保示例有限公司": ("高昌区", "节能环保", "industry", 60, 2500, 2014, False, False, False),
}


def create_demo_profiles(session: Session, users: dict[str, User], orgs: dict[str, Organization],
                         today: date) -> int:
    """Profiles entered by each demo enterprise itself (a negative founding year is relative to
    today: the start-ups stay start-ups whenever the demo is loaded)."""
    made = 0
    for name, (district, industry, sector, staff, revenue, founded, spec, tech, covid) in PROFILES.items():
        org, user = orgs.get(name), users.get(name)
        if org is None or user is None:
            continue
        year = today.year + founded if founded < 0 else founded
        save_profile(session, user, org.id, ProfileInput(
            sector=sector, employees=str(staff), revenue_wan=str(revenue), founded_year=str(year),
            specialized=spec, high_tech=tech, covid_affected=covid, district=district,
            industry=industry), today=today)
        made += 1
    return made


def create_demo_events(session: Session, users: dict[str, User], today: date) -> int:
    """The three demo events and the year's milestones; returns how many events were made."""
    op, st1, st2 = users.get(OPERATOR), users.get(STATION1), users.get(STATION2)
    offers = list(session.scalars(select(LicenceOffer).where(LicenceOffer.state == OfferState.ACTIVE)
                                  .order_by(LicenceOffer.id)))
    enterprises = [u for u in users.values() if u.organization.kind == OrgKind.ENTERPRISE]
    if op is None or st1 is None or st2 is None or len(offers) < 4 or len(enterprises) < 4:
        return 0
    _held_roadshow(session, op, offers[:3], enterprises, today)
    _open_matchmaking(session, st1, offers[3:5], enterprises, today)
    service.create_event(session, st2, service.EventInput(
        kind="financing", title="演示：昌吉项目技术融资对接会（筹备中）", theme="新材料与煤化工项目的技术与融资对接",
        industry="新材料", event_date=today + timedelta(days=45), region="昌吉回族自治州", district="昌吉市",
        place="昌吉高新区创业服务中心", capacity="60", seats_per_org="3"), today=today)
    for key, value in (("sme_conversions", 6), ("events_held", 4), ("event_deals", 3)):
        set_target(session, op, key, today.year, value)
    set_target(session, op, "events_held", today.year, 2, region="乌鲁木齐市")
    _consent_to_a_case(session, users)
    session.flush()
    return 3


def _held_roadshow(session, op: User, offers, enterprises, today: date) -> None:
    day = today - timedelta(days=120)
    prepared = day - timedelta(days=30)
    event = service.create_event(session, op, service.EventInput(
        kind="roadshow", title="演示：高校院所知识产权路演（新能源与新材料专场）",
        theme="高校院所推介可免费试用的专利，企业现场提问，会后由驿站跟进。", event_date=day,
        time_text="09:30–12:00", region="乌鲁木齐市", district="新市区", place="乌鲁木齐高新区科技馆",
        online_url="https://meeting.example.org/demo-roadshow", capacity="80", seats_per_org="3"),
        today=prepared)
    programme.add_items(session, op, event.id, patent_ids=[o.patent_id for o in offers])
    need = session.scalar(select(Need).where(Need.state == NeedState.OPEN).order_by(Need.id).limit(1))
    if need is not None:
        programme.add_items(session, op, event.id, need_ids=[need.id])
    service.change_state(session, op, event.id, "publish", expected_version=None, today=prepared)
    regs = [registration.register(session, u, event.id, registration.RegistrationInput(
        seats=str(1 + n % 2), contact=f"{u.display_name}"), today=prepared + timedelta(days=n + 1))
        for n, u in enumerate(enterprises[:4])]
    registration.record_attendance(session, op, event.id, [r.id for r in regs[:3]], today=day)
    service.change_state(session, op, event.id, "held", expected_version=None, today=day)
    follow = [("following", "已约企业技术负责人到校考察"), ("no_interest", "企业认为产线改造成本过高")]
    rows = [r for r in pairs.pair_rows(session, event) if r.record is None]
    for (outcome, note), row in zip(follow, rows[1:]):
        pairs.follow_up(session, op, event.id, pairs.PairInput(row.patent.id, row.enterprise.id, outcome,
                                                               note, day + timedelta(days=14)))
    # a deal out of the event: the first attendee asks for a presented patent's licence
    for row in rows:
        user = next((u for u in enterprises if u.organization_id == row.enterprise.id), None)
        offer = next(o for o in offers if o.patent_id == row.patent.id)
        if user is None or offer.licence_type.is_exclusive_kind or session.scalar(select(Deal.id).where(
                Deal.patent_id == offer.patent_id, Deal.enterprise_id == row.enterprise.id,
                Deal.state.in_(OPEN_STATES | {DealState.CONVERTED}))):
            continue
        start = day + timedelta(days=3)
        try:
            with session.begin_nested():
                deal = request_deal(session, user, offer.id, event_id=event.id, today=start,
                                    note="演示数据：路演现场对接后申请许可")
        except MatchmakerError:       # e.g. the patent is licensed exclusively meanwhile
            continue
        owner = offer.patent.owner.users[0]
        transition(session, owner, deal.id, DealState.NEGOTIATING, expected_version=None,
                   today=start + timedelta(days=5), step=StepInput(note="演示数据"))
        if offer.free_months:
            transition(session, owner, deal.id, DealState.FREE_ACTIVE, expected_version=None,
                       today=start + timedelta(days=15), step=StepInput(note="演示数据"))
        break


def _open_matchmaking(session, st1: User, offers, enterprises, today: date) -> None:
    event = service.create_event(session, st1, service.EventInput(
        kind="matchmaking", title="演示：乌鲁木齐高新区专利供需对接会", theme="信息技术、智能装备企业与高校院所面对面对接",
        industry="", event_date=today + timedelta(days=14), time_text="14:30–17:30", region="乌鲁木齐市",
        district="新市区", place="高新区创新驿站会议室", capacity="40", seats_per_org="2"), today=today)
    programme.add_items(session, st1, event.id, patent_ids=[o.patent_id for o in offers])
    service.change_state(session, st1, event.id, "publish", expected_version=None, today=today)
    clients = [u for u in enterprises if any(s.id == st1.organization_id for s in u.organization.stations)]
    for u in clients[:2]:
        registration.register(session, st1, event.id, registration.RegistrationInput(seats="2", contact="驿站代报名"),
                              enterprise_id=u.organization_id, today=today)
    others = [u.organization_id for u in enterprises if u not in clients[:2]]
    if others:
        registration.invite(session, st1, event.id, others[:2], today=today)


def _consent_to_a_case(session, users: dict[str, User]) -> None:
    """Both parties of the first paid demo deal agree to be named in the annual report."""
    deal = session.scalar(select(Deal).where(Deal.state.in_((DealState.CONVERTED, DealState.TRANSFERRED)))
                          .order_by(Deal.id).limit(1))
    if deal is None:
        return
    owner = next((u for u in users.values() if u.organization_id == deal.patent.owner_id), None)
    licensee = next((u for u in users.values() if u.organization_id == deal.enterprise_id), None)
    if owner and licensee:
        set_consent(session, owner, deal.id, True)
        set_consent(session, licensee, deal.id, True)
