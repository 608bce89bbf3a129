"""Search pages /search/patents and /search/needs: facets, filters, chips, sorting, paging,
zero results, hostile input, visibility and navigation.

Every test here only reads, so one app, database, index and corpus serve the whole module
(building them per test costs more than the tests; tests/search/conftest.py does the same).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.security import generate_password_hash

from matchmaker.catalog import accounts
from matchmaker.catalog.ipc import parse_ipc
from matchmaker.config import Settings
from matchmaker.models import LegalStatus, ListingState, NeedState, OrgKind, PatentIPC, PatentType
from tests.conftest import TEST_SECRET_KEY, fresh_database_url
from tests.factories import make_need, make_org, make_patent, make_user
from tests.web.helpers import login, text


# -- the corpus ------------------------------------------------------------------------

def with_ipc(patent, *codes: str):
    """Attach IPC codes the way the catalog stores them (code list + parsed levels)."""
    patent.ipc_codes = list(codes)
    for pos, raw in enumerate(codes):
        c = parse_ipc(raw)
        patent.ipc_entries.append(PatentIPC(position=pos, code=c.code, section=c.section,
                                            ipc_class=c.ipc_class, subclass=c.subclass))
    return patent


class Corpus:
    """Eight visible patents with known facets, four hidden ones, three needs, one user per kind."""

    def __init__(self, s):
        self.uni_a = make_org(s, OrgKind.UNIVERSITY, name="新疆甲大学", region="乌鲁木齐市")
        self.uni_b = make_org(s, OrgKind.UNIVERSITY, name="新疆乙大学", region="克拉玛依市")
        self.inst = make_org(s, OrgKind.INSTITUTE, name="新疆能源研究所", region="克拉玛依市")

        def patent(title, abstract, owner, ipc=(), **kw):
            return with_ipc(make_patent(s, owner, title=title, abstract=abstract, **kw), *ipc)

        self.cathode = patent("一种锂电池正极材料的制备方法", "正极材料及其制备，提高循环寿命。", self.uni_a,
                              ("H01M 4/36", "C01B 25/45"), industry_tags=["新能源", "新材料"],
                              grant_date=date(2020, 5, 1))
        self.separator = patent("锂电池隔膜涂覆装置", "隔膜涂覆设备。", self.inst, ("H01M 50/40",),
                                patent_type=PatentType.UTILITY, industry_tags=["新能源"],
                                filing_date=date(2021, 3, 1))
        self.electrolyte = patent("锂电池电解液添加剂", "低温电解液添加剂。", self.uni_a,
                                  ("H01M 10/0567",), industry_tags=["新能源"],
                                  grant_date=date(2023, 2, 1))
        self.drip = patent("节水滴灌带及其生产工艺", "滴灌带生产工艺。", self.uni_a, ("A01G 25/02",),
                           industry_tags=["节水农业"], grant_date=date(2019, 1, 10))
        self.solar = patent("光伏组件清洗机器人", "清洗光伏板的机器人。", self.inst,
                            ("H02S 40/10", "B08B 1/00"), patent_type=PatentType.UTILITY,
                            industry_tags=["新能源"], filing_date=date(2022, 7, 1))
        self.cotton = patent("棉花采摘机的清花装置", "采摘与清花。", self.uni_b, ("A01D 46/08",),
                             legal_status=LegalStatus.UNKNOWN, industry_tags=["农业机械"],
                             grant_date=date(2018, 6, 1))
        self.graphene = patent("graphene 导电涂层", "石墨烯导电涂料。", self.uni_a, ("C09D 5/24",),
                               industry_tags=["新材料"], grant_date=date(2021, 9, 1))
        # markup in stored text must come out as text
        self.hostile = patent("耐盐碱<script>alert(2)</script>棉花育种方法",
                              "<img src=x onerror=alert(3)> 盐碱地 & 棉花", self.uni_b, industry_tags=["农业机械"], grant_date=date(2017, 1, 1))
        self.newest_first = [self.electrolyte, self.solar, self.graphene, self.separator,
                             self.cathode, self.drip, self.cotton, self.hostile]
        # hidden from everybody but operators asking for them; all about lithium batteries
        self.draft = patent("锂电池负极秘密草稿", "负极。", self.uni_b, listing_state=ListingState.DRAFT)
        self.lapsed = patent("锂电池回收失效专利", "回收。", self.uni_a, legal_status=LegalStatus.LAPSED)
        self.expired = patent("锂电池外壳过期专利", "外壳。", self.uni_a,
                              expiry_date=date.today() - timedelta(days=1))
        self.withdrawn = patent("锂电池极耳撤回专利", "极耳。", self.uni_b,
                                listing_state=ListingState.WITHDRAWN)
        self.hidden = [self.draft, self.lapsed, self.expired, self.withdrawn]

        self.ent = make_org(s, OrgKind.ENTERPRISE, name="哈密节水科技有限公司", region="哈密市")
        self.need_drip = make_need(s, self.ent, title="滴灌带容易堵塞", description="滴灌带堵塞严重。",
                                   industry="节水农业")
        self.need_battery = make_need(s, self.ent, title="锂电池低温性能差", description="冬季续航短。",
                                      industry="新能源", region="乌鲁木齐市")
        self.need_closed = make_need(s, self.ent, title="滴灌首部过滤器", description="过滤器堵塞。",
                                     industry="节水农业", state=NeedState.CLOSED)
        s.flush()
        self.users = {"enterprise": make_user(s, self.ent),
                      "university": make_user(s, self.uni_b),
                      "station": make_user(s, make_org(s, OrgKind.STATION)),
                      "operator": make_user(s, make_org(s, OrgKind.OPERATOR))}
        s.commit()  # indexes everything through the outbox


@dataclass
class Site:
    app: object
    corpus: Corpus

    def client(self, kind: str | None = None):
        """A fresh client, logged in as the corpus user of `kind` (anonymous for None)."""
        client = self.app.test_client()
        if kind:
            assert login(client, self.corpus.users[kind].login).status_code == 302
        return client


@pytest.fixture(scope="module")
def site(migrated_template, tmp_path_factory):
    """One app + database + index holding the corpus, for a whole module of read-only tests."""
    from matchmaker.web import create_app
    tmp = tmp_path_factory.mktemp("search-pages")
    url = fresh_database_url(migrated_template, tmp)
    settings = Settings(instance_dir=tmp / "instance", database_url=url,
                        secret_key=TEST_SECRET_KEY, testing=True, login_rate_limit="1000 per minute").resolved()
    with pytest.MonkeyPatch.context() as mp:
        # users are only actors here; scrypt would dominate the run
        mp.setattr(accounts, "generate_password_hash",
                   functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"))
        app = create_app(settings)
        runtime = app.extensions["matchmaker"]
        with runtime.session_factory() as s:
            corpus = Corpus(s)
            yield Site(app, corpus)
        runtime.dispose()


@pytest.fixture(scope="module")
def corpus(site) -> Corpus:
    return site.corpus


@pytest.fixture(scope="module")
def anon(site):
    """An anonymous client shared by the module (it keeps no state between requests)."""
    return site.app.test_client()


# -- reading pages ---------------------------------------------------------------------

class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.anchors: list[dict] = []
        self._open: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open.append({**dict(attrs), "text": ""})

    def handle_data(self, data):
        for a in self._open:
            a["text"] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            a = self._open.pop()
            a["text"] = " ".join(a["text"].split())
            self.anchors.append(a)


def anchors(page: str) -> list[dict]:
    """Every <a> of a page: its attributes plus `text`."""
    parser = _Anchors()
    parser.feed(page)
    return parser.anchors


def anchor(page: str, **attrs) -> dict:
    """The one <a> whose attributes equal `attrs` (use data_facet for data-facet)."""
    want = {k.replace("_", "-"): v for k, v in attrs.items()}
    found = [a for a in anchors(page) if all(a.get(k) == v for k, v in want.items())]
    assert len(found) == 1, (want, found)
    return found[0]


def query(url: str) -> dict[str, str]:
    """The query parameters of a link (single values; anchors() already decoded the entities)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


_FACET = re.compile(r'data-facet="([^"]+)" data-value="([^"]*)">\s*<span class="facet-label">([^<]*)</span>'
                    r'<span class="facet-count"[^>]*>(\d+)</span>')


def facets(page: str) -> dict[str, dict[str, int]]:
    """Facet counts shown in the sidebar: {filter name: {value: count}}."""
    out: dict[str, dict[str, int]] = {}
    for name, value, _label, count in _FACET.findall(page):
        out.setdefault(name, {})[unescape(value)] = int(count)
    return out


def hit_ids(page: str) -> list[int]:
    """Ids of the result items, in display order."""
    return [int(i) for i in re.findall(r'data-testid="search-hit" id="hit-\d+" data-id="(\d+)"', page)]


def ids(*objs) -> list[int]:
    return [o.id for o in objs]


def get(client, url: str, status: int = 200, **params) -> str:
    response = client.get(url, query_string=params or None)
    assert response.status_code == status, (url, params, response.status_code)
    return text(response)


def total(page: str) -> int:
    return int(re.search(r'<strong id="result-total">(\d+)</strong>', page).group(1))


# -- listing and facets ----------------------------------------------------------------

def test_empty_query_lists_every_visible_patent_newest_first(anon, corpus):
    page = get(anon, "/search/patents")
    assert hit_ids(page) == ids(*corpus.newest_first)
    assert total(page) == 8
    assert "按最新排序" in page
    for patent in corpus.hidden:
        assert patent.title not in page
    assert 'id="search-all"' not in page  # the "include unavailable" box is for operators only


def test_facet_counts_are_shown_and_correct(anon, corpus):
    page = get(anon, "/search/patents", q="锂电池")
    assert sorted(hit_ids(page)) == sorted(ids(corpus.cathode, corpus.separator, corpus.electrolyte))
    shown = facets(page)
    shown.pop("ipc_section", None)  # checked in test_ipc_section_facet
    assert shown == {
        "patent_type": {"invention": 2, "utility": 1},
        "industry": {"新能源": 3, "新材料": 1},
        "legal_status": {"valid": 3},
        "owner_kind": {"university": 2, "institute": 1},
        "region": {"乌鲁木齐市": 2, "克拉玛依市": 1},
    }
    for label in ("发明", "实用新型", "高校", "科研院所", "有效"):
        assert f'<span class="facet-label">{label}</span>' in page, label


def test_facet_counts_of_the_whole_library(anon):
    counts = facets(get(anon, "/search/patents"))
    assert counts["patent_type"] == {"invention": 6, "utility": 2}
    assert counts["legal_status"] == {"valid": 7, "unknown": 1}
    assert counts["industry"] == {"新能源": 4, "新材料": 2, "农业机械": 2, "节水农业": 1}


def test_ipc_section_facet(anon, corpus):
    page = get(anon, "/search/patents", q="锂电池")
    assert facets(page)["ipc_section"] == {"H": 3, "C": 1}
    assert '<span class="facet-label">H 电学</span>' in page
    assert '<span class="facet-label">C 化学；冶金</span>' in page
    link = anchor(page, data_facet="ipc_section", data_value="C")["href"]
    assert hit_ids(get(anon, link)) == ids(corpus.cathode)
    assert facets(get(anon, "/search/patents"))["ipc_section"] == {"H": 4, "C": 2, "A": 2, "B": 1}


def test_filter_link_narrows_results_and_keeps_the_query(anon, corpus):
    page = get(anon, "/search/patents", q="锂电池", sort="date")
    link = anchor(page, data_facet="patent_type", data_value="utility")["href"]
    assert query(link) == {"q": "锂电池", "sort": "date", "patent_type": "utility"}
    narrowed = get(anon, link)
    assert hit_ids(narrowed) == ids(corpus.separator)
    assert facets(narrowed)["patent_type"] == {"utility": 1}
    assert 'class="facet-link selected"' in narrowed
    # a selected value links to its own removal
    selected = anchor(narrowed, data_facet="patent_type", data_value="utility")
    assert query(selected["href"]) == {"q": "锂电池", "sort": "date"}
    assert 'value="锂电池"' in narrowed  # the query stays in the search box


def test_chips_remove_one_filter_and_keep_the_rest(anon, corpus):
    page = get(anon, "/search/patents", q="锂电池", patent_type="invention", region="乌鲁木齐市",
               ipc="h01m", page="1")
    assert sorted(hit_ids(page)) == sorted(ids(corpus.cathode, corpus.electrolyte))
    chips = {a["id"]: a for a in anchors(page) if a.get("class") == "chip"}
    assert set(chips) == {"chip-patent_type", "chip-region", "chip-ipc"}
    assert chips["chip-region"]["text"].startswith("所在地区：乌鲁木齐市")
    assert chips["chip-ipc"]["text"].startswith("IPC 分类：H01M")
    assert query(chips["chip-region"]["href"]) == {"q": "锂电池", "patent_type": "invention", "ipc": "h01m"}
    widened = get(anon, chips["chip-region"]["href"])
    assert total(widened) == 2 and 'id="chip-region"' not in widened
    clear = anchor(page, id="chips-clear")["href"]
    assert query(clear) == {"q": "锂电池"}
    assert total(get(anon, clear)) == 3


def test_ipc_class_box_filters_and_keeps_the_other_parameters(anon, corpus):
    assert sorted(hit_ids(get(anon, "/search/patents", ipc="A01"))) == sorted(
        ids(corpus.drip, corpus.cotton))
    assert sorted(hit_ids(get(anon, "/search/patents", ipc=" h01m "))) == sorted(
        ids(corpus.cathode, corpus.separator, corpus.electrolyte))
    page = get(anon, "/search/patents", q="锂电池", industry="新能源")
    form = re.search(r'<form[^>]*id="ipc-form".*?</form>', page, re.S).group(0)
    assert 'name="ipc"' in form
    assert '<input type="hidden" name="q" value="锂电池">' in form
    assert '<input type="hidden" name="industry" value="新能源">' in form


def test_unknown_filter_values_are_ignored(anon):
    page = get(anon, "/search/patents", patent_type="bogus", region="火星", sort="x", page="abc")
    assert total(page) == 8 and 'class="chip"' not in page


# -- paging and sorting ----------------------------------------------------------------

def test_pagination_keeps_the_query_and_filters(anon, corpus):
    page1 = get(anon, "/search/patents", q="锂电池", industry="新能源", per_page="2", sort="date")
    assert hit_ids(page1) == ids(corpus.electrolyte, corpus.separator)
    assert "第 1 / 2 页" in page1
    nxt = anchor(page1, id="page-next")["href"]
    assert query(nxt) == {"q": "锂电池", "industry": "新能源", "per_page": "2", "sort": "date", "page": "2"}
    page2 = get(anon, nxt)
    assert hit_ids(page2) == ids(corpus.cathode)
    prev = anchor(page2, id="page-prev")["href"]
    assert query(prev) == {"q": "锂电池", "industry": "新能源", "per_page": "2", "sort": "date"}


def test_page_past_the_end_offers_the_first_page(anon):
    page = get(anon, "/search/patents", q="锂电池", page="9")
    assert 'id="page-out-of-range"' in page and 'id="zero-results"' not in page


def test_sort_by_date(anon, corpus):
    page = get(anon, "/search/patents", q="锂电池", sort="date")
    assert hit_ids(page) == ids(corpus.electrolyte, corpus.separator, corpus.cathode)
    assert re.search(r'id="sort-date" aria-current="true"', page)
    assert query(anchor(page, id="sort-relevance")["href"]) == {"q": "锂电池"}
    relevance = get(anon, "/search/patents", q="锂电池")
    assert re.search(r'id="sort-relevance" aria-current="true"', relevance)
    assert query(anchor(relevance, id="sort-date")["href"]) == {"q": "锂电池", "sort": "date"}
    # relevance only makes sense with keywords
    assert '<span class="disabled" id="sort-relevance"' in get(anon, "/search/patents")


def test_result_item_shows_highlight_owner_badges_and_score(anon, corpus):
    page = get(anon, "/search/patents", q="清洗")
    item = re.search(rf'<article[^>]*id="hit-{corpus.solar.id}".*?</article>', page, re.S).group(0)
    assert "光伏组件<mark>清洗</mark>机器人" in item
    assert "<mark>清洗</mark>光伏板的机器人" in item
    assert "新疆能源研究所（科研院所）" in item
    assert ">实用新型</span>" in item and ">有效</span>" in item
    assert re.search(r'相关度 \d+\.\d\d', item)
    assert f'href="/patents/{corpus.solar.id}"' in item
    assert "IPC H02S 40/10；B08B 1/00" in item


def test_markup_stored_in_patents_is_shown_as_text(anon, corpus):
    page = get(anon, "/search/patents", q="耐盐碱 盐碱地")
    assert hit_ids(page) == ids(corpus.hostile)
    assert "<script>alert(2)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(3)&gt;" in page and "&amp; 棉花" in page


# -- zero results ----------------------------------------------------------------------

def test_zero_results_suggest_a_word_that_finds_something(anon, corpus):
    page = get(anon, "/search/patents", q="graphine")
    assert total(page) == 0 and 'id="zero-results"' in page
    assert "未找到与“<span class=\"zero-q\">graphine</span>”相关的专利" in page
    suggestion = next(a for a in anchors(page) if a.get("class") == "suggestion")
    assert suggestion["text"] == "graphene" and query(suggestion["href"]) == {"q": "graphene"}
    assert hit_ids(get(anon, suggestion["href"])) == ids(corpus.graphene)


def test_zero_results_offer_to_drop_each_filter(anon, corpus):
    page = get(anon, "/search/patents", q="光伏组建", region="哈密市", patent_type="utility", ipc="H02")
    assert total(page) == 0
    assert "光伏组件" in [a["text"] for a in anchors(page) if a.get("class") == "suggestion"]
    region = anchor(page, id="relax-region")
    assert region["text"] == "去掉“所在地区：哈密市”条件"
    assert query(region["href"]) == {"q": "光伏组建", "patent_type": "utility", "ipc": "H02"}
    assert hit_ids(get(anon, region["href"])) == ids(corpus.solar)
    assert anchor(page, id="relax-patent_type")["text"] == "去掉“专利类型：实用新型”条件"
    assert anchor(page, id="relax-ipc")["text"] == "去掉“IPC 分类：H02”条件"


def test_zero_results_without_query_or_filters_is_not_a_failure_message(site):
    """Needs in state 'solved' do not exist: the panel explains, with a way back."""
    page = get(site.client("station"), "/search/needs", state="solved")
    assert 'id="zero-results"' in page and "没有符合条件的需求" in page
    assert query(anchor(page, id="relax-state")["href"]) == {}


# -- hostile and unusual input ---------------------------------------------------------

@pytest.mark.parametrize("q", ["AND", "*", '"', "锂电池 AND", "title:锂电池 OR *", "((( [ {",
                               "<script>alert(1)</script>", "x" * 5000, "锂电池" * 1700,
                               "\u200b\u3000", "%00%ff", "' OR 1=1 --"])
def test_hostile_queries_never_fail_and_are_escaped(anon, q):
    page = get(anon, "/search/patents", q=q, region="<b>x</b>")
    assert "<script>alert(1)</script>" not in page and "<b>x</b>" not in page
    if q.startswith("<script>"):
        assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in page
        assert "<script>alert(2)" not in page  # the stored hostile title it finds stays text
    if len(q) > 1000:
        assert 'id="truncated-note"' in page
        assert all(len(query(a["href"]).get("q", "")) <= 500 for a in anchors(page))
    else:
        assert 'id="truncated-note"' not in page


def test_hostile_query_on_needs_page(site):
    page = get(site.client("station"), "/search/needs", q='<script>alert(1)</script> AND "*')
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("variant, canonical", [
    ("鋰電池", "锂电池"), ("光伏組件", "光伏组件"), ("　鋰電池　隔膜　", "锂电池 隔膜"),
    ("ＧＲＡＰＨＥＮＥ", "graphene"), ("滴灌帶", "滴灌带"),
])
def test_traditional_and_full_width_queries_find_the_same_patents(anon, variant, canonical):
    expected = hit_ids(get(anon, "/search/patents", q=canonical))
    assert expected
    assert hit_ids(get(anon, "/search/patents", q=variant)) == expected


# -- needs search and permissions ------------------------------------------------------

def test_needs_search_for_a_station(site, corpus):
    client = site.client("station")
    page = get(client, "/search/needs")
    assert sorted(hit_ids(page)) == sorted(ids(corpus.need_drip, corpus.need_battery))  # open only
    assert facets(page) == {"industry": {"节水农业": 1, "新能源": 1}, "region": {"哈密市": 1, "乌鲁木齐市": 1},
                            "state": {"open": 2}}
    found = get(client, "/search/needs", q="滴灌")
    assert hit_ids(found) == ids(corpus.need_drip)
    assert "<mark>滴灌</mark>" in found and "哈密节水科技有限公司" in found
    assert f'href="/needs/{corpus.need_drip.id}"' in found
    closed = get(client, "/search/needs", q="滴灌", state="closed")
    assert hit_ids(closed) == ids(corpus.need_closed)
    assert anchor(closed, id="chip-state")["text"].startswith("需求状态：已关闭")


@pytest.mark.parametrize("kind", ["university", "operator"])
def test_suppliers_and_operators_search_needs(site, corpus, kind):
    page = get(site.client(kind), "/search/needs", q="鋰電池")
    assert hit_ids(page) == ids(corpus.need_battery)


def test_enterprise_gets_403_on_needs_search(site):
    page = get(site.client("enterprise"), "/search/needs", 403)
    assert 'data-status="403"' in page and "需求检索仅对高校院所、创新驿站和运营方开放" in page


def test_anonymous_needs_search_redirects_to_login(anon):
    response = anon.get("/search/needs?q=滴灌")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# -- visibility ------------------------------------------------------------------------

@pytest.mark.parametrize("kind", [None, "enterprise", "university", "station", "operator"])
def test_drafts_and_unavailable_patents_never_appear_by_default(site, corpus, kind):
    client = site.client(kind)
    for params in ({"q": "锂电池"}, {"q": "负极 回收 外壳 极耳", "all": "1"}, {"all": "1"}):
        page = get(client, "/search/patents", **params)
        if kind == "operator" and params.get("all"):
            continue
        for patent in corpus.hidden:
            assert patent.title not in page, (kind, params)
            assert f'data-id="{patent.id}"' not in page


def test_operator_may_include_unavailable_patents(site, corpus):
    client = site.client("operator")
    default = get(client, "/search/patents", q="锂电池")
    assert 'id="search-all"' in default and "包括未上架/失效/过期专利" in default
    page = get(client, "/search/patents", q="锂电池", all="1")
    assert set(ids(*corpus.hidden)) <= set(hit_ids(page))
    assert re.search(r'id="search-all" data-testid="search-all"\s+checked', page)
    assert ">已过期</span>" in page and ">草稿</span>" in page and ">失效</span>" in page
    # the option survives filter links
    assert query(anchor(page, data_facet="patent_type", data_value="invention")["href"])["all"] == "1"


# -- navigation and home ---------------------------------------------------------------

@pytest.mark.parametrize("kind, need_search", [
    (None, False), ("enterprise", False), ("university", True), ("station", True), ("operator", True)])
def test_navigation_links(site, kind, need_search):
    page = get(site.client(kind), "/")
    assert anchor(page, id="nav-patents")["href"] == "/search/patents"
    assert ('id="nav-need-search"' in page) == need_search
    if need_search:
        assert anchor(page, id="nav-need-search")["href"] == "/search/needs"


def test_home_search_box_submits_to_patent_search(anon):
    page = get(anon, "/")
    form = re.search(r'<form[^>]*id="home-search-form"[^>]*>', page).group(0)
    assert 'action="/search/patents"' in form and 'method="get"' in form


def test_plain_patent_list_still_works(anon, corpus):
    assert corpus.cathode.title in get(anon, "/patents/")


def test_search_pages_have_no_inline_script_or_style(site):
    for client, url in ((site.client(), "/search/patents?q=锂电池"),
                        (site.client("station"), "/search/needs")):
        page = get(client, url)
        assert " style=" not in page and "<style" not in page
        assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))
