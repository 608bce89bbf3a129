"""工作台: what waits for each role, counted; recommendations summed up per week."""
from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

from matchmaker.db import utcnow
from matchmaker.licensing.deals import request_deal
from matchmaker.licensing.offers import create_offer, withdraw_offer
from matchmaker.models import ListingState, Match, MatchState, OrgKind, OrgStatus
from matchmaker.workbench import build_workbench
from tests.factories import make_need, make_org, make_patent
from tests.security.conftest import offer_input
from tests.web.helpers import login, text

TODAY = date.today()


def tile(page: str, testid: str) -> int:
    found = re.search(rf'data-testid="{testid}">\s*<span class="tile-count">(\d+)</span>', page)
    assert found, f"no tile {testid}"
    return int(found.group(1))


def tile_link(page: str, testid: str) -> str:
    found = re.search(rf'<a class="tile[^"]*" href="([^"]+)" data-testid="{testid}">', page)
    assert found, f"no tile {testid}"
    return unescape(found.group(1))


def listed_ids(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-testid="patent-item" id="patent-(\d+)"', page)}


def test_university_sees_requests_patents_without_terms_and_drafts(client, session, world):
    uni, owner = world.member(OrgKind.UNIVERSITY)
    ent, buyer = world.member(OrgKind.ENTERPRISE)
    offered = make_patent(session, uni, title="已发布许可条件的专利")
    make_patent(session, uni, title="已上架但没有许可条件的专利")
    make_patent(session, uni, title="草稿专利", listing_state=ListingState.DRAFT)
    session.flush()
    offer = create_offer(session, owner, offered.id, offer_input(), today=TODAY).offer
    deal = request_deal(session, buyer, offer.id, enterprise_id=ent.id, today=TODAY)
    session.commit()

    bench = build_workbench(session, owner, today=TODAY, now=utcnow())
    assert (bench.deals_waiting_total, bench.patents_without_offer, bench.patent_drafts) == (1, 1, 1)
    assert [d.id for d in bench.deals_waiting] == [deal.id]
    # The enterprise waits for the owner: nothing waits for the enterprise yet.
    assert build_workbench(session, buyer, today=TODAY, now=utcnow()).deals_waiting_total == 0

    login(client, owner.login)
    page = text(client.get("/"))
    assert "<h1>工作台</h1>" in page and 'id="hero-register"' not in page
    assert (tile(page, "todo-deals"), tile(page, "todo-no-offer"), tile(page, "todo-drafts")) == (1, 1, 1)
    assert f'data-testid="deal-{deal.id}"' in page


def test_enterprise_recommendations_are_summed_up_by_week(client, session, world):
    uni, _ = world.member(OrgKind.UNIVERSITY)
    ent, user = world.member(OrgKind.ENTERPRISE)
    need = make_need(session, ent)
    old_need = make_need(session, ent, title="上个月的需求")
    session.flush()
    now = utcnow()
    patents = [make_patent(session, uni) for _ in range(4)]
    session.flush()
    session.add_all([
        Match(need=need, patent=patents[0], score=80.0, created_at=now),                 # new, strong
        Match(need=need, patent=patents[1], score=75.0, created_at=now,
              state=MatchState.VIEWED),                                                  # seen already
        Match(need=need, patent=patents[2], score=20.0, created_at=now),                 # weak
        Match(need=old_need, patent=patents[3], score=90.0, created_at=now - timedelta(days=20)),
    ])
    session.commit()
    bench = build_workbench(session, user, today=TODAY, now=now)
    assert bench.recommendations_this_week == 2      # strong and made in the last 7 days
    assert bench.recommendations_unseen == 2         # strong and never opened, whenever made
    assert (bench.needs_open, bench.needs_waiting) == (2, 2)

    login(client, user.login)
    page = text(client.get("/"))
    assert tile(page, "todo-unseen") == 2 and "本周 2 条新推荐" in page


def test_station_sees_needs_waiting_for_a_first_response(session, world):
    station, broker = world.member(OrgKind.STATION)
    ent, _ = world.member(OrgKind.ENTERPRISE)
    world.serve(station, ent)
    make_need(session, ent)
    answered = make_need(session, ent, title="已响应的需求")
    answered.first_response_at = utcnow()
    session.commit()
    assert build_workbench(session, broker, today=TODAY, now=utcnow()).needs_waiting == 1


def test_operator_sees_organizations_to_approve(client, session, world):
    _, operator = world.member(OrgKind.OPERATOR)
    make_org(session, OrgKind.ENTERPRISE, status=OrgStatus.PENDING)
    session.commit()
    login(client, operator.login)
    assert tile(text(client.get("/")), "todo-orgs") == 1


def test_the_patent_tiles_link_to_exactly_the_patents_they_count(client, session, world):
    """The tile said 4 and opened 我的专利 with all 8 patents; its link now filters to the
    listed patents without active licence terms (withdrawn terms count as none), and the
    drafts tile to the drafts."""
    uni, owner = world.member(OrgKind.UNIVERSITY)
    other_uni, _ = world.member(OrgKind.UNIVERSITY)
    offered = make_patent(session, uni, title="已发布许可条件的专利")
    terms_withdrawn = make_patent(session, uni, title="许可条件已撤回的专利")
    bare = [make_patent(session, uni, title=f"没有许可条件的专利{i}") for i in range(3)]
    drafts = [make_patent(session, uni, title=f"草稿专利{i}", listing_state=ListingState.DRAFT)
              for i in range(2)]
    make_patent(session, uni, title="已撤回的专利", listing_state=ListingState.WITHDRAWN)
    make_patent(session, other_uni, title="另一所大学没有许可条件的专利")
    session.flush()
    create_offer(session, owner, offered.id, offer_input(), today=TODAY)
    withdrawn = create_offer(session, owner, terms_withdrawn.id, offer_input(), today=TODAY).offer
    withdraw_offer(session, owner, withdrawn.id)
    session.commit()

    login(client, owner.login)
    home = text(client.get("/"))
    for testid, expected in (("todo-no-offer", {terms_withdrawn, *bare}), ("todo-drafts", set(drafts))):
        shown = listed_ids(text(client.get(tile_link(home, testid))))
        assert tile(home, testid) == len(shown) == len(expected), testid
        assert shown == {p.id for p in expected}, testid
    page = text(client.get(tile_link(home, "todo-no-offer")))
    assert 'id="filter-no-offer" data-testid="filter-no-offer" aria-current="page"' in page


def test_my_patents_filters_ignore_unknown_values(client, session, world):
    uni, owner = world.member(OrgKind.UNIVERSITY)
    listed = make_patent(session, uni)
    draft = make_patent(session, uni, listing_state=ListingState.DRAFT)
    session.commit()
    login(client, owner.login)
    for junk in ("?state=bogus&offer=yes", "?state=%3Cscript%3E", "?offer=None&state=LISTED"):
        response = client.get(f"/patents/mine{junk}")
        assert response.status_code == 200
        assert listed_ids(text(response)) == {listed.id, draft.id}, junk
    empty = text(client.get("/patents/mine?state=archived"))
    assert listed_ids(empty) == set() and 'data-testid="no-matching-patents"' in empty
