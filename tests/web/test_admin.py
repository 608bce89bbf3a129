"""Operator approval of organizations; nobody else may enter /admin."""
from __future__ import annotations

import pytest

from matchmaker.models import OrgKind, OrgStatus
from tests.factories import make_org
from tests.web.helpers import csrf_token, login, text


@pytest.fixture
def operator_client(client, world):
    """A client logged in as a platform operator."""
    _, operator = world.member(OrgKind.OPERATOR)
    assert login(client, operator.login).status_code == 302
    return client


def act(client, org_id: int, action: str, status: str = "pending"):
    """Press an approve/suspend/reinstate button on the admin list."""
    page = text(client.get(f"/admin?status={status}"))
    return client.post(f"/admin/organizations/{org_id}/{action}",
                       data={"csrf_token": csrf_token(page), "status": status})


def test_pending_organizations_are_listed_by_default(operator_client, world, session):
    pending = make_org(session, OrgKind.ENTERPRISE, name="待审核企业甲", status=OrgStatus.PENDING)
    make_org(session, OrgKind.ENTERPRISE, name="已通过企业乙")
    session.commit()
    page = text(operator_client.get("/admin"))
    assert "待审核企业甲" in page and "已通过企业乙" not in page
    assert f'id="approve-{pending.id}"' in page
    assert '<span class="badge badge-pending">待审核</span>' in page
    all_page = text(operator_client.get("/admin?status=all"))
    assert "待审核企业甲" in all_page and "已通过企业乙" in all_page


def test_operator_approves_suspends_and_reinstates(operator_client, world, session):
    org, user = world.member(OrgKind.ENTERPRISE, name="新疆某机械有限公司", status=OrgStatus.PENDING)

    response = act(operator_client, org.id, "approve")
    assert response.status_code == 302
    session.refresh(org)
    assert org.status == OrgStatus.APPROVED
    assert "已将“新疆某机械有限公司”设为已通过" in text(operator_client.get(response.headers["Location"]))

    act(operator_client, org.id, "suspend", "approved")
    session.refresh(org)
    assert org.status == OrgStatus.SUSPENDED
    member = operator_client.application.test_client()
    assert login(member, user.login).status_code == 403

    act(operator_client, org.id, "reinstate", "suspended")
    session.refresh(org)
    assert org.status == OrgStatus.APPROVED
    assert login(member, user.login).status_code == 302


def test_invalid_transition_is_reported_not_applied(operator_client, world, session):
    org, _ = world.member(OrgKind.ENTERPRISE)  # already approved
    response = act(operator_client, org.id, "reinstate", "approved")
    assert response.status_code == 302
    page = text(operator_client.get(response.headers["Location"]))
    assert "不能改为" in page
    session.refresh(org)
    assert org.status == OrgStatus.APPROVED


def test_admin_list_paginates(operator_client, session):
    for n in range(23):
        make_org(session, OrgKind.ENTERPRISE, name=f"排队企业{n:02d}", status=OrgStatus.PENDING)
    session.commit()
    first = text(operator_client.get("/admin"))
    assert "第 1 / 2 页" in first and "共 23 条" in first and 'id="page-next"' in first
    second = text(operator_client.get("/admin?page=2"))
    assert "第 2 / 2 页" in second and second.count('data-testid="org-row"') == 3


@pytest.mark.parametrize("kind", [OrgKind.UNIVERSITY, OrgKind.ENTERPRISE, OrgKind.STATION])
def test_non_operators_get_403(client, world, session, kind):
    target = make_org(session, OrgKind.ENTERPRISE, status=OrgStatus.PENDING)
    session.commit()
    _, user = world.member(kind)
    login(client, user.login)
    assert client.get("/admin").status_code == 403
    page = text(client.get("/"))
    response = client.post(f"/admin/organizations/{target.id}/approve",
                           data={"csrf_token": csrf_token(page)})
    assert response.status_code == 403
    session.refresh(target)
    assert target.status == OrgStatus.PENDING


def test_visitors_are_sent_to_login(client):
    response = client.get("/admin")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_registration_reaches_the_operators_inbox_and_badge(client, world, session):
    from tests.web.test_auth import registration
    from tests.web.helpers import post_form
    _, operator = world.member(OrgKind.OPERATOR)
    assert post_form(client, "/register", registration()).status_code == 302
    login(client, operator.login)
    home = text(client.get("/"))
    assert 'data-testid="pending-org-count"' in home and ">1<" in home.split('pending-org-count')[1][:80]
    inbox = text(client.get("/inbox"))
    assert "新机构注册待审核：乌鲁木齐新材料科技有限公司（企业）" in inbox


def test_rejection_needs_a_reason_which_the_organization_is_told(operator_client, world, session):
    from sqlalchemy import select

    from matchmaker.models import Notification
    org, user = world.member(OrgKind.ENTERPRISE, name="资料不全有限公司", status=OrgStatus.PENDING)
    page = text(operator_client.get("/admin"))
    refused = operator_client.post(f"/admin/organizations/{org.id}/reject",
                                   data={"csrf_token": csrf_token(page), "reason": " "})
    assert "请填写原因" in text(operator_client.get(refused.headers["Location"]))
    session.refresh(org)
    assert org.status == OrgStatus.PENDING
    operator_client.post(f"/admin/organizations/{org.id}/reject",
                         data={"csrf_token": csrf_token(page), "reason": "营业执照与名称不符"})
    session.refresh(org)
    assert (org.status, org.status_reason) == (OrgStatus.REJECTED, "营业执照与名称不符")
    told = session.scalar(select(Notification).where(Notification.user_id == user.id))
    assert (told.title, told.body) == ("机构注册未通过审核", "原因：营业执照与名称不符")
    member = operator_client.application.test_client()
    refused_login = login(member, user.login)
    assert refused_login.status_code == 403
    assert "机构注册未通过审核：营业执照与名称不符" in text(refused_login)
    act(operator_client, org.id, "reinstate", "rejected")        # reconsidered
    session.refresh(org)
    assert (org.status, org.status_reason) == (OrgStatus.APPROVED, "")
    titles = [n.title for n in session.scalars(select(Notification).where(
        Notification.user_id == user.id).order_by(Notification.id))]
    assert titles[-1] == "机构已通过平台审核，现在可以登录使用"
