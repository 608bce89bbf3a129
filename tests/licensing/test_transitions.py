"""The whole transition table: every (from, to) pair of deal states, for every party."""
from __future__ import annotations

import itertools

import pytest

from matchmaker.errors import InvalidTransition, PermissionDenied
from matchmaker.licensing.consent import agreeing_sides, pending_proposal
from matchmaker.licensing.deals import available_steps, parties_of
from matchmaker.licensing.proposals import confirm
from matchmaker.licensing.transitions import (BROKER, ENTERPRISE, OPERATOR, OWNER, SYSTEM,
                                              TRANSITIONS, next_steps)
from matchmaker.models import DealEvent, DealState as S, LicenceType
from tests.factories import make_patent
from tests.licensing.helpers import PATHS, TODAY, count, deal_in, events_of, make_offer, step

OPEN = dict(licence_type="open", fee_standard="每年 1 万元", payment_mode="lump_sum",
            lump_sum_wan="1", payment_method="银行转账")

ALL_PARTIES = (OWNER, ENTERPRISE, BROKER, OPERATOR, SYSTEM)
ALL_PAIRS = list(itertools.product(S, S))
TABLE_PAIRS = [p for p in ALL_PAIRS if p in TRANSITIONS]
OTHER_PAIRS = [p for p in ALL_PAIRS if p not in TRANSITIONS]


def _id(value) -> str:
    return value.value if isinstance(value, S) else str(value)


def test_parametrization_covers_every_pair():
    assert len(ALL_PAIRS) == len(S) ** 2 == 81
    assert set(TABLE_PAIRS) | set(OTHER_PAIRS) == set(ALL_PAIRS)
    assert len(TABLE_PAIRS) == len(TRANSITIONS) == 19
    # every state a row starts from can be reached by the helper's real transitions
    assert set(PATHS) == set(S)
    # every row allows somebody and refuses somebody
    for rule in TRANSITIONS.values():
        assert rule.parties and set(ALL_PARTIES) - rule.parties


def test_the_actors_stand_on_one_side_each(session, world):
    deal = deal_in(session, world, S.REQUESTED)
    for party in (OWNER, ENTERPRISE, BROKER, OPERATOR):
        assert parties_of(world.actor(party), deal) == {party}
    assert parties_of(None, deal) == set()
    assert parties_of(world.outsider, deal) == set()


def _assert_unchanged(session, deal, state, version, events):
    assert deal.state == state and deal.version == version
    assert count(session, DealEvent) == events


def _offer_for(session, world, rule, patent):
    """An open licence for the rows only open licences have, an ordinary one otherwise."""
    return make_offer(session, world, patent, **(OPEN if rule.open_only else {}))


@pytest.mark.parametrize("frm, to", TABLE_PAIRS, ids=_id)
def test_pair_in_the_table(session, world, frm, to):
    """Every listed party can take the step, or propose it when a side it cannot speak for must
    agree: then the deal waits (one proposal event) until each awaited side's own staff
    confirms, and the step takes effect (who/from/to/note/amount). Every party not listed is
    refused (PermissionDenied, nothing changes)."""
    rule = TRANSITIONS[(frm, to)]
    for party in ALL_PARTIES:
        # a deal of its own for each party (on a patent of its own: one open deal per patent)
        patent = world.patent if party == OWNER else make_patent(session, world.university)
        deal = deal_in(session, world, frm, offer=_offer_for(session, world, rule, patent))
        session.commit()
        events, version = count(session, DealEvent), deal.version
        actor = world.actor(party)

        if party not in rule.parties:
            with pytest.raises(PermissionDenied) as exc:
                step(session, actor, deal, to, value="12.5", note="不该成功")
            assert exc.value.message == f"您不能执行“{rule.label}”", party
            session.rollback()
            _assert_unchanged(session, deal, frm, version, events)
            continue
        note = f"{rule.label}（{party}）"
        step(session, actor, deal, to, value="12.5", note=note)
        session.commit()
        awaited = set(rule.consent_for(deal.licence_type)) - agreeing_sides(actor, deal)
        if actor is not None and awaited:
            assert deal.state == frm and deal.version == version + 1, party
            proposal = pending_proposal(deal)
            assert (proposal.to_state, set(proposal.awaiting)) == (to, awaited), party
            assert count(session, DealEvent) == events + 1
            assert events_of(session, deal.id)[-1].data["action"] == "propose"
            last = None
            for side, user in ((OWNER, world.owner), (ENTERPRISE, world.ent_user)):
                if side in awaited:
                    confirm(session, user, deal.id, expected_version=deal.version, today=TODAY)
                    last = user
            session.commit()
            assert deal.pending_to is None and not (deal.awaits_owner or deal.awaits_enterprise)
            assert count(session, DealEvent) == events + 1 + len(awaited)
            actor = last
        else:
            assert deal.version == version + 1, party
            assert count(session, DealEvent) == events + 1
        assert deal.state == to, party
        event = events_of(session, deal.id)[-1]
        assert (event.from_state, event.to_state) == (frm, to)
        assert event.actor_id == (actor.id if actor else None)
        assert event.note == note
        assert event.amount_yuan == (125_000 if rule.needs_value else None)
        assert event.at.date() == TODAY
        if rule.needs_value:
            assert deal.contract_value_yuan == 125_000 and deal.effective_date == TODAY
        if rule.starts_free:
            months = 6
            assert (deal.free_start, deal.free_end) == (TODAY, TODAY.replace(month=3 + months))


@pytest.mark.parametrize("frm, to", [p for p in TABLE_PAIRS if TRANSITIONS[p].consent], ids=_id)
def test_no_facilitator_alone_takes_a_step_that_binds_a_side(session, world, frm, to):
    """Brokers and operators may propose what binds the licensor or the licensee, never agree
    to it for them: the deal does not move however often they try."""
    rule = TRANSITIONS[(frm, to)]
    deal = deal_in(session, world, frm, offer=_offer_for(session, world, rule, world.patent))
    for actor in (world.broker, world.operator):
        if parties_of(actor, deal) & rule.parties:
            step(session, actor, deal, to, value="12.5", note="代为提议")
            assert deal.state == frm and deal.pending_to == to
            with pytest.raises(PermissionDenied, match="该提议需由"):
                confirm(session, actor, deal.id, expected_version=deal.version, today=TODAY)
    assert deal.state == frm


@pytest.mark.parametrize("frm, to", OTHER_PAIRS, ids=_id)
def test_pair_not_in_the_table_is_invalid(session, world, frm, to):
    deal = deal_in(session, world, frm)
    session.commit()
    events, version = count(session, DealEvent), deal.version

    for actor in (world.operator, world.owner, None):    # whoever asks
        with pytest.raises(InvalidTransition) as exc:
            step(session, actor, deal, to, value="12.5")
        assert exc.value.message == f"交易当前为“{frm.label}”，不能变为“{to.label}”"
    session.rollback()
    _assert_unchanged(session, deal, frm, version, events)


def test_next_steps_offers_only_rows_of_the_party():
    owner_steps = {to for to, _ in next_steps(S.REQUESTED, {OWNER}, LicenceType.ORDINARY)}
    assert owner_steps == {S.NEGOTIATING, S.DECLINED}
    # an open licence's request cannot be declined; the licensee's notice makes it take effect
    assert {to for to, _ in next_steps(S.REQUESTED, {OWNER}, LicenceType.OPEN)} == {S.NEGOTIATING}
    assert {to for to, _ in next_steps(S.REQUESTED, {ENTERPRISE}, LicenceType.ORDINARY)} == {
        S.TERMINATED}
    assert {to for to, _ in next_steps(S.REQUESTED, {ENTERPRISE}, LicenceType.OPEN)} == {
        S.TERMINATED, S.FREE_ACTIVE, S.CONVERTED}
    assert next_steps(S.FREE_ACTIVE, {SYSTEM}) == []          # no buttons for the system
    assert next_steps(S.TRANSFERRED, {OPERATOR}) == []        # terminal
    for frm in S:
        for to, rule in next_steps(frm, {OPERATOR}):
            assert TRANSITIONS[(frm, to)] is rule


def test_available_steps_for_an_outsider_are_empty(session, world):
    deal = deal_in(session, world, S.NEGOTIATING)
    assert available_steps(world.outsider, deal) == []
    assert {to for to, _ in available_steps(world.ent_user, deal)} == {
        S.TERMINATED, S.FREE_ACTIVE, S.CONVERTED, S.TRANSFERRED}       # proposals included
