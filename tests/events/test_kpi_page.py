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
