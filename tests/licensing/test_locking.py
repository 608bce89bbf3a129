"""Optimistic locking: a stale page, and two people acting on the same deal at once (two real
database connections, committed data)."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from matchmaker.errors import Conflict
from matchmaker.licensing.deals import STALE, StepInput, transition
from matchmaker.licensing.proposals import confirm
from matchmaker.licensing.recordal import record_filing
from matchmaker.licensing.tick import tick
from matchmaker.models import Deal, DealEvent, DealState as S, User
from tests.licensing.helpers import TODAY, count, deal_in, step


@pytest.fixture
def negotiating(session, world) -> Deal:
    deal = deal_in(session, world, S.NEGOTIATING)
    session.commit()
    return deal


def test_stale_expected_version_is_a_conflict(session, world, negotiating):
    deal = negotiating
    seen = deal.version
    step(session, world.owner, deal, S.FREE_ACTIVE)
    session.commit()
    before = count(session, DealEvent)
    with pytest.raises(Conflict) as exc:
        transition(session, world.operator, deal.id, S.TERMINATED, expected_version=seen,
                   today=TODAY)
    assert exc.value.message == STALE and "刷新" in exc.value.message
    with pytest.raises(Conflict, match="刷新"):
        record_filing(session, world.owner, deal.id, expected_version=seen, recordal_no="R1",
                      recordal_date=TODAY, today=TODAY)
    session.rollback()
    assert deal.state == S.FREE_ACTIVE and deal.recordal_no == ""
    assert count(session, DealEvent) == before


def test_no_expected_version_means_no_check(session, world, negotiating):
    transition(session, world.owner, negotiating.id, S.FREE_ACTIVE, expected_version=None,
               today=TODAY)
    assert negotiating.state == S.FREE_ACTIVE


def _load(factory, deal_id: int, user_id: int):
    s = factory()
    return s, s.get(Deal, deal_id), s.get(User, user_id)


def _outcome(runtime, deal_id: int) -> tuple[S, int, list[tuple]]:
    with runtime.session_factory() as s:
        deal = s.get(Deal, deal_id)
        events = [(e.from_state, e.to_state, e.actor_id) for e in s.scalars(
            select(DealEvent).where(DealEvent.deal_id == deal_id).order_by(DealEvent.id))]
        return deal.state, deal.version, events


def test_two_sessions_one_commit_wins_the_other_gets_conflict(runtime, world, negotiating):
    deal_id, version = negotiating.id, negotiating.version
    first, deal1, owner = _load(runtime.session_factory, deal_id, world.owner.id)
    second, deal2, broker = _load(runtime.session_factory, deal_id, world.broker.id)
    try:
        assert first.connection() is not second.connection()
        assert deal1.version == deal2.version == version      # both saw the same page

        transition(first, owner, deal_id, S.FREE_ACTIVE, expected_version=version, today=TODAY)
        first.commit()

        # the second still holds the old version in memory: the UPDATE finds no row
        assert deal2.version == version and deal2.state == S.NEGOTIATING
        with pytest.raises(Conflict) as exc:
            transition(second, broker, deal_id, S.CONVERTED, expected_version=version,
                       step=StepInput(contract_value_wan="30"), today=TODAY)
        assert exc.value.message == STALE
        # the session was rolled back and is usable: it now reads the winner's change
        assert second.get(Deal, deal_id).state == S.FREE_ACTIVE
    finally:
        first.close()
        second.close()

    state, new_version, events = _outcome(runtime, deal_id)
    assert (state, new_version) == (S.FREE_ACTIVE, version + 1)
    assert events[-1] == (S.NEGOTIATING, S.FREE_ACTIVE, world.owner.id)
    assert [e for e in events if e[1] == S.CONVERTED] == []


def test_overlapping_transactions_one_commit_wins(runtime, world, negotiating):
    """The second writer waits for the first's uncommitted update, then finds it stale."""
    deal_id, version = negotiating.id, negotiating.version
    first, _, owner = _load(runtime.session_factory, deal_id, world.owner.id)
    second, deal2, operator = _load(runtime.session_factory, deal_id, world.operator.id)
    _ = (deal2.patent.owner_id, operator.organization.kind)     # loaded before the race
    result: dict = {}

    def second_user():
        try:
            transition(second, operator, deal_id, S.DECLINED, expected_version=version,
                       today=TODAY)
            second.commit()
            result["second"] = "committed"
        except Conflict as exc:
            result["second"] = exc.message

    try:
        transition(first, owner, deal_id, S.FREE_ACTIVE, expected_version=version, today=TODAY)
        # flushed, not committed: the row is locked/written by the first transaction
        worker = threading.Thread(target=second_user)
        worker.start()
        time.sleep(0.3)
        assert worker.is_alive() and result == {}      # waiting for the first transaction
        first.commit()
        worker.join(timeout=30)
        assert not worker.is_alive()
    finally:
        first.close()
        second.close()

    assert result == {"second": STALE}
    state, new_version, events = _outcome(runtime, deal_id)
    assert (state, new_version) == (S.FREE_ACTIVE, version + 1)
    assert [e[1] for e in events].count(S.DECLINED) == 0


def test_tick_and_a_user_racing_on_the_same_deal(runtime, session, world):
    """A user converts the deal while `tick` (its own session) still holds the old version."""
    deal = deal_in(session, world, S.FREE_ACTIVE)
    session.commit()
    deal_id, version, end = deal.id, deal.version, deal.free_end
    cron = runtime.session_factory()
    user = runtime.session_factory()
    try:
        cron.get(Deal, deal_id)                                   # tick loaded it first
        proposed = transition(user, user.get(User, world.owner.id), deal_id, S.CONVERTED,
                              expected_version=version, step=StepInput(contract_value_wan="10"),
                              today=end)
        confirm(user, user.get(User, world.ent_user.id), deal_id,
                expected_version=proposed.version, today=end)
        user.commit()
        report = tick(cron, today=end + timedelta(days=1))        # sees the row as FREE_ACTIVE?
        cron.commit()
        assert report.conversion_due == []                        # it re-queries by state
    finally:
        cron.close()
        user.close()
    state, _, events = _outcome(runtime, deal_id)
    assert state == S.CONVERTED
    assert [e[1] for e in events].count(S.CONVERSION_DUE) == 0
