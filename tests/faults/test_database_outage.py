"""The database goes away and comes back: pages say so (503 "数据库暂时不可用", JSON under /api,
/healthz 503), the background worker keeps its loop alive, and the *same* app object serves
200 again once the database is back, without a restart.

On PostgreSQL the app reaches a private database (created and dropped here, never the shared
test database) through a TCP forwarder that is stopped and started; killed server backends are
also replaced transparently. On SQLite, where there is no server to lose, new connections are
made to fail and the pool is emptied.
"""
from __future__ import annotations

import dataclasses
import os
import sqlite3
import uuid

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.engine import make_url

from matchmaker.config import Settings
from matchmaker.db import make_engine
from matchmaker.jobs import queue, worker
from matchmaker.migrate import upgrade
from matchmaker.models import Job, OrgKind
from matchmaker.runtime import build_runtime
from tests.conftest import TEST_DB_URL, TEST_SECRET_KEY, is_postgres
from tests.factories import make_need, make_org, make_user
from tests.matching.helpers import corpus_patent
from tests.web.helpers import login, text as body_text

from .conftest import wait_for
from .tcp_proxy import TcpProxy

DOWN = "数据库暂时不可用"


# -- how the database goes away -------------------------------------------------------------

class SqliteOutage:
    """New connections of the watched engines fail as an unreadable database file would;
    pooled ones are dropped when the outage starts, and statements on connections checked out
    before it fail too (as on a server that went away)."""

    def __init__(self):
        self.engines = []
        self.down = False

    def watch(self, engine) -> None:
        self.engines.append(engine)
        event.listen(engine, "do_connect", self._connect)
        event.listen(engine, "before_cursor_execute", self._execute)

    def _connect(self, *_args):
        if self.down:
            raise sqlite3.OperationalError("unable to open database file")
        return None

    def _execute(self, *_args):
        if self.down:
            raise sqlite3.OperationalError("disk I/O error")

    def start(self) -> None:
        self.down = True
        for engine in self.engines:
            engine.pool.dispose()

    def end(self) -> None:
        self.down = False


class ProxyOutage:
    """Every connection goes through a TCP forwarder: stopping it cuts them all and refuses
    new ones, as a database restart or a network partition does."""

    def __init__(self, proxy: TcpProxy):
        self.proxy = proxy

    def watch(self, engine) -> None:
        pass

    def start(self) -> None:
        self.proxy.stop()

    def end(self) -> None:
        self.proxy.start()


@pytest.fixture(scope="module")
def private_pg():
    """A private, migrated PostgreSQL database for this module; dropped afterwards."""
    url = make_url(TEST_DB_URL)
    name = f"faults_outage_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    maintenance = make_engine(url.set(database="postgres").render_as_string(hide_password=False),
                              isolation_level="AUTOCOMMIT")
    try:
        with maintenance.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no right to create databases: nothing destructive is run
        maintenance.dispose()
        pytest.skip(f"cannot create a private database: {exc}")
    private = url.set(database=name)
    engine = make_engine(private.render_as_string(hide_password=False))
    upgrade(engine)
    engine.dispose()
    try:
        yield private, name, maintenance
    finally:
        with maintenance.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        maintenance.dispose()


@pytest.fixture
def outage_setup(request, tmp_path):
    """(settings, outage, pg) for an app whose database can be taken away."""
    if is_postgres():
        private, name, maintenance = request.getfixturevalue("private_pg")
        proxy = TcpProxy(private.host or "127.0.0.1", private.port or 5432).start()
        url = private.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        settings = Settings(instance_dir=tmp_path / "instance", database_url=url,
                            secret_key=TEST_SECRET_KEY, testing=True).resolved()
        yield settings, ProxyOutage(proxy), (name, maintenance)
        proxy.stop()
    else:
        settings = request.getfixturevalue("settings")
        yield settings, SqliteOutage(), None


# -- the test -------------------------------------------------------------------------------

PAGES = ("/", "/patents/", "/patents/{patent}", "/search/patents?q=棉花")


def assert_up(anon, member, ids) -> None:
    for url in PAGES:
        response = anon.get(url.format(**ids))
        assert response.status_code == 200, (url, body_text(response)[:300])
    api = anon.get("/api/patents/search", query_string={"q": "棉花"})
    assert api.status_code == 200 and [h["id"] for h in api.get_json()["results"]] == [ids["patent"]]
    health = anon.get("/healthz")
    assert health.status_code == 200 and health.get_json()["database"] == {"ok": True}
    page = member.get(f"/needs/{ids['need']}")            # still logged in
    assert page.status_code == 200 and ids["need_title"] in body_text(page)


def assert_down(anon, member, ids) -> None:
    for url in PAGES:
        response = anon.get(url.format(**ids))
        assert response.status_code == 503, (url, response.status_code, body_text(response)[:300])
        assert DOWN in body_text(response) and response.headers["Retry-After"] == "5"
    api = anon.get("/api/patents/search", query_string={"q": "棉花"})
    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert api.get_json() == {"error": {"code": "DatabaseUnavailable",
                                        "message": "数据库暂时不可用，请稍后再试"}}
    health = anon.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["status"] == "down" and health.get_json()["database"]["ok"] is False
    # A logged-in user: loading the user needs the database too; the page says why.
    page = member.get(f"/needs/{ids['need']}")
    assert page.status_code == 503 and DOWN in body_text(page)
    form = member.get("/login")
    assert form.status_code in (200, 302, 503)            # never a 500


def test_outage_is_a_clear_503_and_the_same_app_recovers(outage_setup, monkeypatch):
    from matchmaker.web import create_app

    settings, outage, _pg = outage_setup
    app = create_app(settings)
    rt = app.extensions["matchmaker"]
    outage.watch(rt.engine)
    with rt.session_factory() as s:
        uni, ent = make_org(s, OrgKind.UNIVERSITY), make_org(s, OrgKind.ENTERPRISE)
        user = make_user(s, uni)
        patent = corpus_patent(s, uni, "cotton")
        need = make_need(s, ent, title="棉花清花除杂设备需求")
        s.commit()
        ids = {"patent": patent.id, "need": need.id, "need_title": need.title}
        login_name = user.login
    anon, member = app.test_client(), app.test_client()
    assert login(member, login_name).status_code == 302

    # The job worker of the same deployment, in a thread with its own engine.
    ran: list[int] = []
    monkeypatch.setitem(worker.HANDLERS, "fault_ping", lambda _rt, payload: ran.append(payload["n"]))
    wrt = build_runtime(dataclasses.replace(settings, index_on_commit=False))
    outage.watch(wrt.engine)
    stop = worker.start_background(wrt, poll=0.05)
    try:
        assert_up(anon, member, ids)

        outage.start()
        assert_down(anon, member, ids)
        assert_down(anon, member, ids)                    # still down, still clear
        outage.end()

        assert_up(anon, member, ids)
        # The worker loop survived the outage and runs new work.
        with rt.session_factory() as s:
            job = queue.enqueue(s, "fault_ping", {"n": 1})
            s.commit()
            job_id = job.id
        wait_for(lambda: ran == [1], timeout=20, what="the worker to run a job after the outage")

        def done():
            with rt.session_factory() as s:
                return s.scalar(select(Job.state).where(Job.id == job_id)) == "done"
        wait_for(done, timeout=20, what="the job to be marked done")
    finally:
        stop.set()
        wrt.dispose()
        rt.dispose()


@pytest.mark.skipif(not is_postgres(), reason="killing server backends needs PostgreSQL")
def test_killed_server_connections_are_replaced_without_errors(outage_setup):
    """pg_terminate_backend on every connection of the app (as a server restart or an admin
    would): the pool notices on checkout and reconnects; no request fails."""
    from matchmaker.web import create_app

    settings, _outage, (name, maintenance) = outage_setup
    app = create_app(settings)
    rt = app.extensions["matchmaker"]
    try:
        with rt.session_factory() as s:
            patent = corpus_patent(s, make_org(s, OrgKind.UNIVERSITY), "cotton")
            s.commit()
            pid = patent.id
        client = app.test_client()
        for _ in range(3):
            assert client.get(f"/patents/{pid}").status_code == 200
        with maintenance.connect() as conn:
            killed = conn.scalar(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
        assert killed >= 1
        for url in (f"/patents/{pid}", "/patents/", "/healthz", "/api/patents/search?q=棉花"):
            response = client.get(url)
            assert response.status_code == 200, (url, body_text(response)[:300])
    finally:
        rt.dispose()


def test_a_job_cut_off_by_a_five_second_outage_runs_again_within_its_lease(outage_setup,
                                                                          monkeypatch):
    """Issue 11: a live worker whose job hit a 5-second database cut could record neither the
    failure nor the result, and the job stayed "running" for the fixed 10-minute stale time.
    With a lease, the job is requeued once the lease the worker could not renew runs out, and
    the same worker (still alive) runs it again."""
    import threading
    import time

    settings, outage, _pg = outage_setup
    settings = dataclasses.replace(settings, index_on_commit=False, job_lease_seconds=3)
    rt = build_runtime(settings)
    started, cut = threading.Event(), threading.Event()
    runs: list[float] = []

    def handler(hrt, _payload):
        runs.append(time.monotonic())
        if len(runs) == 1:
            started.set()
            cut.wait(30)                         # the database is gone now
            with hrt.transaction() as s:         # so this fails, and so does recording it
                s.execute(text("SELECT 1"))

    monkeypatch.setitem(worker.HANDLERS, "fault_cut", handler)
    wrt = build_runtime(settings)
    outage.watch(wrt.engine)
    with rt.session_factory() as s:
        job_id = queue.enqueue(s, "fault_cut", {}).id
        s.commit()
    stop = worker.start_background(wrt, poll=0.1)
    try:
        assert started.wait(30), "the job did not start"
        outage.start()
        cut.set()
        time.sleep(5)                            # a five-second cut
        outage.end()
        back = time.monotonic()

        def finished():
            with rt.session_factory() as s:
                return s.get(Job, job_id).state == "done"
        wait_for(finished, timeout=60, interval=0.1, what="the job to run again")
        recovered_after = time.monotonic() - back
    finally:
        stop.set()
        wrt.dispose()
    with rt.session_factory() as s:
        job = s.get(Job, job_id)
        assert (job.state, job.attempts) == ("done", 2)
    rt.dispose()
    assert len(runs) == 2
    assert recovered_after < settings.job_lease_seconds + 10, recovered_after
