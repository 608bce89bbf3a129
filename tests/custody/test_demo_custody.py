"""The demo's custody data shows every annuity situation the pages and tick handle."""
from __future__ import annotations

from datetime import date

from matchmaker.custody.kpis import compute_custody
from matchmaker.custody.portfolio import deadlines, own_patents
from matchmaker.custody.tick import custody_tick
from matchmaker.demo.custody import create_demo_custody
from matchmaker.models import AgreementState, CustodyAgreement, OrgKind, SizeClass
from tests.factories import make_org, make_profile, make_user

TODAY = date.today()   # the agreements are confirmed now: their events carry the real time


def test_demo_custody_covers_every_situation(session):
    """The first enterprise is large: the agreements go to the three SMEs after it, so the
    custody indicator (SMEs only) shows the demo's coverage."""
    users = {}
    for n in range(4):
        org = make_org(session, OrgKind.ENTERPRISE, name=f"演示企业{n}")
        users[org.name] = make_user(session, org)
        if n == 0:
            make_profile(session, org, employees=1800, revenue_wan=60000, size_class=SizeClass.LARGE)
        else:
            make_profile(session, org)
    large = users["演示企业0"].organization
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
    assert (k.covered_unclassified, k.covered_large) == (0, 0)
    assert large.id not in {a.enterprise_id for a in session.query(CustodyAgreement)}
    assert AgreementState.PROPOSED.value in states
