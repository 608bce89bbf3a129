"""Lists that grow are paged with counts: the station board's columns and waiting needs."""
from __future__ import annotations

import re
from datetime import date

from matchmaker.licensing.deals import request_deal
from matchmaker.licensing.offers import create_offer
from matchmaker.licensing.station import PER_COLUMN, PIPELINE
from matchmaker.models import OrgKind
from tests.factories import make_need, make_patent
from tests.security.conftest import offer_input
from tests.web.helpers import login, text


def test_station_waiting_needs_are_paged_with_a_count(client, session, world):
    station, broker = world.member(OrgKind.STATION)
    enterprise, _ = world.member(OrgKind.ENTERPRISE, name="昌吉分页测试有限公司")
    world.serve(station, enterprise)
    needs = [make_need(session, enterprise, title=f"等待响应的需求第{n:02d}项") for n in range(23)]
    session.commit()
    login(client, broker.login)

    first = text(client.get("/station/"))
    assert "等待首次响应的需求（23）" in first
    assert first.count('data-testid="waiting-') - first.count('data-testid="waiting-needs"') == 20
    assert "共 23 条" in first and "第 1 / 2 页" in first
    assert 'href="/station/?waiting_page=2#waiting"' in first
    second = text(client.get("/station/?waiting_page=2"))
    shown = re.findall(r'data-testid="waiting-(\d+)"', second)
    assert [int(i) for i in shown] == [n.id for n in needs[20:]]   # oldest first, the rest
    assert client.get("/station/?waiting_page=abc").status_code == 200


def test_board_columns_show_totals_and_link_to_the_full_list(client, session, world):
    station, broker = world.member(OrgKind.STATION)
    enterprise, ent_user = world.member(OrgKind.ENTERPRISE)
    uni, uni_user = world.member(OrgKind.UNIVERSITY)
    world.serve(station, enterprise)
    for n in range(PER_COLUMN + 2):
        patent = make_patent(session, uni, title=f"看板分页测试专利{n}")
        session.flush()
        offer = create_offer(session, uni_user, patent.id, offer_input(), today=date.today()).offer
        request_deal(session, ent_user, offer.id, enterprise_id=enterprise.id, today=date.today())
    session.commit()
    login(client, broker.login)
    page = text(client.get("/station/"))
    requested = page[page.index('data-testid="column-requested"'):page.index('data-testid="column-negotiating"')]
    assert f'data-testid="column-total">{PER_COLUMN + 2}<' in requested
    assert requested.count('class="deal-card"') == PER_COLUMN
    assert f'href="/deals?state=requested"' in requested and f"查看全部 {PER_COLUMN + 2} 笔" in requested
    assert page.count('data-testid="column-total">0<') == len(PIPELINE) - 1
    # The link leads to all of them.
    assert text(client.get("/deals?state=requested")).count('class="deal-card"') == PER_COLUMN + 2


def test_a_patents_matching_needs_are_paged(client, session, world, settings):
    from matchmaker.models import Match
    uni, owner = world.member(OrgKind.UNIVERSITY)
    ent, _ = world.member(OrgKind.ENTERPRISE)
    patent = make_patent(session, uni)
    needs = [make_need(session, ent, title=f"分页匹配需求{n:02d}") for n in range(settings.page_size + 2)]
    session.flush()
    session.add_all(Match(need=need, patent=patent, score=90.0 - n, breakdown={"retrieval": 40.0},
                          signals={"retrieval": 0.8}, matched_terms=[]) for n, need in enumerate(needs))
    session.commit()
    login(client, owner.login)
    first = text(client.get(f"/matches/patent/{patent.id}"))
    assert f"匹配的企业需求（{len(needs)}）" in first and first.count('data-testid="match"') == settings.page_size
    second = text(client.get(f"/matches/patent/{patent.id}?page=2"))
    assert re.findall(r'data-need-id="(\d+)"', second) == [str(n.id) for n in needs[settings.page_size:]]
    assert f'<span class="match-rank">{settings.page_size + 1}</span>' in second   # ranks go on
