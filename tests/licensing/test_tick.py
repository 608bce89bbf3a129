"""`tick` with a controlled clock: free-period reminders, conversion due, recordal deadlines,
expired needs and patents; every rule idempotent."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from matchmaker.licensing.deals import request_deal
from matchmaker.licensing.recordal import record_filing
from matchmaker.licensing.tick import TickReport, tick
from matchmaker.models import (Deal, DealEvent, DealState as S, ListingState, Need, NeedState,
                               Notification, Patent, UserRole)
from tests.factories import make_need, make_patent, make_user
from tests.licensing.helpers import count, events_of, make_offer, notifications, settle, step

START = date(2024, 1, 15)          # free period 2024-01-15 .. 2024-07-15 (6 months)
FREE_END = date(2024, 7, 15)
RECORDAL_DUE = date(2024, 4, 15)


def free_deal(session, world, *, by_broker: bool = True, start: date = START,
              patent: Patent | None = None) -> Deal:
    offer = make_offer(session, world, patent, today=start)
    requester = world.broker if by_broker else world.ent_user
    deal = request_deal(session, requester, offer.id, enterprise_id=world.enterprise.id,
                        today=start)
    step(session, world.owner, deal, S.NEGOTIATING, today=start)
    step(session, world.owner, deal, S.FREE_ACTIVE, today=start)
    assert deal.free_start == start and deal.free_end == date(2024, 7, start.day)
    assert deal.recordal_due == date(2024, 4, start.day)
    return deal


@pytest.fixture
def audience(session, world):
    """Who hears about a deal of `world.enterprise` on `world.patent` (active users only)."""
    ent2 = make_user(session, world.enterprise, role=UserRole.MEMBER)
    make_user(session, world.enterprise, is_active=False)            # left the company
    owner2 = make_user(session, world.university, role=UserRole.MEMBER)
    session.commit()
    return {"enterprise": {world.ent_user.id, ent2.id}, "owner": {world.owner.id, owner2.id},
            "broker": {world.broker.id}}


def users_with(session, key_like: str) -> list[int]:
    return sorted(n.user_id for n in notifications(session, key_like))


def test_free_period_reminders_30_and_7_days_before_the_end(session, world, audience):
    deal = free_deal(session, world)
    session.commit()
    everyone = sorted(audience["enterprise"] | audience["owner"] | audience["broker"])
    key = f"deal{deal.id}:free-end"

    assert tick(session, today=FREE_END - timedelta(days=31)).reminders == 0
    report = tick(session, today=FREE_END - timedelta(days=30))
    session.commit()
    assert report.reminders == len(everyone) == 5
    assert users_with(session, f"{key}:30:%") == everyone              # once per user
    first = notifications(session, f"{key}:30:u{world.ent_user.id}")[0]
    assert first.title == "免费许可将于 2024-07-15 结束（还剩 30 天）"
    assert first.link == f"/deals/{deal.id}" and first.kind == "deal_reminder"

    # same day again, and every later day inside the 30-day step: nothing new
    for day in (FREE_END - timedelta(days=30), FREE_END - timedelta(days=29),
                FREE_END - timedelta(days=8)):
        assert tick(session, today=day).reminders == 0
    session.commit()
    assert len(notifications(session, f"{key}%")) == 5

    report = tick(session, today=FREE_END - timedelta(days=7))
    assert report.reminders == 5
    assert users_with(session, f"{key}:7:%") == everyone
    for day in (FREE_END - timedelta(days=7), FREE_END - timedelta(days=6), FREE_END):
        report = tick(session, today=day)
        assert report.reminders == 0 and report.conversion_due == []
    session.commit()
    assert len(notifications(session, f"{key}%")) == 10
    assert deal.state == S.FREE_ACTIVE


def test_first_run_late_in_the_period_sends_only_the_current_step(session, world, audience):
    deal = free_deal(session, world, by_broker=False)
    assert tick(session, today=FREE_END - timedelta(days=5)).reminders == 5
    assert notifications(session, f"deal{deal.id}:free-end:30%") == []
    assert len(notifications(session, f"deal{deal.id}:free-end:7%")) == 5


def test_a_deal_requested_by_the_enterprise_still_reaches_its_broker(session, world, audience):
    deal = free_deal(session, world, by_broker=False)
    assert deal.station_id is None
    tick(session, today=FREE_END - timedelta(days=30))
    assert world.broker.id in users_with(session, f"deal{deal.id}:free-end:30:%")


def test_after_the_free_period_the_deal_is_due_for_conversion_once(session, world, audience):
    deal = free_deal(session, world)
    session.commit()
    version = deal.version

    assert tick(session, today=FREE_END).conversion_due == []
    report = tick(session, today=FREE_END + timedelta(days=1))
    session.commit()
    assert report.conversion_due == [deal.id]
    assert deal.state == S.CONVERSION_DUE and deal.version == version + 1
    event = events_of(session, deal.id)[-1]
    assert (event.from_state, event.to_state, event.actor_id) == (S.FREE_ACTIVE, S.CONVERSION_DUE, None)
    assert event.at.date() == FREE_END + timedelta(days=1)
    everyone = sorted(audience["enterprise"] | audience["owner"] | audience["broker"])
    assert users_with(session, f"deal{deal.id}:conversion-due:%") == everyone

    events = count(session, DealEvent)
    for later in (FREE_END + timedelta(days=1), FREE_END + timedelta(days=2)):
        report = tick(session, today=later)
        assert report.conversion_due == [] and report.reminders == 0
    session.commit()
    assert count(session, DealEvent) == events and deal.version == version + 1
    assert len(notifications(session, f"deal{deal.id}:conversion-due:%")) == 5


def test_a_missed_day_still_moves_the_deal(session, world):
    deal = free_deal(session, world)
    assert tick(session, today=FREE_END + timedelta(days=40)).conversion_due == [deal.id]


@pytest.mark.parametrize("state", [S.CONVERTED, S.TERMINATED])
def test_deals_no_longer_free_are_left_alone(session, world, state):
    deal = free_deal(session, world)
    settle(session, world, world.owner, deal, state, value="10", today=START + timedelta(days=10))
    report = tick(session, today=FREE_END - timedelta(days=7))
    assert report.reminders == 0
    assert tick(session, today=FREE_END + timedelta(days=1)).conversion_due == []
    assert deal.state == state


def test_recordal_flags_before_and_after_the_due_date(session, world):
    deal = free_deal(session, world)
    session.commit()
    told = sorted({world.owner.id, world.broker.id})       # owner and the deal's station
    key = f"deal{deal.id}:recordal:{RECORDAL_DUE}"

    assert tick(session, today=RECORDAL_DUE - timedelta(days=15)).recordal_flags == 0
    report = tick(session, today=RECORDAL_DUE - timedelta(days=14))
    assert report.recordal_flags == 2
    assert users_with(session, f"{key}:soon:%") == told
    assert notifications(session, f"{key}:soon:%")[0].title == "许可合同须于 2024-04-15 前备案"
    for day in (RECORDAL_DUE - timedelta(days=14), RECORDAL_DUE - timedelta(days=3), RECORDAL_DUE):
        assert tick(session, today=day).recordal_flags == 0

    report = tick(session, today=RECORDAL_DUE + timedelta(days=1))
    assert report.recordal_flags == 2
    assert users_with(session, f"{key}:overdue:%") == told
    assert notifications(session, f"{key}:overdue:%")[0].title == (
        "许可合同备案已逾期（应于 2024-04-15 前备案）")
    assert tick(session, today=RECORDAL_DUE + timedelta(days=20)).recordal_flags == 0
    session.commit()

    # filed late: no more flags, not even for a new key
    record_filing(session, world.owner, deal.id, expected_version=deal.version,
                  recordal_no="2024990000001", recordal_date=date(2024, 5, 20),
                  today=date(2024, 5, 20))
    before = count(session, Notification)
    assert tick(session, today=date(2024, 5, 21)).recordal_flags == 0
    assert count(session, Notification) == before


def test_a_recordal_filed_in_time_is_never_flagged(session, world):
    deal = free_deal(session, world, by_broker=False)
    record_filing(session, world.owner, deal.id, expected_version=deal.version,
                  recordal_no="2024990000002", recordal_date=date(2024, 2, 1),
                  today=date(2024, 2, 1))
    for day in (RECORDAL_DUE - timedelta(days=14), RECORDAL_DUE + timedelta(days=1)):
        assert tick(session, today=day).recordal_flags == 0
    assert notifications(session, f"deal{deal.id}:recordal%") == []


def test_a_contract_registration_number_alone_does_not_stop_the_flags(session, world):
    deal = free_deal(session, world, by_broker=False)
    record_filing(session, world.owner, deal.id, expected_version=deal.version,
                  contract_reg_no="6501012024000321", today=date(2024, 2, 1))
    assert tick(session, today=RECORDAL_DUE + timedelta(days=1)).recordal_flags == 1   # owner


def test_conversion_starts_a_new_recordal_deadline_with_new_flags(session, world):
    deal = free_deal(session, world, by_broker=False)
    record_filing(session, world.owner, deal.id, expected_version=deal.version,
                  recordal_no="R-FREE", recordal_date=date(2024, 2, 1), today=date(2024, 2, 1))
    settle(session, world, world.owner, deal, S.CONVERTED, value="20", today=date(2024, 6, 1))
    # the free licence's recordal is kept, but it does not cover the paid contract
    assert (deal.recordal_due, deal.recordal_no) == (date(2024, 9, 1), "R-FREE")
    assert tick(session, today=date(2024, 8, 18)).recordal_flags == 1
    assert len(notifications(session, f"deal{deal.id}:recordal:2024-09-01:soon:%")) == 1
    record_filing(session, world.owner, deal.id, expected_version=deal.version,
                  recordal_no="R-PAID", recordal_date=date(2024, 8, 20), today=date(2024, 8, 20))
    assert tick(session, today=date(2024, 9, 2)).recordal_flags == 0     # recorded: no flags


def test_ended_deals_are_not_flagged(session, world):
    deal = free_deal(session, world, by_broker=False)
    step(session, world.ent_user, deal, S.TERMINATED, today=date(2024, 2, 1))
    assert tick(session, today=RECORDAL_DUE + timedelta(days=1)).recordal_flags == 0


def test_open_needs_past_their_validity_expire(session, world):
    lapsing = make_need(session, world.enterprise, valid_until=date(2024, 3, 10))
    next_day = make_need(session, world.enterprise, valid_until=date(2024, 3, 11))
    forever = make_need(session, world.enterprise, valid_until=None)
    closed = make_need(session, world.enterprise, valid_until=date(2024, 1, 1),
                       state=NeedState.CLOSED)
    session.commit()

    assert tick(session, today=date(2024, 3, 10)).needs_expired == 0
    assert tick(session, today=date(2024, 3, 11)).needs_expired == 1
    assert (lapsing.state, next_day.state) == (NeedState.EXPIRED, NeedState.OPEN)
    assert tick(session, today=date(2024, 3, 12)).needs_expired == 1
    assert tick(session, today=date(2024, 3, 12)).needs_expired == 0
    session.commit()
    assert (next_day.state, forever.state, closed.state) == (
        NeedState.EXPIRED, NeedState.OPEN, NeedState.CLOSED)


def test_patents_past_expiry_are_archived(session, world):
    day = date(2024, 3, 1)
    listed = make_patent(session, world.university, expiry_date=day)
    draft = make_patent(session, world.university, expiry_date=day, listing_state=ListingState.DRAFT)
    withdrawn = make_patent(session, world.university, expiry_date=day,
                            listing_state=ListingState.WITHDRAWN)
    valid = make_patent(session, world.university, expiry_date=day + timedelta(days=1))
    session.commit()

    assert tick(session, today=day).patents_archived == 0            # its last day
    assert tick(session, today=day + timedelta(days=1)).patents_archived == 3
    assert tick(session, today=day + timedelta(days=1)).patents_archived == 0
    session.commit()
    assert {p.listing_state for p in (listed, draft, withdrawn)} == {ListingState.ARCHIVED}
    assert valid.listing_state == ListingState.LISTED
    assert world.patent.listing_state == ListingState.LISTED


def _snapshot(session) -> dict:
    session.expire_all()
    return {
        "deals": sorted((d.id, d.state, d.version) for d in session.scalars(select(Deal))),
        "events": count(session, DealEvent),
        "notifications": sorted(n.dedupe_key or "" for n in session.scalars(select(Notification))),
        "needs": sorted((n.id, n.state) for n in session.scalars(select(Need))),
        "patents": sorted((p.id, p.listing_state) for p in session.scalars(select(Patent))),
    }


def test_a_second_run_changes_nothing(session, world, audience):
    day = date(2024, 7, 16)
    ending = free_deal(session, world)                                   # free_end 07-15
    reminded = free_deal(session, world, by_broker=False, start=date(2024, 1, 20),
                         patent=make_patent(session, world.university))  # free_end 07-20
    make_need(session, world.outsider_ent, valid_until=date(2024, 7, 1))
    make_patent(session, world.other_university, expiry_date=date(2024, 7, 1))
    session.commit()

    first = tick(session, today=day)
    session.commit()
    assert first.conversion_due == [ending.id]
    assert first.reminders == 5 and first.needs_expired == 1 and first.patents_archived == 1
    assert first.recordal_flags > 0
    assert len(notifications(session, f"deal{reminded.id}:free-end:7:%")) == 5
    assert len(first.lines()) == 6 and first.lines()[1] == "进入待转化 1 笔"
    before = _snapshot(session)

    second = tick(session, today=day)
    session.commit()
    assert second == TickReport()
    assert _snapshot(session) == before
