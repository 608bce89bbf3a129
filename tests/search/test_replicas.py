"""Index replicas: several application hosts share one database and each keeps a local index
that follows the change log with its own cursor. Hosts are simulated as runtimes with separate
index directories (and replica names) on one database: SQLite here, PostgreSQL in the second
pass of the suite.
"""
from __future__ import annotations

import time
from dataclasses import replace

import pytest
from sqlalchemy import func, select, text

from matchmaker.jobs.worker import start_background
from matchmaker.models import IndexCursor, IndexTask, Organization, OrgKind, Patent
from matchmaker.runtime import build_runtime
from matchmaker.search import changelog, indexer
from matchmaker.search.query import parse_text
from tests.conftest import is_postgres
from tests.factories import make_org, make_patent
from tests.search.conftest import BACKENDS, every_backend

search_backend = pytest.fixture(params=BACKENDS)(every_backend)
REPLICATION_SECONDS = 2.0


@pytest.fixture
def hosts(settings, tmp_path):
    """host(name) → a runtime on the shared database with its own index directory."""
    made = []

    def host(name: str, *, on_commit: bool = True):
        rt = build_runtime(replace(settings, index_dir=tmp_path / f"index-{name}",
                                   index_replica=name, index_on_commit=on_commit))
        made.append(rt)
        return rt
    yield host
    for rt in made:
        rt.dispose()


def found(rt, words: str) -> set[int]:
    return {h.id for h in rt.search.search("patent", parse_text(words)[0], limit=100).hits}


def log_size(rt) -> int:
    with rt.session_factory() as s:
        return s.scalar(select(func.count()).select_from(IndexTask))


def add_patent(rt, title: str) -> int:
    with rt.transaction() as s:
        org = s.scalar(select(Organization).limit(1)) or make_org(s, OrgKind.UNIVERSITY)
        return make_patent(s, org, title=title, abstract=f"{title}的技术方案。").id


def test_a_change_made_through_host_a_is_searchable_on_host_b_within_two_seconds(hosts):
    a, b = hosts("A"), hosts("B", on_commit=False)    # B's index follows through its worker
    b.sync_index()
    stop = start_background(b, poll=0.2)
    try:
        pid = add_patent(a, "一种滴灌带铺设装置")
        assert found(a, "滴灌带") == {pid}            # A applied its own change on commit
        started = time.monotonic()
        while found(b, "滴灌带") != {pid}:
            assert time.monotonic() - started < REPLICATION_SECONDS, "B did not catch up in 2 s"
            time.sleep(0.05)
    finally:
        stop.set()


def test_a_host_that_was_down_catches_up_from_the_log_and_the_log_is_pruned_after(hosts):
    a = hosts("A")
    b = hosts("B")
    first = add_patent(a, "红枣去核机")
    b.sync_index()
    assert found(b, "红枣") == {first}
    b.dispose()                                       # B goes down

    ids = [add_patent(a, f"残膜回收机{i}") for i in range(12)]
    with a.transaction() as s:
        s.get(Patent, ids[0]).title = "棉花打顶机"
        s.delete(s.get(Patent, ids[1]))
    a.sync_index()
    assert log_size(a) >= 14, "B has not applied these: the log keeps them"

    b = hosts("B")                                    # B comes back with its old index
    assert found(b, "残膜") == set()
    b.sync_index()
    assert found(b, "残膜") == set(ids) - {ids[1]}     # the deleted one is gone (abstracts keep 残膜)
    assert found(b, "棉花打顶机") == {ids[0]}              # the renamed one has its new title
    assert found(b, "红枣") == {first}
    assert log_size(a) == 0, "every replica passed every change: pruned"
    with b.session_factory() as s:
        assert indexer.check(s, b.search, "patent").ok


def test_a_new_host_starts_from_a_rebuild_then_follows_the_log(hosts):
    a = hosts("A")
    ids = [add_patent(a, f"光伏支架{i}") for i in range(5)]
    a.sync_index()
    assert log_size(a) == 0                           # only A exists: nothing retained
    c = hosts("C")
    c.sync_index()                                    # no index yet: rebuilt from the database
    assert found(c, "光伏支架") == set(ids)
    more = add_patent(a, "光伏支架清洗机器人")
    c.sync_index()
    assert more in found(c, "光伏支架")
    with c.session_factory() as s:
        replicas = {r["replica"]: r for r in changelog.replicas(s)}
    assert set(replicas) == {"A", "C"}
    assert replicas["C"]["kinds"]["patent"]["behind"] == 0


def test_a_replica_gone_for_good_holds_the_log_until_it_is_forgotten(hosts):
    a, b = hosts("A"), hosts("B")
    b.sync_index()
    add_patent(a, "番茄酱灌装机")
    a.sync_index()
    assert log_size(a) >= 1
    with a.session_factory() as s:
        assert changelog.forget_replica(s, "B") == 2   # patent and need cursors
    a.sync_index()
    assert log_size(a) == 0


@pytest.mark.skipif(not is_postgres(), reason="concurrent writers need PostgreSQL")
def test_numbers_follow_commit_order_not_insert_order(hosts):
    """A slow transaction inserts its change first but commits last: a replica that applied the
    later commit meanwhile must still get the slow one (an id cursor would skip it)."""
    a = hosts("A", on_commit=False)
    a.sync_index()
    slow = a.session_factory()
    slow_org = make_org(slow, OrgKind.UNIVERSITY)
    slow_id = make_patent(slow, slow_org, title="慢事务里的采棉机", abstract="采棉机。").id   # flushed
    fast = add_patent(a, "快事务里的残膜回收机")
    a.sync_index()
    assert found(a, "残膜") == {fast}
    slow.commit()
    slow.close()
    a.sync_index()
    assert found(a, "采棉机") == {slow_id}
    with a.session_factory() as s:
        seqs = dict(s.execute(text("SELECT object_id, seq FROM index_outbox")).all())
        cursor = s.get(IndexCursor, ("A", "patent"))
    assert cursor.position >= 2 and seqs == {}


@pytest.mark.skipif(not is_postgres(), reason="concurrent writers need PostgreSQL")
def test_a_change_committed_while_numbering_gets_a_number_of_its_own(hosts):
    """A change commits between the applier's statements (READ COMMITTED: each statement sees
    it). Every numbered row needs a distinct number and the counter must pass all of them, or
    the next applier numbers another change the same, and a cursor that passed the first skips
    the second for good."""
    from sqlalchemy import event

    a = hosts("A", on_commit=False)
    a.sync_index()
    first = add_patent(a, "红枣去核机")
    engine = a.engine
    injected = []

    def commit_a_change_first(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("UPDATE index_outbox SET seq") and not injected:
            injected.append(add_patent(a, "棉花打顶机"))   # another connection, committed

    event.listen(engine, "before_cursor_execute", commit_a_change_first)
    try:
        with a.session_factory() as s:
            changelog.number_new_changes(s)
    finally:
        event.remove(engine, "before_cursor_execute", commit_a_change_first)
    later = add_patent(a, "残膜回收机")
    with a.session_factory() as s:
        changelog.number_new_changes(s)
        seqs = [q for (q,) in s.execute(text("SELECT seq FROM index_outbox WHERE seq IS NOT NULL"))]
        top = changelog.last_number(s)
    assert injected and len(seqs) == len(set(seqs)) and max(seqs) == top
    a.sync_index()
    assert found(a, "红枣去核机") == {first}
    assert found(a, "棉花打顶机") == {injected[0]}
    assert found(a, "残膜回收机") == {later}
