"""Several OS processes writing one index directory and one outbox at the same time."""
from __future__ import annotations

import dataclasses
import multiprocessing as mp

import pytest
from sqlalchemy import insert

from matchmaker.models import IndexTask
from matchmaker.runtime import build_runtime
from matchmaker.search import indexer
from matchmaker.search.query import parse_text
from matchmaker.search.whoosh_backend import WhooshBackend

from . import workers
from .conftest import Catalog

# "fork": separate processes (own engine, own Whoosh handles) without re-importing everything;
# workers.py also runs under "spawn".
CTX = mp.get_context("fork")
N = 120


@pytest.fixture
def quiet(settings):
    """A runtime that never applies the outbox itself; the workers do the indexing."""
    rt = build_runtime(dataclasses.replace(settings, index_on_commit=False))
    with rt.session_factory() as s:
        yield Catalog(rt, s)
    rt.dispose()


def make_patents(cat: Catalog, n: int, create_index: bool = True) -> list[int]:
    ids = [cat.patent(f"棉花采摘机{i}", abstract=f"第{i}号采摘装置。").id for i in range(n)]
    cat.commit()
    if create_index:  # as after the first app start; creation races are tested on their own
        cat.backend.index("patent")
    return ids


def run_all(*targets_and_args, timeout: float = 120) -> None:
    procs = [CTX.Process(target=t, args=a) for t, a in targets_and_args]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout)
    for p in procs:
        if p.is_alive():
            p.kill()
            pytest.fail(f"{p.name} did not finish within {timeout}s")
    assert [p.exitcode for p in procs] == [0] * len(procs)


def assert_index_holds(settings, ids: list[int]) -> None:
    fresh = WhooshBackend(settings.index_dir)  # reopen from disk: nothing cached
    assert fresh.doc_ids("patent") == set(ids)
    assert fresh.doc_count("patent") == len(ids), "every id exactly once (no duplicates)"
    res = fresh.search("patent", parse_text("采摘")[0], limit=len(ids) + 10)
    assert res.total == len(ids)


def test_two_processes_upsert_into_one_index(settings, quiet):
    ids = make_patents(quiet, N)
    barrier = CTX.Barrier(2)
    run_all((workers.upsert_ids, (settings, ids[0::2], 6, barrier)),
            (workers.upsert_ids, (settings, ids[1::2], 6, barrier)))

    assert_index_holds(settings, ids)
    assert indexer.check(quiet.session, WhooshBackend(settings.index_dir), "patent").ok
    # the test process's long-lived backend sees the other processes' commits too
    assert quiet.backend.doc_ids("patent") == set(ids)


def test_two_processes_creating_a_fresh_index_at_once(settings, quiet, tmp_path):
    """Two workers start on an instance whose index does not exist yet (e.g. first deploy).

    BUG: WhooshBackend.index() does `exists_in` then `create_in` with no lock between
    processes; create_in deletes every _MAIN_*.toc, so the loser crashes (NameError
    "File '_MAIN_0.toc' exists" / FileNotFoundError) or wipes the other's first commit.
    Races are timing-dependent: several rounds make a failure very likely when the bug is there.
    """
    from matchmaker.text.segmenter import get_segmenter

    get_segmenter()  # loaded once here, shared by the forked workers
    ids = make_patents(quiet, 12, create_index=False)
    for round_no in range(6):
        s = dataclasses.replace(settings, index_dir=tmp_path / f"index-{round_no}")
        barrier = CTX.Barrier(2)
        run_all((workers.upsert_ids, (s, ids[0::2], 3, barrier)),
                (workers.upsert_ids, (s, ids[1::2], 3, barrier)))
        assert_index_holds(s, ids)


def test_two_processes_apply_the_same_outbox(settings, quiet):
    ids = make_patents(quiet, N)
    assert indexer.pending_count(quiet.session) == N
    barrier = CTX.Barrier(2)
    run_all((workers.apply_outbox, (settings, 15, barrier)),
            (workers.apply_outbox, (settings, 15, barrier)))

    quiet.session.expire_all()
    assert indexer.pending_count(quiet.session) == 0
    assert_index_holds(settings, ids)
    quiet.check_ok()


def test_appliers_racing_an_editor_end_with_the_newest_titles(settings, quiet):
    """Edits committed while two appliers work are indexed in their final state."""
    ids = make_patents(quiet, N)
    # duplicate work in the outbox: the same patents queued twice
    quiet.session.execute(insert(IndexTask), [
        {"kind": "patent", "object_id": i, "op": "upsert", "attempts": 0, "last_error": ""}
        for i in ids[:30]])
    quiet.commit()
    edited = ids[:25]
    barrier = CTX.Barrier(3)
    run_all((workers.apply_outbox, (settings, 10, barrier)),
            (workers.apply_outbox, (settings, 25, barrier)),
            (workers.retitle, (settings, edited, "红枣去核机", barrier)))

    quiet.session.expire_all()
    assert indexer.pending_count(quiet.session) == 0
    assert_index_holds(settings, ids)
    fresh = WhooshBackend(settings.index_dir)
    found = {h.id for h in fresh.search("patent", parse_text("红枣")[0], limit=N).hits}
    assert found == set(edited)
    still_cotton = {h.id for h in fresh.search("patent", parse_text("棉花")[0], limit=N).hits}
    assert still_cotton == set(ids) - set(edited)
    quiet.check_ok()


def test_index_creation_does_not_wipe_a_concurrent_first_commit(tmp_path, monkeypatch):
    """The same race, interleaved deterministically: B finds no index, A creates one and
    commits a document, then B goes on to create. B must open A's index, not replace it.

    BUG: B calls create_in, which deletes A's TOC: A's committed document is gone.
    """
    from whoosh import index as windex

    a, b = WhooshBackend(tmp_path / "ix"), WhooshBackend(tmp_path / "ix")
    real_exists_in = windex.exists_in

    def exists_in_then_other_process_runs(*args, **kwargs):
        found = real_exists_in(*args, **kwargs)
        monkeypatch.setattr(windex, "exists_in", real_exists_in)  # only B's first check races
        a.upsert("patent", [{"id": "1", "title": "棉花", "tchars": "棉花"}])
        return found

    monkeypatch.setattr(windex, "exists_in", exists_in_then_other_process_runs)
    b.index("patent")
    assert WhooshBackend(tmp_path / "ix").doc_ids("patent") == {1}
    assert b.doc_ids("patent") == {1}
