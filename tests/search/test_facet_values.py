"""Every facet value the search offers is a filter that returns exactly the records it counts,
on every backend — including the values that stand for a missing field.

A patent without a type is indexed as patent_type "unknown" (search/documents.py) and offered
as 未标注; one with an unknown legal status as 未知. Those are kept, not hidden: selecting one
returns exactly the records without the field, which is what an operator cleaning up the data or
a user reading the counts needs (the missing-data rule of the pages is about a record's own
facts, tests/web/test_missing_data.py). Fields that are simply absent (no industry, no IPC, no
licence offer) offer no value at all.
"""
from __future__ import annotations

import pytest

from matchmaker.models import LegalStatus, OrgKind, PatentType
from matchmaker.search.service import PATENT_FILTERS
from tests.search.conftest import BACKENDS, every_backend

search_backend = pytest.fixture(params=BACKENDS)(every_backend)


@pytest.fixture
def corpus(catalog):
    uni = catalog.org(OrgKind.UNIVERSITY, region="乌鲁木齐市")
    inst = catalog.org(OrgKind.INSTITUTE, region="克拉玛依市")
    p = catalog.patent
    made = {
        "typed": p("一种锂电池正极材料", owner=uni, ipc=("H01M 4/36",), industry_tags=["新能源"]),
        "utility": p("锂电池隔膜涂覆装置", owner=inst, patent_type=PatentType.UTILITY),
        # as the public data set has them: title, abstract and owner, nothing else
        "bare": p("一种锂电池负极材料", owner=uni, patent_type=None, legal_status=LegalStatus.UNKNOWN),
        "untyped": p("一种滴灌带", abstract="防堵塞的滴灌带。", owner=inst, patent_type=None,
                     industry_tags=["节水农业"]),
    }
    catalog.commit()
    return made


def offered(page) -> list[tuple[str, str, int]]:
    return [(name, f.value, f.count) for name, values in page.facets.items() for f in values]


@pytest.mark.parametrize("q", ["", "锂电池"])
def test_every_offered_value_returns_exactly_what_it_counts(catalog, corpus, q):
    page = catalog.search(q=q)
    assert offered(page)
    for name, value, count in offered(page):
        narrowed = catalog.search(q=q, filters={name: value}, per_page=100)
        assert narrowed.total == len(narrowed.hits) == count, (name, value)


def test_the_missing_type_and_status_values_select_exactly_those_records(catalog, corpus):
    page = catalog.search()
    labels = {(name, f.value): f.label for name, values in page.facets.items() for f in values}
    assert labels[("patent_type", "unknown")] == "未标注"
    assert labels[("legal_status", "unknown")] == "未知"
    untyped = {corpus["bare"].id, corpus["untyped"].id}
    assert set(catalog.ids(filters={"patent_type": "unknown"})) == untyped
    assert set(catalog.ids(filters={"patent_type": "invention"})) == {corpus["typed"].id}
    assert catalog.ids(filters={"legal_status": "unknown"}) == [corpus["bare"].id]
    assert catalog.ids("锂电池", filters={"patent_type": "unknown"}) == [corpus["bare"].id]


def test_an_absent_field_offers_no_value(catalog, corpus):
    page = catalog.search()
    assert {f.value for f in page.facets["industry"]} == {"新能源", "节水农业"}
    assert [f.value for f in page.facets["offer"]] == []        # "none" is never offered
    assert "none" not in PATENT_FILTERS["offer"]
