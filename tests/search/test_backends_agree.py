"""Whoosh and tantivy score the same documents alike, so the matcher's tuned weights and the
relevance figures hold on either backend (issue 17: "within 0.01 of Whoosh").

Both indexes are built from one database; the matcher's OR queries (word fields with the title
boost, character bigrams) must rank the same documents in the same order with nearly the same
BM25 scores. Before the alignment tantivy scored a title match three times over (Whoosh boosts
the term frequency inside BM25's saturation, not the score) and used a different idf.
"""
from __future__ import annotations

import pytest

from matchmaker.search import indexer
from matchmaker.search.backend import TextQuery
from matchmaker.search.factory import make_backend
from matchmaker.search.fields import PATENT
from matchmaker.text.tokenize import char_bigrams

TITLES = [
    ("一种锂电池正极材料的回收方法", "将废旧锂电池拆解，回收正极材料中的钴和锂。"),
    ("锂电池隔膜", "一种用于锂电池的耐高温隔膜及其制备方法。"),
    ("正极材料包覆改性工艺", "对锂离子电池正极材料进行包覆，提高循环寿命。"),
    ("废旧电池回收装置", "破碎、分选废旧电池，回收金属。"),
    ("红枣去核机", "红枣自动去核，提高加工效率。"),
    ("一种滴灌带铺设装置", "在棉田铺设滴灌带并回收残膜。"),
    ("光伏组件清洗机器人", "清洗光伏板表面积灰。"),
    ("电池管理系统", "监测锂电池的电压与温度，均衡充电。"),
]
QUERIES = [
    TextQuery(words=("锂电池", "正极", "回收")),
    TextQuery(words=("锂电池",), word_boosts={"锂电池": 2.0}),
    TextQuery(words=("回收", "残膜", "滴灌带")),
    TextQuery(bigrams=tuple(char_bigrams("锂电池正极材料回收"))),
]


@pytest.fixture
def both(catalog, tmp_path):
    for title, abstract in TITLES:
        catalog.patent(title, abstract=abstract)
    catalog.commit()
    backends = {}
    for name in ("whoosh", "tantivy"):
        backend = make_backend(name, tmp_path / f"index-{name}", replica=name)
        indexer.rebuild(catalog.runtime.session_factory, backend, PATENT, procs=1)
        backends[name] = backend
    yield backends
    for backend in backends.values():
        backend.close()


@pytest.mark.parametrize("query", QUERIES, ids=["words", "boosted", "generic-and-rare", "bigrams"])
def test_the_two_backends_rank_alike(both, query):
    w = both["whoosh"].search(PATENT, query, limit=20).hits
    t = both["tantivy"].search(PATENT, query, limit=20).hits
    assert w, "the query should find something"
    assert [h.id for h in t] == [h.id for h in w]
    for a, b in zip(w, t):
        assert b.score == pytest.approx(a.score, rel=0.03), (a, b)


def test_both_backends_fetch_documents_by_id_with_the_same_filters(both, catalog):
    """The matcher's channel by meaning finds ids outside the index and asks the backend for
    their stored fields: unknown ids and ids the filters reject are left out, order is kept."""
    ids = sorted(both["whoosh"].doc_ids(PATENT))
    wanted = [ids[3], 999_999, ids[0], ids[3]]
    for name, backend in both.items():
        got = backend.documents(PATENT, wanted)
        assert [h.id for h in got] == [ids[3], ids[0]], name
        hit = next(h for h in backend.search(PATENT, TextQuery(words=("废旧电池",)), stored=True,
                                             limit=20).hits if h.id == ids[3])
        assert got[0].fields == hit.fields, name      # what the matcher builds profiles from
        assert backend.documents(PATENT, wanted, filters={"listing_state": ["nosuchstate"]}) == []
        assert backend.documents(PATENT, []) == []
