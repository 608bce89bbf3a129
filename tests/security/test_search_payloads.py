"""Hostile search input: SQL-injection strings, Whoosh query syntax, huge, NUL and broken Unicode
queries on the search pages and the JSON API. Never a 5xx; the API always answers structured
JSON; nothing hidden leaks out through a clever query.
"""
from __future__ import annotations

from urllib.parse import quote

import pytest

from matchmaker.models import ListingState, OrgKind
from tests.factories import make_need, make_org, make_patent, make_user
from tests.web.helpers import login, text

PAYLOADS = [
    # SQL
    "' OR 1=1 --", "'; DROP TABLE patents; --", '" OR ""="', "1' UNION SELECT password_hash FROM users --",
    "%", "_", "\\", "%' AND 1=0 UNION SELECT 1 --", "1; SELECT pg_sleep(5)",
    # Whoosh / Lucene syntax
    "title:锂电池", "title:", "abstract:*", "*", "?", "锂*", "*电池", "(", ")", "((((", "))))",
    '"', '"unclosed', '""', "AND", "OR", "NOT", "AND OR NOT", "a AND", "NOT NOT", "锂电池 AND NOT",
    "[a TO z]", "{a TO}", "[* TO *]", "^2", "锂电池^100", "~", "锂电池~2", "field:(a OR b)",
    "/regex.*/", "a:b:c:d", "<>", "&&", "||", "!", "+-", "\t\n\r",
    # size, control characters, Unicode oddities
    "锂" * 5000, "a " * 3000, "x" * 100_000, "\x00", "a\x00b", "\x00" * 100, "\x1b[31m",
    "\ufffd", "\U0001F600" * 50, "e\u0301" * 200, "\u202e电池", "\u200b\u200b", "\ufeff锂电池",
    "ＴＩＴＬＥ：锂电池", "鋰電池 ＡＮＤ 正極",
]
# Raw query strings that are not valid UTF-8 or encode lone surrogates (CESU-8 style): the
# closest an HTTP client can get to sending an unpaired surrogate.
RAW_QUERIES = [b"q=%ED%A0%80", b"q=%ED%B0%80abc", b"q=%FF%FE%FD", b"q=%C0%AF", b"q=a%00b&ipc=%00",
               b"q=%F4%90%80%80", b"q=%", b"q=%zz", b"q&q=1&q=2", b"=&&=", b"q=" + b"%E9%94%82" * 3000]
# Other parameters the searches read.
PARAMS = ["ipc", "sort", "page", "per_page", "industry", "region", "patent_type", "legal_status",
          "owner_kind", "ipc_section", "state", "all"]


@pytest.fixture
def data(session):
    uni = make_org(session, OrgKind.UNIVERSITY)
    ent = make_org(session, OrgKind.ENTERPRISE)
    make_patent(session, uni, title="一种锂电池正极材料的制备方法", industry_tags=["新能源"])
    make_patent(session, uni, title="一种滴灌带回收装置")
    hidden = make_patent(session, uni, title="一种锂电池隔膜的秘密工艺", listing_state=ListingState.DRAFT)
    make_need(session, ent, title="提高锂电池正极材料的循环寿命")
    supplier = make_user(session, uni)
    enterprise = make_user(session, ent)
    session.commit()
    return {"hidden": hidden.id, "supplier": supplier, "enterprise": enterprise}


def _check_page(response, where: str) -> None:
    assert response.status_code < 500, (where, response.status_code, text(response)[:500])
    assert response.status_code == 200, (where, response.status_code)


def _check_api(response, where: str, hidden: int | None = None) -> None:
    assert response.status_code < 500, (where, response.status_code)
    assert response.mimetype == "application/json", where
    body = response.get_json()
    if response.status_code == 200:
        assert {"total", "page", "per_page", "results", "facets"} <= set(body), where
        assert all(isinstance(r["id"], int) for r in body["results"]), where
        if hidden is not None:
            assert hidden not in [r["id"] for r in body["results"]], f"{where}: hidden patent leaked"
    else:
        assert set(body["error"]) >= {"code", "message"}, where
        assert body["error"]["message"], where


def _queries():
    """(label, query string) pairs: each payload as q and as every other parameter, then raw."""
    for i, p in enumerate(PAYLOADS):
        yield f"q#{i}", "q=" + quote(p, safe="")
    for name in PARAMS:
        for i, p in enumerate(PAYLOADS[:25] + ["\x00", "-1", "0", "99999999999999999999", "1e9", "NaN"]):
            yield f"{name}#{i}", f"q=锂电池&{name}=" + quote(p, safe="")
    for raw in RAW_QUERIES:
        yield f"raw {raw[:30]!r}", raw.decode("ascii")


def test_patent_search_as_visitor(client, data):
    for label, qs in _queries():
        _check_page(client.get("/search/patents?" + qs), f"page {label}")
        _check_api(client.get("/api/patents/search?" + qs), f"api {label}", data["hidden"])


def test_need_search_as_supplier(client, data):
    assert login(client, data["supplier"].login).status_code == 302
    for label, qs in _queries():
        _check_page(client.get("/search/needs?" + qs), f"page {label}")
        _check_api(client.get("/api/needs/search?" + qs), f"api {label}")
        # the supplier is not an operator: all=1 never shows the draft
        _check_api(client.get("/api/patents/search?" + qs), f"api {label}", data["hidden"])


def test_need_search_errors_are_structured(client, data):
    """Anonymous: 401; an enterprise: 403 — both JSON with code and Chinese message."""
    for label, qs in list(_queries())[::7]:
        response = client.get("/api/needs/search?" + qs)
        assert response.status_code == 401, label
        _check_api(response, label)
    assert login(client, data["enterprise"].login).status_code == 302
    response = client.get("/api/needs/search?q=" + quote("' OR 1=1 --"))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "PermissionDenied"
    assert client.get("/search/needs?q=%00").status_code == 403


def test_api_errors_outside_the_search_are_json_too(client):
    for method, url, status in (("GET", "/api/nope", 404), ("POST", "/api/patents/search", None),
                                ("DELETE", "/api/needs/search", None), ("GET", "/api/patents/search/x", 404)):
        response = client.open(url, method=method)
        assert response.status_code < 500 and response.status_code >= 400, url
        if status:
            assert response.status_code == status
        _check_api(response, f"{method} {url}")


def test_query_truncation_is_reported(client, data):
    body = client.get("/api/patents/search?q=" + quote("锂电池 " * 400)).get_json()
    assert body["truncated"] is True
    assert client.get("/api/patents/search?q=锂电池").get_json()["truncated"] is False
