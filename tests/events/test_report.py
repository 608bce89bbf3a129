"""The annual report on the history of test_indicators.py: the year's indicator table, its
events with their figures, success cases named only with both parties' consent."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from matchmaker.errors import NotFound, PermissionDenied
from matchmaker.reports.annual import build_report
from matchmaker.reports.consent import set_consent
from matchmaker.reports.export import report_xlsx
from tests.events.test_indicators import D, history  # noqa: F401  (fixture)
from tests.web.helpers import login, post_form, text

import pytest


def test_cases_need_both_parties_consent(session, history):
    u, deals = history.users, history.deals
    set_consent(session, u["I"], deals["D3"].id, True)       # licensor of D3
    set_consent(session, u["E3"], deals["D3"].id, True)      # and its licensee
    set_consent(session, u["I"], deals["D6"].id, True)       # D6: the licensee never agreed
    with pytest.raises(PermissionDenied):
        set_consent(session, u["S2"], deals["D3"].id, True)  # a broker is no party to name
    with pytest.raises(NotFound):
        set_consent(session, u["E1"], deals["D3"].id, True)  # a stranger does not see the deal
    report = build_report(session, 2022, today=D(2024, 1, 1))
    assert report.complete and report.as_of == D(2022, 12, 31)
    assert [(c.deal.id, c.state_label, c.amount_yuan, c.at) for c in report.cases] == [
        (deals["D3"].id, "已转为有偿许可", 300_000, D(2022, 3, 1))]
    assert report.unnamed_cases == 1
    assert [e.title for e, _f in report.events] == ["A"]
    lic = next(r for r in report.indicators if r.indicator.key == "licences_transfers")
    assert (lic.year, lic.total.value, lic.total.target) == (2022, 4, 3)
    set_consent(session, u["E3"], deals["D3"].id, False)     # withdrawn: no longer named
    assert build_report(session, 2022, today=D(2024, 1, 1)).unnamed_cases == 2


def test_running_year_and_event_figures(session, history):
    report = build_report(session, 2023, today=D(2023, 7, 2))
    assert not report.complete and report.as_of == D(2023, 7, 2)
    (event, figures), = report.events                         # C was cancelled
    assert (event.title, figures.registered, figures.items, figures.deals) == ("B", 1, 1, 1)
    assert report.cases == [] and report.unnamed_cases == 2   # D4 and D5 converted by then
    book = load_workbook(io.BytesIO(report_xlsx(report)))
    assert book.sheetnames == ["指标表", "路演与对接活动", "成功案例"]
    assert book["路演与对接活动"]["B3"].value == "B"
    assert "另有 2 项" in book["成功案例"]["A3"].value


def test_report_pages_and_consent_form(client, session, history):
    u, deals = history.users, history.deals
    session.commit()
    login(client, u["I"].login)
    page = text(client.get(f"/deals/{deals['D3'].id}"))
    assert 'data-testid="publicity"' in page and "同意署名展示本案例" in page
    done = post_form(client, f"/reports/consent/deals/{deals['D3'].id}", {"consent": "1"},
                     token_page=f"/deals/{deals['D3'].id}", follow_redirects=True)
    assert "已同意，等待对方同意" in text(done)
    client.get("/")
    other = client.application.test_client()
    login(other, u["E3"].login)
    done = post_form(other, f"/reports/consent/deals/{deals['D3'].id}", {"consent": "1"},
                     token_page=f"/deals/{deals['D3'].id}", follow_redirects=True)
    assert 'data-testid="publicity-both"' in text(done)
    op = client.application.test_client()
    login(op, history.operator.login)
    page = text(op.get("/reports/2022"))
    assert "2022 年度知识产权运营报告" in page and 'data-testid="report-case"' in page
    assert "另有 1 项成果转化未获双方同意公开署名" in page
    assert op.get("/reports/2022.xlsx").data[:2] == b"PK"
    assert op.get("/reports/1999").status_code == 404 and op.get("/reports/2999").status_code == 404
