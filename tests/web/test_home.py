"""Landing page: figures, newest listed patents, role-specific quick links."""
from __future__ import annotations

import pytest

from matchmaker.models import ListingState, NeedState, OrgKind
from tests.factories import make_need, make_patent
from tests.web.helpers import login, text


def test_landing_page_explains_platform_and_counts(client, session, world):
    uni, _ = world.member(OrgKind.UNIVERSITY)
    ent, _ = world.member(OrgKind.ENTERPRISE)
    make_patent(session, uni, title="已上架的专利一")
    make_patent(session, uni, title="已上架的专利二")
    make_patent(session, uni, title="草稿专利不应出现", listing_state=ListingState.DRAFT)
    make_need(session, ent)
    make_need(session, ent, state=NeedState.CLOSED)
    session.commit()

    page = text(client.get("/"))
    assert "matchmaker 专利供需对接平台" in page
    assert "先免费许可、后有偿转化" in page
    for audience in ("高校院所", "中小企业", "创新驿站", "平台运营方"):
        assert audience in page
    assert '<dd id="figure-listed-patents">2</dd>' in page
    assert '<dd id="figure-open-needs">1</dd>' in page
    assert "已上架的专利一" in page and "已上架的专利二" in page
    assert "草稿专利不应出现" not in page
    assert 'id="hero-register"' in page and 'id="nav-login"' in page


def test_empty_landing_page(client):
    page = text(client.get("/"))
    assert "暂无专利" in page
    assert '<dd id="figure-listed-patents">0</dd>' in page


@pytest.mark.parametrize("kind, link, nav", [
    (OrgKind.UNIVERSITY, 'id="quick-new-patent"', ["nav-patents", "nav-my-patents", "nav-new-patent"]),
    (OrgKind.ENTERPRISE, 'id="quick-new-need"', ["nav-patents", "nav-needs", "nav-new-need"]),
    (OrgKind.STATION, 'id="quick-client-needs"', ["nav-client-needs", "nav-needs", "nav-new-need", "nav-patents"]),
    (OrgKind.OPERATOR, 'id="quick-admin"', ["nav-patents", "nav-needs", "nav-admin"]),
])
def test_logged_in_users_get_role_links(client, world, kind, link, nav):
    _, user = world.member(kind)
    login(client, user.login)
    page = text(client.get("/"))
    assert link in page
    candidates = ("nav-patents", "nav-my-patents", "nav-new-patent", "nav-needs", "nav-new-need",
                  "nav-client-needs", "nav-admin", "nav-login", "nav-register")
    shown = sorted((page.index(f'id="{item}"'), item) for item in candidates if f'id="{item}"' in page)
    assert [item for _, item in shown] == nav  # the navigation, in display order
    assert 'id="logout-button"' in page and 'id="hero-register"' not in page
