"""Station–enterprise link pages: ask, answer with a badge pointing there, operator screen."""
from __future__ import annotations

import re

from sqlalchemy import select

from matchmaker.models import LinkState, OrgKind, StationLink
from tests.web.helpers import login, logout, post_form, text


def test_station_asks_enterprise_confirms_then_the_broker_posts_a_need(client, session, world):
    station, broker = world.member(OrgKind.STATION, name="天山创新驿站")
    ent, ent_user = world.member(OrgKind.ENTERPRISE, name="昌吉测试电池有限公司")
    login(client, broker.login)
    assert "暂无可代发需求的企业" in text(client.get("/needs/new"))
    page = text(client.get("/links/"))
    assert f'<option value="{ent.id}">昌吉测试电池有限公司</option>' in page
    bad = post_form(client, "/links/new", {"counterpart": "", "note": ""}, token_page="/links/")
    assert bad.status_code == 422 and "请选择一家已审核的企业" in text(bad)
    done = post_form(client, "/links/new", {"counterpart": str(ent.id), "note": "上门走访后申请"},
                     token_page="/links/", follow_redirects=True)
    assert "申请已提交，等待对方确认" in text(done) and "等待 昌吉测试电池有限公司 确认" in text(done)
    link = session.scalar(select(StationLink))
    logout(client)

    login(client, ent_user.login)
    home = text(client.get("/"))
    assert re.search(r'data-testid="links-waiting-count"[^>]*>1<', home)
    assert "天山创新驿站申请为贵企业提供服务，请确认" in text(client.get("/inbox"))
    page = text(client.get("/links/"))
    assert f'data-testid="incoming-{link.id}"' in page and "上门走访后申请" in page
    confirmed = post_form(client, f"/links/{link.id}/confirm", {"version": str(link.version)},
                          token_page="/links/", follow_redirects=True)
    assert "已确认，服务关系已建立" in text(confirmed)
    session.refresh(link)
    assert link.state == LinkState.ACTIVE
    logout(client)

    login(client, broker.login)
    response = post_form(client, "/needs/new", {
        "enterprise_id": str(ent.id), "title": "提高正极材料循环寿命", "description": "需要包覆改性技术",
        "industry": "新能源", "wanted_forms": "licence"})
    assert response.status_code == 302
    assert "昌吉测试电池有限公司" in text(client.get("/station/"))


def test_ending_needs_a_reason_and_keeps_the_history(client, session, world):
    station, broker = world.member(OrgKind.STATION, name="天山创新驿站")
    ent, ent_user = world.member(OrgKind.ENTERPRISE, name="昌吉测试电池有限公司")
    world.serve(station, ent)
    link = session.scalar(select(StationLink))
    login(client, ent_user.login)
    refused = post_form(client, f"/links/{link.id}/end", {"version": str(link.version)},
                        token_page="/links/", follow_redirects=True)
    assert "请填写解除原因" in text(refused)
    post_form(client, f"/links/{link.id}/end", {"version": str(link.version), "note": "搬迁"},
              token_page="/links/")
    session.refresh(link)
    assert link.state == LinkState.ENDED
    page = text(client.get("/links/"))
    assert f'data-testid="history-{link.id}"' in page and "搬迁" in page


def test_operator_links_and_lists_with_a_filter(client, session, world):
    station, _ = world.member(OrgKind.STATION, name="天山创新驿站")
    ent, _ = world.member(OrgKind.ENTERPRISE, name="昌吉测试电池有限公司")
    _, operator = world.member(OrgKind.OPERATOR, name="平台运营方")
    login(client, operator.login)
    bad = post_form(client, "/links/new", {"station_id": "x", "enterprise_id": ""},
                    token_page="/links/")
    assert bad.status_code == 422
    assert "请选择一家已审核的创新驿站" in text(bad) and "请选择一家已审核的企业" in text(bad)
    response = post_form(client, "/links/new", {"station_id": str(station.id),
                                                "enterprise_id": str(ent.id), "note": "现场核实"},
                         token_page="/links/")
    assert response.status_code == 302
    link = session.scalar(select(StationLink))
    assert link.state == LinkState.ACTIVE and link.requested_by_id != station.id
    assert f'data-testid="link-{link.id}"' in text(client.get("/links/?state=active"))
    assert f'data-testid="link-{link.id}"' not in text(client.get("/links/?state=proposed"))
    assert "驿站服务关系" in text(client.get("/admin/audit?type=station_link"))
