"""The inbox: notifications pushed by the matching worker, unread badge, open, mark all read."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from matchmaker.jobs.worker import run_until_empty
from matchmaker.models import Notification, OrgKind
from matchmaker.notifications import notify
from tests.factories import make_need, make_patent
from tests.web.helpers import csrf_token, login, logout, post_form, text


@pytest.fixture
def pushed(app, session, world):
    """A listed patent and a matching need; the worker has run and pushed to both sides."""
    uni, uni_user = world.member(OrgKind.UNIVERSITY, name="石河子农业大学")
    ent, ent_user = world.member(OrgKind.ENTERPRISE, name="阿克苏棉业有限公司")
    patent = make_patent(session, uni, title="一种棉花秸秆制备生物质板材的方法",
                         abstract="本发明以棉花秸秆为原料，经粉碎、施胶、热压制备生物质刨花板材。",
                         industry_tags=["农产品加工"])
    session.commit()
    need = make_need(session, ent, title="棉花秸秆制板技术", industry="农产品加工",
                     description="每年产生大量棉花秸秆，希望引进秸秆刨花板材热压制备技术。")
    session.commit()
    run_until_empty(app.extensions["matchmaker"])
    return dict(uni_user=uni_user, ent_user=ent_user, patent=patent, need=need)


def unread_badge(page: str) -> int:
    """The number in the nav badge (0 when the badge is not shown)."""
    nav = re.search(r'<a [^>]*id="nav-inbox".*?</a>', page, re.S)
    assert nav, "nav has no inbox link"
    badge = re.search(r'data-testid="unread-count">(\d+)</span>', nav.group(0))
    return int(badge.group(1)) if badge else 0


def unread_in_db(session, user) -> int:
    """Unread notifications of `user`, straight from the database."""
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))


def notification_ids(page: str, unread: bool | None = None) -> list[int]:
    """Ids of the notifications listed on an inbox page (optionally only unread / read ones)."""
    found = re.findall(r'data-testid="notification"\s+data-notification-id="(\d+)"[^>]*data-unread="(\w+)"', page)
    return [int(i) for i, u in found if unread is None or (u == "true") == unread]


def test_worker_push_shows_in_inbox_and_opening_marks_read(client, session, pushed):
    user, need = pushed["ent_user"], pushed["need"]
    before = unread_in_db(session, user)
    assert before >= 1
    login(client, user.login)
    # Recommendations are summed up on the 工作台, not counted one by one in the nav badge.
    home = text(client.get("/"))
    assert unread_badge(home) == 0 and 'data-testid="recommendation-summary"' in home
    page = text(client.get("/inbox"))
    assert "消息" in page and "棉花秸秆制板技术" in page and "新上架专利可能解决您的需求" in page
    assert unread_badge(page) == 0 and 'class="notice unread"' in page
    assert f"另有 {before} 条匹配推荐未读" in page
    item = session.scalar(select(Notification).where(Notification.user_id == user.id)
                          .order_by(Notification.id))
    assert item.link == f"/matches/need/{need.id}" and item.id in notification_ids(page, unread=True)

    response = client.post(f"/inbox/{item.id}/open", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302 and response.location == f"/matches/need/{need.id}"
    assert unread_in_db(session, user) == before - 1
    page = text(client.get("/inbox"))
    assert unread_badge(page) == 0 and (f"另有 {before - 1} 条" in page if before > 1 else "另有" not in page)
    assert item.id in notification_ids(page, unread=False)
    # The link lands on the recommendations it announced.
    assert pushed["patent"].title in text(client.get(f"/matches/need/{need.id}"))


def test_lister_is_told_about_demand(client, session, pushed):
    user = pushed["uni_user"]
    login(client, user.login)
    page = text(client.get("/inbox"))
    assert "家企业的需求与专利" in page and unread_in_db(session, user) >= 1
    assert unread_badge(page) == 0 and f"另有 {unread_in_db(session, user)} 条匹配推荐未读" in page


def test_mark_all_read(client, session, pushed):
    user = pushed["ent_user"]
    notify(session, [user], "test", "第二条测试消息", "正文", "/patents/")
    session.commit()
    assert unread_in_db(session, user) >= 2
    login(client, user.login)
    response = post_form(client, "/inbox/read-all", {}, token_page="/inbox", follow_redirects=True)
    page = text(response)
    assert response.status_code == 200 and "条消息标为已读" in page
    assert unread_in_db(session, user) == 0 and unread_badge(page) == 0
    assert notification_ids(page, unread=True) == [] and len(notification_ids(page)) >= 2
    assert 'id="read-all"' not in page


def test_csrf_required_and_nothing_changes_without_it(client, session, pushed):
    user = pushed["ent_user"]
    before = unread_in_db(session, user)
    item = session.scalar(select(Notification).where(Notification.user_id == user.id))
    login(client, user.login)
    assert client.post("/inbox/read-all").status_code == 400
    assert client.post(f"/inbox/{item.id}/open").status_code == 400
    assert client.post(f"/inbox/{item.id}/open", data={"csrf_token": "forged"}).status_code == 400
    assert client.get(f"/inbox/{item.id}/open").status_code == 405
    assert unread_in_db(session, user) == before


def test_cannot_open_someone_elses_notification(client, session, pushed):
    other = pushed["uni_user"]
    item = session.scalar(select(Notification).where(Notification.user_id == other.id))
    login(client, pushed["ent_user"].login)
    response = post_form(client, f"/inbox/{item.id}/open", {}, token_page="/inbox")
    assert response.status_code == 404
    session.expire_all()
    assert session.get(Notification, item.id).read_at is None


@pytest.mark.parametrize("link", ["https://evil.example/x", "//evil.example/x", "javascript:alert(1)",
                                  "/\\evil.example", ""])
def test_open_only_follows_links_within_the_site(client, session, world, link):
    _org, user = world.member(OrgKind.ENTERPRISE)
    notify(session, [user], "test", "外部链接", "", link)
    session.commit()
    item = session.scalar(select(Notification).where(Notification.user_id == user.id))
    login(client, user.login)
    response = post_form(client, f"/inbox/{item.id}/open", {}, token_page="/inbox")
    assert response.status_code == 302 and response.location == "/inbox"
    assert unread_in_db(session, user) == 0


def test_pagination_and_empty_inbox(client, session, world, settings):
    _org, user = world.member(OrgKind.ENTERPRISE)
    login(client, user.login)
    page = text(client.get("/inbox"))
    assert "暂无消息" in page and unread_badge(page) == 0
    for i in range(settings.page_size + 3):
        notify(session, [user], "test", f"测试消息{i:02d}", "", "/")
    session.commit()
    first = text(client.get("/inbox"))
    assert len(notification_ids(first)) == settings.page_size and 'id="page-next"' in first
    second = text(client.get("/inbox?page=2"))
    assert len(notification_ids(second)) == 3
    assert not set(notification_ids(first)) & set(notification_ids(second))
    assert unread_badge(second) == settings.page_size + 3


def test_inbox_needs_login(client):
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.location
    assert 'id="nav-inbox"' not in text(client.get("/"))


def test_badge_is_per_user_and_counts_what_is_not_a_recommendation(client, session, pushed):
    notify(session, [pushed["ent_user"]], "deal", "交易状态更新", "", "/deals")
    notify(session, [pushed["ent_user"]], "custody", "托管协议待确认", "", "/custody/")
    session.commit()
    login(client, pushed["ent_user"].login)
    assert unread_badge(text(client.get("/"))) == 2
    logout(client)
    login(client, pushed["uni_user"].login)
    assert unread_badge(text(client.get("/"))) == 0 < unread_in_db(session, pushed["uni_user"])
