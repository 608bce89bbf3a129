"""Patent pages: list, detail, create/edit with field errors, cross-organization rules."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from matchmaker.models import LegalStatus, ListingState, OrgKind, Patent
from tests.factories import make_patent, valid_app_no
from tests.web.helpers import csrf_token, login, post_form, text


def patent_form(**overrides) -> dict:
    """A valid patent form submission (a granted, listable invention)."""
    data = {"title": "一种耐盐碱棉花种植用滴灌带及其制备方法", "app_no": "201710601862.3",
            "pub_no": "", "patent_type": "", "legal_status": "valid",
            "filing_date": "2017-07-20", "grant_date": "2019-05-10",
            "ipc_codes": "A01G 25/02; B29C 48/00", "inventors": "张三、李四",
            "abstract": "本发明公开了一种滴灌带。", "first_claim": "1. 一种滴灌带，其特征在于……",
            "industry_tags": ["节水农业", "新材料"], "readiness": "6",
            "scenarios": "南疆棉田膜下滴灌", "knowhow_included": "y", "listing_state": "listed"}
    data.update(overrides)
    return data


def patent_count(session) -> int:
    """Patents currently in the database."""
    session.expire_all()
    return session.scalar(select(func.count(Patent.id)))


@pytest.fixture
def uni_a(world):
    """University A and its user."""
    return world.member(OrgKind.UNIVERSITY, name="新疆甲大学")


@pytest.fixture
def uni_b(world):
    """University B and its user."""
    return world.member(OrgKind.UNIVERSITY, name="新疆乙大学")


def test_university_registers_a_patent(client, session, uni_a):
    org, user = uni_a
    login(client, user.login)
    response = post_form(client, "/patents/new", patent_form())
    assert response.status_code == 302
    patent = session.scalar(select(Patent))
    # Registered and listed: the same flow goes on to the licence terms.
    assert response.headers["Location"] == f"/patents/{patent.id}/offers/new"
    assert patent.owner_id == org.id and patent.app_no == "201710601862.3"
    assert patent.industry_tags == ["节水农业", "新材料"] and patent.knowhow_included
    assert patent.listing_state == ListingState.LISTED

    page = text(client.get(f"/patents/{patent.id}"))
    for expected in ("一种耐盐碱棉花种植用滴灌带及其制备方法", "201710601862.3", "发明", "有效",
                     "2017-07-20", "2019-05-10", "2037-07-19", "新疆甲大学", "A01G 25/02",
                     "节水农业", "6 级", "南疆棉田膜下滴灌", "1. 一种滴灌带", "已上架"):
        assert expected in page, expected
    assert 'id="edit-patent"' in page and 'id="withdraw-patent"' in page
    assert "从专利库撤下" in page and 'id="new-offer"' in page and "已上架，尚未发布许可条件" in page


def test_a_draft_says_why_it_has_no_terms_and_lists_with_its_terms_in_one_step(client, session, uni_a):
    org, user = uni_a
    login(client, user.login)
    response = post_form(client, "/patents/new", {**patent_form(), "listing_state": "draft"})
    patent = session.scalar(select(Patent))
    assert response.headers["Location"] == f"/patents/{patent.id}"
    page = text(client.get(f"/patents/{patent.id}"))
    assert "草稿：企业看不到" in page and 'id="new-offer"' not in page
    assert 'id="list-and-offer"' in page and "仅上架，暂不发布许可条件" in page
    # One button per action: the patent's and an offer's withdrawals are told apart.
    assert page.count(">撤回<") == 0
    response = post_form(client, f"/patents/{patent.id}/list", {"next": "offer"},
                         token_page=f"/patents/{patent.id}")
    assert response.headers["Location"] == f"/patents/{patent.id}/offers/new"
    session.refresh(patent)
    assert patent.listing_state == ListingState.LISTED
    mine = text(client.get("/patents/mine"))
    assert 'data-testid="offer-state">未发布许可条件' in mine and "已上架" in mine


def test_invalid_application_number_shows_field_message_and_writes_nothing(client, session, uni_a):
    login(client, uni_a[1].login)
    response = post_form(client, "/patents/new", patent_form(app_no="201610123456.7"))
    page = text(response)
    assert response.status_code == 200
    assert 'data-testid="error-app_no"' in page
    assert "校验位应为 6" in page
    assert 'value="一种耐盐碱棉花种植用滴灌带及其制备方法"' in page  # typed input kept
    assert 'value="201610123456.7"' in page
    assert patent_count(session) == 0


def test_duplicate_application_number_is_refused(client, session, uni_a, uni_b):
    make_patent(session, uni_a[0], app_no="201710601862.3")
    session.commit()
    login(client, uni_b[1].login)
    page = text(post_form(client, "/patents/new", patent_form()))
    assert 'data-testid="error-app_no"' in page and "已由其他机构登记" in page
    assert patent_count(session) == 1


def test_over_long_title_shows_field_message(client, session, uni_a):
    login(client, uni_a[1].login)
    page = text(post_form(client, "/patents/new", patent_form(title="长" * 301)))
    assert 'data-testid="error-title"' in page
    assert "专利名称不能超过 300 个字符（当前 301 个）" in page
    assert patent_count(session) == 0


def test_listing_a_lapsed_patent_is_refused(client, session, uni_a):
    login(client, uni_a[1].login)
    page = text(post_form(client, "/patents/new", patent_form(legal_status="lapsed")))
    assert 'data-testid="error-listing_state"' in page and "已失效" in page
    assert patent_count(session) == 0


def test_other_university_cannot_edit(client, session, uni_a, uni_b):
    patent = make_patent(session, uni_a[0], title="甲大学的上架专利")
    session.commit()
    login(client, uni_b[1].login)
    detail = client.get(f"/patents/{patent.id}")
    assert detail.status_code == 200 and 'id="edit-patent"' not in text(detail)
    assert client.get(f"/patents/{patent.id}/edit").status_code == 403
    token = csrf_token(text(detail))
    response = client.post(f"/patents/{patent.id}/edit",
                           data={**patent_form(title="被篡改的标题", app_no=""), "csrf_token": token})
    assert response.status_code == 403
    response = client.post(f"/patents/{patent.id}/withdraw", data={"csrf_token": token})
    assert response.status_code == 403
    session.refresh(patent)
    assert patent.title == "甲大学的上架专利" and patent.listing_state == ListingState.LISTED


def test_draft_is_invisible_to_other_organizations(client, session, uni_a, uni_b, world):
    draft = make_patent(session, uni_a[0], title="甲大学的草稿专利", listing_state=ListingState.DRAFT)
    session.commit()
    login(client, uni_b[1].login)
    assert client.get(f"/patents/{draft.id}").status_code == 404
    assert client.get(f"/patents/{draft.id}/edit").status_code == 404
    assert "甲大学的草稿专利" not in text(client.get("/patents/"))

    owner = client.application.test_client()
    login(owner, uni_a[1].login)
    assert owner.get(f"/patents/{draft.id}").status_code == 200
    assert "甲大学的草稿专利" in text(owner.get("/patents/mine"))

    visitor = client.application.test_client()
    assert visitor.get(f"/patents/{draft.id}").status_code == 404


def test_owner_edits_patent(client, session, uni_a):
    patent = make_patent(session, uni_a[0], app_no=valid_app_no(2018, "1", 42),
                         filing_date=None, listing_state=ListingState.DRAFT)
    session.commit()
    login(client, uni_a[1].login)
    form = text(client.get(f"/patents/{patent.id}/edit"))
    assert f'value="{patent.app_no}"' in form
    data = patent_form(title="修改后的专利名称", app_no=patent.app_no, filing_date="2018-03-01",
                       listing_state="draft")
    response = client.post(f"/patents/{patent.id}/edit", data={**data, "csrf_token": csrf_token(form)})
    assert response.status_code == 302
    session.refresh(patent)
    assert patent.title == "修改后的专利名称" and patent.listing_state == ListingState.DRAFT
    assert patent.ipc_codes == ["A01G 25/02", "B29C 48/00"]


def test_owner_withdraws_archives_and_relists(client, session, uni_a):
    patent = make_patent(session, uni_a[0])
    session.commit()
    login(client, uni_a[1].login)
    for action, state in (("withdraw", ListingState.WITHDRAWN), ("list", ListingState.LISTED),
                          ("archive", ListingState.ARCHIVED)):
        token = csrf_token(text(client.get(f"/patents/{patent.id}")))
        response = client.post(f"/patents/{patent.id}/{action}", data={"csrf_token": token})
        assert response.status_code == 302
        session.refresh(patent)
        assert patent.listing_state == state


def test_relisting_a_lapsed_patent_is_explained(client, session, uni_a):
    patent = make_patent(session, uni_a[0], legal_status=LegalStatus.LAPSED,
                         listing_state=ListingState.WITHDRAWN)
    session.commit()
    login(client, uni_a[1].login)
    token = csrf_token(text(client.get(f"/patents/{patent.id}")))
    response = client.post(f"/patents/{patent.id}/list", data={"csrf_token": token},
                           follow_redirects=True)
    assert "该专利已失效，不能上架" in text(response)
    session.refresh(patent)
    assert patent.listing_state == ListingState.WITHDRAWN


@pytest.mark.parametrize("kind", [OrgKind.ENTERPRISE, OrgKind.STATION, OrgKind.OPERATOR])
def test_only_suppliers_register_patents(client, world, kind):
    _, user = world.member(kind)
    login(client, user.login)
    assert client.get("/patents/new").status_code == 403
    assert client.get("/patents/mine").status_code == 403


def test_list_paginates_and_shows_empty_state(client, session, uni_a):
    visitor_page = text(client.get("/patents/"))
    assert "暂无专利" in visitor_page and 'id="empty-action"' in visitor_page
    for n in range(25):
        make_patent(session, uni_a[0], title=f"分页测试专利{n:02d}")
    session.commit()
    first = text(client.get("/patents/"))
    assert "第 1 / 2 页" in first and "共 25 条" in first and "上一页" in first
    assert first.count('data-testid="patent-item"') == 20
    assert "分页测试专利24" in first  # newest first
    second = text(client.get("/patents/?page=2"))
    assert second.count('data-testid="patent-item"') == 5 and 'id="page-prev"' in second
    assert client.get("/patents/?page=abc").status_code == 200


def test_mine_empty_state_invites_registration(client, uni_a):
    login(client, uni_a[1].login)
    page = text(client.get("/patents/mine"))
    assert "暂无专利" in page and "登记第一件专利" in page
