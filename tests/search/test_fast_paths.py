"""The rebuild writer (bulk.py) and the query fast path (fastpath.py) are pure speed-ups: they
must give exactly what plain Whoosh gives for the same documents and queries."""
from __future__ import annotations

import random
from dataclasses import replace

import pytest
from whoosh import sorting
from whoosh import index as windex
from whoosh.query.compound import PreloadedOr

from matchmaker.search import fastpath
from matchmaker.search.backend import TextQuery
from matchmaker.search.bulk import BulkWriter
from matchmaker.search.documents import analyze_document
from matchmaker.search.query import parse_text
from matchmaker.search.schemas import SCHEMAS
from matchmaker.search.whoosh_backend import WhooshBackend, _filter_query

WORDS = ("锂电池 正极 材料 制备 方法 石墨烯 复合 涂层 电解液 隔膜 采摘 棉花 红枣 去核 装置 "
         "传感器 信号 采集 电路 控制 系统 污水 处理 膜 过滤 微生物 发酵 饲料 玉米 秸秆").split()
FACETS = ["patent_type", "legal_status", "owner_kind", "region", "industry", "ipc_section"]


def raw_patent(i: int, rng: random.Random) -> dict:
    def text(n):
        return "，".join("".join(rng.choices(WORDS, k=rng.randint(2, 5))) for _ in range(n))
    sections = sorted(set(rng.choices("ABCDEFGH", k=rng.randint(0, 3))))
    return {
        "id": str(i), "title": text(1) if rng.random() < 0.9 else "",
        "abstract": text(rng.randint(1, 12)) if rng.random() < 0.95 else None,
        "claims": text(2) if rng.random() < 0.3 else None,
        "ipc": " ".join(sections + [s.lower() + "01" for s in sections]) or None,
        "ipc_section": " ".join(sections) or None,
        "patent_type": rng.choice(["invention", "utility", "unknown"]),
        "legal_status": rng.choice(["valid", "unknown", "lapsed"]),
        "owner_kind": rng.choice(["university", "institute"]),
        "region": rng.choice(["河南", "河北", "山东"]),
        "listing_state": rng.choice(["listed", "listed", "draft"]),
        "owner_id": str(rng.randint(1, 9)),
        "industry": ",".join(rng.sample(["新能源", "农业机械", "电子信息"], k=rng.randint(0, 2))) or None,
        "expiry": rng.choice([20300101, 20200101, 99991231]),
        "date": rng.randint(20100101, 20241231),
    }


@pytest.fixture(scope="module")
def docs() -> list[dict]:
    rng = random.Random(7)
    return [analyze_document(raw_patent(i, rng)) for i in range(1, 401)]


def _build(path, docs, bulk: bool):
    path.mkdir()
    ix = windex.create_in(str(path), SCHEMAS["patent"]())
    w = BulkWriter(ix, compound=False) if bulk else ix.writer()
    for d in docs:
        w.add_document(**d)
    w.commit()
    return windex.open_dir(str(path))


def _postings(reader, field, text):
    m = reader.postings(field, text)
    out = []
    while m.is_active():
        out.append((m.id(), m.weight(), m.value()))
        m.next()
    return out


def test_bulk_writer_writes_what_the_segment_writer_writes(tmp_path, docs):
    a = _build(tmp_path / "stock", docs, bulk=False).reader()
    b = _build(tmp_path / "bulk", docs, bulk=True).reader()
    terms = list(a.all_terms())
    assert terms == list(b.all_terms()) and len(terms) > 500
    for field, text in terms:
        ia, ib = a.term_info(field, text), b.term_info(field, text)
        assert (ia.weight(), ia.doc_frequency(), ia.min_length(), ia.max_length(),
                ia.max_weight(), ia.min_id(), ia.max_id()) == \
               (ib.weight(), ib.doc_frequency(), ib.min_length(), ib.max_length(),
                ib.max_weight(), ib.min_id(), ib.max_id()), (field, text)
        assert _postings(a, field, text) == _postings(b, field, text), (field, text)
    for name in a.schema.names():
        assert a.field_length(name) == b.field_length(name)
        assert a.has_column(name) == b.has_column(name)
        if a.has_column(name):
            assert list(a.column_reader(name)) == list(b.column_reader(name))
        assert [a.doc_field_length(d, name) for d in range(len(docs))] == \
               [b.doc_field_length(d, name) for d in range(len(docs))]
    assert list(a.all_stored_fields()) == list(b.all_stored_fields())


def test_bulk_writer_only_writes_into_an_empty_index(tmp_path, docs):
    ix = _build(tmp_path / "ix", docs[:5], bulk=False)
    with pytest.raises(ValueError):
        BulkWriter(ix)
    ix.writer().cancel()  # the lock was released


def test_a_failed_document_stops_the_bulk_writer(tmp_path, docs):
    (tmp_path / "ix").mkdir()
    ix = windex.create_in(str(tmp_path / "ix"), SCHEMAS["patent"]())
    w = BulkWriter(ix)
    w.add_document(**docs[0])
    with pytest.raises(ValueError):
        w.add_document(**dict(docs[1], title=["not", "text"]))
    with pytest.raises(RuntimeError):  # its postings would be credited to the next document
        w.add_document(**docs[2])
    w.cancel()
    assert windex.open_dir(str(tmp_path / "ix")).doc_count() == 0


@pytest.fixture
def backend(tmp_path, docs, monkeypatch):
    """A multi-segment index with deletions: a bulk-built segment, then updates and deletes."""
    be = WhooshBackend(tmp_path / "index")
    with be.rebuilding_writer("patent", bulk=True, compound=False) as w:
        for d in docs[:300]:
            w.add_document(**d)
    be.upsert("patent", docs[300:])                       # a second segment
    be.upsert("patent", [dict(d, region="山东") for d in docs[10:40]])  # updates: deletions
    be.delete("patent", [int(d["id"]) for d in docs[200:220]])
    assert len(be.index("patent").reader().leaf_readers()) >= 2
    return be


QUERIES = ["锂电池正极材料的制备方法", "棉花采摘装置", "污水处理膜过滤系统与微生物发酵",
           "传感器信号采集电路，控制系统；石墨烯复合涂层，电解液，隔膜", "红枣"]


def _both(backend, monkeypatch, q, **kw):
    fast = backend.search("patent", q, **kw)
    with monkeypatch.context() as m:
        m.setattr(fastpath, "plan", lambda *a, **k: None)
        slow = backend.search("patent", q, **kw)
    return fast, slow


def _exact_total(backend, q, filters, ranges):
    with backend.index("patent").searcher() as s:
        tq = backend._text_query("patent", q, s)
        return len(s.search(tq, filter=_filter_query(filters, ranges), limit=None))


@pytest.mark.parametrize("text", QUERIES)
def test_fast_path_gives_whooshs_hits_scores_facets_and_terms(backend, monkeypatch, text):
    q = replace(parse_text(text)[0], concepts=())   # the OR query needs are turned into
    with backend.index("patent").searcher() as s:
        assert isinstance(backend._text_query("patent", q, s), PreloadedOr)  # exercised
    must = {"listing_state": ["listed"], "legal_status": ["valid", "unknown"]}
    ranges = {"expiry": (20250601, None)}
    for kw in (dict(filters=must, ranges=ranges, facets=FACETS, limit=20, with_terms=True),
               dict(filters={"region": ["山东"], **must}, ranges=ranges, facets=FACETS,
                    offset=5, limit=5, count=False),
               dict(limit=50, with_terms=True, stored=True),
               dict(filters={"ipc_section": ["A", "B"]}, facets=FACETS, limit=10)):
        fast, slow = _both(backend, monkeypatch, q, **kw)
        assert [(h.id, h.score) for h in fast.hits] == [(h.id, h.score) for h in slow.hits]
        assert [h.matched_terms for h in fast.hits] == [h.matched_terms for h in slow.hits]
        assert all(h.matched_terms for h in fast.hits) if kw.get("with_terms") else True
        assert [h.fields for h in fast.hits] == [h.fields for h in slow.hits]
        assert [list(f.items()) for f in fast.facets.values()] == \
               [list(f.items()) for f in slow.facets.values()]
        if kw.get("count", True):  # Whoosh only estimates when it need not see every match
            assert fast.total == _exact_total(backend, q, kw.get("filters", {}),
                                              kw.get("ranges", {}))
        else:
            assert fast.total == slow.total


def test_fast_path_respects_boosts_and_falls_back_for_other_sorts(backend, monkeypatch):
    q = TextQuery(words=("锂电池", "制备", "棉花"), bigrams=("电池",),
                  word_boosts={"锂电池": 2.5, "棉花": 0.5})
    fast, slow = _both(backend, monkeypatch, q, limit=30, with_terms=True)
    assert [(h.id, h.score, h.matched_terms) for h in fast.hits] == \
           [(h.id, h.score, h.matched_terms) for h in slow.hits]
    by_date = backend.search("patent", q, sort="date", limit=10)
    assert len(by_date.hits) == 10


@pytest.mark.parametrize("text", ["锂电池 制备", "棉花采摘", "红枣", "污水 膜", "石墨烯涂层 隔膜"])
def test_concept_queries_give_whooshs_hits_totals_and_facets(backend, text):
    """Short queries collect every match with cached filters and facets: the same hits,
    scores, exact totals and facet counts as Whoosh's own search with the filter query."""
    q = parse_text(text)[0]
    assert q.concepts
    must = {"listing_state": ["listed"], "legal_status": ["valid", "unknown"]}
    ranges = {"expiry": (20250601, None)}
    got = backend.search("patent", q, filters=must, ranges=ranges, facets=FACETS, limit=15)
    with backend.index("patent").searcher() as s:
        tq = backend._text_query("patent", q, s)
        groups = {n: sorting.FieldFacet(n, allow_overlap=n in ("ipc_section", "industry"),
                                        maptype=sorting.Count) for n in FACETS}
        want = s.search(tq, filter=_filter_query(must, ranges), limit=None, groupedby=groups)
        assert got.total == len(want) > 0
        assert [(h.id, h.score) for h in got.hits] == [(int(h["id"]), h.score) for h in want[:15]]
        for name in FACETS:
            assert got.facets[name] == {str(k): v for k, v in want.groups(name).items()
                                        if k is not None}
