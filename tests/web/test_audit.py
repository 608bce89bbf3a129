"""The audit trail: every change of patents, needs, offers and deals, by whom; append-only."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from matchmaker.audit import acting_as
from matchmaker.catalog.patents import PatentInput, update_patent
from matchmaker.licensing.deals import request_deal, transition
from matchmaker.licensing.offers import OfferInput, create_offer
from matchmaker.models import AuditEntry, DealState, OrgKind
from tests.factories import make_need, make_org, make_patent, make_user
from tests.web.helpers import login, logout, post_form


def entries(session, kind=None):
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if kind:
        stmt = stmt.where(AuditEntry.object_type == kind)
    return list(session.scalars(stmt))


def test_changes_are_recorded_with_old_and_new_values(session):
    uni = make_org(session, OrgKind.UNIVERSITY)
    user = make_user(session, uni, display_name="张老师")
    with acting_as("命令行：matchmaker import"):
        patent = make_patent(session, uni, title="一种旧名称的方法")
    session.commit()
    created = entries(session, "patent")[-1]
    assert (created.action, created.actor_label) == ("create", "命令行：matchmaker import")
    assert created.changes["title"] == [None, "一种旧名称的方法"]
    with acting_as("张老师（测试大学）", user.id):
        update_patent(session, user, patent.id, PatentInput(
            title="一种新名称的方法", abstract=patent.abstract, patent_type="invention",
            legal_status="valid", filing_date=patent.filing_date, listing_state="listed"),
            today=date(2024, 1, 1))
    session.commit()
    updated = entries(session, "patent")[-1]
    assert (updated.action, updated.actor_id, updated.object_id) == ("update", user.id, patent.id)
    assert updated.changes["title"] == ["一种旧名称的方法", "一种新名称的方法"]
    assert "updated_at" not in updated.changes


def test_deal_steps_and_offers_are_audited(session):
    uni, ent = make_org(session, OrgKind.UNIVERSITY), make_org(session, OrgKind.ENTERPRISE)
    owner, buyer = make_user(session, uni), make_user(session, ent)
    patent = make_patent(session, uni)
    offer = create_offer(session, owner, patent.id, OfferInput(lump_sum_wan="3"),
                         today=date(2024, 1, 1)).offer
    deal = request_deal(session, buyer, offer.id, today=date(2024, 1, 2))
    transition(session, owner, deal.id, DealState.NEGOTIATING, expected_version=deal.version,
               today=date(2024, 1, 3))
    session.commit()
    assert entries(session, "offer")[-1].changes["lump_sum_yuan"] == [None, 30_000]
    assert [e.action for e in entries(session, "deal")] == ["create", "update"]
    assert entries(session, "deal")[-1].changes["state"] == ["requested", "negotiating"]


def test_the_trail_is_append_only_in_the_database(session):
    make_need(session, make_org(session, OrgKind.ENTERPRISE))
    session.commit()
    entry_id = entries(session)[-1].id
    for statement in (f"UPDATE audit_log SET actor_label = 'x' WHERE id = {entry_id}",
                      f"DELETE FROM audit_log WHERE id = {entry_id}"):
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    assert session.get(AuditEntry, entry_id) is not None


def test_web_changes_name_the_user_and_operators_see_the_trail(client, session, world):
    uni, user = world.member(OrgKind.UNIVERSITY, name="审计测试大学")
    patent = make_patent(session, uni, title="一种待撤回的专利")
    session.commit()
    login(client, user.login)
    post_form(client, f"/patents/{patent.id}/withdraw", {}, token_page=f"/patents/{patent.id}")
    last = entries(session, "patent")[-1]
    assert last.actor_id == user.id and last.actor_label == f"{user.display_name}（审计测试大学）"
    assert last.changes["listing_state"] == ["listed", "withdrawn"] and len(last.request_id) == 32
    assert client.get("/admin/audit").status_code == 403
    _, operator = world.member(OrgKind.OPERATOR, name="运营方")
    logout(client)
    login(client, operator.login)
    page = client.get(f"/admin/audit?type=patent&id={patent.id}").get_data(as_text=True)
    assert "一种待撤回的专利" in page and "审计测试大学" in page
    assert '<option value="patent" selected>' in page   # the filter shows what was chosen
    # Read as the rest of the UI says it: Chinese field names and state labels, not columns.
    assert "上架状态" in page and "已上架</span> → <span class=\"audit-new\">已撤回" in page
    shown = re.sub(r"<[^>]+>", " ", page)
    assert "withdrawn" not in shown and "listing_state" not in shown


def test_the_trail_reads_in_chinese_with_amounts_in_wan_and_names_for_ids(client, session, world):
    uni, owner = world.member(OrgKind.UNIVERSITY, name="格式测试大学")
    ent, buyer = world.member(OrgKind.ENTERPRISE, name="格式测试企业有限公司")
    patent = make_patent(session, uni, title="一种金额格式测试方法")
    offer = create_offer(session, owner, patent.id, OfferInput(lump_sum_wan="20", free_months=6),
                         today=date(2024, 1, 1)).offer
    deal = request_deal(session, buyer, offer.id, today=date(2024, 1, 2))
    transition(session, owner, deal.id, DealState.DECLINED, expected_version=deal.version,
               today=date(2024, 1, 3))
    session.commit()
    _, operator = world.member(OrgKind.OPERATOR, name="格式运营方")
    login(client, operator.login)
    offers = client.get(f"/admin/audit?type=offer&id={offer.id}").get_data(as_text=True)
    assert "一次性许可费" in offers and "20 万元" in offers and "6 个月" in offers
    assert "lump_sum_yuan" not in re.sub(r"<[^>]+>", " ", offers) and "200000" not in offers
    assert "一种金额格式测试方法（#" in offers          # the patent by its title, not a bare id
    deals = client.get(f"/admin/audit?type=deal&id={deal.id}").get_data(as_text=True)
    assert "交易状态" in deals and "已申请</span> → <span class=\"audit-new\">已拒绝" in deals
    assert "格式测试企业有限公司（#" in deals and "requested" not in re.sub(r"<[^>]+>", " ", deals)
