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


def test_unreachable_database_is_503(app, client, monkeypatch):
    rt = app.extensions["matchmaker"]

    def down(*_a, **_k):
        raise RuntimeError("connection refused")
    monkeypatch.setattr(rt.engine, "connect", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == {"ok": False, "error": "connection refused"}


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
