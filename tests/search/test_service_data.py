"""Service behaviour that needs its own data: paging, totals, suggestions, expiry, variants."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from matchmaker.models import LegalStatus, ListingState

from .conftest import TODAY

from tests.search.conftest import BACKENDS, every_backend

search_backend = pytest.fixture(params=BACKENDS)(every_backend)


def test_pagination(catalog):
    extra = {catalog.patent(f"风力发电机叶片{i}", abstract="叶片除冰。",
                            filing_date=date(2010, 1, 1) + timedelta(days=i)).id for i in range(25)}
    catalog.patent("棉花采摘机", abstract="采摘。")
    catalog.commit()
    for sort in ("relevance", "date"):
        everything = catalog.ids("叶片", sort=sort)
        assert set(everything) == extra
        pages = [catalog.search(q="叶片", sort=sort, page=n, per_page=10) for n in (1, 2, 3, 4)]
        assert [p.total for p in pages] == [25] * 4
        assert [len(p.hits) for p in pages] == [10, 10, 5, 0]
        assert [p.pages for p in pages] == [3] * 4
        flat = [h.id for p in pages for h in p.hits]
        assert flat == everything, sort
    by_date = catalog.ids("叶片", sort="date")
    dates = [catalog.search(q="叶片", sort="date", per_page=100).hits[i].obj.filing_date
             for i in range(25)]
    assert dates == sorted(dates, reverse=True) and len(by_date) == 25
    # out-of-range page numbers are clamped, not errors
    assert [h.id for h in catalog.search(q="叶片", page=0, per_page=10).hits] == \
        catalog.ids("叶片")[:10]
    assert catalog.search(q="叶片", page=10 ** 9).hits == []
    assert len(catalog.search(q="叶片", per_page=10 ** 6).hits) == 25
    assert len(catalog.search(q="叶片", per_page=-5).hits) == 1


def test_total_is_exact_when_many_documents_match_several_terms(catalog):
    """The reported total counts documents, not term postings, and respects the filters."""
    for i in range(60):
        catalog.patent(f"锂电池正极材料改性{i}", abstract="锂电池正极材料。",
                       legal_status=LegalStatus.LAPSED if i % 2 else LegalStatus.VALID)
    catalog.patent("棉花采摘机", abstract="采摘。")
    catalog.commit()
    page = catalog.search(q="锂电池正极材料", per_page=5)
    assert page.total == 30
    assert page.pages == 6
    seen = {h.id for p in range(1, 8)
            for h in catalog.search(q="锂电池正极材料", per_page=5, page=p).hits}
    assert len(seen) == 30


def test_near_miss_word_gets_a_suggestion(catalog):
    p = catalog.patent("graphene 导电涂层", abstract="涂层。")
    catalog.commit()
    page = catalog.search(q="graphine")
    assert page.total == 0 and page.relaxable == []
    assert "graphene" in page.suggestions
    assert catalog.search(q="graphene").suggestions == []
    assert catalog.ids("graphene") == [p.id]


def test_suggestions_only_name_words_that_still_find_something(catalog):
    """BUG: the vocabulary is the raw Whoosh title lexicon, which keeps the terms of updated or
    deleted documents until their segment is merged, so a renamed title's old word is still
    suggested and the suggestion leads to zero results."""
    p = catalog.patent("graphene 导电涂层", abstract="涂层。")
    catalog.commit()
    assert "graphene" in catalog.search(q="graphine").suggestions
    p.title = "carbon 导电涂层"
    catalog.commit()
    assert catalog.ids("graphene") == []
    assert "carbon" in catalog.search(q="carbin").suggestions
    assert "graphene" not in catalog.search(q="graphine").suggestions


def test_suggestions_do_not_reveal_hidden_patents(catalog):
    """BUG: suggestions come from every indexed title, drafts and withdrawn patents included,
    so anonymous users learn words of unpublished titles (and get zero results for them)."""
    catalog.patent("钛合金 导电涂层", abstract="涂层。", listing_state=ListingState.DRAFT)
    catalog.patent("棉花采摘机", abstract="采摘。")
    catalog.commit()
    page = catalog.search(q="钛合")
    assert page.total == 0
    assert page.suggestions == []


def test_expiry_boundary(catalog):
    last_day = catalog.patent("红枣去核机", abstract="去核。", expiry_date=TODAY)
    no_expiry = catalog.patent("红枣烘干机", abstract="烘干。", expiry_date=None)
    catalog.commit()
    assert set(catalog.ids("红枣")) == {last_day.id, no_expiry.id}
    assert catalog.ids("红枣", today=TODAY + timedelta(days=1)) == [no_expiry.id]


@pytest.mark.parametrize("variant,canonical", [
    ("ＬＥＤ燈", "LED灯"), ("led燈", "LED灯"), ("ＬＥＤ", "led"), ("鋰電池", "锂电池"),
])
def test_full_width_and_traditional_latin_queries(catalog, variant, canonical):
    led = catalog.patent("一种LED灯具散热结构", abstract="LED灯散热。")
    catalog.patent("锂电池隔膜", abstract="隔膜。")
    catalog.commit()
    expected = catalog.ids(canonical)
    assert expected
    assert catalog.ids(variant) == expected
    if "led" in canonical.lower():
        assert expected == [led.id]


def test_traditional_document_found_by_simplified_query(catalog):
    p = catalog.patent("一種鋰電池保護板", abstract="鋰電池過充保護。")
    n = catalog.need("鋰電池保護板失效", description="過充。")
    catalog.commit()
    operator = catalog.user_of_kind("operator")
    assert catalog.ids("锂电池保护板") == [p.id]
    assert catalog.ids("保护板") == [p.id]
    assert catalog.need_ids("保护板", operator) == [n.id]
