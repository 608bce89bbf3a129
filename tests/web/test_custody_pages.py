"""Custody pages: an agency signs an enterprise, records its patents and payments, keeps a log
and exports its deadlines; the enterprise sees the same; strangers see nothing."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from matchmaker import clock
from matchmaker.models import AgreementState, AnnuityPayment, CustodyAgreement, OrgKind, Patent
from tests.factories import valid_app_no
from tests.web.helpers import login, logout, post_form, text


def agreement_id_from(response) -> int:
    return int(re.search(r"/custody/agreements/(\d+)", response.headers["Location"]).group(1))


def test_agency_signs_an_enterprise_records_a_patent_and_a_payment(client, session, world):
    agency, agent = world.member(OrgKind.AGENCY, name="天山知识产权代理事务所")
    ent, boss = world.member(OrgKind.ENTERPRISE, name="昌吉农机有限公司")
    _other, stranger = world.member(OrgKind.AGENCY, name="别家代理机构")
    today = clock.today()
    login(client, agent.login)
    form = text(client.get(f"/custody/agreements/new?with={ent.id}"))
    assert f'<option selected value="{ent.id}"' in form or f'value="{ent.id}" selected' in form
    bad = post_form(client, "/custody/agreements/new", {"counterpart": str(ent.id), "services": [],
                                                         "start_date": "", "end_date": ""})
    assert bad.status_code == 200 and "请至少选择一项托管服务" in text(bad)
    assert session.scalar(select(CustodyAgreement)) is None
    made = post_form(client, "/custody/agreements/new", {
        "counterpart": str(ent.id), "services": ["annuity", "status_watch"],
        "start_date": today.isoformat(), "end_date": (today + timedelta(days=365)).isoformat(),
        "voucher_kind": "service", "voucher_no": "FW-1", "voucher_value_wan": "0.5"})
    assert made.status_code == 302
    aid = agreement_id_from(made)
    page = text(client.get(f"/custody/agreements/{aid}"))
    assert "等待 昌吉农机有限公司 确认" in page and 'id="do-confirm"' not in page
    logout(client)

    login(client, boss.login)
    page = text(client.get(f"/custody/agreements/{aid}"))
    assert 'id="do-confirm"' in page
    version = re.search(r'name="version" type="hidden" value="(\d+)"|name="version" value="(\d+)"', page)
    done = post_form(client, f"/custody/agreements/{aid}/confirm",
                     {"version": next(g for g in version.groups() if g), "note": ""},
                     token_page=f"/custody/agreements/{aid}")
    assert done.status_code == 302
    session.expire_all()
    assert session.get(CustodyAgreement, aid).state == AgreementState.ACTIVE
    assert "托管中：" in text(client.get("/custody/"))
    logout(client)

    login(client, agent.login)
    filing = today.replace(year=today.year - 3, day=1) - timedelta(days=20)   # year 4 due 20+ days ago
    number = valid_app_no(year=filing.year, type_digit="2", serial=501)
    added = post_form(client, f"/custody/patents/new?enterprise={ent.id}", {
        "enterprise": str(ent.id), "app_no": number, "title": "一种残膜回收机", "patent_type": "utility",
        "filing_date": filing.isoformat(), "grant_date": "", "legal_status": "valid",
        "annuity_reduction": "85"})
    assert added.status_code == 302, text(added)
    patent = session.scalar(select(Patent).where(Patent.app_no == number))
    assert patent.owner_id == ent.id and patent.listing_state.value == "draft"
    workspace = text(client.get("/custody/"))
    assert "昌吉农机有限公司" in workspace and "一种残膜回收机" in workspace
    page = text(client.get(f"/custody/patents/{patent.id}"))
    year = int(re.search(r'name="year" type="hidden" value="(\d+)"|name="year" value="(\d+)"', page).group(1)
               or re.search(r'name="year" value="(\d+)"', page).group(1))
    paid = post_form(client, f"/custody/patents/{patent.id}", {
        "year": str(year), "paid_on": today.isoformat(), "amount_yuan": "135", "receipt_no": "R-9"})
    assert paid.status_code == 302
    assert session.scalar(select(AnnuityPayment).where(AnnuityPayment.patent_id == patent.id)).year == year
    log = post_form(client, "/custody/log", {"enterprise": str(ent.id), "kind": "visit",
                                             "occurred_on": "", "text": "走访企业，核对专利清单"},
                    token_page="/custody/")
    assert log.status_code == 302 and "走访企业，核对专利清单" in text(client.get("/custody/"))
    sheet = client.get("/custody/deadlines.xlsx")
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.data)).active.values)
    assert rows[0][0] == "客户"
    assert client.get("/custody/deadlines.csv").data.decode("utf-8-sig").startswith("客户,申请号")
    logout(client)

    login(client, boss.login)
    mine = text(client.get("/custody/"))
    assert "一种残膜回收机" in mine and "走访企业，核对专利清单" in mine
    logout(client)

    login(client, stranger.login)
    assert client.get(f"/custody/patents/{patent.id}").status_code == 404
    assert client.get(f"/custody/agreements/{aid}").status_code == 404
    assert client.get(f"/custody/patents/new?enterprise={ent.id}").status_code == 404
    assert "一种残膜回收机" not in text(client.get("/custody/"))


def test_custody_pages_are_closed_to_other_kinds(client, world):
    _uni, prof = world.member(OrgKind.UNIVERSITY)
    login(client, prof.login)
    assert client.get("/custody/").status_code == 403
    assert client.get("/custody/agreements/new").status_code == 403
    logout(client)
    assert client.get("/custody/").status_code in (302, 401)


def test_agencies_may_register_like_the_other_kinds(client):
    page = text(client.get("/register"))
    assert 'value="agency"' in page and "知识产权服务机构" in page
