"""Formula injection through exports (issue 11, item 1).

An anonymous visitor registers a station named `=HYPERLINK(...)`; the operator's KPI page and
downloads must not show an unapproved station, and no cell of any CSV or XLSX the platform
hands out may start a formula, whatever script surrounds the payload.
"""
from __future__ import annotations

import csv
import doctest
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from matchmaker import spreadsheets
from matchmaker.models import Organization, OrgKind, OrgStatus
from matchmaker.spreadsheets import FORMULA_TRIGGERS, csv_bytes, safe_cell
from tests.factories import PASSWORD, make_org, make_user, valid_credit_code
from tests.web.helpers import login, post_form, text

HOSTILE = '=HYPERLINK("http://evil.example/x","点击查看")'
PAYLOADS = [HOSTILE, "+锂电池cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1", " =1+1", "＝1+1", "　+锂电池!A1"]


def csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]


def xlsx_cells(data: bytes) -> list:
    wb = load_workbook(io.BytesIO(data))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def assert_no_live_formula_csv(data: bytes) -> None:
    for cell in csv_cells(data):
        assert not cell.lstrip(" \u3000").startswith(FORMULA_TRIGGERS), cell


def assert_no_live_formula_xlsx(data: bytes) -> None:
    for cell in xlsx_cells(data):
        assert cell.data_type != "f", cell.value
        if isinstance(cell.value, str):
            assert not cell.value.lstrip(" \u3000").startswith(FORMULA_TRIGGERS), cell.value


# -- the helper -------------------------------------------------------------------------------

def test_the_helper_examples_hold():
    assert doctest.testmod(spreadsheets).failed == 0


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_payload_is_neutralized_and_stays_readable(payload):
    assert safe_cell(payload) == "'" + payload
    assert_no_live_formula_csv(csv_bytes([["x", payload]]))


@pytest.mark.parametrize("value", ["一种锂电池正极材料", "平台运营中心", 12.5, 3, None, "50%", "A+B"])
def test_ordinary_values_are_left_alone(value):
    assert safe_cell(value) == value


# -- the KPI page and downloads -----------------------------------------------------------------

def register_hostile_station(client) -> None:
    """What the attacker did: self-registration, nothing else (never approved)."""
    response = post_form(client, "/register", {
        "kind": "station", "name": HOSTILE, "credit_code": valid_credit_code(515151),
        "region": "乌鲁木齐市", "address": "", "contact_name": "某人", "contact_phone": "13800000000",
        "login": "attacker@example.com", "password": "Xk39-plq-aa7", "password_confirm": "Xk39-plq-aa7",
        "display_name": "某人"})
    assert response.status_code == 302, text(response)


@pytest.fixture
def operator(session, fast_hashing):
    user = make_user(session, make_org(session, OrgKind.OPERATOR, name="平台运营中心"))
    session.commit()
    return user


def test_an_unapproved_station_never_reaches_the_operators_kpis(app, session, operator):
    register_hostile_station(app.test_client())
    org = session.query(Organization).filter_by(name=HOSTILE).one()
    assert org.status == OrgStatus.PENDING
    client = app.test_client()
    login(client, operator.login)
    page = text(client.get("/kpis/"))
    assert "HYPERLINK" not in page and "evil.example" not in page
    exported = client.get("/kpis/export.csv").data
    assert "HYPERLINK" not in exported.decode("utf-8-sig")
    assert_no_live_formula_csv(exported)
    workbook = client.get("/kpis/export.xlsx").data
    assert_no_live_formula_xlsx(workbook)
    assert not any("HYPERLINK" in str(c.value) for c in xlsx_cells(workbook))


def test_an_approved_station_with_a_hostile_name_is_exported_as_text(app, session, operator):
    """Approved by mistake: the name is listed, as text that is shown and never evaluated."""
    make_org(session, OrgKind.STATION, name=HOSTILE)
    make_org(session, OrgKind.STATION, name="+锂电池cmd|' /C calc'!A0")
    session.commit()
    client = app.test_client()
    login(client, operator.login)
    exported = client.get("/kpis/export.csv").data
    assert_no_live_formula_csv(exported)
    assert "'" + HOSTILE in csv_cells(exported)
    workbook = client.get("/kpis/export.xlsx").data
    assert_no_live_formula_xlsx(workbook)
    assert "'" + HOSTILE in [c.value for c in xlsx_cells(workbook)]


# -- every other export ---------------------------------------------------------------------------

def test_rejection_reports_and_templates_hold_no_live_formula(app, session, fast_hashing):
    uni = make_org(session, OrgKind.UNIVERSITY)
    user = make_user(session, uni)
    session.commit()
    client = app.test_client()
    login(client, user.login, PASSWORD)
    rows = "申请号,专利名称,摘要\n" + "".join(f'不是申请号,"{p.replace(chr(34), chr(34) * 2)}",摘要\n'
                                            for p in PAYLOADS)
    response = client.post("/imports/patents", data={
        "file": (io.BytesIO(rows.encode()), "p.csv"), "encoding": "auto",
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                                text(client.get("/imports/patents"))).group(1)})
    assert response.status_code == 302, text(response)
    report = client.get(response.headers["Location"] + "/rejections.csv")
    assert report.status_code == 200
    assert_no_live_formula_csv(report.data)
    assert "'+锂电池cmd|' /C calc'!A0" in csv_cells(report.data)
    for kind in ("patents", "needs"):
        assert_no_live_formula_csv(client.get(f"/imports/template/{kind}.csv").data)
        assert_no_live_formula_xlsx(client.get(f"/imports/template/{kind}.xlsx").data)


def test_every_spreadsheet_writer_goes_through_the_helper():
    """A new export cannot bypass `safe_cell`: outside matchmaker/spreadsheets.py nothing creates
    a CSV writer, and no worksheet a module creates gets rows or values but through `append_row`."""
    root = Path(spreadsheets.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "spreadsheets.py":
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(r"csv\.(writer|DictWriter)\(", source):
            offenders.append(f"{path.name}: csv writer")
        sheets = re.findall(r"(\w+) = \w+\.(?:active|create_sheet\()", source)
        for name in sheets:
            if re.search(rf"\b{name}\.append\(|\b{name}\.cell\([^)]*value=|\b{name}\[[^]]+\]\.value =", source):
                offenders.append(f"{path.name}: writes {name} directly")
    assert offenders == []
    assert any("report.py" in str(p) for p in root.rglob("*.py"))   # the scan sees the exporters
