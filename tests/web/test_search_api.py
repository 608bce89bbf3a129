"""JSON search API: /api/patents/search and /api/needs/search (shape, values, errors, visibility).

Uses the read-only corpus of test_search_pages (one app, database and index for the module).
"""
from __future__ import annotations

import pytest

from tests.web.test_search_pages import anon, corpus, ids, site  # noqa: F401  (fixtures)


def search(client, kind: str = "patents", status: int = 200, **params) -> dict:
    response = client.get(f"/api/{kind}/search", query_string=params or None)
    assert response.status_code == status, (params, response.status_code, response.get_data(as_text=True))
    assert response.is_json
    return response.get_json()


def result_ids(body: dict) -> list[int]:
    return [r["id"] for r in body["results"]]


def test_patent_search_answers_total_results_and_facets(anon, corpus):
    body = search(anon, q="锂电池")
    assert body["total"] == 3
    assert sorted(result_ids(body)) == sorted(ids(corpus.cathode, corpus.separator, corpus.electrolyte))
    assert body["match"] == "all"
    for result in body["results"]:
        assert set(result) == {"id", "source_id", "app_no", "title", "snippet", "score", "partial",
                               "offer", "highlight"}
        assert result["offer"] is None, "no licence offer published in this corpus"
        assert isinstance(result["id"], int) and isinstance(result["score"], float)
        assert result["score"] > 0 and "<mark>锂电池</mark>" in result["highlight"]["title"]
        assert "<mark>" not in result["title"] + result["snippet"], "highlights go apart"
    by_id = {r["id"]: r for r in body["results"]}
    separator = by_id[corpus.separator.id]
    assert separator["title"] == "锂电池隔膜涂覆装置" and separator["snippet"] == "隔膜涂覆设备。"
    assert separator["highlight"] == {"title": "<mark>锂电池</mark>隔膜涂覆装置", "snippet": "隔膜涂覆设备。"}
    assert (separator["app_no"], separator["source_id"]) == (corpus.separator.app_no, corpus.separator.source_id)
    facets = body["facets"]
    assert facets["patent_type"] == {"invention": 2, "utility": 1}
    assert facets["industry"] == {"新能源": 3, "新材料": 1}
    assert facets["owner_kind"] == {"university": 2, "institute": 1}
    assert facets["region"] == {"乌鲁木齐市": 2, "克拉玛依市": 1}
    assert facets["legal_status"] == {"valid": 3}
    assert body["suggestions"] == [] and body["relaxable"] == [] and body["truncated"] is False


def test_nothing_with_every_word_answers_labelled_partial_matches(anon, corpus):
    """锂电池 and 滴灌 never appear together: the fallback shows either, and says so."""
    both = search(anon, q="锂电池 滴灌")
    assert both["match"] == "partial" and both["total"] == 4
    assert set(result_ids(both)) == set(ids(corpus.cathode, corpus.separator, corpus.electrolyte,
                                            corpus.drip))
    assert all(r["partial"] for r in both["results"])


def test_a_short_list_of_full_matches_goes_on_with_labelled_partial_ones(anon, corpus):
    body = search(anon, q="锂电池 隔膜")
    assert body["match"] == "all" and body["total"] == 1, "the total counts full matches"
    assert [r["id"] for r in body["results"] if not r["partial"]] == ids(corpus.separator)
    assert set(r["id"] for r in body["results"] if r["partial"]) == set(
        ids(corpus.cathode, corpus.electrolyte))
    assert body["results"][0]["id"] == corpus.separator.id, "full matches come first"
    page = anon.get("/search/patents", query_string={"q": "锂电池 隔膜"}).get_data(as_text=True)
    divider = page.index("以下结果只包含部分检索词")
    assert page.index(f"/patents/{corpus.separator.id}") < divider < page.index(f"/patents/{corpus.cathode.id}")
    assert "以下结果只包含部分检索词" not in anon.get(
        "/search/patents", query_string={"q": "锂电池 隔膜", "sort": "date"}).get_data(as_text=True)


def test_ipc_section_facet_and_filter(anon, corpus):
    assert search(anon, q="锂电池")["facets"]["ipc_section"] == {"H": 3, "C": 1}
    assert result_ids(search(anon, ipc_section="C", q="锂电池")) == ids(corpus.cathode)


def test_empty_query_lists_every_visible_patent_newest_first(anon, corpus):
    body = search(anon)
    assert body["total"] == 8
    assert result_ids(body) == ids(*corpus.newest_first)


def test_filters_ipc_sort_and_paging(anon, corpus):
    assert result_ids(search(anon, q="锂电池", patent_type="utility")) == ids(corpus.separator)
    assert sorted(result_ids(search(anon, ipc="A01"))) == sorted(ids(corpus.drip, corpus.cotton))
    assert result_ids(search(anon, q="锂电池", sort="date")) == ids(
        corpus.electrolyte, corpus.separator, corpus.cathode)
    page2 = search(anon, q="锂电池", sort="date", per_page="2", page="2")
    assert page2["total"] == 3 and page2["page"] == 2 and page2["per_page"] == 2
    assert result_ids(page2) == ids(corpus.cathode)


def test_zero_results_carry_suggestions_and_relaxable_filters(anon):
    body = search(anon, q="graphine")
    assert body["total"] == 0 and body["results"] == [] and "graphene" in body["suggestions"]
    body = search(anon, q="光伏组建", region="哈密市", ipc="H02")
    assert body["total"] == 0 and set(body["relaxable"]) == {"region", "ipc"}


@pytest.mark.parametrize("q", ["AND", "*", '"', "<script>alert(1)</script>", "x" * 5000,
                               "锂电池 OR title:*", "((("])
def test_hostile_queries_answer_json(anon, q):
    body = search(anon, q=q)
    assert body["truncated"] is (len(q) > 500)
    for result in body["results"]:
        marked = result["highlight"]["title"] + result["highlight"]["snippet"]
        assert "<script>" not in marked, "the marked-up fields are escaped HTML"


def test_titles_and_snippets_are_html_escaped(anon, corpus):
    """Markup stored in a patent comes back escaped; <mark> is the only markup."""
    body = search(anon, q="耐盐碱 盐碱地")
    assert result_ids(body) == ids(corpus.hostile)
    hit = body["results"][0]
    assert hit["highlight"]["title"] == "<mark>耐盐碱</mark>&lt;script&gt;alert(2)&lt;/script&gt;棉花育种方法"
    assert hit["highlight"]["snippet"].startswith(
        "&lt;img src=x onerror=alert(3)&gt; <mark>盐碱地</mark> &amp; 棉花")
    assert hit["title"] == "耐盐碱<script>alert(2)</script>棉花育种方法", "plain text, as stored"


@pytest.mark.parametrize("variant, canonical", [("鋰電池", "锂电池"), ("光伏組件", "光伏组件"),
                                                ("ＧＲＡＰＨＥＮＥ", "graphene")])
def test_traditional_and_full_width_queries(anon, variant, canonical):
    expected = result_ids(search(anon, q=canonical))
    assert expected and result_ids(search(anon, q=variant)) == expected


@pytest.mark.parametrize("kind", [None, "enterprise", "university", "station"])
def test_drafts_and_unavailable_patents_never_appear(site, corpus, kind):
    client = site.client(kind)
    hidden = set(ids(*corpus.hidden))
    for params in ({"q": "锂电池"}, {"q": "负极 回收 外壳 极耳"}, {"all": "1", "per_page": "100"}):
        assert not hidden & set(result_ids(search(client, **params))), (kind, params)
    # a status filter only narrows what can be licensed: asking for lapsed ones finds none
    lapsed = search(client, q="锂电池", all="1", legal_status="lapsed")
    assert ids(corpus.lapsed) and result_ids(lapsed) == []


def test_operator_may_include_unavailable_patents(site, corpus):
    client = site.client("operator")
    assert not set(ids(*corpus.hidden)) & set(result_ids(search(client, q="锂电池")))
    assert set(ids(*corpus.hidden)) <= set(result_ids(search(client, q="锂电池", all="1")))


def test_needs_search_requires_login(anon):
    body = search(anon, "needs", 401, q="滴灌")
    assert body == {"error": {"code": "Unauthorized", "message": "请先登录"}}


def test_needs_search_is_refused_to_enterprises(site):
    body = search(site.client("enterprise"), "needs", 403)
    assert body["error"]["code"] == "PermissionDenied"
    assert body["error"]["message"] == "需求检索仅对高校院所、创新驿站和运营方开放"


@pytest.mark.parametrize("kind", ["station", "university", "operator"])
def test_needs_search_for_stations_suppliers_and_operators(site, corpus, kind):
    client = site.client(kind)
    body = search(client, "needs")
    assert body["total"] == 2
    assert sorted(result_ids(body)) == sorted(ids(corpus.need_drip, corpus.need_battery))
    assert body["facets"] == {"industry": {"节水农业": 1, "新能源": 1},
                              "region": {"哈密市": 1, "乌鲁木齐市": 1}, "state": {"open": 2}}
    found = search(client, "needs", q="鋰電池")
    assert result_ids(found) == ids(corpus.need_battery)
    assert found["results"][0]["highlight"]["title"] == "<mark>锂电池</mark>低温性能差"
    assert found["results"][0]["title"] == "锂电池低温性能差" and "app_no" not in found["results"][0]
    assert result_ids(search(client, "needs", q="滴灌", state="closed")) == ids(corpus.need_closed)


def test_json_bodies_carry_no_live_markup(anon, corpus):
    """Plain-text titles keep their characters, but the raw body escapes <, > and &."""
    response = anon.get("/api/patents/search", query_string={"q": "耐盐碱 盐碱地"})
    raw = response.get_data(as_text=True)
    assert "<" not in raw and ">" not in raw and "&" not in raw.replace("\\u0026", "")
    assert "\\u003cscript\\u003e" in raw
    assert "<script>" in response.get_json()["results"][0]["title"]


@pytest.mark.parametrize("params", [{"free_min": "²"}, {"free_min": "9" * 5000}, {"fee_max": "-1"},
                                    {"fee_max": "1e9"}, {"free_min": "0"}, {"sort": "free"}])
def test_offer_parameters_never_fail(anon, corpus, params):
    """Malformed offer filters are ignored; sorting by the free period is allowed."""
    body = search(anon, q="锂电池", **params)
    assert body["total"] == 3
