"""Vectors encoded by background jobs: a bulk import's patents become findable by meaning
without anyone running `matchmaker vectors sync`."""
from __future__ import annotations

from sqlalchemy import select

from matchmaker.imports.service import ImportOptions, run_import
from matchmaker.jobs.worker import run_until_empty
from matchmaker.models import ImportKind, Job, OrgKind, Patent
from matchmaker.semantic import jobs
from matchmaker.semantic.store import PATENT
from tests.factories import make_need, make_org
from tests.imports.helpers import TODAY, app_no, write_csv

ROWS = [["申请号", "专利名称", "摘要", "法律状态", "申请日"],
        [app_no(2018, "1", 1), "一种环保脱油剂", "本发明公开了一种脱油剂，用于乳化含油废水的油水分离。", "有效", "2018-03-01"],
        [app_no(2018, "1", 2), "一种棉田残膜回收机", "本发明公开了一种残膜回收机，捡拾棉田地膜。", "有效", "2018-03-02"],
        [app_no(2018, "1", 3), "一种茶叶杀青装置", "本发明公开了一种茶叶杀青机。", "有效", "2018-03-03"]]


def test_queue_encoding_batches_the_ids_once_each(session, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH", 2)
    assert jobs.queue_encoding(session, PATENT, [5, 6, 5, 7]) == 2
    assert jobs.queue_encoding(session, PATENT, []) == 0
    got = [j.payload for j in session.scalars(select(Job).where(Job.kind == jobs.KIND).order_by(Job.id))]
    assert got == [{"kind": PATENT, "ids": [5, 6]}, {"kind": PATENT, "ids": [7]}]


def test_a_bulk_import_is_encoded_before_it_is_matched(runtime, session, tmp_path):
    uni = make_org(session, OrgKind.UNIVERSITY)
    need = make_need(session, make_org(session, OrgKind.ENTERPRISE))
    session.commit()
    run_until_empty(runtime)                     # the need's own job
    with runtime.transaction() as tx:
        summary = run_import(tx, write_csv(tmp_path / "p.csv", ROWS), ImportKind.PATENTS,
                             organization=tx.get(type(uni), uni.id), write=True,
                             options=ImportOptions(today=TODAY))
    assert summary.counts["new"] == 3
    ids = list(session.scalars(select(Patent.id).order_by(Patent.id)))
    assert runtime.vectors.stale_ids(session, PATENT, ids) == ids      # nothing encoded yet
    queued = [(j.kind, j.payload) for j in session.scalars(
        select(Job).where(Job.state == "queued").order_by(Job.id))]
    assert queued == [(jobs.KIND, {"kind": PATENT, "ids": ids}),
                      ("match_need", {"need_id": need.id})]
    session.commit()
    assert run_until_empty(runtime) == 2
    session.expire_all()
    assert {j.state for j in session.scalars(select(Job))} == {"done"}
    assert runtime.vectors.stale_ids(session, PATENT, ids) == []        # every listing encoded
    # and the channel by meaning, which scans stored vectors only, now sees them all
    oily = runtime.vectors.text_vector("含油污水破乳", "油和水乳化严重分不开")
    nearest = runtime.vectors.similarity(session, PATENT, oily).nearest(3)
    assert sorted(nearest) == ids and nearest[0] == ids[0]


def test_the_job_does_nothing_without_the_semantic_stage(runtime, session, tmp_path):
    uni = make_org(session, OrgKind.UNIVERSITY)
    session.commit()
    with runtime.transaction() as tx:
        run_import(tx, write_csv(tmp_path / "p.csv", ROWS), ImportKind.PATENTS,
                   organization=tx.get(type(uni), uni.id), write=True,
                   options=ImportOptions(today=TODAY))
    store, runtime.vectors = runtime.vectors, None
    try:
        assert run_until_empty(runtime) == 1     # no open need: the encoding job only
    finally:
        runtime.vectors = store
    session.expire_all()
    assert [j.state for j in session.scalars(select(Job))] == ["done"]
    ids = list(session.scalars(select(Patent.id)))
    assert store.stale_ids(session, PATENT, ids) == ids
