"""Enterprise profiles: the national SME classification, validation, who may fill them in, the
pages, and the filters of the operator's list."""
from __future__ import annotations

from datetime import date

import pytest

from matchmaker.errors import NotFound, PermissionDenied, ValidationError
from matchmaker.models import OrgKind
from matchmaker.models.profile import EnterpriseProfile, Sector, SizeClass
from matchmaker.profiles import service as svc
from matchmaker.profiles.sme import classify
from tests.web.helpers import login, post_form, text

TODAY = date(2025, 6, 1)


def data(**kw) -> svc.ProfileInput:
    values = dict(sector="industry", employees="50", revenue_wan="800", founded_year="2023",
                  industry="新材料", district="天山区")
    values.update(kw)
    return svc.ProfileInput(**values)


@pytest.mark.parametrize("sector, employees, revenue, expected", [
    (Sector.INDUSTRY, 1000, 40000, SizeClass.LARGE),      # both at the ceiling: large
    (Sector.INDUSTRY, 1000, 39999, SizeClass.MEDIUM),     # one under it: an SME
    (Sector.INDUSTRY, 300, 1999, SizeClass.SMALL),        # medium needs both lower bounds
    (Sector.INDUSTRY, 20, 300, SizeClass.SMALL),
    (Sector.INDUSTRY, 20, 299, SizeClass.MICRO),
    (Sector.SOFTWARE, 300, 10000, SizeClass.LARGE),
    (Sector.SOFTWARE, 100, 1000, SizeClass.MEDIUM),
    (Sector.SOFTWARE, 9, 5000, SizeClass.MICRO),
    (Sector.AGRICULTURE, None, 19999, SizeClass.MEDIUM),  # revenue only
    (Sector.AGRICULTURE, None, 49, SizeClass.MICRO),
    (Sector.RETAIL, 50, 500, SizeClass.MEDIUM),
    (Sector.WHOLESALE, 5, 1000, SizeClass.SMALL),
    (Sector.OTHER, 299, None, SizeClass.MEDIUM),          # employees only
    (Sector.OTHER, 300, None, SizeClass.LARGE),
])
def test_national_classification(sector, employees, revenue, expected):
    assert classify(sector, employees, revenue) == expected


def test_missing_figures_leave_the_class_open():
    assert classify(Sector.INDUSTRY, 50, None) is None
    assert classify(Sector.AGRICULTURE, None, None) is None


def test_save_derives_the_size_class(session, world):
    ent, user = world.member(OrgKind.ENTERPRISE)
    profile = svc.save_profile(session, user, ent.id, data(), today=TODAY)
    assert profile.size_class == SizeClass.SMALL and profile.district == "天山区"
    assert svc.is_priority(profile, TODAY.year)
    assert svc.priority_reasons(profile, TODAY.year) == ["小型企业", "初创企业"]
    profile = svc.save_profile(session, user, ent.id, data(employees="400", revenue_wan="5000",
                                                           founded_year="2010"), today=TODAY)
    assert profile.size_class == SizeClass.MEDIUM and not svc.is_priority(profile, TODAY.year)
    profile = svc.save_profile(session, user, ent.id, data(employees="400", revenue_wan="5000",
                                                           founded_year="2010", covid_affected=True),
                               today=TODAY)
    assert svc.priority_reasons(profile, TODAY.year) == ["受疫情影响"]
    assert session.query(EnterpriseProfile).count() == 1


def test_validation_messages(session, world):
    ent, user = world.member(OrgKind.ENTERPRISE)
    with pytest.raises(ValidationError) as exc:
        svc.save_profile(session, user, ent.id, data(employees="", revenue_wan="²", founded_year="2030",
                                                     district="库尔勒市", industry="炼金术"), today=TODAY)
    errors = exc.value.errors
    assert errors["employees"].startswith("请填写从业人员")
    assert "整数" in errors["revenue_wan"]
    assert errors["founded_year"] == "成立年份应为 1900–2025 之间的年份"
    assert errors["district"] == "“库尔勒市”不是乌鲁木齐市下辖的区（县），请从列表中选择"
    assert "不在可选范围内" in errors["industry"]
    assert session.query(EnterpriseProfile).count() == 0
    # agriculture is classified on revenue alone: employees may be left out
    profile = svc.save_profile(session, user, ent.id, data(sector="agriculture", employees=""), today=TODAY)
    assert profile.size_class == SizeClass.MEDIUM


def test_only_the_enterprise_and_its_brokers_fill_it_in(session, world):
    ent, user = world.member(OrgKind.ENTERPRISE)
    station, broker = world.member(OrgKind.STATION)
    other_station, other_broker = world.member(OrgKind.STATION)
    _op_org, operator = world.member(OrgKind.OPERATOR)
    _ent2, stranger = world.member(OrgKind.ENTERPRISE)
    world.serve(station, ent)
    assert svc.save_profile(session, broker, ent.id, data(), today=TODAY).updated_by_id == broker.id
    for outsider in (other_broker, stranger):
        with pytest.raises(NotFound):
            svc.save_profile(session, outsider, ent.id, data(), today=TODAY)
    with pytest.raises(PermissionDenied):
        svc.save_profile(session, operator, ent.id, data(), today=TODAY)
    assert svc.get_enterprise(session, operator, ent.id) is ent
    with pytest.raises(NotFound):
        svc.get_enterprise(session, operator, station.id)     # not an enterprise


def test_profile_page_round_trip(client, session, world):
    ent, user = world.member(OrgKind.ENTERPRISE)
    login(client, user.login)
    assert client.get("/enterprises/mine").headers["Location"].endswith(f"/enterprises/{ent.id}/profile")
    url = f"/enterprises/{ent.id}/profile"
    page = client.get(url)
    assert page.status_code == 200 and "天山区" in text(page)      # the district list of the region
    bad = post_form(client, url, {"industry": "新材料", "sector": "industry", "employees": "abc",
                                  "revenue_wan": "800", "district": "天山区"})
    assert bad.status_code == 422 and "从业人员应为" in text(bad)
    ok = post_form(client, url, {"industry": "新材料", "sector": "industry", "employees": "12",
                                 "revenue_wan": "800", "district": "天山区", "covid_affected": "y"})
    assert ok.status_code == 302
    page = text(client.get(url))
    assert "微型企业" in page and "重点扶持：受疫情影响" in page


def test_operator_list_filters(client, session, world):
    _op, operator = world.member(OrgKind.OPERATOR)
    small, u1 = world.member(OrgKind.ENTERPRISE, name="小型测试企业")
    large, u2 = world.member(OrgKind.ENTERPRISE, name="大型测试企业", region="昌吉回族自治州")
    world.member(OrgKind.ENTERPRISE, name="无画像企业")
    svc.save_profile(session, u1, small.id, data(), today=TODAY)
    svc.save_profile(session, u2, large.id, data(employees="5000", revenue_wan="90000",
                                                 district="昌吉市", founded_year="1999"), today=TODAY)
    session.commit()
    login(client, operator.login)

    def names(**args):
        page = text(client.get("/enterprises/", query_string=args))
        return [n for n in ("小型测试企业", "大型测试企业", "无画像企业") if n in page]
    assert names() == ["小型测试企业", "大型测试企业", "无画像企业"]
    assert names(size="sme") == ["小型测试企业"]
    assert names(size="large") == ["大型测试企业"]
    assert names(size="unknown") == ["无画像企业"]
    assert names(region="昌吉回族自治州") == ["大型测试企业"]
    assert names(district="天山区") == ["小型测试企业"]
    assert names(priority="1") == ["小型测试企业"]
    assert names(size="bogus", region="火星") == ["小型测试企业", "大型测试企业", "无画像企业"]
