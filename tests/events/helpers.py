"""A small world for the event tests: a station organizing, its client enterprises, a stranger
enterprise, a university with listed patents and offers, and matches between needs and patents."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from matchmaker.catalog.station_links import link_station_client
from matchmaker.events import programme, registration, service
from matchmaker.licensing.offers import OfferInput, create_offer
from matchmaker.models import Match, OrgKind
from tests.factories import make_need, make_org, make_patent, make_user

TODAY = date(2025, 5, 1)
DAY = date(2025, 5, 20)


@dataclass
class EventWorld:
    orgs: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    patents: dict = field(default_factory=dict)
    needs: dict = field(default_factory=dict)
    offers: dict = field(default_factory=dict)


def build(session) -> EventWorld:
    w = EventWorld()
    for key, kind, region in (("stn", OrgKind.STATION, "昌吉回族自治州"), ("op", OrgKind.OPERATOR, "乌鲁木齐市"),
                              ("uni", OrgKind.UNIVERSITY, "乌鲁木齐市"), ("uni2", OrgKind.UNIVERSITY, "其他"),
                              ("e1", OrgKind.ENTERPRISE, "昌吉回族自治州"),
                              ("e2", OrgKind.ENTERPRISE, "昌吉回族自治州"),
                              ("e3", OrgKind.ENTERPRISE, "哈密市"),
                              ("stn2", OrgKind.STATION, "哈密市")):
        w.orgs[key] = make_org(session, kind, name=f"活动测试{key}", region=region)
        w.users[key] = make_user(session, w.orgs[key])
    session.flush()
    for station, client in (("stn", "e1"), ("stn", "e2"), ("stn2", "e3")):
        link_station_client(session, w.orgs[station], w.orgs[client])
    life = dict(filing_date=date(2020, 1, 1), expiry_date=date(2040, 1, 1))
    w.patents["bat"] = make_patent(session, w.orgs["uni"], title="一种锂电池正极材料", industry_tags=["新能源"],
                                   ipc_codes=["H01M 4/36"], **life)
    w.patents["solar"] = make_patent(session, w.orgs["uni"], title="一种光伏板清洗装置", industry_tags=["新能源"],
                                     ipc_codes=["B08B 1/00"], **life)
    w.patents["cotton"] = make_patent(session, w.orgs["uni2"], title="一种棉秆制板方法", industry_tags=["新材料"],
                                      ipc_codes=["B27N 3/00"], **life)
    for key in ("bat", "solar", "cotton"):
        owner = w.users["uni" if key != "cotton" else "uni2"]
        w.offers[key] = create_offer(session, owner, w.patents[key].id, OfferInput(
            licence_type="ordinary", free_months=6, payment_mode="lump_sum", lump_sum_wan="10",
            term_months=36), today=TODAY).offer
    w.needs["n1"] = make_need(session, w.orgs["e1"], title="电池循环寿命", industry="新能源", valid_until=None)
    w.needs["n2"] = make_need(session, w.orgs["e2"], title="光伏板除尘", industry="新能源", valid_until=None)
    w.needs["n3"] = make_need(session, w.orgs["e3"], title="棉秆利用", industry="新材料", valid_until=None)
    for need, patent, score in (("n1", "bat", 80.0), ("n1", "solar", 40.0), ("n2", "solar", 60.0),
                                ("n3", "cotton", 70.0), ("n2", "bat", 55.0)):
        session.add(Match(need=w.needs[need], patent=w.patents[patent], score=score,
                          breakdown={}, signals={}, matched_terms=[]))
    session.flush()
    return w


def event_input(**kw) -> service.EventInput:
    values = dict(kind="roadshow", title="新能源专利路演", theme="锂电池与光伏", industry="新能源",
                  event_date=DAY, time_text="14:00–17:00", region="昌吉回族自治州", district="昌吉市",
                  place="昌吉高新区会议中心", capacity="10", seats_per_org="3")
    values.update(kw)
    return service.EventInput(**values)


def published_event(session, w: EventWorld, **kw):
    """A published event by the station with the battery and solar patents on the programme."""
    event = service.create_event(session, w.users["stn"], event_input(**kw), today=TODAY)
    programme.add_items(session, w.users["stn"], event.id,
                        patent_ids=[w.patents["bat"].id, w.patents["solar"].id])
    service.change_state(session, w.users["stn"], event.id, "publish", expected_version=None, today=TODAY)
    return event


def reg(session, w, key, seats="1", actor=None, event=None, today=TODAY):
    return registration.register(session, w.users[actor or key], event.id,
                                 registration.RegistrationInput(seats=seats, contact="张经理"),
                                 enterprise_id=w.orgs[key].id, today=today)
