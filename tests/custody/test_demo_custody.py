"""The demo's custody data shows every annuity situation the pages and tick handle."""
from __future__ import annotations

from datetime import date

from matchmaker.custody.kpis import compute_custody
from matchmaker.custody.portfolio import deadlines, own_patents
from matchmaker.custody.tick import custody_tick
from matchmaker.demo.custody import create_demo_custody
from matchmaker.models import AgreementState, CustodyAgreement, OrgKind
from tests.factories import make_org, make_user

TODAY = date.today()   # the agreements are confirmed now: their events carry the real time


def test_demo_custody_covers_every_situation(session):
    users = {}
    for n in range(3):
        org = make_org(session, OrgKind.ENTERPRISE, name=f"演示企业{n}")
        users[org.name] = make_user(session, org)
    credentials: list = []
    made = create_demo_custody(session, users, TODAY, password="Demo-pass-2026x", credentials=credentials)
    assert (made.agreements, made.patents, made.payments) == (3, 5, 2)
    assert [c[0] for c in credentials] == ["agency1@demo.matchmaker.local", "agency2@demo.matchmaker.local"]
    states = sorted(a.state.value for a in session.query(CustodyAgreement))
    assert states == ["active", "active", "proposed"]
    enterprises = [u.organization_id for u in users.values() if u.organization.kind == OrgKind.ENTERPRISE]
    statuses = sorted(d.status for d in deadlines(session, own_patents(session, enterprises), TODAY))
    assert statuses == ["in_grace", "lapsed", "upcoming", "upcoming", "upcoming"]
    report = custody_tick(session, today=TODAY)
    assert report.at_risk == 1 and report.grace_reminders > 0 and report.reminders > 0
    k = compute_custody(session, as_of=TODAY)
    assert (k.smes, k.on_time, k.late, k.lapsed, k.vouchers) == (2, 1, 1, 1, 1)
    assert AgreementState.PROPOSED.value in states
