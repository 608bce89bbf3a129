"""The full-text index deleted or damaged under a running app (which keeps its open handles).

Database pages keep working, search answers cleanly (an empty, recreated index, or a clear 503
in Chinese, JSON under /api), /healthz says "degraded" with the rebuild hint, and
`matchmaker index rebuild` in another process restores search in the same app.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from matchmaker.models import OrgKind, Patent
from matchmaker.search.fields import KINDS
from tests.factories import make_need, make_org, make_user
from tests.matching.helpers import CORPUS, NEED_TEXT, corpus_patent
from tests.web.helpers import login, text

from .conftest import MATCHMAKER, PROJECT_ROOT, cli_env

pytestmark = pytest.mark.skipif(MATCHMAKER is None, reason="console script not installed")

DB_PAGES = ("/", "/patents/", "/patents/{patent}", "/needs/", "/needs/{need}")
SEARCHES = ("/search/patents?q=棉花", "/api/patents/search?q=棉花",
            "/search/needs?q=正极材料", "/api/needs/search?q=正极材料")


def matchmaker(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([MATCHMAKER, *args], env=cli_env(settings), cwd=str(PROJECT_ROOT),
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


@pytest.fixture
def site(client, session):
    """Committed (and indexed) patents and needs; the client is logged in as a university user,
    who may search both."""
    uni, ent = make_org(session, OrgKind.UNIVERSITY), make_org(session, OrgKind.ENTERPRISE)
    user = make_user(session, uni)
    patents = {k: corpus_patent(session, uni, k) for k in CORPUS}
    need = make_need(session, ent, title=NEED_TEXT["cathode"][0], description=NEED_TEXT["cathode"][1])
    session.commit()
    assert login(client, user.login).status_code == 302
    ids = {"patent": patents["cotton"].id, "need": need.id}
    assert search_ids(client, "patents", "棉花") == [ids["patent"]]
    assert need.id in search_ids(client, "needs", "正极材料")
    assert health(client)["status"] == "ok"
    return ids


def search_ids(client, kind: str, q: str) -> list[int]:
    response = client.get(f"/api/{kind}/search", query_string={"q": q})
    assert response.status_code == 200, text(response)[:500]
    return [hit["id"] for hit in response.get_json()["results"]]


def health(client) -> dict:
    response = client.get("/healthz")
    assert response.status_code == 200
    return response.get_json()


def assert_database_pages_work(client, ids) -> None:
    for page in DB_PAGES:
        url = page.format(**ids)
        assert client.get(url).status_code == 200, url


def assert_degraded_with_hint(client, kinds=KINDS) -> None:
    body = health(client)
    assert body["status"] == "degraded" and body["database"] == {"ok": True}
    assert body["index"]["ok"] is False
    for kind in kinds:
        assert "matchmaker index rebuild" in body["index"]["errors"][kind], body


def rebuild_and_check_restored(settings, client, ids, extra_patent: int | None = None) -> None:
    proc = matchmaker(settings, "index", "rebuild", "--procs", "1")
    assert proc.returncode == 0, proc.stderr
    assert "重建专利索引" in proc.stdout and "重建需求索引" in proc.stdout
    check = matchmaker(settings, "index", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    # The same app (its cached handles) finds the documents again.
    found = search_ids(client, "patents", "棉花")
    assert ids["patent"] in found
    if extra_patent is not None:
        assert extra_patent in found
    assert ids["need"] in search_ids(client, "needs", "正极材料")
    body = health(client)
    assert body["status"] == "ok", body
    assert body["pending"]["index_outbox"] == 0


def test_deleted_index_directory(settings, client, site):
    shutil.rmtree(settings.index_dir)             # under the app's open handles

    assert_degraded_with_hint(client)
    assert_database_pages_work(client, site)
    for url in SEARCHES:                          # no 500: an empty index is recreated
        response = client.get(url)
        assert response.status_code == 200, (url, text(response)[:300])
        if url.startswith("/api/"):
            assert response.get_json()["results"] == []
    # Still degraded: the recreated index is empty while the database has rows.
    body = health(client)
    assert body["status"] == "degraded"
    assert all("matchmaker index rebuild" in e for e in body["index"]["errors"].values())

    rebuild_and_check_restored(settings, client, site)


def _garble_toc(d: Path) -> None:
    for f in d.glob("*.toc"):
        f.write_bytes(b"\x00garbage\xff" * 4)


def _truncate_toc(d: Path) -> None:
    for f in d.glob("*.toc"):
        f.write_bytes(f.read_bytes()[:24])


def _truncate_segments(d: Path) -> None:
    segments = [f for f in d.iterdir() if f.suffix not in (".toc", "") and "LOCK" not in f.name]
    assert segments
    for f in segments:
        data = f.read_bytes()
        f.write_bytes(data[:len(data) // 3])


@pytest.mark.parametrize("damage", [_garble_toc, _truncate_toc, _truncate_segments],
                         ids=["garbled-toc", "truncated-toc", "truncated-segments"])
def test_corrupted_index(settings, client, session, site, damage):
    for kind in KINDS:
        damage(Path(settings.index_dir) / kind)

    for url in SEARCHES:
        response = client.get(url)
        assert response.status_code == 503, (url, response.status_code, text(response)[:300])
        if url.startswith("/api/"):
            error = response.get_json()["error"]
            assert error["code"] == "IndexUnavailable"
            assert "索引" in error["message"] and "matchmaker index rebuild" in error["message"]
        else:
            assert "全文检索暂时不可用" in text(response)
    assert_database_pages_work(client, site)
    body = health(client)
    assert body["status"] == "degraded" and set(body["index"]["errors"]) == set(KINDS)

    # Writing goes on: the commit stands and its index work waits in the outbox.
    owner = session.get(Patent, site["patent"]).owner
    new = corpus_patent(session, owner, "cotton", title="一种棉花打顶机")
    session.commit()
    assert client.get(f"/patents/{new.id}").status_code == 200
    assert health(client)["pending"]["index_outbox"] >= 1

    check = matchmaker(settings, "index", "check")
    assert check.returncode == 1 and "Traceback" not in check.stderr
    assert "错误：" in check.stderr and "索引" in check.stderr

    rebuild_and_check_restored(settings, client, site, extra_patent=new.id)
