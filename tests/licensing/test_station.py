"""The station workspace: columns by state (newest first, capped), clients, waiting needs."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from matchmaker.licensing.station import workspace
from matchmaker.models import DealState as S
from tests.factories import make_need, make_patent

from .helpers import TODAY, deal_in, make_offer


def test_columns_counts_and_waiting_needs_with_a_bounded_number_of_queries(session, world):
    deals = {}
    for state in (S.REQUESTED, S.NEGOTIATING, S.FREE_ACTIVE, S.CONVERTED):
        patent = make_patent(session, world.university)
        deals[state] = deal_in(session, world, state, offer=make_offer(session, world, patent))
    extra = deal_in(session, world, S.REQUESTED,
                    offer=make_offer(session, world, make_patent(session, world.university)))
    waiting = make_need(session, world.enterprise, title="等待响应的需求")
    session.commit()
    session.expire_all()
    statements = []

    def count(*args):
        statements.append(args[2])
    event.listen(session.bind, "before_cursor_execute", count)
    try:
        ws = workspace(session, world.station, today=TODAY + timedelta(days=3), per_column=1)
        columns = {c.state: [d.id for d in c.deals] for c in ws.columns}
        totals = {c.state: c.total for c in ws.columns}
        titles = [d.patent.title for c in ws.columns for d in c.deals]
    finally:
        event.remove(session.bind, "before_cursor_execute", count)
    assert columns[S.REQUESTED] == [extra.id]            # newest first, capped at one card
    assert totals[S.REQUESTED] == 2 and totals[S.NEGOTIATING] == 1 and totals[S.DECLINED] == 0
    assert columns[S.NEGOTIATING] == [deals[S.NEGOTIATING].id]
    assert columns[S.CONVERTED] == [deals[S.CONVERTED].id] and columns[S.DECLINED] == []
    assert all(titles)
    assert len(statements) <= 12, statements             # not one query per card
    client = next(c for c in ws.clients if c.enterprise.id == world.enterprise.id)
    assert (client.open_needs, client.open_deals) == (1, 5)
    assert [w.need.id for w in ws.waiting] == [waiting.id] and ws.waiting_total == 1


def test_waiting_needs_are_paged_oldest_first(session, world):
    needs = [make_need(session, world.enterprise, title=f"等待响应的需求 {n}") for n in range(5)]
    session.commit()
    first = workspace(session, world.station, today=TODAY, waiting_per_page=2)
    last = workspace(session, world.station, today=TODAY, waiting_page=3, waiting_per_page=2)
    assert first.waiting_total == last.waiting_total == 5
    assert [w.need.id for w in first.waiting] == [n.id for n in needs[:2]]
    assert [w.need.id for w in last.waiting] == [needs[4].id]
