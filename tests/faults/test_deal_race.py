"""Two processes transition the same deal at once (each with its own engine and session, real
commits): exactly one wins, the other gets Conflict, exactly one event is written.

tests/licensing/test_locking.py covers two sessions and two threads in one process; here the
contenders are separate processes, as two web workers (or a web worker and the job worker) of
one deployment, over several rounds so that either side may win.
"""
from __future__ import annotations

import multiprocessing as mp

import pytest
from sqlalchemy import func, select

from matchmaker.licensing.deals import STALE
from matchmaker.models import Deal, DealEvent, DealState as S
from tests.factories import make_patent
from tests.licensing.helpers import TODAY, build_world, deal_in, make_offer

from .procs import race_transitions

ROUNDS = 4


@pytest.fixture
def world(session):
    w = build_world(session)
    session.commit()
    return w


def event_count(s, deal_id: int) -> int:
    return s.scalar(select(func.count()).select_from(DealEvent).where(DealEvent.deal_id == deal_id))


def test_two_processes_one_wins_the_other_gets_conflict(runtime, session, settings, world):
    deals = []
    for _ in range(ROUNDS):                 # a patent (and offer) per round: one open deal each
        offer = make_offer(session, world, make_patent(session, world.university))
        deals.append(deal_in(session, world, S.NEGOTIATING, offer=offer))
    session.commit()
    versions = {d.id: d.version for d in deals}
    with runtime.session_factory() as s:
        events_before = {d.id: event_count(s, d.id) for d in deals}

    # The owner starts the free period; against it, the operator declines (even rounds) or
    # the broker abandons the deal for its client (odd rounds). Each is a step its actor takes
    # alone (a paid licence would only be proposed: it needs both parties' consent).
    first = [(d.id, versions[d.id], world.owner.id, S.FREE_ACTIVE.value, "") for d in deals]
    second = [(d.id, versions[d.id], world.operator.id, S.DECLINED.value, "") if i % 2 == 0
              else (d.id, versions[d.id], world.broker.id, S.TERMINATED.value, "")
              for i, d in enumerate(deals)]

    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=race_transitions, args=(settings, plan, TODAY, barrier, results))
             for plan in (first, second)]
    for p in procs:
        p.start()
    try:
        reported = dict(results.get(timeout=120) for _ in procs)
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    assert [p.exitcode for p in procs] == [0, 0]
    outcomes = [dict(reported[p.pid]) for p in procs]

    wins = [0, 0]
    with runtime.session_factory() as s:
        for i, d in enumerate(deals):
            pair = [outcomes[0][d.id], outcomes[1][d.id]]
            assert sorted(pair) == sorted(["won", f"conflict:{STALE}"]), (d.id, pair)
            winner = pair.index("won")
            wins[winner] += 1
            expected = S((first, second)[winner][i][3])
            deal = s.get(Deal, d.id)
            assert (deal.state, deal.version) == (expected, versions[d.id] + 1)
            assert event_count(s, d.id) == events_before[d.id] + 1
            last = s.scalars(select(DealEvent).where(DealEvent.deal_id == d.id)
                             .order_by(DealEvent.id.desc())).first()
            assert (last.from_state, last.to_state) == (S.NEGOTIATING, expected)
    assert sum(wins) == ROUNDS, wins
