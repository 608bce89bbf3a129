"""`matchmaker tick` and `matchmaker kpis` as an operator's cron job and console would run them."""
from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.licensing.deals import StepInput, request_deal, transition
from matchmaker.licensing.proposals import confirm
from matchmaker.licensing.offers import OfferInput, create_offer
from matchmaker.models import Deal, DealState, Notification, OrgKind
from tests.factories import make_org, make_patent, make_profile, make_user
from tests.test_cli import db, env, run  # noqa: F401  (fixtures)

START = date(2024, 3, 1)


def _deal_in_free_period(session) -> int:
    uni, ent = make_org(session, OrgKind.UNIVERSITY), make_org(session, OrgKind.ENTERPRISE)
    owner, buyer = make_user(session, uni), make_user(session, ent)
    make_profile(session, ent)           # an SME: the converted-SME figure counts it
    patent = make_patent(session, uni, filing_date=date(2020, 1, 1), expiry_date=date(2039, 12, 31))
    offer = create_offer(session, owner, patent.id, OfferInput(free_months=6, lump_sum_wan="10"),
                         today=START).offer
    deal = request_deal(session, buyer, offer.id, today=START)
    transition(session, owner, deal.id, DealState.NEGOTIATING, expected_version=None, today=START)
    transition(session, owner, deal.id, DealState.FREE_ACTIVE, expected_version=None, today=START)
    session.commit()
    return deal.id


def test_tick_moves_due_deals_once_and_reports(run, db, session):
    deal_id = _deal_in_free_period(session)
    before_end = run("tick", "--today", "2024-08-25")          # 7 days before 2024-09-01
    assert before_end.returncode == 0, before_end.stderr
    assert "免费期提醒 2 条" in before_end.stdout                # the owner and the enterprise user
    after_end = run("tick", "--today", "2024-09-02")
    assert "进入待转化 1 笔" in after_end.stdout
    again = run("tick", "--today", "2024-09-02")
    assert "进入待转化 0 笔" in again.stdout and "免费期提醒 0 条" in again.stdout
    with Session(db.engine) as s:
        assert s.get(Deal, deal_id).state == DealState.CONVERSION_DUE
        assert s.scalar(select(Notification).where(Notification.kind == "deal_reminder")) is not None


def test_tick_rejects_a_malformed_date(run):
    result = run("tick", "--today", "2024-13-01")
    assert result.returncode != 0 and "YYYY-MM-DD" in result.stderr


def test_kpis_as_of_a_past_date_ignores_later_events(run, session):
    deal_id = _deal_in_free_period(session)
    deal = session.get(Deal, deal_id)
    owner, buyer = deal.patent.owner.users[0], deal.enterprise.users[0]
    transition(session, owner, deal_id, DealState.CONVERTED, expected_version=None,
               step=StepInput(contract_value_wan="12"), today=START + timedelta(days=100))
    confirm(session, buyer, deal_id, expected_version=None, today=START + timedelta(days=100))
    session.commit()
    now = json.loads(run("kpis", "--json", "--as-of", "2024-12-31").stdout)
    assert now["converted_smes"] == 1
    assert [y["contract_value_yuan"] for y in now["years"] if y["year"] == 2024] == [120_000]
    before = json.loads(run("kpis", "--json", "--as-of", "2024-05-01").stdout)
    assert before["converted_smes"] == 0 and before["pipeline"]["free_active"] == 1
    text = run("kpis", "--as-of", "2024-12-31")
    assert text.returncode == 0 and "中小企业 1 家（目标 100）" in text.stdout
