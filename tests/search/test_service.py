"""search_patents / search_needs: filters, facets, sorting, paging, suggestions, visibility."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from matchmaker.errors import PermissionDenied
from matchmaker.models import LegalStatus, ListingState, NeedState, OrgKind, PatentType
from matchmaker.search.service import SearchRequest, search_needs

from .conftest import TODAY



class Corpus:
    """Five visible patents with known facets, four hidden ones, three needs."""

    def __init__(self, catalog):
        self.catalog = catalog
        c = catalog
        uni = c.org(OrgKind.UNIVERSITY, region="乌鲁木齐市")
        uni2 = c.org(OrgKind.UNIVERSITY, region="克拉玛依市")
        inst = c.org(OrgKind.INSTITUTE, region="克拉玛依市")
        self.cathode = c.patent("一种锂电池正极材料的制备方法", abstract="正极材料及其制备。", owner=uni,
                                ipc=("H01M 4/36", "C01B 25/45"), industry_tags=["新能源", "新材料"],
                                grant_date=date(2020, 5, 1))
        self.separator = c.patent("锂电池隔膜涂覆装置", abstract="隔膜涂覆。", owner=inst,
                                  patent_type=PatentType.UTILITY, ipc=("H01M 50/40",),
                                  industry_tags=["新能源"], filing_date=date(2021, 3, 1))
        self.drip = c.patent("节水滴灌带及其生产工艺", abstract="滴灌带生产。", owner=uni,
                             ipc=("A01G 25/02",), industry_tags=["节水农业"],
                             grant_date=date(2019, 1, 10))
        self.solar = c.patent("光伏组件清洗机器人", abstract="清洗光伏板。", owner=inst,
                              patent_type=PatentType.UTILITY, ipc=("H02S 40/10", "B08B 1/00"),
                              industry_tags=["新能源"], filing_date=date(2022, 7, 1))
        self.cotton = c.patent("棉花采摘机的清花装置", abstract="采摘与清花。", owner=uni2,
                               legal_status=LegalStatus.UNKNOWN, ipc=("A01D 46/08",),
                               industry_tags=["农业机械"], grant_date=date(2018, 6, 1))
        self.visible = [self.cathode, self.separator, self.drip, self.solar, self.cotton]
        # hidden by default, all about lithium batteries
        self.lapsed = c.patent("锂电池回收方法", abstract="回收。", owner=uni,
                               legal_status=LegalStatus.LAPSED)
        self.expired = c.patent("锂电池电解液", abstract="电解液。", owner=uni,
                                expiry_date=TODAY - timedelta(days=1))
        self.draft = c.patent("锂电池负极", abstract="负极。", owner=uni, listing_state=ListingState.DRAFT)
        self.withdrawn = c.patent("锂电池外壳", abstract="外壳。", owner=uni,
                                  listing_state=ListingState.WITHDRAWN)
        self.hidden = [self.lapsed, self.expired, self.draft, self.withdrawn]

        ent = c.org(OrgKind.ENTERPRISE, region="哈密市")
        self.need_open = c.need("滴灌带容易堵塞", description="滴灌带堵塞。", enterprise=ent,
                                industry="节水农业")
        self.need_battery = c.need("锂电池低温性能差", description="冬季续航短。", enterprise=ent,
                                   industry="新能源", region="乌鲁木齐市")
        self.need_closed = c.need("滴灌首部过滤器", description="过滤器堵塞。", enterprise=ent,
                                  industry="节水农业", state=NeedState.CLOSED)
        c.commit()
        self.enterprise_user = c.user(OrgKind.ENTERPRISE)
        self.operator = c.user(OrgKind.OPERATOR)

    def ids(self, *objs) -> set[int]:
        return {o.id for o in objs}


@pytest.fixture(scope="module")
def catalog(module_catalog):
    """Every test here only reads: one corpus for the module (see module_catalog)."""
    return module_catalog


@pytest.fixture(scope="module")
def corpus(catalog) -> Corpus:
    return Corpus(catalog)


def facet(page, name) -> dict[str, int]:
    return {f.value: f.count for f in page.facets[name]}


# -- filters ---------------------------------------------------------------------------

@pytest.mark.parametrize("filters,expected", [
    ({}, ["cathode", "separator", "drip", "solar", "cotton"]),
    ({"patent_type": "utility"}, ["separator", "solar"]),
    ({"patent_type": "invention"}, ["cathode", "drip", "cotton"]),
    ({"owner_kind": "institute"}, ["separator", "solar"]),
    ({"owner_kind": "university"}, ["cathode", "drip", "cotton"]),
    ({"region": "克拉玛依市"}, ["separator", "solar", "cotton"]),
    ({"industry": "新能源"}, ["cathode", "separator", "solar"]),
    ({"industry": "新材料"}, ["cathode"]),
    ({"legal_status": "unknown"}, ["cotton"]),
    ({"legal_status": "valid"}, ["cathode", "separator", "drip", "solar"]),
    ({"region": "克拉玛依市", "industry": "新能源"}, ["separator", "solar"]),
    ({"region": "克拉玛依市", "patent_type": "invention"}, ["cotton"]),
    # unknown names and values are ignored, not errors
    ({"region": "火星", "bogus": "x", "patent_type": "<script>"},
     ["cathode", "separator", "drip", "solar", "cotton"]),
])
def test_filters_narrow_results(catalog, corpus, filters, expected):
    want = {getattr(corpus, name).id for name in expected}
    assert set(catalog.ids(filters=filters)) == want
    page = catalog.search(filters=filters)
    assert page.total == len(want)


@pytest.mark.parametrize("ipc,expected", [
    ("H01", ["cathode", "separator"]), ("H01M", ["cathode", "separator"]),
    ("h01m", ["cathode", "separator"]), (" H01 M ", ["cathode", "separator"]),
    ("H02S", ["solar"]), ("A01", ["drip", "cotton"]), ("A01G", ["drip"]),
    ("B08", ["solar"]), ("C01B", ["cathode"]), ("H01M 4/36", ["cathode", "separator"]),
    ("H99", []),
])
def test_ipc_class_and_subclass_prefix(catalog, corpus, ipc, expected):
    assert set(catalog.ids(ipc=ipc)) == {getattr(corpus, n).id for n in expected}


def test_ipc_section_filter(catalog, corpus):
    """Sections are indexed as written (A–H), the same case the filter values use (this was a
    lowercase KEYWORD field once: the filter found nothing and the facet stayed empty)."""
    assert set(catalog.ids(filters={"ipc_section": "A"})) == corpus.ids(corpus.drip, corpus.cotton)
    assert set(catalog.ids(filters={"ipc_section": "H"})) == corpus.ids(
        corpus.cathode, corpus.separator, corpus.solar)


def test_text_and_filters_combine(catalog, corpus):
    assert set(catalog.ids("锂电池")) == corpus.ids(corpus.cathode, corpus.separator)
    assert catalog.ids("锂电池", filters={"patent_type": "utility"}) == [corpus.separator.id]
    assert catalog.ids("锂电池", ipc="A01") == []


# -- facets ----------------------------------------------------------------------------

def test_facet_counts_over_the_visible_set(catalog, corpus):
    page = catalog.search()
    assert page.total == 5
    assert facet(page, "patent_type") == {"invention": 3, "utility": 2}
    assert facet(page, "owner_kind") == {"university": 3, "institute": 2}
    assert facet(page, "region") == {"乌鲁木齐市": 2, "克拉玛依市": 3}
    assert facet(page, "legal_status") == {"valid": 4, "unknown": 1}
    assert facet(page, "industry") == {"新能源": 3, "新材料": 1, "节水农业": 1, "农业机械": 1}
    # sorted by count, labelled in Chinese
    assert [f.value for f in page.facets["region"]] == ["克拉玛依市", "乌鲁木齐市"]
    labels = {f.value: f.label for f in page.facets["patent_type"]}
    assert labels == {"invention": "发明", "utility": "实用新型"}
    assert not any(f.selected for fs in page.facets.values() for f in fs)


def test_ipc_section_facet(catalog, corpus):
    """Overlapping facet: a patent counts once under each of its sections."""
    page = catalog.search()
    assert facet(page, "ipc_section") == {"H": 3, "C": 1, "A": 2, "B": 1}


def test_facet_counts_follow_query_and_filters(catalog, corpus):
    page = catalog.search(q="锂电池")
    assert facet(page, "patent_type") == {"invention": 1, "utility": 1}
    assert facet(page, "industry") == {"新能源": 2, "新材料": 1}

    page = catalog.search(filters={"region": "克拉玛依市"})
    assert facet(page, "owner_kind") == {"institute": 2, "university": 1}
    selected = [f for f in page.facets["region"] if f.selected]
    assert [(f.value, f.count) for f in selected] == [("克拉玛依市", 3)]


def test_hidden_patents_are_not_counted_in_facets(catalog, corpus):
    assert sum(facet(catalog.search(q="锂电池"), "owner_kind").values()) == 2
    op = catalog.search(corpus.operator, q="锂电池", include_unavailable=True)
    assert op.total == 6
    assert facet(op, "legal_status") == {"valid": 5, "lapsed": 1}


# -- sorting and paging ----------------------------------------------------------------

def test_date_sort_newest_first(catalog, corpus):
    expected = [corpus.solar.id, corpus.separator.id, corpus.cathode.id, corpus.drip.id,
                corpus.cotton.id]
    assert catalog.ids(sort="date") == expected
    assert catalog.ids("", sort="relevance") == expected, "no text: newest first anyway"
    assert catalog.ids("锂电池 滴灌", sort="date") == [corpus.separator.id, corpus.cathode.id,
                                                       corpus.drip.id]


def test_relevance_puts_title_matches_first(catalog, corpus):
    ids = catalog.ids("清洗")
    assert ids[0] == corpus.solar.id
    hit = catalog.search(q="清洗").hits[0]
    assert "<mark>清洗</mark>" in hit.title and "<mark>清洗</mark>" in hit.snippet
    assert hit.obj.id == corpus.solar.id and hit.score > 0


# -- zero results ----------------------------------------------------------------------

def test_zero_results_offer_relaxable_filters(catalog, corpus):
    page = catalog.search(q="锂电池", filters={"region": "哈密市", "patent_type": "utility"}, ipc="H01")
    assert page.total == 0 and page.hits == []
    assert set(page.relaxable) == {"region", "patent_type", "ipc"}
    assert catalog.search(q="锂电池", filters={"region": "哈密市"}).relaxable == ["region"]
    assert catalog.search(q="锂电池").relaxable == []


def test_suggestion_for_a_chinese_near_miss(catalog, corpus):
    page = catalog.search(q="光伏组建", filters={"region": "哈密市"})
    assert page.total == 0
    assert "光伏组件" in page.suggestions
    assert "光伏组建" not in page.suggestions


def test_no_suggestion_for_nonsense(catalog, corpus):
    page = catalog.search(q="zzzzqqqq")
    assert page.total == 0 and page.suggestions == []


# -- visibility ------------------------------------------------------------------------

def test_unavailable_patents_hidden_by_default(catalog, corpus):
    battery = corpus.ids(corpus.cathode, corpus.separator)
    assert set(catalog.ids("锂电池")) == battery
    assert set(catalog.ids("锂电池", corpus.enterprise_user)) == battery
    assert set(catalog.ids("锂电池", corpus.operator)) == battery, "operators must ask"


def test_operator_sees_everything_when_asking(catalog, corpus):
    ids = set(catalog.ids("锂电池", corpus.operator, include_unavailable=True))
    assert ids == corpus.ids(corpus.cathode, corpus.separator, *corpus.hidden)


@pytest.mark.parametrize("actor", [None, "enterprise_user", "university", "station"])
def test_others_never_see_unavailable_even_if_they_ask(catalog, corpus, actor):
    user = None if actor is None else getattr(corpus, actor, None) or catalog.user_of_kind(actor)
    ids = set(catalog.ids("锂电池", user, include_unavailable=True))
    assert ids == corpus.ids(corpus.cathode, corpus.separator)


def test_enterprise_cannot_reach_lapsed_patents_through_the_status_filter(catalog, corpus):
    """A status filter narrows the default valid/unknown set, never widens it (it once replaced
    it, so anyone could list lapsed patents with ?legal_status=lapsed)."""
    assert catalog.ids("锂电池", corpus.enterprise_user, filters={"legal_status": "lapsed"}) == []
    assert catalog.ids("锂电池", None, filters={"legal_status": "lapsed"}) == []


# -- needs -----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", [None, "enterprise"])
def test_needs_search_refused(catalog, corpus, kind):
    actor = None if kind is None else catalog.user_of_kind(kind)
    with pytest.raises(PermissionDenied):
        search_needs(catalog.session, catalog.backend, actor, SearchRequest(q="滴灌"))


@pytest.mark.parametrize("kind", ["station", "university", "institute", "operator"])
def test_needs_search_allowed(catalog, corpus, kind):
    actor = catalog.user_of_kind(kind)
    assert catalog.need_ids("滴灌", actor) == [corpus.need_open.id], "open needs by default"
    assert catalog.need_ids("滴灌", actor, filters={"state": "closed"}) == [corpus.need_closed.id]


def test_need_filters_and_facets(catalog, corpus):
    station = catalog.user_of_kind("station")
    assert catalog.need_ids("", station, filters={"industry": "新能源"}) == [corpus.need_battery.id]
    assert catalog.need_ids("", station, filters={"region": "哈密市"}) == [corpus.need_open.id]
    page = search_needs(catalog.session, catalog.backend, station, SearchRequest())
    assert page.total == 2
    assert facet(page, "industry") == {"节水农业": 1, "新能源": 1}
    assert facet(page, "state") == {"open": 2}


# -- normalization ---------------------------------------------------------------------

@pytest.mark.parametrize("variant,canonical", [
    ("鋰電池", "锂电池"), ("光伏組件", "光伏组件"), ("　鋰電池\u200b隔膜　", "锂电池隔膜"),
    ("節水滴灌帶", "节水滴灌带"), ("ｈ01ｍ", "h01m"),
])
def test_traditional_and_full_width_queries(catalog, corpus, variant, canonical):
    expected = catalog.ids(canonical)
    assert catalog.ids(variant) == expected
    if canonical != "h01m":
        assert expected, canonical


def test_needs_traditional_query(catalog, corpus):
    station = catalog.user_of_kind("station")
    assert catalog.need_ids("滴灌帶", station) == catalog.need_ids("滴灌带", station) != []
