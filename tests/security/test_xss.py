"""Stored and reflected XSS: script payloads typed into every text field users can write come
back escaped on every page that shows them.

Everything is entered through the real forms (registration, patents, offers, needs, deal
requests and steps, notes, match feedback, uploads), so the test also covers what the input
path keeps. Each field carries its own marker (XSS-<field>), which shows where it is rendered.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from matchmaker.catalog.organizations import link_station_client
from matchmaker.models import (Deal, LicenceOffer, Match, Need, Organization, OrgKind,
                               Patent, User)
from tests.factories import make_org, make_patent, make_user, valid_app_no, valid_credit_code
from tests.security.conftest import PATENT_HEADERS, NEED_HEADERS, csv_bytes
from tests.web.helpers import csrf_token, login, logout, post_form, text


def payload(tag: str) -> str:
    """A script element and an attribute break-out, both naming the field."""
    return f"<script>alert('XSS-{tag}')</script>\"><img src=x onerror=alert('XSS-{tag}')>"


def short_payload(tag: str) -> str:
    """For fields limited to a few dozen characters."""
    return f"\"><img src=x onerror=alert('XSS-{tag}')>"


# What must never appear in a page: markup that only exists if a payload went out unescaped.
RAW = re.compile(r"<script>alert\(|<img src=x onerror|\"><img", re.I)
MARKER = re.compile(r"XSS-([a-z0-9-]+)")
PASSWORD = "secret-pass-1"


def assert_escaped(url: str, body: str) -> set[str]:
    """No raw payload in `body`; returns the markers of the fields it shows."""
    found = RAW.search(body)
    assert found is None, f"{url}: unescaped payload …{body[max(0, found.start() - 80):found.end() + 80]}…"
    return set(MARKER.findall(body))


@dataclass
class Scene:
    op: object
    uni: object
    ent: object
    stn: object
    patent: Patent = None
    offer: LicenceOffer = None
    need: Need = None
    deal: Deal = None
    matches: list = field(default_factory=list)
    batches: list = field(default_factory=list)


def register(client, kind: str, tag: str, email: str, n: int):
    data = {"kind": kind, "name": payload(f"{tag}-org"), "region": "乌鲁木齐市",
            "credit_code": "" if kind == "university" else valid_credit_code(500 + n),
            "address": payload(f"{tag}-addr"), "contact_name": short_payload(f"{tag}-cn"),
            "contact_phone": "0991-1234567", "login": email, "password": PASSWORD,
            "password_confirm": PASSWORD, "display_name": payload(f"{tag}-user")}
    response = post_form(client, "/register", data)
    assert response.status_code == 302, problems(response)


def problems(response) -> str:
    """The form messages of a re-rendered page (for assertion messages)."""
    body = text(response)
    return " | ".join(re.findall(r'(?:form-errors|class="field-error|data-testid="error-[^"]*")[^>]*>(.*?)</', body, re.S)) or body[:2000]


def upload(client, url: str, data: bytes, filename: str, **fields):
    token = csrf_token(text(client.get(url)))
    response = client.post(url, data={"csrf_token": token, "encoding": "auto", "list_valid": "y",
                                      "file": (io.BytesIO(data), filename), **fields},
                           content_type="multipart/form-data")
    assert response.status_code == 302, problems(response)
    return int(response.headers["Location"].rsplit("/", 1)[1])


@pytest.fixture
def scene(app, session, fast_hashing) -> Scene:
    client = app.test_client()
    op_org = make_org(session, OrgKind.OPERATOR, name="平台运营中心")
    op = make_user(session, op_org, display_name="运营")
    session.commit()

    # Self-registration of a university and an enterprise; the operator approves both.
    register(client, "university", "uni", "xss-uni@example.com", 1)
    register(client, "enterprise", "ent", "xss-ent@example.com", 2)
    login(client, op.login)
    pending = text(client.get("/admin"))
    assert_escaped("/admin", pending)
    for org in session.scalars(select(Organization).where(Organization.kind != OrgKind.OPERATOR)):
        assert client.post(f"/admin/organizations/{org.id}/approve",
                           data={"csrf_token": csrf_token(pending)}).status_code == 302
    logout(client)
    session.expire_all()
    uni = session.scalar(select(User).where(User.login == "xss-uni@example.com"))
    ent = session.scalar(select(User).where(User.login == "xss-ent@example.com"))
    stn_org = make_org(session, OrgKind.STATION, name=payload("stn-org"))
    stn = make_user(session, stn_org, display_name=payload("stn-user"))
    link_station_client(session, stn_org, ent.organization)
    session.commit()
    s = Scene(op=op, uni=uni, ent=ent, stn=stn)

    # The university registers a patent and publishes licence terms.
    login(client, uni.login, PASSWORD)
    response = post_form(client, "/patents/new", {
        "title": "锂电池正极材料" + payload("pt-title"), "app_no": valid_app_no(2019, "1", 4242),
        "legal_status": "valid", "filing_date": "2019-04-01", "listing_state": "listed",
        "abstract": "一种锂电池正极材料。" + payload("pt-abs"), "first_claim": payload("pt-claim"),
        "scenarios": payload("pt-scn"), "inventors": short_payload("pt-inv"),
        "industry_tags": "新能源", "readiness": "5"})
    assert response.status_code == 302, problems(response)
    s.patent = session.scalar(select(Patent).where(Patent.owner_id == uni.organization_id))
    response = post_form(client, f"/patents/{s.patent.id}/offers/new", {
        "licence_type": "ordinary", "free_months": "6", "payment_mode": "lump_sum",
        "lump_sum_wan": "10", "term_months": "36", "territory": short_payload("of-terr"),
        "field_of_use": short_payload("of-field"), "fee_standard": payload("of-fee"),
        "payment_method": short_payload("of-pay"), "note": payload("of-note")})
    assert response.status_code == 302, problems(response)
    s.offer = session.scalar(select(LicenceOffer).where(LicenceOffer.patent_id == s.patent.id))
    # An upload whose name, header and cells carry payloads (one row updates the patent above).
    s.batches.append(upload(client, "/imports/patents", csv_bytes(
        PATENT_HEADERS + [payload("imp-header")], [
            [valid_app_no(2019, "1", 4343), "锂电池隔膜" + payload("imp-title"),
             payload("imp-abs"), "有效", "2019-03-01", "x"],
            [s.patent.app_no, s.patent.title, "一种锂电池正极材料。" + payload("imp-upd"), "有效",
             "2019-04-01", "x"],
            [short_payload("imp-key"), payload("imp-bad"), "摘要", "有效", "2019-03-01", "x"],
        ]), "<img src=x onerror=alert('XSS-imp-file')>.csv"))   # browsers send '"' as %22
    logout(client)

    # The enterprise posts a need.
    login(client, ent.login, PASSWORD)
    response = post_form(client, "/needs/new", {
        "title": "锂电池正极材料循环寿命" + payload("nd-title"),
        "description": "正极材料" + payload("nd-desc"), "industry": "新能源", "region": "",
        "wanted_forms": "licence", "valid_until": (date.today() + timedelta(days=60)).isoformat()})
    assert response.status_code == 302, problems(response)
    s.need = session.scalar(select(Need).where(Need.enterprise_id == ent.organization_id))
    s.batches.append(upload(client, "/imports/needs", csv_bytes(NEED_HEADERS, [
        ["XQ-1", "节水灌溉" + payload("impn-title"), payload("impn-desc"), "农产品加工", "许可",
         (date.today() + timedelta(days=30)).isoformat()],
        [short_payload("impn-key"), "", payload("impn-bad"), "农产品加工", "许可", ""],
    ]), "需求.csv"))

    # Matches (stored directly: their terms come from the index in real life) and feedback.
    other = make_patent(session, uni.organization, title="一种正极材料包覆设备" + payload("pt2-title"),
                        abstract=payload("pt2-abs"))
    for patent, terms in ((s.patent, ["正极材料", short_payload("term")]), (other, ["正极材料"])):
        match = Match(need=s.need, patent=patent, score=70.0, breakdown={"retrieval": 40.0},
                      signals={"retrieval": 0.8}, matched_terms=terms)
        session.add(match)
        s.matches.append(match)
    session.commit()
    response = post_form(client, f"/matches/{s.matches[1].id}/react",
                         {"state": "declined", "reason": "other", "note": payload("decline")},
                         token_page=f"/matches/need/{s.need.id}")
    assert response.status_code == 302, problems(response)

    # Licence request with a note, then owner and broker work the deal.
    response = post_form(client, f"/offers/{s.offer.id}/request",
                         {"need_id": str(s.need.id), "note": payload("req-note")})
    assert response.status_code == 302, problems(response)
    s.deal = session.scalar(select(Deal))
    logout(client)
    login(client, uni.login, PASSWORD)
    for to, note in (("negotiating", payload("step-note")), ("free_active", "")):
        session.refresh(s.deal)
        response = post_form(client, f"/deals/{s.deal.id}/step",
                             {"to_state": to, "version": str(s.deal.version), "note": note},
                             token_page=f"/deals/{s.deal.id}")
        assert response.status_code == 302
    session.refresh(s.deal)
    response = post_form(client, f"/deals/{s.deal.id}/filing", {
        "version": str(s.deal.version), "recordal_no": short_payload("rec"),
        "recordal_date": date.today().isoformat(), "contract_reg_no": short_payload("reg")},
        token_page=f"/deals/{s.deal.id}")
    assert response.status_code == 302
    response = post_form(client, f"/deals/{s.deal.id}/notes", {"body": payload("deal-note")},
                         token_page=f"/deals/{s.deal.id}")
    assert response.status_code == 302
    logout(client)
    login(client, stn.login)
    response = post_form(client, f"/station/needs/{s.need.id}/note", {"body": payload("stn-note")},
                         token_page="/station/")
    assert response.status_code == 302
    logout(client)
    session.expire_all()
    return s


def pages(s: Scene) -> list[tuple[str, str | None, str, list[str]]]:
    """(role, login, password, URLs): every page that shows what was typed, seen by its users."""
    p, n, d, o = s.patent.id, s.need.id, s.deal.id, s.offer.id
    p2 = s.matches[1].patent_id
    b_pat, b_need = s.batches
    return [
        ("anon", None, "", ["/", "/patents/", f"/patents/{p}", "/search/patents?q=锂电池",
                            "/api/patents/search?q=锂电池"]),
        ("uni", s.uni.login, PASSWORD, [
            "/", "/patents/mine", f"/patents/{p}", f"/patents/{p}/edit", f"/patents/{p}/offers/new",
            f"/matches/patent/{p}", f"/matches/patent/{p2}", "/deals", f"/deals/{d}", "/inbox",
            "/imports/patents", f"/imports/batch/{b_pat}", f"/needs/{n}", "/needs/",
            "/search/needs?q=锂电池", "/api/needs/search?q=锂电池"]),
        ("ent", s.ent.login, PASSWORD, [
            "/", "/needs/", f"/needs/{n}", f"/needs/{n}/edit", "/matches/", f"/matches/need/{n}",
            f"/offers/{o}/request", f"/patents/{p}?need={n}", "/deals", f"/deals/{d}", "/inbox",
            "/imports/needs", f"/imports/batch/{b_need}"]),
        ("stn", s.stn.login, "demo-pass-123", [
            "/", "/station/", "/matches/station", "/needs/clients", f"/deals/{d}",
            "/search/needs?q=锂电池", "/kpis/", "/inbox"]),
        ("op", s.op.login, "demo-pass-123", [
            "/", "/admin?status=all", "/admin/audit", f"/deals/{d}", f"/patents/{p}",
            "/search/patents?q=锂电池&all=1", f"/imports/batch/{b_pat}", "/kpis/"]),
    ]


# Where each field must show up (so the test is not passing because nothing was rendered).
EXPECTED = {
    "uni-org": ["/patents/{p}", "/admin?status=all", "/deals/{d}"],
    "uni-user": ["/ as uni"],
    "ent-org": ["/needs/{n} as uni", "/station/", "/deals/{d}"],
    "ent-user": ["/ as ent"],
    "stn-org": ["/ as stn"],
    "uni-addr": ["/admin?status=all"],
    "pt-title": ["/patents/", "/patents/{p}", "/search/patents?q=锂电池", "/matches/need/{n}",
                 "/deals/{d}", "/patents/{p}/edit"],
    "pt-abs": ["/patents/{p}", "/search/patents?q=锂电池", "/matches/need/{n}", "/patents/{p}/edit"],
    "pt-claim": ["/patents/{p}", "/patents/{p}/edit"],
    "pt-scn": ["/patents/{p}", "/patents/{p}/edit"],
    "pt-inv": ["/patents/{p}", "/patents/{p}/edit"],
    "of-note": ["/patents/{p}", "/patents/{p}?need={n}"],
    "of-pay": ["/patents/{p}", "/offers/{o}/request", "/deals/{d}"],
    "of-field": ["/patents/{p}", "/offers/{o}/request", "/deals/{d}"],
    "of-fee": ["/patents/{p}", "/offers/{o}/request", "/deals/{d}"],
    "of-terr": ["/patents/{p}"],
    "nd-title": ["/needs/", "/needs/{n}", "/needs/{n}/edit", "/matches/", "/matches/need/{n}",
                 "/matches/patent/{p}", "/matches/station", "/search/needs?q=锂电池",
                 "/offers/{o}/request", "/deals/{d}"],
    "nd-desc": ["/needs/{n}", "/needs/{n}/edit", "/matches/need/{n}", "/search/needs?q=锂电池"],
    "decline": ["/matches/patent/{p2}", "/matches/need/{n}"],
    "pt2-title": ["/patents/", "/matches/need/{n}", "/matches/station"],
    "stn-user": ["/ as stn", "/station/"],
    "ent-addr": ["/admin?status=all"],
    "ent-cn": ["/admin?status=all"],
    "reg": ["/deals/{d}", "/admin/audit"],
    "imp-title": ["/imports/batch/{bp}"],
    "req-note": ["/deals/{d}"],
    "step-note": ["/deals/{d}", "/inbox as ent"],
    "deal-note": ["/deals/{d}"],
    "stn-note": ["/station/"],
    "rec": ["/deals/{d}"],
    "imp-file": ["/imports/batch/{bp}", "/imports/patents"],
    "imp-header": ["/imports/batch/{bp}"],
    "imp-upd": ["/imports/batch/{bp}"],
    "imp-key": ["/imports/batch/{bp}"],
    "impn-key": ["/imports/batch/{bn}"],
}


def test_stored_payloads_are_escaped_everywhere(app, scene):
    seen: dict[str, set[str]] = {}
    for role, login_name, password, urls in pages(scene):
        client = app.test_client()
        if login_name:
            first = login(client, login_name, password, follow_redirects=True)
            assert first.status_code == 200
            assert_escaped(f"welcome page of {role}", text(first))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (role, url, response.status_code)
            for tag in assert_escaped(f"{url} as {role}", text(response)):
                seen.setdefault(tag, set()).update({url, f"{url} as {role}"})
    ids = dict(p=scene.patent.id, p2=scene.matches[1].patent_id, n=scene.need.id,
               d=scene.deal.id, o=scene.offer.id, bp=scene.batches[0], bn=scene.batches[1])
    missing = [f"{tag} not shown on {url.format(**ids)}" for tag, urls in EXPECTED.items()
               for url in urls if url.format(**ids) not in seen.get(tag, set())]
    assert not missing, "\n".join(missing) + "\n\nseen: " + repr(seen)
    assert set(EXPECTED) <= set(seen)


REFLECTED = [
    "/search/patents?q={x}", "/search/patents?q={x}&ipc={x}&industry={x}&sort={x}&page={x}&per_page={x}",
    "/search/needs?q={x}&region={x}&state={x}", "/login?next={x}", "/patents/?page={x}",
    "/patents/{p}?need={x}", "/deals?state={x}", "/kpis/?as_of={x}&from_year={x}&to_year={x}",
    "/matches/station?min_score={x}", "/admin?status={x}", "/admin/audit?type={x}&id={x}",
    "/needs/?page={x}", "/inbox?page={x}", "/no-such-page/{x}", "/patents/{x}",
]


@pytest.mark.parametrize("role", ["anon", "stn", "op"])
def test_reflected_parameters_are_escaped(app, session, fast_hashing, role):
    """What the address bar carries comes back escaped (or not at all), for every role that can
    open these pages; a visitor gets the login page or the public pages."""
    from urllib.parse import quote
    patent = make_patent(session, make_org(session, OrgKind.UNIVERSITY))
    kinds = {"stn": OrgKind.STATION, "op": OrgKind.OPERATOR}
    user = make_user(session, make_org(session, kinds[role])) if role in kinds else None
    session.commit()
    client = app.test_client()
    if user is not None:
        assert login(client, user.login).status_code == 302
    x = quote(payload("reflected"), safe="")
    for template in REFLECTED:
        url = template.format(x=x, p=patent.id)
        response = client.get(url, follow_redirects=True)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        assert_escaped(f"{url} as {role}", text(response))
    # the query is shown back to the user (escaped), so the check above was not vacuous
    assert "XSS-reflected" in text(client.get(f"/search/patents?q={x}"))
