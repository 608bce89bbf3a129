"""The smaller rules of issue 11, item 9 (the secret key and password rules are tested with the
settings, tests/test_config.py, and the accounts, tests/catalog/test_accounts.py).

- Who confirms an import: only the organization that uploaded it. An operator may read every
  batch, but confirming an enterprise's would post its needs as the operator.
- A need that no longer collects solutions (closed, solved, expired) can neither be edited nor
  linked to a licence request.
"""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from matchmaker.catalog.needs import COLLECTING
from matchmaker.errors import ValidationError
from matchmaker.imports import batches
from matchmaker.licensing.deals import request_deal
from matchmaker.models import Deal, ImportKind, ImportState, Need, NeedState, OrgKind
from tests.factories import make_need, make_org, make_patent, make_user
from tests.security.conftest import need_file
from tests.web.helpers import login, post_form, text


@pytest.fixture
def people(session, settings, fast_hashing):
    ent = make_org(session, OrgKind.ENTERPRISE, name="规则测试企业有限公司")
    op = make_org(session, OrgKind.OPERATOR, name="平台运营中心")
    uni = make_org(session, OrgKind.UNIVERSITY, name="规则测试大学")
    users = {"ent": make_user(session, ent), "op": make_user(session, op), "uni": make_user(session, uni)}
    session.commit()
    return {"ent": ent, "uni": uni, **users}


def test_an_operator_reads_but_cannot_confirm_or_cancel_an_enterprises_import(app, session, settings,
                                                                             people):
    batch = batches.create_batch(session, settings, people["ent"], ImportKind.NEEDS, people["ent"].organization,
                                 io.BytesIO(need_file("RULES-1")), "needs.csv")
    session.commit()
    needs_before = session.scalar(select(func.count()).select_from(Need))
    op = app.test_client()
    login(op, people["op"].login)
    page = op.get(f"/imports/batch/{batch.id}")
    assert page.status_code == 200
    assert 'data-testid="awaiting-uploader"' in text(page) and "import-confirm" not in text(page)
    for action in ("confirm", "cancel"):
        response = post_form(op, f"/imports/batch/{batch.id}/{action}", {},
                             token_page=f"/imports/batch/{batch.id}")
        assert response.status_code == 403, action
    session.expire_all()
    assert session.get(type(batch), batch.id).state == ImportState.PREVIEWED
    assert session.scalar(select(func.count()).select_from(Need)) == needs_before

    owner = app.test_client()
    login(owner, people["ent"].login)
    assert post_form(owner, f"/imports/batch/{batch.id}/confirm", {},
                     token_page=f"/imports/batch/{batch.id}").status_code == 302
    session.expire_all()
    assert session.get(type(batch), batch.id).state == ImportState.APPLIED
    posted = session.scalars(select(Need).where(Need.source_id == "RULES-1")).one()
    assert posted.posted_by_id == people["ent"].id


@pytest.mark.parametrize("state", sorted(set(NeedState) - COLLECTING, key=lambda s: s.value))
def test_a_need_that_no_longer_collects_cannot_be_edited(app, session, people, state):
    need = make_need(session, people["ent"].organization, state=state)
    session.commit()
    client = app.test_client()
    login(client, people["ent"].login)
    assert "edit-need" not in text(client.get(f"/needs/{need.id}"))
    assert client.get(f"/needs/{need.id}/edit").status_code == 409
    response = post_form(client, f"/needs/{need.id}/edit", {"title": "改过的标题", "description": "改过",
                                                           "industry": "新能源", "wanted_forms": "licence"},
                         token_page=f"/needs/{need.id}")
    assert response.status_code == 409 and "不能再修改" in text(response)
    session.expire_all()
    assert session.get(Need, need.id).title != "改过的标题"


@pytest.mark.parametrize("state", [NeedState.CLOSED, NeedState.SOLVED, NeedState.EXPIRED])
def test_a_need_that_no_longer_collects_cannot_be_linked_to_a_licence_request(session, people, state):
    from datetime import date

    from matchmaker.licensing.offers import OfferInput, create_offer
    patent = make_patent(session, people["uni"].organization)
    offer = create_offer(session, people["uni"], patent.id,
                         OfferInput(licence_type="ordinary", free_months=6, payment_mode="lump_sum",
                                    lump_sum_wan="10", term_months=36), today=date.today()).offer
    need = make_need(session, people["ent"].organization, state=state)
    with pytest.raises(ValidationError) as info:
        request_deal(session, people["ent"], offer.id, enterprise_id=need.enterprise_id,
                     need_id=need.id, today=date.today())
    assert set(info.value.errors) == {"need_id"} and "不能关联许可申请" in info.value.message
    assert session.scalar(select(func.count()).select_from(Deal)) == 0
    need.state = NeedState.OPEN                       # the control: an open need links fine
    deal = request_deal(session, people["ent"], offer.id, enterprise_id=need.enterprise_id,
                        need_id=need.id, today=date.today())
    assert deal.need_id == need.id
