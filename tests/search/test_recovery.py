"""A crash (or an index failure) between the database commit and the index write loses nothing:
the outbox keeps the work until `apply_pending`, app start-up or `matchmaker index sync`."""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from matchmaker.models import IndexTask, OrgKind, Patent
from matchmaker.runtime import build_runtime
from matchmaker.search import indexer, whoosh_backend
from matchmaker.search.query import parse_text
from matchmaker.search.whoosh_backend import WhooshBackend

from .conftest import Catalog, run_cli


@pytest.fixture
def crashy(settings):
    """A runtime whose commits never reach the index (as if the process died right after)."""
    rt = build_runtime(dataclasses.replace(settings, index_on_commit=False))
    rt.sync_index()    # a running deployment: the replica follows the change log already
    with rt.session_factory() as s:
        yield Catalog(rt, s)
    rt.dispose()


def fresh_ids(settings, q: str) -> set[int]:
    """Search with a brand-new backend (nothing cached from the test process)."""
    res = WhooshBackend(settings.index_dir).search("patent", parse_text(q)[0], limit=100)
    return {h.id for h in res.hits}


def crash_after_commit(crashy) -> Patent:
    p = crashy.patent("光伏组件清洗机器人", abstract="清洗光伏板。")
    n = crashy.need("光伏板积灰", description="光伏板积灰严重。")
    crashy.commit()
    assert p.id not in crashy.backend.doc_ids("patent")
    assert crashy.ids("光伏") == []
    assert indexer.pending_count(crashy.session) >= 2
    rep = indexer.check(crashy.session, crashy.backend, "patent")
    assert rep.missing == [p.id] and rep.extra == [] and not rep.ok
    assert indexer.check(crashy.session, crashy.backend, "need").missing == [n.id]
    return p


def test_apply_pending_catches_up(crashy):
    p = crash_after_commit(crashy)
    applied = indexer.apply_pending(crashy.runtime.session_factory, crashy.backend)
    assert applied >= 2
    assert crashy.ids("光伏") == [p.id]
    assert indexer.pending_count(crashy.session) == 0
    crashy.check_ok()
    assert indexer.apply_pending(crashy.runtime.session_factory, crashy.backend) == 0


def test_apply_pending_in_small_batches(crashy):
    ps = [crashy.patent(f"棉花采摘机{i}", abstract="采摘。") for i in range(25)]
    crashy.commit()
    assert indexer.apply_pending(crashy.runtime.session_factory, crashy.backend, batch=7) == 25
    assert crashy.backend.doc_ids("patent") == {p.id for p in ps}
    assert indexer.pending_count(crashy.session) == 0


def test_web_app_start_syncs_the_outbox(settings, crashy):
    from matchmaker.web import create_app

    p = crash_after_commit(crashy)
    app = create_app(settings)
    try:
        assert fresh_ids(settings, "光伏") == {p.id}
        crashy.session.expire_all()
        assert indexer.pending_count(crashy.session) == 0
        crashy.check_ok()
    finally:
        app.extensions["matchmaker"].dispose()


def test_cli_sync_in_another_process(settings, crashy):
    p = crash_after_commit(crashy)
    before = indexer.pending_count(crashy.session)
    proc = run_cli(settings, "index", "sync")
    assert proc.returncode == 0, proc.stderr
    assert f"同步前待处理 {before} 条" in proc.stdout
    assert fresh_ids(settings, "光伏") == {p.id}
    assert crashy.ids("光伏") == [p.id], "a long-lived backend sees another process's commit"
    crashy.session.expire_all()
    assert indexer.pending_count(crashy.session) == 0
    crashy.check_ok()


def test_delete_during_a_crash_is_applied_later(catalog, crashy):
    p = catalog.patent("棉花采摘机", abstract="采摘。")
    catalog.commit()
    assert catalog.ids("棉花") == [p.id]

    doomed = crashy.session.get(Patent, p.id)
    crashy.session.delete(doomed)
    crashy.commit()
    rep = indexer.check(crashy.session, crashy.backend, "patent")
    assert rep.extra == [p.id] and rep.missing == []
    # the stale hit is dropped by the service (the row is gone), never shown as a ghost
    assert crashy.ids("棉花") == []
    indexer.apply_pending(crashy.runtime.session_factory, crashy.backend)
    assert p.id not in crashy.backend.doc_ids("patent")
    crashy.check_ok()


def test_latest_committed_state_wins_after_several_crashed_updates(crashy):
    p = crashy.patent("棉花采摘机", abstract="采摘。")
    crashy.commit()
    for title in ("番茄采摘机", "辣椒采摘机", "红枣采摘机"):
        p.title = title
        crashy.commit()
    indexer.apply_pending(crashy.runtime.session_factory, crashy.backend)
    assert crashy.ids("红枣") == [p.id]
    assert crashy.ids("棉花") == crashy.ids("番茄") == crashy.ids("辣椒") == []


# -- index failures --------------------------------------------------------------------

def boom(*_a, **_k):
    raise OSError("disk full")


def test_failing_index_write_keeps_commit_and_outbox(catalog, monkeypatch, caplog):
    catalog.runtime.sync_index()     # the replica has joined the change log
    monkeypatch.setattr(catalog.backend, "batch", boom)
    p = catalog.patent("光伏组件清洗机器人", abstract="清洗。")
    catalog.commit()  # must not raise: the data is committed, the index catches up later
    assert "index update failed" in caplog.text

    with catalog.runtime.session_factory() as other:
        assert other.get(Patent, p.id).title == "光伏组件清洗机器人", "the DB commit stands"
        tasks = other.scalars(select(IndexTask).where(IndexTask.object_id == p.id)).all()
        assert [(t.kind, t.op) for t in tasks] == [("patent", "upsert")]
        assert indexer.check(other, catalog.backend, "patent").missing == [p.id]

    with pytest.raises(OSError):
        indexer.apply_pending(catalog.runtime.session_factory, catalog.backend)
    assert indexer.pending_count(catalog.session) == 1

    monkeypatch.undo()
    assert catalog.runtime.sync_index() == 1
    assert catalog.ids("光伏") == [p.id]
    assert indexer.pending_count(catalog.session) == 0
    catalog.check_ok()


def test_failure_mid_batch_writes_nothing(crashy, monkeypatch):
    ps = [crashy.patent(f"棉花采摘机{i}", abstract="采摘。") for i in range(5)]
    crashy.commit()
    real = indexer.to_document
    calls = []

    def flaky(kind, obj):
        calls.append(obj.id)
        if len(calls) == 3:
            raise RuntimeError("tokenizer crashed")
        return real(kind, obj)

    monkeypatch.setattr(indexer, "to_document", flaky)
    with pytest.raises(RuntimeError):
        indexer.apply_pending(crashy.runtime.session_factory, crashy.backend)
    assert crashy.backend.doc_ids("patent") == set(), "the writer was cancelled, not half-committed"
    assert indexer.pending_count(crashy.session) == 5
    monkeypatch.undo()
    indexer.apply_pending(crashy.runtime.session_factory, crashy.backend)
    assert crashy.backend.doc_ids("patent") == {p.id for p in ps}
    crashy.check_ok()


def test_busy_index_lock_does_not_fail_the_commit(catalog, monkeypatch):
    """Another process holds the writer lock longer than the timeout: the commit still succeeds."""
    catalog.backend.index("patent")
    monkeypatch.setattr(whoosh_backend, "WRITER_TIMEOUT", 0.3)
    other = WhooshBackend(catalog.runtime.settings.index_dir)
    with other.writer("patent"):
        p = catalog.patent("红枣去核机", abstract="去核。")
        catalog.commit()
        assert indexer.pending_count(catalog.session) == 1
    assert catalog.runtime.sync_index() == 1
    assert catalog.ids("红枣") == [p.id]
    catalog.check_ok()


def test_outbox_holds_work_for_both_kinds(catalog, crashy):
    """Outbox rows are per change, and applying clears them for both kinds."""
    operator = catalog.user(OrgKind.OPERATOR)  # committed through the indexing runtime
    crashy.patent("红枣去核机", abstract="去核。")
    crashy.need("红枣加工", description="加工。")
    crashy.commit()
    kinds = sorted(crashy.session.scalars(select(IndexTask.kind)))
    assert kinds == ["need", "patent"]
    indexer.apply_pending(crashy.runtime.session_factory, crashy.backend)
    assert indexer.pending_count(crashy.session) == 0
    assert catalog.ids("红枣", operator, include_unavailable=True) != []


def test_a_change_committed_between_batches_is_indexed_in_its_new_state(crashy):
    """One apply loads a patent in an early batch; an edit commits before a later batch of the
    same apply loads it again. The later batch must read the edit, not the copy the applier's
    session still holds from the first batch (sessions keep objects across commits)."""
    p = crashy.patent("棉花采摘机", abstract="采摘棉花。")
    for i in range(3):
        crashy.patent(f"红枣去核机{i}", abstract="红枣去核。")
    crashy.commit()
    # the same patent queued again behind the others: it comes back in the last batch
    crashy.session.add(IndexTask(kind="patent", object_id=p.id, op="upsert", attempts=0,
                                 last_error=""))
    crashy.commit()
    backend, factory = crashy.backend, crashy.runtime.session_factory
    real_batch, batches = backend.batch, []

    def edit_after_first_batch(kind):
        if batches == [1]:   # between the first and the second batch
            with factory() as other:
                other.get(Patent, p.id).title = "葡萄干燥机"
                other.commit()
        batches.append(1)
        return real_batch(kind)

    backend.batch = edit_after_first_batch
    try:
        indexer.apply_pending(factory, backend, batch=2)
    finally:
        del backend.batch
    assert len(batches) >= 2
    assert p.id in {h.id for h in backend.search("patent", parse_text("葡萄干燥机")[0]).hits}
    assert p.id not in {h.id for h in backend.search("patent", parse_text("棉花采摘机")[0]).hits}
