"""All or nothing: a failure part-way through a written import leaves the database as it was.

The runner flushes each batch as it goes; the caller's transaction is what makes the import
atomic. Batches of two rows make sure rows really reach the database before the failure.
"""
from __future__ import annotations

import functools

import pytest
from sqlalchemy import func, select

from matchmaker.imports import runner, service
from matchmaker.imports.files import FileProblem
from matchmaker.imports.need_rows import NeedRows
from matchmaker.imports.patent_rows import PatentRows
from matchmaker.imports.service import ImportOptions, run_import
from matchmaker.models import ImportKind, Job, Need, OrgKind, Patent
from tests.factories import make_need, make_org
from tests.imports.helpers import TODAY, app_no, counts, write_csv

PATENT_ROWS = [["申请号", "专利名称", "法律状态", "申请日"]] + [
    [app_no(2017, "1", i), f"一种锂电池正极材料{i}", "有效", "2017-08-01"] for i in range(1, 7)]
NEED_ROWS = [["需求名称", "需求描述"]] + [[f"技术需求第{i}项", "描述"] for i in range(1, 7)]
CASES = {ImportKind.PATENTS: (PATENT_ROWS, PatentRows, Patent, OrgKind.UNIVERSITY),
         ImportKind.NEEDS: (NEED_ROWS, NeedRows, Need, OrgKind.ENTERPRISE)}


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(service, "run_rows", functools.partial(runner.run_rows, batch_size=2))


def committed(runtime) -> dict[str, int]:
    with runtime.session_factory() as s:
        return counts(s)


@pytest.mark.parametrize("kind", list(CASES))
def test_failure_on_the_third_row_rolls_back_the_rows_already_flushed(
        runtime, session, tmp_path, monkeypatch, small_batches, kind):
    rows, handler, model, org_kind = CASES[kind]
    org = make_org(session, org_kind)
    session.commit()
    path = write_csv(tmp_path / "f.csv", rows)
    before = committed(runtime)
    real_write, calls, flushed = handler.write, [], []

    def write(self, result):
        calls.append(result.number)
        if len(calls) == 3:
            raise RuntimeError("磁盘已满")
        return real_write(self, result)
    monkeypatch.setattr(handler, "write", write)

    with pytest.raises(RuntimeError, match="磁盘已满"):
        with runtime.transaction() as tx:
            target = tx.get(type(org), org.id)
            run_import(tx, path, kind, organization=target, write=True,
                       options=ImportOptions(today=TODAY),
                       progress=lambda n: flushed.append(tx.scalar(select(func.count(model.id)))))
    assert flushed == [2]            # the first batch was in the database before the failure
    assert calls == [2, 3, 4]
    assert committed(runtime) == before


def test_too_many_rows_found_mid_stream_rolls_back_everything(runtime, session, tmp_path,
                                                              small_batches):
    org = make_org(session, OrgKind.UNIVERSITY)
    session.commit()
    path = write_csv(tmp_path / "f.csv", PATENT_ROWS)
    before, flushed = committed(runtime), []
    with pytest.raises(FileProblem, match="文件超过 3 行的上限"):
        with runtime.transaction() as tx:
            run_import(tx, path, ImportKind.PATENTS, organization=tx.get(type(org), org.id),
                       write=True, options=ImportOptions(today=TODAY, max_rows=3),
                       progress=lambda n: flushed.append(tx.scalar(select(func.count(Patent.id)))))
    assert flushed == [2]
    assert committed(runtime) == before


def test_undecodable_line_found_mid_stream_rolls_back_everything(runtime, session, tmp_path,
                                                                 small_batches):
    """ASCII for the first 64 KB (sniffed as UTF-8), then a GBK title near the end."""
    org = make_org(session, OrgKind.UNIVERSITY)
    session.commit()
    rows = [["app_no", "title"]] + [[app_no(2017, "1", i), f"title {i:04d}" + "x" * 40]
                                   for i in range(1, 1200)]
    rows.append([app_no(2017, "1", 1200), "一种锂电池"])
    path = tmp_path / "f.csv"
    path.write_bytes("".join(",".join(r) + "\n" for r in rows).encode("gbk"))
    assert path.stat().st_size > 64 * 1024
    before = committed(runtime)
    flushed = []
    with pytest.raises(FileProblem, match="第 1201 行附近无法按 UTF-8 编码读取"):
        with runtime.transaction() as tx:
            run_import(tx, path, ImportKind.PATENTS, organization=tx.get(type(org), org.id),
                       write=True, options=ImportOptions(today=TODAY),
                       progress=lambda n: flushed.append(tx.scalar(select(func.count(Patent.id)))))
    assert flushed[-1] > 1000          # most rows were flushed before the bad line was reached
    assert committed(runtime) == before


def committed_ids(runtime) -> list[int]:
    with runtime.session_factory() as s:
        return list(s.scalars(select(Patent.id)))


def test_successful_import_commits_every_row_and_queues_matching_in_bulk(
        runtime, session, tmp_path, small_batches):
    org = make_org(session, OrgKind.UNIVERSITY)
    need = make_need(session, make_org(session, OrgKind.ENTERPRISE))
    jobs_before = set()
    for job in session.scalars(select(Job)):      # the need's own job, already run
        job.state = "done"
        jobs_before.add(job.id)
    session.commit()
    with runtime.transaction() as tx:
        summary = run_import(tx, write_csv(tmp_path / "f.csv", PATENT_ROWS), ImportKind.PATENTS,
                             organization=tx.get(type(org), org.id), write=True,
                             options=ImportOptions(today=TODAY))
    assert summary.counts["new"] == 6
    assert committed(runtime)["Patent"] == 6
    with runtime.session_factory() as s:
        new_jobs = [(j.kind, j.payload) for j in s.scalars(select(Job)) if j.id not in jobs_before]
    listed = sorted(committed_ids(runtime))
    # the six listings' vectors first (the worker runs jobs in the order queued), then, for six
    # listings and one open need, one job ranking the whole catalog for that need
    assert new_jobs == [("encode_vectors", {"kind": "patent", "ids": listed}),
                        ("match_need", {"need_id": need.id})]
    assert len(jobs_before) == 1


def test_preview_writes_nothing_even_when_committed(runtime, session, tmp_path):
    org = make_org(session, OrgKind.UNIVERSITY)
    session.commit()
    before = committed(runtime)
    with runtime.transaction() as tx:
        summary = run_import(tx, write_csv(tmp_path / "f.csv", PATENT_ROWS), ImportKind.PATENTS,
                             organization=tx.get(type(org), org.id), write=False,
                             options=ImportOptions(today=TODAY))
    assert summary.counts["new"] == 6 and summary.applicable == 6
    assert committed(runtime) == before
