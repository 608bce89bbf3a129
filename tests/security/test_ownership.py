"""Disclosure and squatting (issue 11, item 8).

A university registered an application number it does not own as a hidden draft; the real
owner was then refused with "已存在（专利 #3004）", which also revealed the hidden draft. Now the
refusal names nothing of another organization and points to the operator, who finds the patent
by its number and moves it to its real owner (audited, both sides notified).
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from matchmaker.licensing.offers import OfferInput, create_offer
from matchmaker.models import (AuditEntry, LicenceOffer, ListingState, Notification, OfferState,
                               OrgKind, Patent)
from tests.factories import make_org, make_patent, make_user
from tests.web.helpers import login, post_form, text
from tests.web.test_patents import patent_form

APP_NO = "201710601862.3"


@pytest.fixture
def dispute(session, fast_hashing):
    """The squatter's hidden draft of the real owner's patent, and the people involved."""
    real = make_org(session, OrgKind.UNIVERSITY, name="新疆真正大学")
    squatter = make_org(session, OrgKind.UNIVERSITY, name="抢注学院")
    operator = make_org(session, OrgKind.OPERATOR, name="平台运营中心")
    users = {"real": make_user(session, real), "squatter": make_user(session, squatter),
             "op": make_user(session, operator)}
    draft = make_patent(session, squatter, app_no=APP_NO, title="抢注者起的秘密标题",
                        listing_state=ListingState.DRAFT)
    session.commit()
    return {"real": real, "squatter": squatter, "draft": draft, **{f"u_{k}": v for k, v in users.items()}}


def test_the_real_owner_is_refused_without_learning_anything_about_the_draft(app, dispute):
    client = app.test_client()
    login(client, dispute["u_real"].login)
    page = text(post_form(client, "/patents/new", patent_form(app_no=APP_NO)))
    assert "已由其他机构登记" in page and "平台运营方" in page
    draft = dispute["draft"]
    for secret in (f"#{draft.id}", "抢注者起的秘密标题", "抢注学院"):
        assert secret not in page
    assert client.get(f"/patents/{draft.id}").status_code == 404      # still hidden


def test_the_operator_finds_the_patent_by_number_and_moves_it_to_its_owner(app, session, dispute):
    draft, real = dispute["draft"], dispute["real"]
    op = app.test_client()
    login(op, dispute["u_op"].login)
    found = op.get("/admin/patents", query_string={"app_no": "ZL 2017 1060 1862.3"})
    assert found.status_code == 302 and found.headers["Location"].startswith(f"/patents/{draft.id}")
    page = text(op.get(f"/patents/{draft.id}"))
    assert 'data-testid="reassign-patent"' in page
    assert "没有申请号为" in text(op.get("/admin/patents", query_string={"app_no": "201810000001.1"}))

    response = post_form(op, f"/patents/{draft.id}/owner",
                         {"new_owner": real.name, "reason": "核对专利登记簿，申请人为新疆真正大学"},
                         token_page=f"/patents/{draft.id}")
    assert response.status_code == 302
    session.expire_all()
    patent = session.get(Patent, draft.id)
    assert patent.owner_id == real.id and patent.listing_state == ListingState.DRAFT
    entry = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "patent",
                                                     AuditEntry.object_id == draft.id,
                                                     AuditEntry.action == "reassign")).one()
    assert entry.actor_id == dispute["u_op"].id
    assert entry.changes["reason"][1] == "核对专利登记簿，申请人为新疆真正大学"
    assert "抢注学院" in entry.changes["owner"][0] and "新疆真正大学" in entry.changes["owner"][1]
    assert "变更专利权人" in text(op.get("/admin/audit", query_string={"type": "patent", "id": draft.id}))
    told = {n.user_id for n in session.scalars(select(Notification).where(Notification.kind == "ownership"))}
    assert told == {dispute["u_real"].id, dispute["u_squatter"].id}

    owner = app.test_client()
    login(owner, dispute["u_real"].login)
    assert owner.get(f"/patents/{draft.id}/edit").status_code == 200          # theirs now
    squatter = app.test_client()
    login(squatter, dispute["u_squatter"].login)
    assert squatter.get(f"/patents/{draft.id}").status_code == 404


def test_the_previous_owners_offers_are_withdrawn(app, session, dispute):
    listed = make_patent(session, dispute["squatter"], app_no="201810601862.6")
    create_offer(session, dispute["u_squatter"], listed.id,
                 OfferInput(licence_type="ordinary", free_months=6, payment_mode="lump_sum",
                            lump_sum_wan="10", term_months=36), today=date.today())
    session.commit()
    op = app.test_client()
    login(op, dispute["u_op"].login)
    post_form(op, f"/patents/{listed.id}/owner", {"new_owner": str(dispute["real"].id),
                                                  "reason": "法院判决权属归新疆真正大学"},
              token_page=f"/patents/{listed.id}")
    session.expire_all()
    assert {o.state for o in session.scalars(select(LicenceOffer).where(
        LicenceOffer.patent_id == listed.id))} == {OfferState.WITHDRAWN}
    assert session.get(Patent, listed.id).listing_state == ListingState.DRAFT


@pytest.mark.parametrize("form, message", [
    ({"new_owner": "新疆真正大学", "reason": "无"}, "请写明变更原因"),
    ({"new_owner": "不存在的大学", "reason": "核实后变更权属"}, "未找到该机构"),
    ({"new_owner": "平台运营中心", "reason": "核实后变更权属"}, "须为已审核通过的高校或科研院所"),
    ({"new_owner": "抢注学院", "reason": "核实后变更权属"}, "已是这件专利的专利权人"),
    ({"new_owner": "2147483648", "reason": "核实后变更权属"}, "未找到该机构"),
])
def test_refused_reassignments_change_nothing(app, session, dispute, form, message):
    draft = dispute["draft"]
    op = app.test_client()
    login(op, dispute["u_op"].login)
    response = post_form(op, f"/patents/{draft.id}/owner", form, token_page=f"/patents/{draft.id}")
    assert response.status_code == 302
    assert message in text(op.get(f"/patents/{draft.id}"))
    session.expire_all()
    assert session.get(Patent, draft.id).owner_id == dispute["squatter"].id
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "reassign")).all() == []


def test_a_patent_with_an_open_deal_is_not_reassigned(app, session):
    from matchmaker.models import DealState
    from tests.licensing.helpers import build_world, deal_in
    world = build_world(session)
    deal = deal_in(session, world, DealState.NEGOTIATING)
    session.commit()
    op = app.test_client()
    login(op, world.operator.login)
    post_form(op, f"/patents/{world.patent.id}/owner",
              {"new_owner": world.other_university.name, "reason": "核实后变更权属"},
              token_page=f"/patents/{world.patent.id}")
    assert f"未结束的许可交易（#{deal.id}）" in text(op.get(f"/patents/{world.patent.id}"))
    session.expire_all()
    assert session.get(Patent, world.patent.id).owner_id == world.university.id
