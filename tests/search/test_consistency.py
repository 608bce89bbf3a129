"""Index and database stay in step through the outbox: create, update, delete, state changes."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from matchmaker.models import IndexTask, ListingState, NeedState, OrgKind, PatentIPC
from matchmaker.search import indexer
from matchmaker.search.query import parse_text

from .conftest import with_ipc


def in_index(catalog, kind: str, q: str) -> set[int]:
    """Raw index lookup, no visibility filters."""
    res = catalog.backend.search(kind, parse_text(q)[0], limit=100)
    return {h.id for h in res.hits}


def assert_synced(catalog):
    assert indexer.pending_count(catalog.session) == 0
    catalog.check_ok()


def test_create_is_searchable_after_commit(catalog):
    p = catalog.patent("光伏组件清洗机器人", abstract="清洗光伏板。")
    assert catalog.session.scalars(select(IndexTask.object_id)).all() == [p.id], \
        "the outbox row is written in the same transaction"
    assert p.id not in catalog.backend.doc_ids("patent"), "nothing indexed before commit"
    catalog.commit()
    assert catalog.ids("光伏组件") == [p.id]
    assert catalog.ids("清洗机器人") == [p.id]
    assert_synced(catalog)


def test_title_change_moves_the_document(catalog):
    p = catalog.patent("光伏组件清洗机器人", abstract="一种装置。")
    catalog.commit()
    assert catalog.ids("光伏") == [p.id]

    p.title = "风力发电机叶片除冰装置"
    catalog.commit()
    assert catalog.ids("光伏") == []
    assert in_index(catalog, "patent", "光伏") == set()
    assert catalog.ids("风力发电机") == [p.id]
    assert catalog.search(q="除冰").hits[0].title == "风力发电机叶片<mark>除冰</mark>装置"
    assert catalog.backend.doc_count("patent") == 1, "updated in place, not added twice"
    assert_synced(catalog)


def test_abstract_and_industry_changes_are_indexed(catalog):
    p = catalog.patent("一种装置", abstract="用于棉花采摘。", industry_tags=["农业机械"])
    catalog.commit()
    p.abstract = "用于番茄采摘。"
    p.industry_tags = ["农产品加工"]
    catalog.commit()
    assert catalog.ids("棉花") == [] and catalog.ids("番茄") == [p.id]
    assert catalog.ids(filters={"industry": "农业机械"}) == []
    assert catalog.ids(filters={"industry": "农产品加工"}) == [p.id]
    assert_synced(catalog)


def test_ipc_change_alone_reindexes_the_patent(catalog):
    p = catalog.patent("一种装置", abstract="装置。", ipc=("H01M 10/052",))
    catalog.commit()
    assert catalog.ids(ipc="H01M") == [p.id]
    # touch only the IPC rows (a PatentIPC change must enqueue its patent)
    for entry in list(p.ipc_entries):
        catalog.session.delete(entry)
    catalog.session.add(PatentIPC(patent_id=p.id, position=0, code="A01G 25/02", section="A",
                                  ipc_class="A01", subclass="A01G"))
    catalog.commit()
    catalog.session.expire_all()
    assert [e.code for e in p.ipc_entries] == ["A01G 25/02"]
    assert catalog.ids(ipc="H01M") == []
    assert catalog.ids(ipc="A01G") == [p.id]
    assert_synced(catalog)


def test_delete_removes_the_document(catalog):
    keep = catalog.patent("棉花采摘机", abstract="采摘。")
    gone = with_ipc(catalog.patent("棉花打顶机", abstract="打顶。"), "A01D 46/08")
    catalog.commit()
    assert set(catalog.ids("棉花")) == {keep.id, gone.id}

    catalog.session.delete(gone)
    catalog.commit()
    assert catalog.ids("棉花") == [keep.id]
    assert gone.id not in catalog.backend.doc_ids("patent")
    assert_synced(catalog)


def test_withdrawn_patent_leaves_default_search(catalog):
    p = catalog.patent("节水滴灌带", abstract="滴灌。")
    catalog.commit()
    operator = catalog.user(OrgKind.OPERATOR)
    assert catalog.ids("滴灌") == [p.id]

    p.listing_state = ListingState.WITHDRAWN
    catalog.commit()
    assert catalog.ids("滴灌") == []
    assert catalog.search(q="滴灌").total == 0
    assert catalog.ids("滴灌", operator, include_unavailable=True) == [p.id]
    assert_synced(catalog)

    p.listing_state = ListingState.LISTED
    catalog.commit()
    assert catalog.ids("滴灌") == [p.id]
    assert_synced(catalog)


def test_rolled_back_change_never_reaches_the_index(catalog):
    p = catalog.patent("节水滴灌带", abstract="滴灌。")
    catalog.commit()
    p.title = "棉花采摘机"
    ghost = catalog.patent("风力发电机叶片", abstract="叶片。")
    ghost_id = ghost.id
    catalog.session.rollback()
    assert indexer.pending_count(catalog.session) == 0
    assert catalog.ids("棉花") == [] and catalog.ids("叶片") == []
    assert catalog.ids("滴灌") == [p.id]
    assert ghost_id not in catalog.backend.doc_ids("patent")
    assert_synced(catalog)


def test_many_changes_in_one_transaction(catalog):
    ps = [catalog.patent(f"棉花采摘机{i}", abstract="采摘。") for i in range(20)]
    catalog.commit()
    for p in ps[:10]:
        catalog.session.delete(p)
    for p in ps[10:]:
        p.title = "番茄采摘机"
    catalog.commit()
    assert catalog.ids("棉花") == []
    assert set(catalog.ids("番茄")) == {p.id for p in ps[10:]}
    assert catalog.backend.doc_count("patent") == 10
    assert_synced(catalog)


def test_need_lifecycle(catalog):
    station = catalog.user(OrgKind.STATION)
    n = catalog.need("滴灌带容易堵塞", description="滴灌带堵塞问题。", industry="节水农业")
    catalog.commit()
    assert catalog.need_ids("堵塞", station) == [n.id]
    assert_synced(catalog)

    n.title = "棉花采摘损失大"
    n.description = "采摘损失。"
    catalog.commit()
    assert catalog.need_ids("堵塞", station) == []
    assert catalog.need_ids("棉花", station) == [n.id]
    assert_synced(catalog)

    n.state = NeedState.CLOSED
    catalog.commit()
    assert catalog.need_ids("棉花", station) == [], "default need search shows open needs"
    assert catalog.need_ids("棉花", station, filters={"state": "closed"}) == [n.id]
    assert_synced(catalog)

    catalog.session.delete(n)
    catalog.commit()
    assert in_index(catalog, "need", "棉花") == set()
    assert catalog.backend.doc_ids("need") == set()
    assert_synced(catalog)


def test_patents_and_needs_live_in_separate_indexes(catalog):
    p = catalog.patent("滴灌带", abstract="滴灌。")
    n = catalog.need("滴灌带", description="滴灌。")
    catalog.commit()
    assert catalog.backend.doc_ids("patent") == {p.id}
    assert catalog.backend.doc_ids("need") == {n.id}
    assert_synced(catalog)


@pytest.mark.parametrize("field,value", [
    ("expiry_date", date(2020, 1, 1)), ("listing_state", ListingState.DRAFT),
    ("listing_state", ListingState.ARCHIVED),
])
def test_state_changes_hide_from_default_search(catalog, field, value):
    p = catalog.patent("棉花采摘机", abstract="采摘。")
    catalog.commit()
    setattr(p, field, value)
    catalog.commit()
    assert catalog.ids("棉花") == []
    assert_synced(catalog)


def test_a_released_savepoint_does_not_sync_the_open_transaction(catalog, monkeypatch):
    """A savepoint's release is not a commit: applying the outbox then would read rows the outer
    transaction has not committed (on SQLite it waited out the busy timeout on its write lock)."""
    calls = []
    real = indexer.apply_pending
    monkeypatch.setattr(indexer, "apply_pending", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = catalog.patent("光伏组件清洗机器人", abstract="清洗光伏板。")
    with catalog.session.begin_nested():
        second = catalog.patent("风力发电机叶片除冰装置", abstract="除冰。")
    assert calls == [], "nothing is applied before the outer commit"
    catalog.commit()
    assert calls == [1]
    assert catalog.ids("光伏组件") == [first.id] and catalog.ids("除冰装置") == [second.id]
    assert_synced(catalog)


def test_a_rolled_back_savepoint_keeps_the_outer_work_pending(catalog):
    """Rolling back a savepoint undoes only its own index work; what the transaction wrote before
    it is still applied at the commit."""
    kept = catalog.patent("光伏组件清洗机器人", abstract="清洗光伏板。")
    with pytest.raises(RuntimeError):
        with catalog.session.begin_nested():
            catalog.patent("风力发电机叶片除冰装置", abstract="除冰。")
            raise RuntimeError("row rejected")
    catalog.commit()
    assert catalog.ids("光伏组件") == [kept.id], "indexed at the commit, not left in the outbox"
    assert catalog.ids("除冰装置") == []
    assert_synced(catalog)
