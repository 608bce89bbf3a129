"""The indicator table on the KPI page, its milestone form, and the exports."""
from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from matchmaker.models import IndicatorTarget, OrgKind
from tests.web.helpers import login, post_form, text


def test_indicator_table_form_and_exports(client, session, world):
    _op, operator = world.member(OrgKind.OPERATOR)
    _st, broker = world.member(OrgKind.STATION)
    login(client, operator.login)
    year = date.today().year
    page = text(client.get("/kpis/"))
    assert 'data-testid="kpi-indicators"' in page and 'data-testid="indicator-events_held"' in page
    bad = post_form(client, "/kpis/targets", {"key": "events_held", "year": str(year), "value": "x",
                                              "region": "", "district": ""},
                    token_page="/kpis/", follow_redirects=True)
    assert "目标应为不小于 0 的整数" in text(bad)
    assert session.query(IndicatorTarget).count() == 0
    ok = post_form(client, "/kpis/targets", {"key": "events_held", "year": str(year), "value": "6",
                                             "region": "", "district": ""}, token_page="/kpis/")
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/kpis/#kpi-indicators")
    page = text(client.get("/kpis/"))
    assert f'data-testid="indicator-events_held-{year}" data-state="red"' in page    # 0 of 6
    rows = list(csv.reader(io.StringIO(client.get("/kpis/export.csv").get_data().decode("utf-8-sig"))))
    assert rows[0] == ["指标", "范围", "数值", "目标"]
    assert ["规划指标表"] in rows
    assert ["举办路演与对接活动", str(year), "全区", "", "0", "场", "6", "运营方设定", "落后"] in rows
    book = load_workbook(io.BytesIO(client.get("/kpis/export.xlsx").data))
    assert book.sheetnames == ["指标", "规划指标表"]
    # a station's own page has no platform indicator table
    other = client.application.test_client()
    login(other, broker.login)
    assert 'data-testid="kpi-indicators"' not in text(other.get("/kpis/"))


def test_custody_coverage_counts_smes_and_shows_the_others_apart(client, session, world):
    """Under custody: a small enterprise (counted), a large one and one without a profile
    (left out of the SME indicator, shown apart on the page and in the export)."""
    from datetime import datetime, timedelta, timezone

    from matchmaker.models import AgreementState, CustodyAgreement, CustodyEvent, SizeClass
    from tests.factories import make_org, make_profile

    _op, operator = world.member(OrgKind.OPERATOR)
    agency = make_org(session, OrgKind.AGENCY)
    small, large, unprofiled = (make_org(session, OrgKind.ENTERPRISE) for _ in range(3))
    make_profile(session, small)
    make_profile(session, large, employees=1200, revenue_wan=50000, size_class=SizeClass.LARGE)
    today = date.today()
    for ent in (small, large, unprofiled):
        a = CustodyAgreement(enterprise_id=ent.id, agency_id=agency.id, services=["annuity"],
                             start_date=today - timedelta(days=30), end_date=today + timedelta(days=300),
                             state=AgreementState.ACTIVE, proposed_by_id=agency.id)
        session.add(a)
        session.flush()
        session.add(CustodyEvent(agreement_id=a.id, to_state="active",
                                 created_at=datetime.now(timezone.utc) - timedelta(days=20)))
    session.commit()
    login(client, operator.login)
    page = text(client.get("/kpis/"))
    custody = page[page.index('data-testid="kpi-custody"'):]
    assert "托管服务覆盖中小企业（累计）：1 / 1000" in custody          # the ring's label
    assert "另有 1 家托管企业未填写企业画像、1 家为大型企业，未计入" in custody
    rows = list(csv.reader(io.StringIO(client.get("/kpis/export.csv").get_data().decode("utf-8-sig"))))
    values = {r[0]: r[2] for r in rows if len(r) > 2}
    assert values["知识产权托管覆盖中小企业（家，累计）"] == "1"
    assert values["托管企业中未填写画像 / 大型企业（家，未计入）"] == "1 / 1"
