"""Priority enterprises (small, start-up, COVID-hit) first — among recommendations only: in the
owner's and the broker's lists, and in the pushes of a newly listed patent."""
from __future__ import annotations

import pytest

from matchmaker.matching.matches import (RECOMMEND_THRESHOLD, patent_matches, pushable,
                                         refresh_patent_matches, station_matches)
from matchmaker.matching.service import needs_for_profile, patent_profile
from matchmaker.matching.station_view import station_match_page
from matchmaker.matching.triggers import SKIP_KEY
from matchmaker.models import OrgKind, SizeClass
from tests.factories import make_need, make_org, make_profile, make_user

from .helpers import NEED_TEXT, PriorityLineup, corpus_patent, match_rows, notifications_of

ORDER = ["small", "plain", "other", "weak"]


@pytest.fixture
def lineup(session) -> PriorityLineup:
    assert RECOMMEND_THRESHOLD == 54.0      # the hand-set scores straddle it
    return PriorityLineup(session)


def test_the_owners_list_puts_recommended_priority_enterprises_first(session, lineup):
    """plain (80) outscores small (60), both recommended: small, a priority, comes first; weak
    (40) is a priority too, but not recommended, so it stays below by score."""
    _patent, rows = patent_matches(session, lineup.uni_user, lineup.patent.id)
    assert lineup.keys(rows) == ORDER


def test_the_brokers_lists_put_recommended_priority_enterprises_first(session, lineup):
    assert lineup.keys(station_matches(session, lineup.broker)) == ORDER
    page = station_match_page(session, lineup.broker, min_score=0)
    assert lineup.keys(m for row in page.needs for m in row.matches) == ORDER
    assert [org.id for org, _rows in page.groups] == [lineup.orgs[k].id for k in ORDER]
    assert page.priority == {lineup.orgs["small"].id: ["小型企业"],
                             lineup.orgs["weak"].id: ["微型企业", "受疫情影响"]}
    recommended_only = station_match_page(session, lineup.broker, min_score=RECOMMEND_THRESHOLD)
    assert lineup.keys(m for row in recommended_only.needs for m in row.matches) == ["small", "plain"]


def test_without_profiles_the_order_is_by_score(session, lineup):
    """Nothing else moves: the same lineup, nobody a priority, is ranked by score alone."""
    from matchmaker.models.profile import EnterpriseProfile
    session.query(EnterpriseProfile).delete()
    session.commit()
    _patent, rows = patent_matches(session, lineup.uni_user, lineup.patent.id)
    assert lineup.keys(rows) == ["plain", "small", "other", "weak"]


def test_a_new_patent_reaches_priority_enterprises_first_and_the_owner_counts_them(
        runtime, session):
    """Three open needs: a medium enterprise's (the best match), a small enterprise's (a
    weaker match, still recommended) and a micro COVID-hit enterprise's film need (a weak match:
    a priority, but not pushed, and not counted for the owner)."""
    session.info[SKIP_KEY] = True
    uni = make_org(session, OrgKind.UNIVERSITY)
    uni_user = make_user(session, uni)
    ents = {key: make_org(session, OrgKind.ENTERPRISE, name=f"企业{key}") for key in ("plain", "small", "weak")}
    users = {key: make_user(session, org) for key, org in ents.items()}
    make_profile(session, ents["plain"], employees=400, revenue_wan=5000, size_class=SizeClass.MEDIUM,
                 founded_year=2000)
    make_profile(session, ents["small"])
    make_profile(session, ents["weak"], employees=5, revenue_wan=50, size_class=SizeClass.MICRO,
                 covid_affected=True)
    needs = {"plain": make_need(session, ents["plain"], title="锂电池正极材料循环寿命",
                                description="希望引进三元正极材料包覆改性技术，提高锂离子电池循环寿命。"),
             "small": make_need(session, ents["small"], title="电池材料技术需求",
                                description="我公司生产锂离子电池，希望提高正极材料的倍率性能。"),
             "weak": make_need(session, ents["weak"], title=NEED_TEXT["film"][0],
                               description=NEED_TEXT["film"][1])}
    session.commit()
    patent = corpus_patent(session, uni, "cathode")
    session.commit()
    scored = {nm.need.id: nm.match for nm in needs_for_profile(session, runtime.search, patent_profile(patent))}
    plain, small, weak = (scored[needs[k].id] for k in ("plain", "small", "weak"))
    assert pushable(plain) and pushable(small) and not pushable(weak)
    assert plain.score > small.score                   # relevance alone would push plain first

    out = refresh_patent_matches(session, runtime.search, patent.id)
    session.commit()
    assert [m.need_id for m in out] == [needs["small"].id, needs["plain"].id]
    [to_small] = notifications_of(session, users["small"], "patent_matches")
    [to_plain] = notifications_of(session, users["plain"], "patent_matches")
    assert to_small.id < to_plain.id                   # the priority enterprise hears first
    assert to_small.title == f"【重点扶持】新上架专利可能解决您的需求“{needs['small'].title}”"
    assert to_plain.title == f"新上架专利可能解决您的需求“{needs['plain'].title}”"
    assert notifications_of(session, users["weak"]) == []
    assert match_rows(session, needs["weak"].id) == {}
    [owner_note] = notifications_of(session, uni_user, "patent_demand")
    assert owner_note.title == f"有 2 家企业（其中 1 家为重点扶持企业）的需求与专利“{patent.title[:30]}”匹配"
