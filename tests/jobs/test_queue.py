"""The job table: triggers that queue matching work, claiming, retries, leases, concurrency."""
from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from matchmaker.db import utcnow
from matchmaker.jobs import queue, worker
from matchmaker.jobs.queue import claim, counts, enqueue, renew
from matchmaker.jobs.worker import run_forever, run_one, run_until_empty, start_background
from matchmaker.matching.triggers import SKIP_KEY
from matchmaker.models import Job, ListingState, Match, Need, NeedState, OrgKind
from tests.factories import make_need, make_org
from tests.matching.helpers import NEED_TEXT, add_corpus, corpus_patent, count, jobs

LEASE = timedelta(seconds=30)


def kinds(session) -> list[tuple[str, dict]]:
    return [(j.kind, j.payload) for j in jobs(session)]


def expire_retry_delay(session, job_id: int) -> None:
    """Make a job waiting for its retry runnable now."""
    session.execute(update(Job).where(Job.id == job_id)
                    .values(run_after=utcnow() - timedelta(seconds=1)))
    session.commit()


@pytest.fixture
def recorder(monkeypatch):
    """A handler kind "test_record" that counts its invocations per payload `n`."""
    calls: Counter = Counter()
    lock = threading.Lock()

    def handle(rt, payload):
        with lock:
            calls[payload["n"]] += 1
        time.sleep(payload.get("sleep", 0))

    monkeypatch.setitem(worker.HANDLERS, "test_record", handle)
    return calls


# -- triggers --------------------------------------------------------------------------------

def test_new_open_need_queues_match_need(session):
    ent = make_org(session)
    need = make_need(session, ent)
    make_need(session, ent, state=NeedState.CLOSED)
    session.commit()
    assert kinds(session) == [("match_need", {"need_id": need.id})]
    job = jobs(session)[0]
    assert job.state == "queued" and job.attempts == 0 and job.max_attempts == 3


def test_job_is_part_of_the_transaction(session):
    make_need(session, make_org(session))
    session.rollback()
    assert jobs(session) == []


@pytest.mark.parametrize("field, value, queues", [
    ("title", "提高锂电池低温性能", True),
    ("description", "冬季续航短，需要低温电解液。", True),
    ("industry", "新材料", True),
    ("budget_max_wan", 50, False),
    ("region", "哈密市", False),
    ("wanted_forms", ["transfer"], False),
])
def test_need_edit_queues_only_for_matching_fields(session, field, value, queues):
    need = make_need(session, make_org(session))
    session.commit()
    before = len(jobs(session))
    setattr(need, field, value)
    session.commit()
    added = kinds(session)[before:]
    assert added == ([("match_need", {"need_id": need.id})] if queues else [])


def test_need_state_changes(session):
    need = make_need(session, make_org(session))
    session.commit()
    before = len(jobs(session))
    need.state = NeedState.CLOSED
    session.commit()
    assert len(jobs(session)) == before                # closing does not match
    need.title = "已关闭需求的新标题"
    session.commit()
    assert len(jobs(session)) == before                # nor editing a closed need
    need.state = NeedState.OPEN
    session.commit()
    assert kinds(session)[before:] == [("match_need", {"need_id": need.id})]   # reopening does


def test_listing_a_patent_queues_match_patent(session):
    uni = make_org(session, OrgKind.UNIVERSITY)
    listed = corpus_patent(session, uni, "film")
    draft = corpus_patent(session, uni, "cathode", listing_state=ListingState.DRAFT)
    session.commit()
    assert kinds(session) == [("match_patent", {"patent_id": listed.id})]
    draft.title = "一种锂离子电池正极材料"
    session.commit()
    assert len(jobs(session)) == 1                     # editing a draft: nothing
    draft.listing_state = ListingState.LISTED
    session.commit()
    assert kinds(session)[1:] == [("match_patent", {"patent_id": draft.id})]


@pytest.mark.parametrize("field, value, queues", [
    ("title", "一种改进的可降解地膜", True),
    ("abstract", "新的摘要。", True),
    ("first_claim", "1. 一种地膜。", True),
    ("industry_tags", ["节水农业"], True),
    ("readiness", 7, False),
    ("scenarios", "棉田", False),
])
def test_listed_patent_edit_queues_only_for_matching_fields(session, field, value, queues):
    patent = corpus_patent(session, make_org(session, OrgKind.UNIVERSITY), "film")
    session.commit()
    before = len(jobs(session))
    setattr(patent, field, value)
    session.commit()
    assert kinds(session)[before:] == ([("match_patent", {"patent_id": patent.id})] if queues else [])


@pytest.mark.parametrize("state", [ListingState.WITHDRAWN, ListingState.ARCHIVED])
def test_unlisted_patent_edits_do_not_queue(session, state):
    patent = corpus_patent(session, make_org(session, OrgKind.UNIVERSITY), "film")
    session.commit()
    before = len(jobs(session))
    patent.listing_state = state
    session.commit()
    patent.title = "一种撤回后修改的地膜"
    patent.abstract = "撤回后修改。"
    session.commit()
    assert len(jobs(session)) == before


def test_skip_flag_suppresses_triggers(session):
    session.info[SKIP_KEY] = True
    ent = make_org(session)
    need = make_need(session, ent)
    corpus_patent(session, make_org(session, OrgKind.UNIVERSITY), "film")
    session.commit()
    need.title = "新的标题"
    session.commit()
    assert jobs(session) == []
    session.info.pop(SKIP_KEY)
    need.title = "再改一次标题"
    session.commit()
    assert kinds(session) == [("match_need", {"need_id": need.id})]


# -- processing ------------------------------------------------------------------------------

def test_run_until_empty_processes_matching_jobs(runtime, session):
    uni = make_org(session, OrgKind.UNIVERSITY)
    patents = add_corpus(session, uni)
    session.commit()
    title, body = NEED_TEXT["wastewater"]
    need = make_need(session, make_org(session), title=title, description=body)
    session.commit()
    queued = jobs(session)
    assert Counter(j.kind for j in queued) == {"match_patent": 5, "match_need": 1}

    assert run_until_empty(runtime) == 6
    assert run_until_empty(runtime) == 0
    session.expire_all()
    assert counts(session) == {"done": 6}
    done = jobs(session)
    assert all(j.attempts == 1 and j.finished_at and j.last_error == "" for j in done)
    top = session.scalars(select(Match).where(Match.need_id == need.id)
                          .order_by(Match.score.desc())).first()
    assert top is not None and top.patent_id == patents["wastewater"].id


def test_need_edit_then_worker_updates_matches(runtime, session):
    session.info[SKIP_KEY] = True          # only the need's jobs are of interest here
    patents = add_corpus(session, make_org(session, OrgKind.UNIVERSITY))
    session.commit()
    session.info.pop(SKIP_KEY)
    need = make_need(session, make_org(session), title=NEED_TEXT["film"][0],
                     description=NEED_TEXT["film"][1])
    session.commit()
    assert run_until_empty(runtime) == 1

    def best() -> int:
        session.expire_all()
        return session.scalars(select(Match.patent_id).where(Match.need_id == need.id)
                               .order_by(Match.score.desc())).first()

    assert best() == patents["film"].id
    need = session.get(Need, need.id)
    need.title, need.description = NEED_TEXT["cathode"]
    session.commit()
    assert run_until_empty(runtime) == 1
    session.expire_all()
    assert best() == patents["cathode"].id


def test_failing_handler_is_retried_then_failed(runtime, session, monkeypatch):
    calls = []

    def boom(rt, payload):
        calls.append(payload)
        raise RuntimeError(f"boom {payload['n']}")

    monkeypatch.setitem(worker.HANDLERS, "test_boom", boom)
    job_id = enqueue(session, "test_boom", {"n": 42}).id
    session.commit()

    start = utcnow()
    assert run_one(runtime) is True
    session.expire_all()
    job = session.get(Job, job_id)
    assert (job.state, job.attempts, job.locked_by) == ("queued", 1, "")
    assert "RuntimeError: boom 42" in job.last_error
    assert job.run_after >= start + queue.RETRY_DELAY - timedelta(seconds=1)
    assert run_one(runtime) is False          # waiting for the retry delay

    expire_retry_delay(session, job_id)
    assert run_one(runtime) is True
    session.expire_all()
    job = session.get(Job, job_id)
    assert (job.state, job.attempts) == ("queued", 2)
    assert job.run_after >= utcnow() + 2 * queue.RETRY_DELAY - timedelta(seconds=5)   # backs off

    expire_retry_delay(session, job_id)
    assert run_one(runtime) is True
    session.expire_all()
    job = session.get(Job, job_id)
    assert (job.state, job.attempts) == ("failed", 3)
    assert "boom 42" in job.last_error and job.finished_at is not None
    assert len(calls) == 3

    expire_retry_delay(session, job_id)
    assert run_one(runtime) is False          # failed jobs are never claimed again
    assert counts(session) == {"failed": 1}


def test_unknown_kind_fails_with_a_clear_error(runtime, session):
    job_id = enqueue(session, "no_such_kind", {}).id
    session.execute(update(Job).where(Job.id == job_id).values(max_attempts=1))
    session.commit()
    assert run_one(runtime) is True
    session.expire_all()
    job = session.get(Job, job_id)
    assert job.state == "failed" and "no_such_kind" in job.last_error


def test_job_of_a_dead_worker_is_requeued_and_done_once(runtime, session, recorder):
    """A lease that ran out means the worker is gone: the job runs again; a lease still running
    belongs to a worker that is only busy."""
    stale_id = enqueue(session, "test_record", {"n": 1}).id
    alive_id = enqueue(session, "test_record", {"n": 2}).id
    now = utcnow()
    session.execute(update(Job).where(Job.id == stale_id).values(
        state="running", locked_by="dead-host:1:1", attempts=1, locked_at=now - timedelta(minutes=1),
        lease_until=now - timedelta(seconds=1)))
    session.execute(update(Job).where(Job.id == alive_id).values(
        state="running", locked_by="busy-host:1:1", attempts=1, locked_at=now - timedelta(hours=1),
        lease_until=now + timedelta(seconds=20)))
    session.commit()

    assert run_until_empty(runtime) == 1
    assert run_until_empty(runtime) == 0
    assert recorder == {1: 1}
    session.expire_all()
    stale, alive = session.get(Job, stale_id), session.get(Job, alive_id)
    assert (stale.state, stale.attempts) == ("done", 2)
    assert (alive.state, alive.locked_by) == ("running", "busy-host:1:1")   # an hour old, renewed


def test_job_that_keeps_killing_its_worker_is_given_up(runtime, session, recorder):
    """An expired job that already used all its attempts is marked failed, not requeued forever."""
    job_id = enqueue(session, "test_record", {"n": 7}).id
    session.execute(update(Job).where(Job.id == job_id).values(
        state="running", locked_by="dead-host:1:1", attempts=3,
        lease_until=utcnow() - timedelta(seconds=1)))
    session.commit()
    run_until_empty(runtime)
    session.expire_all()
    job = session.get(Job, job_id)
    assert recorder == {}
    assert job.state == "failed" and job.finished_at is not None and job.last_error


def test_a_lease_is_renewed_only_by_its_worker_and_overdue_jobs_are_counted(session):
    job = enqueue(session, "test_record", {"n": 1})
    session.commit()
    now = utcnow()
    assert claim(session, "w1", lease=LEASE, now=now).id == job.id
    assert session.get(Job, job.id).lease_until == now + LEASE
    assert renew(session, job.id, "w1", lease=LEASE, now=now + timedelta(seconds=10)) is True
    assert renew(session, job.id, "w2", lease=LEASE) is False          # not w2's job
    session.expire_all()
    assert session.get(Job, job.id).lease_until == now + timedelta(seconds=10) + LEASE
    assert queue.overdue(session, now + timedelta(seconds=39)) == 0
    assert queue.overdue(session, now + timedelta(seconds=41)) == 1
    queue.requeue_expired(session, now + timedelta(seconds=41))
    assert renew(session, job.id, "w1", lease=LEASE) is False          # w1 lost it
    session.expire_all()
    assert session.get(Job, job.id).state == "queued"


def test_the_worker_renews_the_lease_while_a_handler_runs(runtime, session, monkeypatch):
    """A handler that works for several leases keeps its job: nobody else may claim it."""
    import dataclasses
    rt = dataclasses.replace(runtime, settings=dataclasses.replace(runtime.settings,
                                                                   job_lease_seconds=1))
    leases, stolen = [], []

    def slow(_rt, payload):
        for _ in range(8):                      # ~2.4 s: more than two leases of 1 s
            time.sleep(0.3)
            with runtime.session_factory() as s:
                leases.append(s.get(Job, payload["me"]).lease_until)
                stolen.append(claim(s, "thief", lease=LEASE))

    monkeypatch.setitem(worker.HANDLERS, "test_slow", slow)
    job = enqueue(session, "test_slow", {"me": 0})
    session.commit()
    session.execute(update(Job).where(Job.id == job.id).values(payload={"me": job.id}))
    session.commit()
    assert run_one(rt) is True
    session.expire_all()
    done = session.get(Job, job.id)
    assert (done.state, done.attempts, done.lease_until) == ("done", 1, None)
    assert stolen == [None] * 8
    assert len(set(leases)) >= 3, "the lease was renewed while the handler ran"


def test_a_worker_that_lost_its_lease_does_not_overwrite_the_new_run(runtime, session, monkeypatch):
    """The job was requeued (lease expired) and claimed again while the first run was still
    going: the first run's completion changes nothing."""
    def overtaken(_rt, payload):
        with runtime.session_factory() as s:
            queue.requeue_expired(s, utcnow() + timedelta(hours=1))
            assert claim(s, "second", lease=LEASE, now=utcnow() + timedelta(hours=1)).id == payload["me"]

    monkeypatch.setitem(worker.HANDLERS, "test_overtaken", overtaken)
    job = enqueue(session, "test_overtaken", {"me": 0})
    session.commit()
    session.execute(update(Job).where(Job.id == job.id).values(payload={"me": job.id}))
    session.commit()
    assert run_one(runtime) is True
    session.expire_all()
    again = session.get(Job, job.id)
    assert (again.state, again.locked_by, again.attempts) == ("running", "second", 2)


def test_claim_takes_the_oldest_runnable_job(runtime, session):
    a = enqueue(session, "test_record", {"n": 1})
    b = enqueue(session, "test_record", {"n": 2})
    session.execute(update(Job).where(Job.id == a.id)
                    .values(run_after=utcnow() + timedelta(minutes=5)))
    session.commit()
    with runtime.session_factory() as fresh:   # as in run_one: a session of its own
        got = claim(fresh, "w1", lease=LEASE)
        assert got.id == b.id and got.state == "running" and got.locked_by == "w1"
        assert got.attempts == 1 and got.locked_at is not None
    assert claim(session, "w2", lease=LEASE) is None
    assert claim(session, "w2", lease=LEASE, now=utcnow() + timedelta(minutes=6)).id == a.id


def test_concurrent_claims_of_one_job_succeed_once(runtime, session):
    """Eight threads claim at the same moment; each job goes to exactly one of them."""
    workers = 8
    for n in range(5):
        enqueue(session, "test_record", {"n": n})
    session.commit()
    claimed: list[int] = []            # list.append is atomic; Counter += is not
    errors = []
    barrier = threading.Barrier(workers)

    def contender(i: int) -> None:
        try:
            with runtime.session_factory() as s:
                barrier.wait(timeout=30)
                while (job := claim(s, f"worker-{i}", lease=LEASE)) is not None:
                    claimed.append(job.id)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=contender, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(claimed) == [j.id for j in jobs(session)]     # each job exactly once
    assert {j.state for j in jobs(session)} == {"running"}


def test_worker_threads_never_run_a_job_twice(runtime, session, recorder):
    total, workers = 40, 4
    for n in range(total):
        enqueue(session, "test_record", {"n": n, "sleep": 0.01})
    session.commit()
    stops = [threading.Event() for _ in range(workers)]
    threads = [threading.Thread(target=run_forever, args=(runtime, 0.02, stop)) for stop in stops]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if counts(session).get("done", 0) == total:
                break
            session.rollback()
            time.sleep(0.05)
    finally:
        for stop in stops:
            stop.set()
        for t in threads:
            t.join(30)
    assert not any(t.is_alive() for t in threads)
    assert counts(session) == {"done": total}
    assert recorder == {n: 1 for n in range(total)}
    assert len({j.locked_by for j in jobs(session)}) >= 2, "the workers really overlapped"


def test_background_worker_runs_jobs_and_stops(runtime, session, recorder):
    stop = start_background(runtime, poll=0.02)
    try:
        enqueue(session, "test_record", {"n": 1})
        session.commit()
        deadline = time.monotonic() + 20
        while counts(session).get("done") != 1 and time.monotonic() < deadline:
            session.rollback()
            time.sleep(0.05)
    finally:
        stop.set()
    assert recorder == {1: 1}
    thread = next(t for t in threading.enumerate() if t.name == "matchmaker-worker")
    thread.join(5)
    assert not thread.is_alive()


# -- enqueue ---------------------------------------------------------------------------------

def test_enqueue_dedupes_waiting_jobs(session):
    first = enqueue(session, "match_need", {"need_id": 1})
    assert first is not None and first.state == "queued"
    assert enqueue(session, "match_need", {"need_id": 1}) is None
    assert enqueue(session, "match_need", {"need_id": 2}) is not None
    assert enqueue(session, "match_patent", {"need_id": 1}) is not None
    assert enqueue(session, "match_need", {"need_id": 1}, dedupe=False) is not None
    session.commit()
    assert count(session, Job) == 4


def test_enqueue_again_once_the_job_is_running(session):
    job = enqueue(session, "match_need", {"need_id": 1})
    session.commit()
    assert claim(session, "w1", lease=LEASE).id == job.id
    again = enqueue(session, "match_need", {"need_id": 1})
    assert again is not None and again.id != job.id
    session.commit()
    assert counts(session) == {"running": 1, "queued": 1}


def test_the_runtime_registers_the_matching_kinds(runtime, session):
    assert {"match_need", "match_patent"} <= set(worker.HANDLERS)
    enqueue(session, "match_need", {"need_id": 999_999})       # a need deleted meanwhile
    session.commit()
    assert run_until_empty(runtime) == 1
    assert counts(session) == {"done": 1}
    assert count(session, Match) == 0


def test_a_claimed_job_leaves_no_transaction_open(runtime, session):
    """While its handler runs, the worker's session holds nothing on `jobs`: an open read
    transaction there once queued a TRUNCATE, and every query behind it, for good."""
    job = enqueue(session, "noop", {"x": 1})
    session.commit()
    with runtime.session_factory() as worker_session:
        claimed = claim(worker_session, "w1", lease=timedelta(seconds=30))
        assert claimed is not None and claimed.id == job.id
        assert not worker_session.in_transaction()
        assert (claimed.kind, claimed.payload, claimed.locked_by) == ("noop", {"x": 1}, "w1")
        assert queue.complete(worker_session, claimed)
    session.expire_all()
    assert session.get(Job, job.id).state == "done"
