"""Match pages: ranked, explained recommendations; reactions; the lister's feedback; the broker view."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from matchmaker.jobs.worker import run_until_empty
from matchmaker.matching.matches import refresh_need_matches
from matchmaker.models import DeclineReason, Match, MatchState, Need, Organization, OrgKind, Patent, User
from tests.factories import make_need, make_patent
from tests.web.helpers import csrf_token, login, logout, post_form, text

NEED_TEXT = dict(title="提高锂电池正极材料的循环寿命",
                 description="我公司生产动力电池，高镍正极材料循环寿命不足，希望引进包覆改性相关专利技术。",
                 industry="新能源")


@dataclass
class Scene:
    uni: Organization
    uni_user: User
    ent: Organization
    ent_user: User
    coating: Patent       # the best match
    electrolyte: Patent   # a weaker match
    straw: Patent         # unrelated
    need: Need


@pytest.fixture
def scene(app, session, world) -> Scene:
    """A university with three listed patents and an enterprise need; matches computed."""
    uni, uni_user = world.member(OrgKind.UNIVERSITY, name="新疆理工大学")
    ent, ent_user = world.member(OrgKind.ENTERPRISE, name="昌吉新能源电池有限公司")
    coating = make_patent(session, uni, title="一种高镍三元锂电池正极材料的包覆改性方法",
                          abstract="本发明公开了一种高镍三元正极材料的包覆改性方法，显著提高锂电池的循环寿命和热稳定性。",
                          industry_tags=["新能源"])
    electrolyte = make_patent(session, uni, title="一种锂电池电解液添加剂",
                              abstract="本发明提供一种锂电池电解液添加剂，改善正极材料界面，提高循环寿命。",
                              industry_tags=["新能源"])
    straw = make_patent(session, uni, title="一种棉花秸秆制备生物质板材的方法",
                        abstract="本发明以棉花秸秆为原料，经粉碎、施胶、热压制备生物质板材。",
                        industry_tags=["农产品加工"])
    session.commit()
    need = make_need(session, ent, **NEED_TEXT)
    session.commit()
    assert run_until_empty(app.extensions["matchmaker"]) == 4   # three patents, one need
    session.expire_all()
    return Scene(uni, uni_user, ent, ent_user, coating, electrolyte, straw, need)


@pytest.fixture
def other_ent_user(world) -> User:
    """A user of an enterprise that has nothing to do with the scene's need."""
    return world.member(OrgKind.ENTERPRISE, name="哈密乙纺织有限公司")[1]


@pytest.fixture
def broker(world, scene) -> User:
    """A broker of a station that serves the scene's enterprise."""
    station, user = world.member(OrgKind.STATION, name="昌吉创新驿站")
    world.serve(station, scene.ent)
    return user


@pytest.fixture
def outsider_broker(world) -> User:
    """A broker of a station serving some other enterprise."""
    station, user = world.member(OrgKind.STATION, name="喀什创新驿站")
    world.serve(station, world.member(OrgKind.ENTERPRISE, name="喀什丙食品有限公司")[0])
    return user


def match_of(session, need: Need, patent: Patent) -> Match:
    """The stored match of a need and a patent (fresh from the database)."""
    session.expire_all()
    match = session.scalar(select(Match).where(Match.need_id == need.id, Match.patent_id == patent.id))
    assert match is not None, f"no match for {patent.title}"
    return match


def active_part(page: str) -> str:
    """The ranked list of a need page (before the collapsed declined section)."""
    return page.split('id="declined-section"')[0]


def declined_part(page: str) -> str:
    """The collapsed 已标记不感兴趣 section of a need page ('' when absent)."""
    head, sep, tail = page.partition('id="declined-section"')
    return tail if sep else ""


def react(client, match: Match, need: Need, **data):
    """POST a reaction with a CSRF token from the need's match page."""
    return post_form(client, f"/matches/{match.id}/react", data, token_page=f"/matches/need/{need.id}")


def test_owner_sees_ranked_explained_matches(client, session, scene):
    login(client, scene.ent_user.login)
    response = client.get(f"/matches/need/{scene.need.id}")
    assert response.status_code == 200
    page = text(response)
    assert "为需求推荐的专利" in page and scene.need.title in page
    # Ranked: the coating patent first, the electrolyte one after it, the straw patent not at all.
    assert scene.coating.title in page and scene.electrolyte.title in page
    assert page.index(scene.coating.title) < page.index(scene.electrolyte.title)
    assert scene.straw.title not in page
    ids = re.findall(r'data-testid="match" data-match-id="(\d+)"\s+data-patent-id="(\d+)"', page)
    assert [int(p) for _m, p in ids][:2] == [scene.coating.id, scene.electrolyte.id]
    scores = [float(s) for s in re.findall(r'data-testid="match-score" data-score="([\d.]+)"', page)]
    assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= scores[0] <= 100
    # Explanation: heading, term chips, both texts highlighted, Chinese signal names, bars.
    assert page.count("为什么推荐") >= 2
    chips = re.findall(r'<li class="term-chip">([^<]+)</li>', page)
    assert "正极材料" in chips and "循环" in chips
    need_snips = re.findall(r'data-testid="need-snippet">.*?<p class="why-snippet">(.*?)</p>', page, re.S)
    patent_snips = re.findall(r'data-testid="patent-snippet">.*?<p class="why-snippet">(.*?)</p>', page, re.S)
    # The need's text is shown once, at the top, not again in each collapsed explanation.
    assert need_snips == [] and page.count(scene.need.description[:20]) == 1
    assert page.count('<details class="why"') == len(patent_snips) >= 2 and '<details class="why" open' not in page
    assert patent_snips and all("<mark>" in s for s in patent_snips)
    assert "<mark>正极材料</mark>" in patent_snips[0]
    for label in ("全文相关度", "关键词覆盖", "内容相似度", "标题相似度", "标题词覆盖"):
        assert label in page, label
    assert "IPC 一致" not in page   # the need has no IPC: a signal that does not apply is not shown
    assert re.search(r"计分依据：[^<]*全文相关度 \+", page) and "<meter" in page
    assert 'style="' not in page and "<script>" not in page   # CSP: no inline styles or scripts
    # The first view shows them as new and records that they were seen.
    assert "新推荐" in page
    assert match_of(session, scene.need, scene.coating).state == MatchState.VIEWED
    assert "新推荐" not in text(client.get(f"/matches/need/{scene.need.id}"))


def test_decline_with_reason_moves_it_aside_for_good_and_reaches_the_lister(app, client, session, scene):
    login(client, scene.ent_user.login)
    match = match_of(session, scene.need, scene.coating)
    response = react(client, match, scene.need, state="declined", reason="not_mature",
                     note="需要中试数据后再考虑")
    assert response.status_code == 302 and f"/matches/need/{scene.need.id}" in response.location
    match = match_of(session, scene.need, scene.coating)
    assert match.state == MatchState.DECLINED and match.decline_reason == DeclineReason.NOT_MATURE
    assert match.decline_note == "需要中试数据后再考虑" and match.decided_by_id == scene.ent_user.id

    page = text(client.get(f"/matches/need/{scene.need.id}"))
    assert scene.coating.title not in active_part(page)
    assert scene.coating.title in declined_part(page) and "已标记不感兴趣（1）" in page
    assert "技术不够成熟" in declined_part(page)
    assert scene.electrolyte.title in active_part(page)

    # Recomputing never brings a declined patent back.
    rt = app.extensions["matchmaker"]
    with rt.transaction() as s:
        refreshed = refresh_need_matches(s, rt.search, scene.need.id)
        assert {m.patent_id for m in refreshed if m.state != MatchState.DECLINED} == {scene.electrolyte.id}
    assert match_of(session, scene.need, scene.coating).state == MatchState.DECLINED
    page = text(client.get(f"/matches/need/{scene.need.id}"))
    assert scene.coating.title not in active_part(page) and scene.coating.title in declined_part(page)

    # The owner university sees why.
    logout(client)
    login(client, scene.uni_user.login)
    page = text(client.get(f"/matches/patent/{scene.coating.id}"))
    feedback = page.split(' id="decline-feedback"')[1].split("</section>")[0]
    assert re.search(r'data-reason="技术不够成熟">.*?<strong class="feedback-count">1</strong>', feedback, re.S)
    assert "需要中试数据后再考虑" in feedback
    assert scene.need.title not in page   # its only need declined: no longer listed as interested


def test_decline_without_reason_shows_a_chinese_field_error_and_changes_nothing(client, session, scene):
    login(client, scene.ent_user.login)
    match = match_of(session, scene.need, scene.coating)
    response = react(client, match, scene.need, state="declined", reason="", note="备注")
    assert response.status_code == 200
    page = text(response)
    assert "请选择不感兴趣的原因" in page and 'aria-invalid="true"' in page
    assert re.search(rf'<details class="decline" id="decline-{match.id}" open>', page)
    assert ">备注</textarea>" in page   # what was typed is kept
    after = match_of(session, scene.need, scene.coating)
    assert after.state == MatchState.VIEWED and after.decline_reason is None and after.decline_note == ""

    response = react(client, match, scene.need, state="declined", reason="bogus")
    assert "请选择不感兴趣的原因" in text(response)
    response = react(client, match, scene.need, state="declined", reason="other", note="长" * 1001)
    assert "备注不能超过 1000 个字符" in text(response)
    response = react(client, match, scene.need, state="approve")
    assert "无效的操作" in text(response)
    assert match_of(session, scene.need, scene.coating).state == MatchState.VIEWED


def test_interested_is_recorded(client, session, scene):
    login(client, scene.ent_user.login)
    match = match_of(session, scene.need, scene.electrolyte)
    response = react(client, match, scene.need, state="interested")
    assert response.status_code == 302
    assert match_of(session, scene.need, scene.electrolyte).state == MatchState.INTERESTED
    page = text(client.get(response.location))
    assert "已标记为感兴趣" in page
    assert f'id="interested-{match.id}"' not in page and f'id="request-{match.id}"' in page


def test_request_without_offers_records_interest_for_the_owner(client, session, scene):
    login(client, scene.ent_user.login)
    match = match_of(session, scene.need, scene.coating)
    response = post_form(client, f"/matches/{match.id}/request", {},
                         token_page=f"/matches/need/{scene.need.id}", follow_redirects=True)
    assert response.status_code == 200
    assert "专利权人尚未发布许可条件，已记录您的意向" in text(response)
    after = match_of(session, scene.need, scene.coating)
    assert after.state == MatchState.INTERESTED and after.decided_by_id == scene.ent_user.id


def test_request_with_an_offer_leads_to_the_terms_with_the_need_preselected(client, session, scene):
    from datetime import date

    from matchmaker.licensing.offers import OfferInput, create_offer
    owner = scene.coating.owner.users[0]
    offer = create_offer(session, owner, scene.coating.id, OfferInput(free_months=6, lump_sum_wan="5"),
                         today=date.today()).offer
    session.commit()
    login(client, scene.ent_user.login)
    match = match_of(session, scene.need, scene.coating)
    response = post_form(client, f"/matches/{match.id}/request", {},
                         token_page=f"/matches/need/{scene.need.id}")
    assert response.status_code == 302
    assert response.location.endswith(f"/patents/{scene.coating.id}?need={scene.need.id}#offers")
    page = text(client.get(response.location))
    assert f"/offers/{offer.id}/request?need={scene.need.id}" in page


def test_other_enterprise_gets_404_everywhere(client, session, scene, other_ent_user, world):
    match = match_of(session, scene.need, scene.coating)
    login(client, other_ent_user.login)
    assert client.get(f"/matches/need/{scene.need.id}").status_code == 404
    token = csrf_token(text(client.get("/")))
    for url, data in ((f"/matches/{match.id}/react", {"state": "declined", "reason": "other"}),
                      (f"/matches/{match.id}/react", {"state": "interested"}),
                      (f"/matches/{match.id}/request", {})):
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 404, url
    assert client.post("/matches/999999/react", data={"state": "interested", "csrf_token": token}).status_code == 404
    assert match_of(session, scene.need, scene.coating).state == MatchState.SUGGESTED
    # Nor may another university read a patent's demand page.
    _org, other_uni_user = world.member(OrgKind.UNIVERSITY)
    logout(client)
    login(client, other_uni_user.login)
    assert client.get(f"/matches/patent/{scene.coating.id}").status_code == 404


def test_csrf_is_required_on_every_post(client, session, scene):
    login(client, scene.ent_user.login)
    match = match_of(session, scene.need, scene.coating)
    assert client.post(f"/matches/{match.id}/react",
                       data={"state": "declined", "reason": "other"}).status_code == 400
    assert client.post(f"/matches/{match.id}/request").status_code == 400
    assert client.post(f"/matches/{match.id}/react", data={"state": "interested",
                                                           "csrf_token": "forged"}).status_code == 400
    assert match_of(session, scene.need, scene.coating).state == MatchState.SUGGESTED


def test_serving_broker_sees_the_station_view_and_others_do_not(client, session, scene, broker,
                                                                 outsider_broker):
    login(client, broker.login)
    nav = text(client.get("/"))
    assert 'id="nav-station-matches"' in nav
    page = text(client.get("/matches/station?min_score=0"))
    assert "服务企业的匹配推荐" in page and scene.ent.name in page and scene.need.title in page
    assert scene.coating.title in page and scene.electrolyte.title in page
    assert page.count('data-testid="enterprise-group"') == 1
    # The score filter: above the weaker match only the strong one remains; above both, none.
    strong = match_of(session, scene.need, scene.coating).score
    weak = match_of(session, scene.need, scene.electrolyte).score
    assert weak < strong
    page = text(client.get(f"/matches/station?min_score={(weak + strong) / 2:.1f}"))
    assert scene.coating.title in page and scene.electrolyte.title not in page
    page = text(client.get("/matches/station?min_score=100.0"))
    assert scene.coating.title not in page and "没有达到该匹配度的结果" in page
    assert client.get("/matches/station?min_score=abc").status_code == 200
    # A serving broker acts for the enterprise: the need page works for them too, and their
    # look does not count as the enterprise having seen the suggestions.
    page = text(client.get(f"/matches/need/{scene.need.id}"))
    assert scene.coating.title in page and 'data-testid="decline-form"' in page
    assert match_of(session, scene.need, scene.coating).state == MatchState.SUGGESTED

    logout(client)
    login(client, outsider_broker.login)
    page = text(client.get("/matches/station"))
    assert scene.need.title not in page and scene.coating.title not in page
    assert client.get(f"/matches/need/{scene.need.id}").status_code == 404


@pytest.mark.parametrize("who", ["ent_user", "uni_user"])
def test_station_view_is_for_stations_only(client, scene, who):
    login(client, getattr(scene, who).login)
    assert client.get("/matches/station").status_code == 403


def test_the_needs_list_counts_what_the_need_page_recommends(client, session, scene, monkeypatch):
    """Matches below the threshold are "可能相关" on the need's page, not recommendations; one
    the enterprise said it is interested in stays counted whatever its score."""
    from matchmaker.matching import matches
    best = max(m.confidence for m in session.scalars(select(Match)))
    monkeypatch.setattr(matches, "RECOMMEND_THRESHOLD", best + 1)
    login(client, scene.ent_user.login)
    assert "0 项推荐专利" in text(client.get("/matches/"))
    match_of(session, scene.need, scene.electrolyte).state = MatchState.INTERESTED
    session.commit()
    assert "1 项推荐专利" in text(client.get("/matches/"))


def test_links_from_detail_pages_and_nav(client, session, scene):
    login(client, scene.ent_user.login)
    detail = text(client.get(f"/needs/{scene.need.id}"))
    assert f'href="/matches/need/{scene.need.id}"' in detail and 'id="need-matches-link"' in detail
    home = text(client.get("/"))
    assert 'id="nav-matches"' in home and 'id="nav-station-matches"' not in home
    index = text(client.get("/matches/"))
    assert scene.need.title in index and "2 项推荐专利" in index
    assert 'id="patent-matches-link"' not in text(client.get(f"/patents/{scene.coating.id}"))

    logout(client)
    login(client, scene.uni_user.login)
    detail = text(client.get(f"/patents/{scene.coating.id}"))
    assert f'href="/matches/patent/{scene.coating.id}"' in detail and 'id="patent-matches-link"' in detail
    page = text(client.get(f"/matches/patent/{scene.coating.id}"))
    assert "可能需要此专利的企业" in page and scene.need.title in page and scene.ent.name in page
    assert "为什么推荐" in page and "<mark>" in page and 'id="decline-feedback"' not in page
    # Universities may see needs but not the enterprise's recommendation page.
    assert 'id="need-matches-link"' not in text(client.get(f"/needs/{scene.need.id}"))
    assert client.get(f"/matches/need/{scene.need.id}").status_code == 404


def test_pending_and_empty_states(app, client, session, world):
    ent, user = world.member(OrgKind.ENTERPRISE)
    need = make_need(session, ent, title="沙漠光伏板自动清洗机器人", description="光伏电站风沙大，组件积灰严重，需要无水清洗设备。",
                     industry="其他")
    session.commit()
    login(client, user.login)
    page = text(client.get(f"/matches/need/{need.id}"))
    assert "正在计算匹配结果，请稍后刷新" in page
    run_until_empty(app.extensions["matchmaker"])
    page = text(client.get(f"/matches/need/{need.id}"))
    assert "正在计算匹配结果" not in page and "暂时没有找到匹配的专利" in page
    assert "产品、材料或工艺" in page and "去掉行业限制" in page
    assert f'href="/needs/{need.id}/edit"' in page


def test_operator_may_look_without_acting(client, session, world, scene):
    _org, operator = world.member(OrgKind.OPERATOR, credit_code=None)
    login(client, operator.login)
    assert 'id="need-matches-link"' in text(client.get(f"/needs/{scene.need.id}"))
    page = text(client.get(f"/matches/need/{scene.need.id}"))
    assert scene.coating.title in page and 'data-testid="match-actions"' not in page
    assert match_of(session, scene.need, scene.coating).state == MatchState.SUGGESTED
    assert client.get(f"/matches/patent/{scene.coating.id}").status_code == 200
    assert client.get("/matches/station").status_code == 403


def test_weak_matches_are_not_presented_as_recommendations(client, session, scene, monkeypatch):
    """Below the recommendation threshold the page says so and shows the best few collapsed,
    without 新推荐 badges."""
    from matchmaker.matching import matches
    monkeypatch.setattr(matches, "RECOMMEND_THRESHOLD", 101.0)
    login(client, scene.ent_user.login)
    page = text(client.get(f"/matches/need/{scene.need.id}"))
    assert "暂无高度相关的专利" in page and 'id="match-list"' not in page
    maybe = page[page.index('id="maybe-section"'):]
    assert "可能相关" in maybe and scene.coating.title in maybe
    assert "新推荐" not in page
    monkeypatch.setattr(matches, "RECOMMEND_THRESHOLD", 0.0)
    page = text(client.get(f"/matches/need/{scene.need.id}"))
    assert "暂无高度相关的专利" not in page and 'id="match-list"' in page
    assert 'id="maybe-section"' not in page


def test_station_view_lists_recommendations_unless_asked_for_more(client, session, scene, broker,
                                                                  monkeypatch):
    from matchmaker.matching import matches
    strong = match_of(session, scene.need, scene.coating).score
    weak = match_of(session, scene.need, scene.electrolyte).score
    monkeypatch.setattr(matches, "RECOMMEND_THRESHOLD", (weak + strong) / 2)
    login(client, broker.login)
    page = text(client.get("/matches/station"))
    assert scene.coating.title in page and scene.electrolyte.title not in page
    assert 'href="/matches/station?min_score=0"' in page
    assert scene.electrolyte.title in text(client.get("/matches/station?min_score=0"))


def test_station_view_pages_needs_and_caps_the_matches_shown_per_need(client, session, scene, broker):
    from matchmaker.matching.station_view import station_match_page
    stored = session.scalars(select(Match).where(Match.need_id == scene.need.id)).all()
    assert len(stored) >= 2
    result = station_match_page(session, broker, min_score=0, per_need=1)
    assert (result.needs_total, result.matches_total) == (1, len(stored))
    (row,) = result.needs
    assert row.need.id == scene.need.id and row.total == len(stored)
    assert [m.score for m in row.matches] == [max(m.score for m in stored)]   # the best one
    assert station_match_page(session, broker, min_score=0, page=2).needs == []
    assert [org.id for org, _rows in result.groups] == [scene.ent.id]

    login(client, broker.login)
    page = text(client.get("/matches/station?min_score=0"))
    assert f"1 项需求共 {len(stored)} 条匹配" in page and f"{len(stored)} 项匹配" in page
    assert text(client.get("/matches/station?min_score=0&page=2")).count('data-testid="station-need"') == 0


def test_owner_and_broker_lists_show_priority_enterprises_first_with_their_badges(client, session):
    """The lineup of tests/matching/helpers.py: small (a priority, recommended) above plain
    (a better score), each priority enterprise badged as on its profile page."""
    from tests.matching.helpers import PriorityLineup
    lineup = PriorityLineup(session)
    login(client, lineup.uni_user.login)
    page = text(client.get(f"/matches/patent/{lineup.patent.id}"))
    order = [int(n) for n in re.findall(r'data-testid="match" data-match-id="\d+"\s+data-need-id="(\d+)"', page)]
    assert order == [lineup.needs[k].id for k in ("small", "plain", "other", "weak")]
    small = page[page.index(f'data-need-id="{lineup.needs["small"].id}"'):page.index(f'data-need-id="{lineup.needs["plain"].id}"')]
    assert '<span class="badge badge-draft" data-testid="priority-reason">重点扶持：小型企业</span>' in small
    plain = page[page.index(f'data-need-id="{lineup.needs["plain"].id}"'):page.index(f'data-need-id="{lineup.needs["other"].id}"')]
    assert "重点扶持" not in plain
    assert page.count('data-testid="priority-reason"') == 3          # small; weak: 微型企业, 受疫情影响
    logout(client)
    login(client, lineup.broker.login)
    page = text(client.get("/matches/station?min_score=0"))
    groups = [int(n) for n in re.findall(r'data-testid="enterprise-group" data-enterprise-id="(\d+)"', page)]
    assert groups == [lineup.orgs[k].id for k in ("small", "plain", "other", "weak")]
    assert "重点扶持：微型企业" in page and "重点扶持：受疫情影响" in page
