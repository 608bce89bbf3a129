"""KPIs against a small hand-computed history over three years (2021–2023).

Deals (owner → enterprise; dates of the events):
  D1  大学U  → E1 (broker S1 asked, need N1)  requested 01-10-2021, free 02-01-2021,
      conversion due by tick 08-02-2021, converted 09-01-2021 for 10 万元      (212 days)
  D2  大学U  → E2 (client of S1)   free 04-01-2021, due by tick 10-02-2021, lapsed 01-15-2022
  D3  院所I  → E3 (client of S2, need N3)  direct paid licence 03-01-2022 for 30 万元,
      recordal registered 03-20-2022 (an event from == to, not a transition)
  D4  大学U  → E4   free 04-01-2022, converted early 01-10-2023 for 15 万元      (284 days)
  D5  企业EO → E6   free 05-01-2022, due by tick 11-02-2022, converted 03-01-2023 for 5 万元
      (304 days; an enterprise-owned patent: no converted SME)
  D6  院所I  → E5   transferred 09-01-2022 for 50 万元
  D7  院所I  → E1 (broker S1)  free 05-01-2023, still free at the end of 2023
  D8  大学U  → E3   declined 06-10-2023
  D9  大学U  → E2   requested 07-01-2023
Profiles (the 100-SME indicator counts SMEs only): E1 small (50 staff, 800 万元), E3 micro
(8 staff), E5 large (1,200 staff, 50,000 万元), E2 medium; E4 has none (not counted, shown apart).
Needs: N1 (E1, posted by S1) 01-05-2021 answered by D1 after 5 days; N2 (E2) 02-01-2021,
broker's note after 19 days; N3 (E3, posted by S2) 01-25-2022 answered by D3 after 7 days;
N4 (E4) 03-01-2023 unanswered; N5 (E5) 2020, before the period.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pytest

from matchmaker.catalog.station_links import link_station_client
from matchmaker.licensing.deals import request_deal
from matchmaker.licensing.follow_ups import add_follow_up
from matchmaker.licensing.kpis import compute_kpis
from matchmaker.licensing.recordal import record_filing
from matchmaker.licensing.tick import tick
from matchmaker.models import DealState as S, OrgKind
from matchmaker.profiles.service import ProfileInput, save_profile
from tests.factories import make_need, make_org, make_patent, make_user
from tests.licensing.helpers import agree, make_offer, step

D = date


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)


@dataclass
class History:
    orgs: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    deals: dict = field(default_factory=dict)
    needs: dict = field(default_factory=dict)
    mid: dict | None = None           # KPIs as of 2022-06-30, computed on that day


MID = D(2022, 6, 30)
END = D(2023, 12, 31)


def build(session) -> History:
    h = History()
    o, u = h.orgs, h.users
    for key, kind in (("U", OrgKind.UNIVERSITY), ("I", OrgKind.INSTITUTE), ("EO", OrgKind.ENTERPRISE),
                      ("E1", OrgKind.ENTERPRISE), ("E2", OrgKind.ENTERPRISE),
                      ("E3", OrgKind.ENTERPRISE), ("E4", OrgKind.ENTERPRISE),
                      ("E5", OrgKind.ENTERPRISE), ("E6", OrgKind.ENTERPRISE),
                      ("S1", OrgKind.STATION), ("S2", OrgKind.STATION), ("S3", OrgKind.STATION)):
        o[key] = make_org(session, kind, name=f"机构{key}")
        u[key] = make_user(session, o[key])
    for station, client in (("S1", "E1"), ("S1", "E2"), ("S2", "E3")):
        link_station_client(session, o[station], o[client])
    for key, staff, revenue in (("E1", 50, 800), ("E2", 400, 3000), ("E3", 8, 900),
                                ("E5", 1200, 50000)):
        save_profile(session, u[key], o[key].id, ProfileInput(
            sector="industry", employees=str(staff), revenue_wan=str(revenue), industry="新能源",
            district="天山区"), today=D(2021, 1, 1))

    start = D(2021, 1, 1)
    patents = {key: make_patent(session, o[owner]) for key, owner in
               (("PU", "U"), ("PU2", "U"), ("PI", "I"), ("PI2", "I"), ("PEO", "EO"))}
    offers = {
        "PU": make_offer(session, None, patents["PU"], actor=u["U"], today=start),
        "PU2": make_offer(session, None, patents["PU2"], actor=u["U"], today=start, free_months=12),
        "PI": make_offer(session, None, patents["PI"], actor=u["I"], today=start),
        "PI2": make_offer(session, None, patents["PI2"], actor=u["I"], today=start,
                          licence_type="transfer", payment_mode="transfer_price", lump_sum_wan="",
                          transfer_price_wan="50", free_months=0),
        "PEO": make_offer(session, None, patents["PEO"], actor=u["EO"], today=start),
    }

    def need(key, ent, day, station=None):
        h.needs[key] = make_need(session, o[ent], created_at=noon(day), valid_until=None,
                                 on_behalf_station=o[station] if station else None)

    def ask(key, actor, ent, patent, day, need_key=None):
        h.deals[key] = request_deal(session, u[actor], offers[patent].id, enterprise_id=o[ent].id,
                                    need_id=h.needs[need_key].id if need_key else None, today=day)

    def go(key, actor, to, day, value=""):
        step(session, u[actor], h.deals[key], to, today=day, value=value)
        agree(session, None, h.deals[key], today=day)     # the other side confirms that day

    need("N5", "E5", D(2020, 6, 1))
    # 2021
    need("N1", "E1", D(2021, 1, 5), station="S1")
    ask("D1", "S1", "E1", "PU", D(2021, 1, 10), need_key="N1")
    go("D1", "U", S.NEGOTIATING, D(2021, 1, 20))
    go("D1", "U", S.FREE_ACTIVE, D(2021, 2, 1))
    need("N2", "E2", D(2021, 2, 1))
    add_follow_up(session, u["S1"], "已联系企业了解需求", need_id=h.needs["N2"].id,
                  at=noon(D(2021, 2, 20)))
    ask("D2", "E2", "E2", "PU", D(2021, 3, 1))
    go("D2", "S1", S.NEGOTIATING, D(2021, 3, 5))
    go("D2", "U", S.FREE_ACTIVE, D(2021, 4, 1))
    assert tick(session, today=D(2021, 8, 2)).conversion_due == [h.deals["D1"].id]
    go("D1", "U", S.CONVERTED, D(2021, 9, 1), value="10")
    assert tick(session, today=D(2021, 10, 2)).conversion_due == [h.deals["D2"].id]
    # 2022
    go("D2", "E2", S.LAPSED, D(2022, 1, 15))
    need("N3", "E3", D(2022, 1, 25), station="S2")
    ask("D3", "E3", "E3", "PI", D(2022, 2, 1), need_key="N3")
    go("D3", "I", S.NEGOTIATING, D(2022, 2, 5))
    go("D3", "I", S.CONVERTED, D(2022, 3, 1), value="30")
    record_filing(session, u["I"], h.deals["D3"].id, expected_version=None, recordal_no="R-D3",
                  recordal_date=D(2022, 3, 15), contract_reg_no="C-D3", today=D(2022, 3, 20))
    ask("D4", "E4", "E4", "PU2", D(2022, 3, 10))
    go("D4", "U", S.NEGOTIATING, D(2022, 3, 15))
    go("D4", "U", S.FREE_ACTIVE, D(2022, 4, 1))
    ask("D5", "E6", "E6", "PEO", D(2022, 4, 10))
    go("D5", "EO", S.NEGOTIATING, D(2022, 4, 15))
    go("D5", "EO", S.FREE_ACTIVE, D(2022, 5, 1))
    session.commit()
    h.mid = compute_kpis(session, as_of=MID, first_year=2021).as_dict()
    ask("D6", "E5", "E5", "PI2", D(2022, 7, 15))
    go("D6", "I", S.NEGOTIATING, D(2022, 7, 20))
    go("D6", "I", S.TRANSFERRED, D(2022, 9, 1), value="50")
    assert tick(session, today=D(2022, 11, 2)).conversion_due == [h.deals["D5"].id]
    # 2023
    go("D4", "U", S.CONVERTED, D(2023, 1, 10), value="15")
    go("D5", "EO", S.CONVERTED, D(2023, 3, 1), value="5")
    need("N4", "E4", D(2023, 3, 1))
    ask("D7", "S1", "E1", "PI", D(2023, 4, 1))
    go("D7", "I", S.NEGOTIATING, D(2023, 4, 10))
    go("D7", "I", S.FREE_ACTIVE, D(2023, 5, 1))
    ask("D8", "E3", "E3", "PU", D(2023, 6, 1))
    go("D8", "U", S.DECLINED, D(2023, 6, 10))
    ask("D9", "E2", "E2", "PU2", D(2023, 7, 1))
    session.commit()
    return h


@pytest.fixture
def history(session) -> History:
    return build(session)


def years(k) -> list[tuple]:
    return [(y.year, y.licences, y.transfers, y.deals, y.value_yuan, y.count_growth, y.value_growth)
            for y in k.years]


def pipeline(**counts) -> dict[str, int]:
    return {s.value: counts.get(s.value, 0) for s in S}


def test_figures_at_the_end_of_the_period(session, history):
    k = compute_kpis(session, as_of=END, first_year=2021)
    assert years(k) == [
        (2021, 2, 0, 2, 100_000, None, None),
        (2022, 3, 1, 4, 800_000, 100.0, 700.0),
        (2023, 1, 0, 1, 200_000, -75.0, -75.0),
    ]
    # E1, E3, E4, E5 converted university/institute patents (not E6: an enterprise owner);
    # SMEs among them: E1 (small), E3 (micro); E4 has no profile, E5 is large
    assert (k.converted_enterprises, k.converted_smes) == (4, 2)
    assert (k.converted_unclassified, k.converted_large) == (1, 1)
    assert k.smes_progress_pct == 2.0
    assert (k.conversions_from_free, k.lapsed, k.conversion_rate) == (3, 1, 75.0)
    assert k.median_days_to_conversion == 284
    assert k.pipeline == pipeline(requested=1, free_active=1, converted=4, transferred=1,
                                  declined=1, lapsed=1)
    assert [(s.name, s.deals, s.conversions, s.value_yuan, s.needs_posted) for s in k.stations] == [
        ("机构S2", 2, 1, 300_000, 1),          # D3, D8
        ("机构S1", 4, 1, 100_000, 1),          # D1, D2, D7, D9
        ("机构S3", 0, 0, 0, 0),
    ]
    assert (k.needs_total, k.needs_answered, k.needs_answered_pct) == (4, 2, 50.0)


def test_default_period_is_the_last_three_years(session, history):
    k = compute_kpis(session, as_of=END)
    assert (k.first_year, k.last_year) == (2021, 2023)
    assert k.as_dict() == compute_kpis(session, as_of=END, first_year=2021, last_year=2023).as_dict()


def test_growth_against_the_year_before_the_period(session, history):
    k = compute_kpis(session, as_of=END, first_year=2022)
    assert years(k) == [
        (2022, 3, 1, 4, 800_000, 100.0, 700.0),      # compared with 2021, outside the period
        (2023, 1, 0, 1, 200_000, -75.0, -75.0),
    ]
    assert (k.needs_total, k.needs_answered) == (2, 1)   # N3, N4
    assert k.converted_smes == 2                          # cumulative, whatever the period


def test_answer_window_is_a_parameter(session, history):
    k = compute_kpis(session, as_of=END, first_year=2021, answer_days=30)
    assert (k.needs_total, k.needs_answered, k.answer_days) == (4, 3, 30)   # N2 after 19 days
    k = compute_kpis(session, as_of=END, first_year=2021, answer_days=6)
    assert k.needs_answered == 1                                            # N3 took 7 days


def test_a_past_date_reproduces_the_figures_of_that_date(session, history):
    k = compute_kpis(session, as_of=MID, first_year=2021)
    assert k.as_dict() == history.mid             # what the dashboard showed on 2022-06-30
    assert years(k) == [
        (2021, 2, 0, 2, 100_000, None, None),
        (2022, 3, 0, 3, 300_000, 50.0, 200.0),
    ]
    assert k.converted_smes == 2                  # E1, E3
    assert (k.conversions_from_free, k.lapsed, k.conversion_rate) == (1, 1, 50.0)
    assert k.median_days_to_conversion == 212
    assert k.pipeline == pipeline(free_active=2, converted=2, lapsed=1)
    assert [(s.name, s.deals, s.conversions, s.value_yuan, s.needs_posted) for s in k.stations] == [
        ("机构S2", 1, 1, 300_000, 1),
        ("机构S1", 2, 1, 100_000, 1),
        ("机构S3", 0, 0, 0, 0),
    ]
    assert (k.needs_total, k.needs_answered) == (3, 2)


def test_last_year_is_capped_at_the_as_of_year(session, history):
    k = compute_kpis(session, as_of=D(2021, 12, 31), first_year=2021, last_year=2023)
    assert [y.year for y in k.years] == [2021]
    assert k.pipeline == pipeline(converted=1, conversion_due=1)


def test_events_of_the_as_of_day_count(session, history):
    assert compute_kpis(session, as_of=D(2021, 8, 31)).pipeline["converted"] == 0
    assert compute_kpis(session, as_of=D(2021, 9, 1)).pipeline["converted"] == 1


def test_station_view_is_restricted_to_its_deals(session, history):
    s1 = history.orgs["S1"]
    k = compute_kpis(session, as_of=END, first_year=2021, station_id=s1.id)
    assert k.station_id == s1.id
    assert years(k) == [
        (2021, 2, 0, 2, 100_000, None, None),
        (2022, 0, 0, 0, 0, -100.0, -100.0),
        (2023, 1, 0, 1, 0, None, None),
    ]
    assert k.converted_smes == 1
    assert (k.conversions_from_free, k.lapsed, k.conversion_rate) == (1, 1, 50.0)
    assert k.median_days_to_conversion == 212
    assert k.pipeline == pipeline(requested=1, free_active=1, converted=1, lapsed=1)
    assert [(s.name, s.deals, s.conversions, s.value_yuan) for s in k.stations] == [
        ("机构S1", 4, 1, 100_000)]
    assert (k.needs_total, k.needs_answered) == (2, 1)     # N1, N2 of its clients

    s2 = history.orgs["S2"]
    k = compute_kpis(session, as_of=END, first_year=2021, station_id=s2.id)
    assert [(y.year, y.licences, y.value_yuan) for y in k.years] == [
        (2021, 0, 0), (2022, 1, 300_000), (2023, 0, 0)]
    assert (k.converted_smes, k.conversion_rate, k.median_days_to_conversion) == (1, None, None)
    assert k.pipeline == pipeline(converted=1, declined=1)
    assert (k.needs_total, k.needs_answered) == (1, 1)

    k = compute_kpis(session, as_of=END, station_id=history.orgs["S3"].id)
    assert k.pipeline == pipeline() and k.converted_smes == 0 and k.needs_total == 0


def test_as_dict_carries_the_targets(session, history):
    data = compute_kpis(session, as_of=END, first_year=2021).as_dict()
    assert data["target_smes"] == 100 and data["converted_smes"] == 2
    assert (data["converted_enterprises"], data["converted_unclassified"], data["converted_large"]) == (4, 1, 1)
    assert data["years"][1]["licences_and_transfers"] == 4
    assert data["years"][1]["count_growth_target_pct"] == 20.0
    assert data["years"][1]["value_growth_target_pct"] == 40.0
    assert data["conversion_rate_pct"] == 75.0 and data["needs_answered_pct"] == 50.0


def test_no_deals_no_figures(session, world):
    k = compute_kpis(session, as_of=END)
    assert k.converted_smes == 0 and k.conversion_rate is None
    assert k.median_days_to_conversion is None and k.needs_answered_pct is None
    assert all(y.count_growth is None and y.deals == 0 for y in k.years)
    assert k.pipeline == pipeline()
