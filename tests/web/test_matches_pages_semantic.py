"""The need's match page with the semantic stage on: the penalty is explained and adds up."""
from __future__ import annotations

import re

import pytest

from matchmaker.matching import matches
from tests.web.helpers import login, logout, text
from tests.web.test_matches_pages import broker, match_of, scene  # noqa: F401  (stage on)


@pytest.fixture
def semantic_rerank() -> bool:
    return True


def test_the_semantic_penalty_is_listed_and_the_points_add_up(client, scene):  # noqa: F811
    login(client, scene.ent_user.login)
    page = text(client.get(f"/matches/need/{scene.need.id}"))
    assert page.index(scene.coating.title) < page.index(scene.electrolyte.title)
    lines = re.findall(r'data-testid="counted-signals">计分依据：(.*?)（合计 ([\d.]+) 分', page, re.S)
    assert len(lines) >= 2
    penalized = [(parts, total) for parts, total in lines if "语义相近 -" in parts]
    assert penalized, "the candidate that is not first by meaning loses points, and says so"
    for parts, total in lines:
        points = [float(p) for p in re.findall(r" ([+-]\d+\.\d) 分", parts)]
        assert sum(points) == pytest.approx(float(total), abs=0.1 * len(points))
    assert 'data-signal="semantic"' in page
    assert "-0.0 分" not in page   # the closest in meaning loses nothing, and says so


def test_a_candidate_penalized_by_meaning_is_still_recommended_on_its_lexical_score(
        client, session, scene, broker, monkeypatch):  # noqa: F811
    """The penalty orders; it does not decide what is recommended (README, Abstention)."""
    weak = match_of(session, scene.need, scene.electrolyte)
    assert weak.breakdown["semantic"] < 0 and weak.score < weak.lexical_score
    monkeypatch.setattr(matches, "RECOMMEND_THRESHOLD", (weak.score + weak.lexical_score) / 2)
    login(client, scene.ent_user.login)
    page = text(client.get(f"/matches/need/{scene.need.id}"))
    listed = page[page.index('id="match-list"'):]
    assert scene.electrolyte.title in listed.split('id="maybe-section"')[0]
    logout(client)
    login(client, broker.login)
    station = text(client.get("/matches/station"))
    assert scene.electrolyte.title in station and "推荐匹配" in station
    monkeypatch.setattr(matches, "RECOMMEND_THRESHOLD", weak.lexical_score + 0.5)
    station = text(client.get("/matches/station"))
    assert scene.electrolyte.title not in station


def test_each_match_says_why_it_is_or_is_not_a_recommendation(client, session, scene,
                                                              monkeypatch):  # noqa: F811
    """The order follows the displayed score, the decision the confidence: a collapsed match
    may show more points than a recommended one, so every explanation gives the figures."""
    weak = match_of(session, scene.need, scene.electrolyte)
    monkeypatch.setattr(matches, "RECOMMEND_THRESHOLD", weak.confidence + 0.5)
    login(client, scene.ent_user.login)
    page = text(client.get(f"/matches/need/{scene.need.id}"))
    verdicts = re.findall(r'data-testid="verdict" data-recommended="(true|false)">推荐判定：(.*?)</p>',
                          page, re.S)
    assert len(verdicts) >= 2
    below = [body for flag, body in verdicts if flag == "false"]
    assert any(f"文本匹配 {weak.lexical_score:.1f} 分" in body and "未达到推荐标准" in body
               for body in below)
    maybe = page[page.index('id="maybe-section"'):]
    assert scene.electrolyte.title in maybe
    for flag, body in verdicts:
        shown = float(re.search(r"可信度 ([\d.]+) 分", body).group(1))
        assert (shown >= matches.RECOMMEND_THRESHOLD - 0.05) == (flag == "true")


def test_a_match_without_common_words_says_so_before_it_is_opened(client, session, scene):  # noqa: F811
    """A patent found by meaning alone shares no technical word with the need: the collapsed
    explanation's summary says so, where a lexical match lists its first common words."""
    alone = match_of(session, scene.need, scene.electrolyte)
    alone.matched_terms = []
    session.commit()
    login(client, scene.ent_user.login)
    page = text(client.get(f"/matches/need/{scene.need.id}"))
    summaries = re.findall(r"<summary>为什么推荐(.*?)</summary>", page, re.S)
    assert len(summaries) >= 2
    without = [s for s in summaries if 'data-testid="no-common-terms"' in s]
    assert len(without) == 1 and "：无共同技术词" in without[0]
    assert "两者没有直接相同的技术词" in page          # the opened explanation says it too
    assert all("无共同技术词" not in s for s in summaries if s not in without)
