"""/healthz and request ids: what a load balancer and an operator reading logs rely on."""
from __future__ import annotations

import shutil

from matchmaker.models import OrgKind
from tests.factories import make_org, make_patent


def test_new_instance_is_healthy_with_empty_indexes(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["database"] == {"ok": True}
    assert body["index"] == {"ok": True, "documents": {"patent": 0, "need": 0}}
    assert body["pending"] == {"index_outbox": 0, "jobs_queued": 0}
    assert body["jobs"] == {"running": 0, "overdue": 0}


def test_counts_documents_and_reports_a_lost_index(app, client, session):
    make_patent(session, make_org(session, OrgKind.UNIVERSITY))
    session.commit()                                   # indexed after commit
    assert client.get("/healthz").get_json()["index"]["documents"]["patent"] == 1
    rt = app.extensions["matchmaker"]
    rt.search.forget()
    shutil.rmtree(rt.search.path("patent"))
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "degraded"
    assert "matchmaker index rebuild" in body["index"]["errors"]["patent"]
    assert client.get("/patents/").status_code == 200   # database pages keep working


DRIVER_ERROR = ('connection to server at "10.20.30.40", port 6543 failed: Connection refused\n'
                '\tIs the server running on that host and accepting TCP/IP connections?')


def test_unreachable_database_is_503_in_status_words_only(app, client, monkeypatch, caplog):
    """Issue 11: the driver's message (database host and port) went to anonymous callers."""
    import logging

    from sqlalchemy.exc import OperationalError
    rt = app.extensions["matchmaker"]

    def down(*_a, **_k):
        raise OperationalError("SELECT 1", {}, Exception(DRIVER_ERROR))
    monkeypatch.setattr(rt.engine, "connect", down)
    with caplog.at_level(logging.WARNING, logger="matchmaker"):
        response = client.get("/healthz", headers={"X-Request-ID": "probe-0001"})
    assert response.status_code == 503
    assert response.get_json() == {"status": "down", "database": {"ok": False}}
    assert "10.20.30.40" not in response.get_data(as_text=True)
    logged = [r for r in caplog.records if "10.20.30.40" in r.getMessage()]
    assert logged and logged[0].fields["request_id"] == "probe-0001"   # the details: in the log


def test_index_problems_are_fixed_words_without_paths_or_exception_text(app, client, session):
    make_patent(session, make_org(session, OrgKind.UNIVERSITY))
    session.commit()
    rt = app.extensions["matchmaker"]
    rt.search.forget()
    toc = next(rt.search.path("patent").glob("_MAIN_*.toc"))
    toc.write_bytes(b"garbage")
    body = client.get("/healthz").get_json()
    assert body["status"] == "degraded"
    assert body["index"]["errors"] == {"patent": "索引无法读取，请运行 matchmaker index rebuild"}
    assert str(rt.settings.instance_dir) not in str(body)


def test_request_id_is_echoed_or_generated(client):
    given = client.get("/healthz", headers={"X-Request-ID": "abc12345-proxy"})
    assert given.headers["X-Request-ID"] == "abc12345-proxy"
    made = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert made.headers["X-Request-ID"] != "<script>" and len(made.headers["X-Request-ID"]) == 32


def test_one_json_log_line_per_request(client, caplog):
    import logging
    with caplog.at_level(logging.INFO, logger="matchmaker.request"):
        client.get("/healthz", headers={"X-Request-ID": "trace-0001"})
    record = next(r for r in caplog.records if r.name == "matchmaker.request")
    assert record.fields["request_id"] == "trace-0001" and record.fields["status"] == 200
    assert record.fields["path"] == "/healthz" and record.fields["duration_ms"] >= 0


def test_database_errors_in_pages_are_a_clear_503_and_the_app_recovers(client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from matchmaker.web import views_patents

    real = views_patents.catalog.find_patents

    def broken(*_a, **_k):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
    monkeypatch.setattr(views_patents.catalog, "find_patents", broken)
    page = client.get("/patents/")
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "数据库暂时不可用" in page.get_data(as_text=True)
    monkeypatch.setattr(views_patents.catalog, "find_patents", real)
    assert client.get("/patents/").status_code == 200


def test_running_and_overdue_jobs_are_reported_and_overdue_ones_degrade(client, session):
    """Issue 11: matches were 10 minutes late while /healthz said ok with 0 queued."""
    from datetime import timedelta

    from matchmaker.db import utcnow
    from matchmaker.jobs.queue import enqueue
    busy, lost = enqueue(session, "match_need", {"need_id": 1}), enqueue(session, "match_need", {"need_id": 2})
    now = utcnow()
    busy.state, busy.locked_by, busy.lease_until = "running", "host:1:1", now + timedelta(seconds=20)
    lost.state, lost.locked_by, lost.lease_until = "running", "host:2:1", now - timedelta(seconds=1)
    session.commit()
    body = client.get("/healthz").get_json()
    assert body["jobs"] == {"running": 2, "overdue": 1}
    assert body["status"] == "degraded"
    lost.lease_until = now + timedelta(seconds=20)      # renewed after all
    session.commit()
    assert client.get("/healthz").get_json()["status"] == "ok"
