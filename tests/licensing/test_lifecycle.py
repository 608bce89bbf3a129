"""Licences ending, effective-date checks, repeat requests, amounts, and tick surviving a race."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from matchmaker.errors import Conflict, ValidationError
from matchmaker.licensing import tick as tick_module
from matchmaker.licensing.deals import request_deal
from matchmaker.money import AmountError, parse_pct, parse_wan
from matchmaker.licensing.tick import tick
from matchmaker.models import DealState as S

from tests.factories import make_patent

from .helpers import TODAY, deal_in, events_of, make_offer, step


def test_tick_ends_a_paid_licence_when_its_term_runs_out(session, world):
    deal = deal_in(session, world, S.CONVERTED, offer=make_offer(session, world, term_months=24))
    session.commit()
    assert tick(session, today=TODAY + timedelta(days=700)).licences_ended == 0
    report = tick(session, today=date(2026, 3, 1))          # effective 2024-03-01 + 24 months
    assert report.licences_ended == 1 and deal.state == S.TERMINATED
    last = events_of(session, deal.id)[-1]
    assert (last.actor_id, last.note) == (None, "许可期限届满")
    assert tick(session, today=date(2026, 3, 2)).licences_ended == 0


def test_tick_ends_a_paid_licence_when_the_patent_expires(session, world):
    deal = deal_in(session, world, S.CONVERTED)
    world.patent.expiry_date = TODAY + timedelta(days=10)
    session.commit()
    assert tick(session, today=TODAY + timedelta(days=11)).licences_ended == 1
    assert events_of(session, deal.id)[-1].note == "专利保护期届满"


def test_effective_date_cannot_precede_the_request_or_be_years_ahead(session, world):
    deal = deal_in(session, world, S.NEGOTIATING)
    session.commit()
    with pytest.raises(ValidationError, match="不能早于申请日期"):
        step(session, world.owner, deal, S.FREE_ACTIVE, start=TODAY - timedelta(days=1))
    session.rollback()
    with pytest.raises(ValidationError, match="最多可提前一年"):
        step(session, world.owner, deal, S.CONVERTED, start=TODAY + timedelta(days=400))
    session.rollback()
    assert deal.state == S.NEGOTIATING and len(events_of(session, deal.id)) == 2


def test_no_second_request_while_a_paid_licence_is_in_force(session, world):
    deal = deal_in(session, world, S.CONVERTED)
    session.commit()
    with pytest.raises(Conflict, match=f"#{deal.id}"):
        request_deal(session, world.ent_user, deal.offer_id, today=TODAY)


@pytest.mark.parametrize("raw, yuan", [(".5", 5_000), ("+5", 50_000), ("1,200", 12_000_000),
                                       ("３万元", 30_000)])
def test_amounts_as_people_type_them(raw, yuan):
    assert parse_wan(raw, "金额") == yuan


@pytest.mark.parametrize("raw", ["1e1", "nan", "inf", "五"])
def test_percentages_must_be_plain_numbers(raw):
    with pytest.raises(AmountError, match="须为数字"):
        parse_pct(raw, "提成比例")


def test_tick_skips_a_deal_changed_at_the_same_moment_and_keeps_the_rest(session, world,
                                                                        monkeypatch):
    """A conflict on one deal (a user acting during the run) costs only that deal."""
    first = deal_in(session, world, S.FREE_ACTIVE)
    second_patent = make_patent(session, world.university)
    second = deal_in(session, world, S.FREE_ACTIVE, offer=make_offer(session, world, second_patent))
    session.commit()
    real = tick_module.transition

    def racing(session_, actor, deal_id, *args, **kwargs):
        if deal_id == first.id:
            raise Conflict("该交易已被他人修改，请刷新页面后重试")
        return real(session_, actor, deal_id, *args, **kwargs)
    monkeypatch.setattr(tick_module, "transition", racing)
    report = tick(session, today=TODAY + timedelta(days=200))
    session.commit()
    assert report.conversion_due == [second.id]
    assert first.state == S.FREE_ACTIVE and second.state == S.CONVERSION_DUE


def test_parties_hear_about_requests_and_steps_but_not_the_actor(session, world):
    from matchmaker.models import Notification
    from sqlalchemy import select

    def inbox(user):
        return [n.title for n in session.scalars(select(Notification).where(
            Notification.user_id == user.id, Notification.kind == "deal"))]
    deal = deal_in(session, world, S.REQUESTED)
    assert any("申请许可" in t for t in inbox(world.owner))
    assert any("申请许可" in t for t in inbox(world.broker))
    assert inbox(world.ent_user) == []                      # the requester itself
    step(session, world.owner, deal, S.NEGOTIATING)
    assert any("洽谈中" in t for t in inbox(world.ent_user))
    assert not any("洽谈中" in t for t in inbox(world.owner))
    assert all(n.link == f"/deals/{deal.id}" for n in session.scalars(
        select(Notification).where(Notification.kind == "deal")))
