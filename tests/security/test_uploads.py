"""Uploaded files are never served as HTML: downloads are attachments with spreadsheet types and
nosniff, HTML/SVG uploads are refused, and nothing under instance/uploads has a URL."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from matchmaker.imports.batches import report_path, upload_dir
from matchmaker.models import ImportBatch, OrgKind
from tests.factories import make_org, make_user
from tests.security.conftest import patent_file
from tests.web.helpers import csrf_token, login, text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


@pytest.fixture
def supplier(app, session, fast_hashing):
    user = make_user(session, make_org(session, OrgKind.UNIVERSITY))
    session.commit()
    client = app.test_client()
    assert login(client, user.login).status_code == 302
    return client


def upload(client, data: bytes, filename: str):
    token = csrf_token(text(client.get("/imports/patents")))
    return client.post("/imports/patents", data={"csrf_token": token, "encoding": "auto",
                                                 "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _is_download(response, mimetypes: tuple[str, ...]) -> None:
    assert response.status_code == 200
    assert response.mimetype in mimetypes, response.mimetype
    assert response.headers["Content-Disposition"].startswith("attachment;"), response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "html" not in response.content_type


def test_rejection_report_is_a_csv_attachment(supplier, session, settings):
    response = upload(supplier, patent_file(31), "清单.csv")
    assert response.status_code == 302
    batch = session.scalar(select(ImportBatch))
    report = supplier.get(f"/imports/batch/{batch.id}/rejections.csv")
    _is_download(report, ("text/csv",))
    assert report.headers.get("Cache-Control", "").startswith(("no-cache", "private", "max-age=0")) \
        or "max-age=0" in report.headers.get("Cache-Control", "")
    assert report_path(settings, batch).exists()


@pytest.mark.parametrize("kind", ["patents", "needs"])
@pytest.mark.parametrize("fmt,mimetype", [("csv", "text/csv"), ("xlsx", XLSX)])
def test_templates_are_attachments(supplier, kind, fmt, mimetype):
    _is_download(supplier.get(f"/imports/template/{kind}.{fmt}"), (mimetype,))


def test_kpi_exports_are_attachments(app, session, fast_hashing):
    user = make_user(session, make_org(session, OrgKind.OPERATOR))
    session.commit()
    client = app.test_client()
    login(client, user.login)
    _is_download(client.get("/kpis/export.csv"), ("text/csv",))
    _is_download(client.get("/kpis/export.xlsx"), (XLSX,))
    assert client.get("/kpis/export.html").status_code == 404


@pytest.mark.parametrize("filename,data", [
    ("evil.html", HTML), ("evil.htm", HTML), ("evil.svg", SVG), ("evil.xhtml", HTML),
    ("清单.csv.html", HTML), ("evil.svg.gz", SVG), ("evil", HTML), ("evil.html.", HTML),
    (".html", HTML), ("evil.HTML", HTML), ("evil.shtml", HTML), ("evil.xml", SVG),
])
def test_html_and_svg_uploads_are_refused(supplier, session, settings, filename, data):
    before = set(upload_dir(settings).iterdir())
    response = upload(supplier, data, filename)
    assert response.status_code == 200
    assert "请上传 .csv、.xlsx 或 .jsonl 文件" in text(response)
    assert session.scalar(select(func.count()).select_from(ImportBatch)) == 0
    assert set(upload_dir(settings).iterdir()) == before, "a refused upload was kept"


def test_html_content_in_an_accepted_extension_is_not_html_anywhere(supplier, session, settings):
    """A .csv that is really HTML is read as a table (or refused); it is never served back."""
    response = upload(supplier, HTML, "looks-like.csv")
    assert response.status_code in (200, 302)
    for path in upload_dir(settings).iterdir():
        assert path.suffix != ".html"


def test_nothing_under_uploads_is_reachable_by_url(supplier, session, settings, app, project_root):
    assert upload(supplier, patent_file(32), "清单.csv").status_code == 302
    batch = session.scalar(select(ImportBatch))
    stored = upload_dir(settings) / batch.stored_name
    assert stored.exists()
    instance = Path(settings.instance_dir)
    relative = stored.relative_to(instance).as_posix()          # uploads/imports/<name>
    static = Path(app.static_folder).resolve()
    assert not instance.resolve().is_relative_to(static), "instance folder inside static/"
    candidates = [f"/{relative}", f"/instance/{relative}", f"/static/{relative}",
                  f"/static/../instance/{relative}", f"/static/..%2finstance%2f{relative}",
                  f"/imports/{batch.stored_name}", f"/imports/batch/{batch.id}/{batch.stored_name}",
                  f"/uploads/{batch.stored_name}", f"/imports/uploads/imports/{batch.stored_name}"]
    # Traversal out of static/ towards files that do exist next to it.
    assert (project_root / "pyproject.toml").exists()
    candidates += ["/static/../pyproject.toml", "/static/..%2fpyproject.toml",
                   "/static/%2e%2e/pyproject.toml", "/static/%2e%2e%2fpyproject.toml",
                   "/static/..%5cpyproject.toml", "/static/" + str(project_root / "pyproject.toml"),
                   "/static/....//pyproject.toml", "/static/.%2e/matchmaker/config.py"]
    for url in candidates:
        response = supplier.get(url, follow_redirects=True)   # e.g. merged slashes: 308 first
        assert response.status_code in (400, 404), (url, response.status_code)
    # The only way to the upload's derived report is the authorized download route.
    rules = [r.rule for r in app.url_map.iter_rules()]
    assert [r for r in rules if "<path:" in r] == ["/static/<path:filename>"]
