"""The indicator table against a hand-computed history: the KPI history of
tests/licensing/test_kpis.py (2021–2023; every organization in 乌鲁木齐市; E1, E2, E3, E5 profiled
in 天山区, E4 and E6 without a profile), plus:

  custody   E2 confirmed 2022-06-01, starting 2022-07-01; E1 confirmed 2023-02-01 (started 01-01);
            E5 (large) and E4 (no profile) on the same days: not counted (SMEs only)
  events    A held 2022-05-10 in 昌吉回族自治州/昌吉市; B held 2023-04-01 in 乌鲁木齐市/天山区, where
            E2 registered and 大学U's patent PU was presented; C cancelled (2023)
  deal      D10: E2 requests PU's licence from event B on 2023-04-05

Values (platform; by place):
  licences_transfers  2021: 2 (天山区 2)   2022: 4 (天山区 2, 未填写 2)   2023: 1 (天山区)
  contract_value      2021: 10 万  2022: 80 万 (天山区)  2023: 20 万 (未填写)
  sme_conversions     2021: 1 (E1)  2022: 2 (E1, E3)  2023: 2 — E4 unprofiled, E5 large
  custody_smes        2021: 0  2022: 1  2023: 2
  events_held         2022: 1 (昌吉回族自治州/昌吉市)  2023: 1 (乌鲁木齐市/天山区)
  event_deals         2023: 1 (乌鲁木齐市/天山区)
"""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from matchmaker.custody.kpis import TARGET_KEY, compute_custody, plans
from matchmaker.indicators.targets import set_target
from matchmaker.errors import PermissionDenied, ValidationError
from matchmaker.indicators.export import indicator_rows
from matchmaker.indicators.table import build_table
from matchmaker.licensing.deals import request_deal
from matchmaker.licensing.kpis import compute_kpis
from matchmaker.models import (AgreementState, CustodyAgreement, CustodyEvent, Deal, Event, EventItem,
                               EventRegistration, EventState, IndicatorTarget, OrgKind,
                               RegistrationState)
from tests.factories import make_org, make_user
from tests.licensing.test_kpis import END, build as build_history
from tests.test_cli import env, run  # noqa: F401  (fixtures)

D = date


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)


@pytest.fixture
def history(session):
    h = build_history(session)
    o, u = h.orgs, h.users
    for ent, confirmed, start in (("E2", D(2022, 6, 1), D(2022, 7, 1)), ("E1", D(2023, 2, 1), D(2023, 1, 1)),
                                  ("E5", D(2022, 6, 1), D(2022, 7, 1)), ("E4", D(2023, 2, 1), D(2023, 1, 1))):
        agency = make_org(session, OrgKind.AGENCY)
        a = CustodyAgreement(enterprise_id=o[ent].id, agency_id=agency.id, services=["annuity"],
                             start_date=start, end_date=D(2026, 1, 1), state=AgreementState.ACTIVE,
                             proposed_by_id=agency.id)
        session.add(a)
        session.flush()
        session.add(CustodyEvent(agreement_id=a.id, to_state="active", created_at=noon(confirmed)))
    pu = session.get(Deal, h.deals["D2"].id).patent

    def event(title, day, region, district, state):
        e = Event(title=title, event_date=day, region=region, district=district, capacity=50,
                  organizer_id=o["S1"].id, state=state, place="会场")
        session.add(e)
        session.flush()
        return e
    event("A", D(2022, 5, 10), "昌吉回族自治州", "昌吉市", EventState.HELD)
    b = event("B", D(2023, 4, 1), "乌鲁木齐市", "天山区", EventState.HELD)
    event("C", D(2023, 6, 1), "乌鲁木齐市", "天山区", EventState.CANCELLED)
    session.add(EventItem(event_id=b.id, patent_id=pu.id, presenter_id=pu.owner_id))
    session.add(EventRegistration(event_id=b.id, organization_id=o["E2"].id, state=RegistrationState.REGISTERED))
    session.flush()
    h.deals["D10"] = request_deal(session, u["E2"], h.deals["D2"].offer_id, event_id=b.id, today=D(2023, 4, 5))
    h.operator = make_user(session, make_org(session, OrgKind.OPERATOR))
    session.commit()
    return h


def rows_by(table):
    return {(r.indicator.key, r.year): r for r in table}


def totals(table, key):
    return [(r.year, r.total.value, r.total.target, r.total.source, r.total.state)
            for r in table if r.indicator.key == key]


def test_values_targets_and_lights_at_the_end_of_the_period(session, history):
    table = build_table(session, first_year=2021, last_year=2023, as_of=END)
    assert totals(table, "licences_transfers") == [
        (2021, 2, None, "", "none"), (2022, 4, 3, "growth", "green"), (2023, 1, 5, "growth", "red")]
    assert totals(table, "contract_value") == [
        (2021, 100_000, None, "", "none"), (2022, 800_000, 140_000, "growth", "green"),
        (2023, 200_000, 1_120_000, "growth", "red")]
    assert totals(table, "sme_conversions") == [
        (2021, 1, 100, "default", "red"), (2022, 2, 100, "default", "red"), (2023, 2, 100, "default", "red")]
    assert totals(table, "custody_smes") == [
        (2021, 0, 1000, "default", "red"), (2022, 1, 1000, "default", "red"), (2023, 2, 1000, "default", "red")]
    assert totals(table, "events_held") == [(2021, 0, None, "", "none"), (2022, 1, None, "", "none"),
                                           (2023, 1, None, "", "none")]
    assert totals(table, "event_deals") == [(2021, 0, None, "", "none"), (2022, 0, None, "", "none"),
                                           (2023, 1, None, "", "none")]


def test_the_table_agrees_with_the_kpi_page(session, history):
    table = rows_by(build_table(session, first_year=2021, last_year=2023, as_of=END))
    k = compute_kpis(session, as_of=END, first_year=2021)
    for y in k.years:
        assert table[("licences_transfers", y.year)].total.value == y.deals
        assert table[("contract_value", y.year)].total.value == y.value_yuan
    assert table[("sme_conversions", 2023)].total.value == k.converted_smes
    for year in (2022, 2023):
        assert table[("custody_smes", year)].total.value == compute_custody(session, as_of=D(year, 12, 31)).smes
    custody = compute_custody(session, as_of=END)
    assert (custody.smes, custody.covered_unclassified, custody.covered_large) == (2, 1, 1)


def test_split_by_region_and_district(session, history):
    table = rows_by(build_table(session, first_year=2021, last_year=2023, as_of=END))
    lic = table[("licences_transfers", 2022)]
    assert [(r.name, r.cell.value, r.cell.target, r.cell.state) for r in lic.regions] == [
        ("乌鲁木齐市", 4, 3, "green")]
    assert [(d.name, d.cell.value, d.cell.target, d.cell.state) for d in lic.regions[0].districts] == [
        ("天山区", 2, 3, "red"), ("未填写", 2, None, "none")]          # 未填写 had nothing in 2021
    value = table[("contract_value", 2023)]
    assert [(d.name, d.cell.value) for d in value.regions[0].districts] == [("天山区", 0), ("未填写", 200_000)]
    held = table[("events_held", 2022)]
    assert [(r.name, r.cell.value, [(d.name, d.cell.value) for d in r.districts]) for r in held.regions] == [
        ("昌吉回族自治州", 1, [("昌吉市", 1)])]
    deals = table[("event_deals", 2023)]
    assert [(r.name, [(d.name, d.cell.value) for d in r.districts]) for r in deals.regions] == [
        ("乌鲁木齐市", [("天山区", 1)])]


def test_operator_milestones_per_scope(session, history):
    op = history.operator
    set_target(session, op, "sme_conversions", 2022, "2")
    set_target(session, op, "sme_conversions", 2023, "3", region="乌鲁木齐市")
    set_target(session, op, "sme_conversions", 2023, "2", region="乌鲁木齐市", district="天山区")
    set_target(session, op, "events_held", 2023, "2")
    set_target(session, op, "event_deals", 2023, "1")
    set_target(session, op, TARGET_KEY, 2023, "2")                                  # the custody form: same table
    table = rows_by(build_table(session, first_year=2021, last_year=2023, as_of=END))
    sme = table[("sme_conversions", 2022)].total
    assert (sme.value, sme.target, sme.source, sme.state) == (2, 2, "plan", "green")
    r = table[("sme_conversions", 2023)].regions[0]
    assert (r.cell.target, r.cell.state) == (3, "red")               # 2 of 3
    assert [(d.name, d.cell.target, d.cell.state) for d in r.districts] == [("天山区", 2, "green")]
    assert (table[("events_held", 2023)].total.state, table[("event_deals", 2023)].total.state) == ("red", "green")
    assert (table[("custody_smes", 2023)].total.target, table[("custody_smes", 2023)].total.state) == (2, "green")
    assert plans(session) == {2023: 2}                                # custody reads the platform's only
    assert compute_custody(session, as_of=END).target == 2
    # a milestone is replaced, not duplicated
    set_target(session, op, "events_held", 2023, "1")
    assert session.query(IndicatorTarget).filter_by(key="events_held").count() == 1
    assert rows_by(build_table(session, first_year=2023, last_year=2023, as_of=END))[("events_held", 2023)].total.state == "green"


def test_the_running_year_is_measured_against_the_time_gone_by(session, history):
    op = history.operator
    set_target(session, op, TARGET_KEY, 2023, "2")
    set_target(session, op, "sme_conversions", 2023, "2")
    mid = D(2023, 7, 2)                                               # 183 of 365 days
    table = rows_by(build_table(session, first_year=2022, last_year=2023, as_of=mid))
    lic = table[("licences_transfers", 2023)].total
    assert (lic.value, lic.target, lic.state) == (1, 5, "red")        # 1 of 2.5 expected by now
    custody = table[("custody_smes", 2023)].total
    assert (custody.value, custody.state) == (2, "green")             # expected 1 + (2 − 1) × 0.5
    assert table[("sme_conversions", 2023)].total.state == "green"
    assert table[("event_deals", 2023)].total.value == 1


def test_setting_milestones_is_for_the_operator_and_checked(session, history):
    with pytest.raises(PermissionDenied):
        set_target(session, history.users["S1"], "events_held", 2023, "5")
    with pytest.raises(ValidationError) as exc:
        set_target(session, history.operator, "bogus", "1999", "-3", region="火星", district="天山区")
    assert set(exc.value.errors) == {"key", "year", "value", "region"}
    with pytest.raises(ValidationError, match="不是乌鲁木齐市下辖"):
        set_target(session, history.operator, "events_held", 2023, "5", region="乌鲁木齐市", district="昌吉市")
    with pytest.raises(ValidationError, match="请先选择"):
        set_target(session, history.operator, "events_held", 2023, "5", district="天山区")


def test_export_rows(session, history):
    rows = indicator_rows(build_table(session, first_year=2023, last_year=2023, as_of=END))
    assert rows[0] == ("指标", "年份", "地区", "区（县）", "数值", "单位", "目标", "目标来源", "状态")
    assert ("专利技术合同成交额", 2023, "全区", "", 20.0, "万元", 112.0, "按上年增长", "落后") in rows
    assert ("专利转让与许可数", 2023, "乌鲁木齐市", "天山区", 1, "件", 3, "按上年增长", "落后") in rows


def test_cli_json_lists_the_indicators(run, session, history):
    data = json.loads(run("kpis", "--json", "--as-of", "2023-12-31", "--from-year", "2022").stdout)
    items = {(i["key"], i["year"]): i for i in data["indicators"]}
    assert set(items) == {(k, y) for k in ("sme_conversions", "licences_transfers", "contract_value",
                                           "custody_smes", "events_held", "event_deals") for y in (2022, 2023)}
    lic = items[("licences_transfers", 2022)]
    assert (lic["value"], lic["target"], lic["state"], lic["target_source"]) == (4, 3, "green", "growth")
    assert lic["by_region"][0]["region"] == "乌鲁木齐市"
    assert {d["district"] for d in lic["by_region"][0]["districts"]} == {"天山区", "未填写"}
    text = run("kpis", "--as-of", "2023-12-31").stdout
    assert "2023 活动促成的许可交易：1 笔 / — / 未设目标" in text
