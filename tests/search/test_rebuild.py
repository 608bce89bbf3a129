"""The index is derived data: it can be deleted and rebuilt from the database at any time."""
from __future__ import annotations

import dataclasses
import shutil

import pytest

from matchmaker.models import ListingState
from matchmaker.runtime import build_runtime
from matchmaker.search import indexer
from matchmaker.search.whoosh_backend import WhooshBackend

from .conftest import Catalog, run_cli, with_ipc


@pytest.fixture
def data(catalog):
    patents = [catalog.patent(f"棉花采摘机{i}", abstract=f"第{i}号采摘装置。", industry_tags=["农业机械"])
               for i in range(30)]
    with_ipc(patents[0], "A01D 46/08")
    patents[1].listing_state = ListingState.DRAFT
    needs = [catalog.need(f"红枣去核{i}", description="去核效率低。") for i in range(5)]
    catalog.commit()
    return {"patent": {p.id for p in patents}, "need": {n.id for n in needs},
            "ipc": patents[0].id, "draft": patents[1].id}


def fresh(settings) -> WhooshBackend:
    return WhooshBackend(settings.index_dir)


def assert_searchable(catalog, data):
    visible = data["patent"] - {data["draft"]}
    assert set(catalog.ids("采摘")) == visible
    assert set(catalog.ids(filters={"industry": "农业机械"})) == visible
    assert catalog.ids(ipc="A01D") == [data["ipc"]]
    assert set(catalog.need_ids("去核", catalog.user_of_kind("station"))) == data["need"]


@pytest.mark.parametrize("procs", [1, 2])
def test_rebuild_after_the_index_directory_is_deleted(catalog, data, settings, procs):
    shutil.rmtree(settings.index_dir)
    assert not settings.index_dir.exists()

    progress = []
    for kind in ("patent", "need"):
        n = indexer.rebuild(catalog.runtime.session_factory, catalog.backend, kind, procs=procs,
                            progress=progress.append)
        assert n == len(data[kind])
    assert sum(progress) == len(data["patent"]) + len(data["need"])

    for backend in (catalog.backend, fresh(settings)):
        assert backend.doc_ids("patent") == data["patent"]
        assert backend.doc_ids("need") == data["need"]
        assert backend.doc_count("patent") == len(data["patent"])
    catalog.check_ok()
    assert_searchable(catalog, data)


def test_rebuild_replaces_a_stale_index(catalog, data, settings):
    """Extra and missing documents (an index from another database) are both repaired."""
    catalog.backend.delete("patent", sorted(data["patent"])[:5])
    catalog.backend.upsert("patent", [{"id": "999999", "title": "幽灵"}])
    rep = indexer.check(catalog.session, catalog.backend, "patent")
    assert len(rep.missing) == 5 and rep.extra == [999999]

    assert indexer.rebuild(catalog.runtime.session_factory, catalog.backend, "patent") == 30
    catalog.check_ok()
    assert_searchable(catalog, data)


def test_rebuild_covers_pending_outbox_rows(settings, data):
    rt = build_runtime(dataclasses.replace(settings, index_on_commit=False))
    try:
        with rt.session_factory() as s:
            quiet = Catalog(rt, s)
            late = quiet.patent("红枣去核机", abstract="去核。")
            quiet.commit()
            assert indexer.pending_count(s) == 1
            indexer.rebuild(rt.session_factory, rt.search, "patent", procs=1)
            assert indexer.pending_count(s) == 0
            assert late.id in rt.search.doc_ids("patent")
            quiet.check_ok()
    finally:
        rt.dispose()


def test_cli_rebuild_then_check(settings, data):
    shutil.rmtree(settings.index_dir)
    proc = run_cli(settings, "index", "rebuild")
    assert proc.returncode == 0, proc.stderr
    assert "重建专利索引：30 条" in proc.stdout and "重建需求索引：5 条" in proc.stdout

    proc = run_cli(settings, "index", "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "patent: 缺失 0 条，多余 0 条" in proc.stdout
    assert "need: 缺失 0 条，多余 0 条" in proc.stdout
    assert fresh(settings).doc_ids("patent") == data["patent"]


def test_cli_check_exits_1_when_the_index_differs(catalog, settings, data):
    victim = min(data["patent"])
    catalog.backend.delete("patent", [victim])
    catalog.backend.upsert("need", [{"id": "424242", "title": "幽灵"}])
    proc = run_cli(settings, "index", "check")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"patent: 缺失 1 条，多余 0 条（缺失示例 [{victim}]）" in proc.stdout
    assert "need: 缺失 0 条，多余 1 条（多余示例 [424242]）" in proc.stdout
    assert "待处理索引任务：0 条" in proc.stdout

    proc = run_cli(settings, "index", "rebuild", "--kind", "patent", "--procs", "1")
    assert proc.returncode == 0, proc.stderr
    assert "重建专利索引：30 条" in proc.stdout and "重建需求索引" not in proc.stdout
    rep = indexer.check(catalog.session, fresh(settings), "patent")
    assert rep.ok
    assert indexer.check(catalog.session, fresh(settings), "need").extra == [424242]


def test_an_index_of_an_older_schema_is_rebuilt_on_sync(catalog, tmp_path):
    """After an upgrade that changed the fields, the first sync rebuilds the index instead of
    failing on every write."""
    from whoosh import index as windex
    from whoosh.fields import ID, TEXT, Schema

    p = catalog.patent("残膜回收机", abstract="一种残膜回收装置。")
    catalog.commit()
    backend = catalog.backend
    path = backend.path("patent")
    backend.forget()
    windex.create_in(str(path), Schema(id=ID(stored=True, unique=True), bigrams=TEXT()))
    assert backend.outdated("patent")
    catalog.runtime.sync_index()
    assert not backend.outdated("patent")
    assert catalog.ids("残膜") == [p.id]
