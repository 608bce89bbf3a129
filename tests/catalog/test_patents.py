"""Patent services: create, validate, update, list, and who sees drafts."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from matchmaker.catalog.patents import (PatentInput, create_patent, find_patents,
                                        set_listing_state, update_patent, validate_patent,
                                        view_patent)
from matchmaker.errors import NotFound, PermissionDenied, ValidationError
from matchmaker.models import (LegalStatus, ListingState, OrgKind, Patent, PatentIPC,
                               PatentType)
from tests.factories import make_org, make_patent, make_user

TODAY = date(2024, 6, 1)

GOOD = PatentInput(
    title="一种锂离子电池正极材料及其制备方法",
    abstract="本发明公开了一种锂离子电池正极材料。",
    first_claim="1. 一种锂离子电池正极材料，其特征在于……",
    app_no="CN201710601862.3",
    pub_no="CN107123456A",
    ipc_codes="h01m10/052; A01B 1/00",
    legal_status="valid",
    filing_date="2017-08-01",
    grant_date="2019-05-10",
    inventors="张三、李四",
    industry_tags=["新能源", "新材料"],
    readiness="5",
    scenarios="动力电池",
    knowhow_included=True,
    listing_state="listed",
)


@pytest.fixture
def actors(session):
    uni_a, uni_b = make_org(session, OrgKind.UNIVERSITY), make_org(session, OrgKind.UNIVERSITY)
    institute = make_org(session, OrgKind.INSTITUTE)
    enterprise, station = make_org(session), make_org(session, OrgKind.STATION)
    operator = make_org(session, OrgKind.OPERATOR)
    return SimpleNamespace(
        uni_a=make_user(session, uni_a), uni_b=make_user(session, uni_b),
        institute=make_user(session, institute), enterprise=make_user(session, enterprise),
        station=make_user(session, station), operator=make_user(session, operator))


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_university_user_creates_a_patent_with_every_field_stored(session, actors):
    patent = create_patent(session, actors.uni_a, GOOD, today=TODAY)
    session.commit()
    session.expire_all()
    stored = session.get(Patent, patent.id)
    assert stored.owner_id == actors.uni_a.organization_id
    assert stored.app_no == "201710601862.3"
    assert stored.title == GOOD.title
    assert stored.pub_no == "CN107123456A"
    assert stored.patent_type == PatentType.INVENTION          # from the type digit
    assert stored.legal_status == LegalStatus.VALID
    assert stored.filing_date == date(2017, 8, 1)
    assert stored.grant_date == date(2019, 5, 10)
    assert stored.expiry_date == date(2037, 7, 31)               # 20 years, day before
    assert stored.ipc_codes == ["H01M 10/052", "A01B 1/00"]
    assert stored.inventors == ["张三", "李四"]
    assert stored.industry_tags == ["新能源", "新材料"]
    assert stored.readiness == 5
    assert stored.knowhow_included is True
    assert stored.listing_state == ListingState.LISTED


def test_institute_user_may_create_patents(session, actors):
    patent = create_patent(session, actors.institute, GOOD, today=TODAY)
    assert patent.owner_id == actors.institute.organization_id


@pytest.mark.parametrize("ptype, filed, expiry", [
    ("utility", "2018-03-01", date(2028, 2, 29)),     # 2028 is a leap year
    ("utility", "2019-03-01", date(2029, 2, 28)),
    ("design", "2022-01-10", date(2037, 1, 9)),
    ("design", "2020-01-10", date(2030, 1, 9)),
])
def test_expiry_is_computed_from_type_and_filing_date(session, actors, ptype, filed, expiry):
    data = replace(GOOD, app_no="", patent_type=ptype, filing_date=filed, grant_date=None)
    assert create_patent(session, actors.uni_a, data, today=TODAY).expiry_date == expiry


def test_ipc_entries_are_split_into_levels_in_order(session, actors):
    patent = create_patent(session, actors.uni_a, GOOD, today=TODAY)
    session.flush()
    rows = session.scalars(select(PatentIPC).where(PatentIPC.patent_id == patent.id)
                           .order_by(PatentIPC.position)).all()
    assert [(r.position, r.code, r.section, r.ipc_class, r.subclass) for r in rows] == [
        (0, "H01M 10/052", "H", "H01", "H01M"),
        (1, "A01B 1/00", "A", "A01", "A01B"),
    ]


def test_patents_are_filterable_by_ipc_section_class_and_subclass(session, actors):
    battery = create_patent(session, actors.uni_a, GOOD, today=TODAY)
    software = create_patent(session, actors.uni_a, replace(
        GOOD, app_no="", title="一种文本检索方法", ipc_codes=["G06F 16/33", "G06N 3/08"]), today=TODAY)
    session.flush()

    def ids(*criteria):
        return set(session.scalars(select(Patent.id).join(Patent.ipc_entries)
                                   .where(*criteria)).all())

    assert ids(PatentIPC.subclass == "H01M") == {battery.id}
    assert ids(PatentIPC.ipc_class == "G06") == {software.id}
    assert ids(PatentIPC.section == "G") == {software.id}
    assert ids(PatentIPC.section.in_(["A", "G"])) == {battery.id, software.id}
    assert ids(PatentIPC.subclass == "C07D") == set()


def test_duplicate_ipc_codes_are_stored_once(session, actors):
    patent = create_patent(session, actors.uni_a, replace(
        GOOD, ipc_codes="H01M10/052; h01m 10/052; H01M 10/052"), today=TODAY)
    assert patent.ipc_codes == ["H01M 10/052"]
    session.flush()
    assert count(session, PatentIPC) == 1


@pytest.mark.parametrize("changes, fields", [
    (dict(app_no="201610123456.7", filing_date="2016-03-01"), {"app_no"}),
    (dict(app_no="2017106018"), {"app_no"}),
    (dict(grant_date="2017-07-31"), {"grant_date"}),
    (dict(app_no="", filing_date="2024-06-02", grant_date=None), {"filing_date"}),
    (dict(filing_date="2018-08-01", grant_date="2019-05-10"), {"filing_date"}),   # app no says 2017
    (dict(filing_date="2017-02-30"), {"filing_date"}),
    (dict(title="专" * 301), {"title"}),
    (dict(title=""), {"title"}),
    (dict(industry_tags=["新能源", "量子玄学"]), {"industry_tags"}),
    (dict(patent_type="utility"), {"patent_type"}),                   # app no says invention
    (dict(patent_type="software"), {"patent_type"}),
    (dict(legal_status="sleeping"), {"legal_status"}),
    (dict(ipc_codes="H01M 10/052; Z99X 1/00"), {"ipc_codes"}),
    (dict(readiness="10"), {"readiness"}),
    (dict(readiness="abc"), {"readiness"}),
    (dict(listing_state="sold"), {"listing_state"}),
    (dict(title="", app_no="201610123456.7", grant_date="2010-01-01", industry_tags=["火星"]),
     {"title", "app_no", "grant_date", "industry_tags"}),
])
def test_invalid_input_names_the_fields_and_writes_nothing(session, actors, changes, fields):
    with pytest.raises(ValidationError) as info:
        create_patent(session, actors.uni_a, replace(GOOD, **changes), today=TODAY)
    assert set(info.value.errors) == fields
    session.flush()
    assert count(session, Patent) == 0
    assert count(session, PatentIPC) == 0


def test_validation_message_for_bad_check_digit_names_the_expected_digit():
    with pytest.raises(ValidationError) as info:
        validate_patent(replace(GOOD, app_no="201610123456.7", filing_date="2016-03-01"), today=TODAY)
    assert "应为 6" in info.value.errors["app_no"]


def test_duplicate_application_number_is_refused(session, actors):
    first = create_patent(session, actors.uni_a, GOOD, today=TODAY)
    session.flush()
    with pytest.raises(ValidationError) as info:
        create_patent(session, actors.uni_b, replace(GOOD, app_no="ZL 2017106018623",
                                                     title="另一个标题"), today=TODAY)
    assert set(info.value.errors) == {"app_no"}
    message = info.value.errors["app_no"]          # another organization's record: not named
    assert "#" not in message and "已由其他机构登记" in message and "平台运营方" in message
    with pytest.raises(ValidationError) as own:    # one's own: named, to find it
        create_patent(session, actors.uni_a, replace(GOOD, title="重复登记"), today=TODAY)
    assert f"本机构的专利 #{first.id}" in own.value.errors["app_no"]
    assert count(session, Patent) == 1


def test_patents_without_application_number_do_not_clash(session, actors):
    create_patent(session, actors.uni_a, replace(GOOD, app_no=""), today=TODAY)
    create_patent(session, actors.uni_a, replace(GOOD, app_no=""), today=TODAY)
    session.flush()
    assert count(session, Patent) == 2


@pytest.mark.parametrize("who", ["enterprise", "station", "operator"])
def test_only_suppliers_may_create_patents(session, actors, who):
    with pytest.raises(PermissionDenied):
        create_patent(session, getattr(actors, who), GOOD, today=TODAY)
    session.flush()
    assert count(session, Patent) == 0


@pytest.mark.parametrize("changes, reason", [
    (dict(legal_status="lapsed"), "失效"),
    (dict(legal_status="pending", grant_date=None), "尚未授权"),
    (dict(app_no="", patent_type="utility", filing_date="2004-01-05", grant_date="2005-01-05"),
     "到期"),
])
def test_listing_an_expired_lapsed_or_pending_patent_is_refused(session, actors, changes, reason):
    with pytest.raises(ValidationError) as info:
        create_patent(session, actors.uni_a, replace(GOOD, **changes), today=TODAY)
    assert set(info.value.errors) == {"listing_state"}
    assert reason in info.value.errors["listing_state"]
    session.flush()
    assert count(session, Patent) == 0


@pytest.mark.parametrize("changes", [
    dict(legal_status="lapsed"),
    dict(app_no="", patent_type="utility", filing_date="2004-01-05", grant_date="2005-01-05"),
])
def test_a_draft_that_cannot_be_listed_is_refused_by_set_listing_state(session, actors, changes):
    draft = create_patent(session, actors.uni_a, replace(GOOD, listing_state="draft", **changes),
                          today=TODAY)
    with pytest.raises(ValidationError) as info:
        set_listing_state(session, actors.uni_a, draft.id, ListingState.LISTED, today=TODAY)
    assert set(info.value.errors) == {"listing_state"}
    assert draft.listing_state == ListingState.DRAFT


def test_the_last_day_of_the_term_is_still_listable(session, actors):
    data = replace(GOOD, app_no="", patent_type="utility", filing_date="2014-06-02",
                   grant_date="2015-01-05")
    patent = create_patent(session, actors.uni_a, data, today=TODAY)
    assert patent.expiry_date == TODAY and patent.listing_state == ListingState.LISTED


def test_owner_lists_withdraws_and_archives_a_patent(session, actors):
    patent = create_patent(session, actors.uni_a, replace(GOOD, listing_state="draft"), today=TODAY)
    for state in (ListingState.LISTED, ListingState.WITHDRAWN, ListingState.ARCHIVED):
        assert set_listing_state(session, actors.uni_a, patent.id, state,
                                 today=TODAY).listing_state == state


def test_another_university_cannot_change_the_listing_state(session, actors):
    patent = create_patent(session, actors.uni_a, GOOD, today=TODAY)
    with pytest.raises(PermissionDenied):
        set_listing_state(session, actors.uni_b, patent.id, ListingState.WITHDRAWN, today=TODAY)
    assert patent.listing_state == ListingState.LISTED


def test_owner_updates_a_patent_and_ipc_entries_are_replaced(session, actors):
    patent = create_patent(session, actors.uni_a, replace(GOOD, source_id="SRC-1"), today=TODAY)
    session.flush()
    update_patent(session, actors.uni_a, patent.id,
                  replace(GOOD, title="更新后的标题", ipc_codes=["G06F 16/33"], source_id="OTHER"),
                  today=TODAY)
    session.flush()
    session.expire_all()
    stored = session.get(Patent, patent.id)
    assert stored.title == "更新后的标题"
    assert stored.source_id == "SRC-1"          # provenance is not editable
    assert [e.subclass for e in stored.ipc_entries] == ["G06F"]
    assert count(session, PatentIPC) == 1


def test_update_by_another_university_is_refused(session, actors):
    patent = create_patent(session, actors.uni_a, GOOD, today=TODAY)
    session.flush()
    with pytest.raises(PermissionDenied):
        update_patent(session, actors.uni_b, patent.id, replace(GOOD, title="被改了"), today=TODAY)
    session.expire_all()
    assert session.get(Patent, patent.id).title == GOOD.title


def test_update_of_another_universitys_draft_is_not_found(session, actors):
    draft = create_patent(session, actors.uni_a, replace(GOOD, listing_state="draft"), today=TODAY)
    with pytest.raises(NotFound):
        update_patent(session, actors.uni_b, draft.id, GOOD, today=TODAY)


def test_update_of_a_missing_patent_is_not_found(session, actors):
    with pytest.raises(NotFound):
        update_patent(session, actors.uni_a, 999_999, GOOD, today=TODAY)


@pytest.fixture
def catalog(session, actors):
    """A listed and a draft patent of university A, a listed one of university B."""
    org_a, org_b = actors.uni_a.organization, actors.uni_b.organization
    patents = SimpleNamespace(
        listed_a=make_patent(session, org_a),
        draft_a=make_patent(session, org_a, listing_state=ListingState.DRAFT),
        withdrawn_a=make_patent(session, org_a, listing_state=ListingState.WITHDRAWN),
        listed_b=make_patent(session, org_b))
    session.flush()
    return patents


@pytest.mark.parametrize("who, visible", [
    ("uni_a", {"listed_a", "draft_a", "withdrawn_a", "listed_b"}),
    ("uni_b", {"listed_a", "listed_b"}),
    ("enterprise", {"listed_a", "listed_b"}),
    ("station", {"listed_a", "listed_b"}),
    ("anonymous", {"listed_a", "listed_b"}),
    ("operator", {"listed_a", "draft_a", "withdrawn_a", "listed_b"}),
])
def test_find_patents_shows_drafts_only_to_their_owner_and_operators(session, actors, catalog,
                                                                      who, visible):
    actor = None if who == "anonymous" else getattr(actors, who)
    rows, total = find_patents(session, actor)
    expected = {getattr(catalog, name).id for name in visible}
    assert {p.id for p in rows} == expected
    assert total == len(expected)


@pytest.mark.parametrize("who", ["uni_b", "enterprise", "station", "anonymous"])
def test_view_patent_hides_another_organizations_draft(session, actors, catalog, who):
    actor = None if who == "anonymous" else getattr(actors, who)
    with pytest.raises(NotFound):
        view_patent(session, actor, catalog.draft_a.id)
    assert view_patent(session, actor, catalog.listed_a.id) is catalog.listed_a


@pytest.mark.parametrize("who", ["uni_a", "operator"])
def test_owner_and_operator_view_a_draft(session, actors, catalog, who):
    assert view_patent(session, getattr(actors, who), catalog.draft_a.id) is catalog.draft_a


def test_find_patents_filters_by_owner_and_pages_newest_first(session, actors, catalog):
    rows, total = find_patents(session, actors.operator, owner_id=actors.uni_a.organization_id,
                               per_page=2)
    assert total == 3
    assert [p.id for p in rows] == [catalog.withdrawn_a.id, catalog.draft_a.id]
    rows, _ = find_patents(session, actors.operator, owner_id=actors.uni_a.organization_id,
                           per_page=2, page=2)
    assert [p.id for p in rows] == [catalog.listed_a.id]


def test_find_patents_by_listing_state_and_without_active_terms(session, actors, catalog):
    """What the 工作台 tiles link to: one listing state, and patents without active terms."""
    from matchmaker.licensing.offers import OfferInput, create_offer, withdraw_offer
    uni = actors.uni_a
    offered, withdrawn_terms = (make_patent(session, uni.organization) for _ in range(2))
    session.flush()
    terms = OfferInput(licence_type="ordinary", free_months=6, payment_mode="lump_sum",
                       lump_sum_wan="10", term_months=36)
    create_offer(session, uni, offered.id, terms, today=date.today())
    withdraw_offer(session, uni, create_offer(session, uni, withdrawn_terms.id, terms,
                                              today=date.today()).offer.id)
    mine = dict(owner_id=uni.organization_id)

    def ids(**filters):
        rows, total = find_patents(session, uni, **mine, **filters)
        assert total == len(rows)
        return {p.id for p in rows}
    assert ids(listing_state=ListingState.DRAFT) == {catalog.draft_a.id}
    assert ids(listing_state=ListingState.LISTED) == {catalog.listed_a.id, offered.id,
                                                      withdrawn_terms.id}
    assert ids(listing_state=ListingState.LISTED, without_offer=True) == {catalog.listed_a.id,
                                                                          withdrawn_terms.id}
    assert offered.id not in ids(without_offer=True) and catalog.draft_a.id in ids(without_offer=True)


def test_update_keeps_a_stored_term_extension(session, actors):
    """Term compensation is stored, not computed (domain.md §2); editing must not drop it."""
    patent = make_patent(session, actors.uni_a.organization, app_no="201710601862.3",
                         filing_date=date(2017, 8, 1), term_extension_days=100,
                         expiry_date=date(2037, 11, 8))
    update_patent(session, actors.uni_a, patent.id, replace(GOOD, title="改个标题"), today=TODAY)
    assert patent.expiry_date == date(2037, 11, 8)


def test_a_patent_kept_alive_by_its_extension_can_be_listed_on_update(session, actors):
    patent = make_patent(session, actors.uni_a.organization, patent_type=PatentType.UTILITY,
                         filing_date=date(2014, 5, 1), term_extension_days=60,
                         expiry_date=date(2024, 6, 29), listing_state=ListingState.DRAFT)
    data = replace(GOOD, app_no="", patent_type="utility", filing_date="2014-05-01",
                   grant_date="2015-01-05", listing_state="listed")
    updated = update_patent(session, actors.uni_a, patent.id, data, today=TODAY)
    assert (updated.expiry_date, updated.listing_state) == (date(2024, 6, 29), ListingState.LISTED)
