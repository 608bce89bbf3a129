"""Two-party deals: a broker or operator proposes, the licensor (and for paid steps the
licensee) confirms; answers, withdrawals, counter-proposals, whose turn it is, to-do counts;
open licences that cannot be declined and take effect on the licensee's notice and payment."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from matchmaker.catalog.organizations import link_station_client
from matchmaker.errors import Conflict, InvalidTransition, PermissionDenied, ValidationError
from matchmaker.licensing import proposals
from matchmaker.licensing.consent import pending_proposal, todo_count, waiting_for
from matchmaker.licensing.deals import StepInput, request_deal, transition
from matchmaker.licensing.tick import tick
from matchmaker.models import DealEvent, DealState as S, Notification, OrgKind
from tests.factories import make_org, make_patent
from tests.licensing.helpers import (TODAY, count, deal_in, events_of, make_offer, settle, step)

OPEN = dict(licence_type="open", fee_standard="每年 1 万元", payment_mode="lump_sum",
            lump_sum_wan="1", payment_method="银行转账")


def _inbox(session, user) -> list[str]:
    return [n.title for n in session.scalars(select(Notification).where(
        Notification.user_id == user.id).order_by(Notification.id))]


def test_a_broker_alone_can_no_longer_convert_a_deal(session, world):
    """The issue's case: a broker moved a deal from 已申请 to 已转为有偿许可 at 20 万元 alone."""
    deal = request_deal(session, world.broker, make_offer(session, world).id,
                        enterprise_id=world.enterprise.id, today=TODAY)
    step(session, world.broker, deal, S.NEGOTIATING)          # starting talks binds nobody
    step(session, world.broker, deal, S.FREE_ACTIVE)
    assert deal.state == S.NEGOTIATING and deal.free_start is None
    assert waiting_for(deal) == "等待 新疆测试大学 确认"
    step(session, world.broker, deal, S.CONVERTED, value="20")   # a counter-proposal, still waiting
    assert deal.state == S.NEGOTIATING and deal.contract_value_yuan is None
    assert pending_proposal(deal).awaiting == {"owner", "enterprise"}
    assert waiting_for(deal) == "等待 新疆测试大学、乌鲁木齐测试电池有限公司 确认"
    proposals.confirm(session, world.owner, deal.id, expected_version=deal.version, today=TODAY)
    assert deal.state == S.NEGOTIATING and waiting_for(deal) == "等待 乌鲁木齐测试电池有限公司 确认"
    proposals.confirm(session, world.ent_user, deal.id, expected_version=deal.version,
                      note="同意", today=TODAY)
    session.commit()
    assert (deal.state, deal.contract_value_yuan, deal.pending_to) == (S.CONVERTED, 200_000, None)
    final = events_of(session, deal.id)[-1]
    assert (final.from_state, final.to_state, final.actor_id) == (
        S.NEGOTIATING, S.CONVERTED, world.ent_user.id)
    assert final.data["proposed_by"] == world.broker.id and final.data["confirm_note"] == "同意"
    actions = [e.data.get("action") for e in events_of(session, deal.id) if e.from_state == e.to_state]
    assert actions == ["propose", "propose", "confirm"]


def test_the_licensor_starts_a_free_period_on_its_own_word(session, world):
    deal = deal_in(session, world, S.NEGOTIATING)
    step(session, world.owner, deal, S.FREE_ACTIVE)
    assert deal.state == S.FREE_ACTIVE and deal.pending_to is None


def test_the_licensee_proposes_and_the_licensor_confirms_the_free_period(session, world):
    deal = deal_in(session, world, S.NEGOTIATING)
    step(session, world.ent_user, deal, S.FREE_ACTIVE, start=date(2024, 3, 10))
    assert deal.state == S.NEGOTIATING and pending_proposal(deal).start == date(2024, 3, 10)
    with pytest.raises(PermissionDenied, match="该提议需由 新疆测试大学 确认"):
        proposals.confirm(session, world.ent_user, deal.id, expected_version=deal.version,
                          today=TODAY)
    proposals.confirm(session, world.owner, deal.id, expected_version=deal.version, today=TODAY)
    assert (deal.state, deal.free_start, deal.free_end) == (
        S.FREE_ACTIVE, date(2024, 3, 10), date(2024, 9, 10))


def test_the_awaited_side_is_told_and_counts_it_as_a_to_do(session, world):
    deal = deal_in(session, world, S.CONVERSION_DUE)
    assert todo_count(session, world.owner) == todo_count(session, world.ent_user) == 0
    step(session, world.broker, deal, S.CONVERTED, value="20")
    session.commit()
    assert todo_count(session, world.owner) == 1 and todo_count(session, world.ent_user) == 1
    assert todo_count(session, world.broker) == todo_count(session, world.outsider) == 0
    title = f"待您确认：交易 #{deal.id}《{deal.patent.display_title[:40]}》转为有偿许可"
    assert _inbox(session, world.owner)[-1] == title
    assert _inbox(session, world.ent_user)[-1] == title
    proposals.confirm(session, world.owner, deal.id, expected_version=deal.version, today=TODAY)
    session.commit()
    assert todo_count(session, world.owner) == 0 and todo_count(session, world.ent_user) == 1


def test_an_unanswered_request_is_the_licensors_to_do(session, world):
    deal = request_deal(session, world.ent_user, make_offer(session, world).id, today=TODAY)
    assert todo_count(session, world.owner) == 1 and waiting_for(deal) == "等待 新疆测试大学 答复"
    step(session, world.owner, deal, S.NEGOTIATING)
    assert todo_count(session, world.owner) == 0


def test_rejecting_drops_the_proposal_and_tells_the_proposer(session, world):
    deal = deal_in(session, world, S.FREE_ACTIVE)
    step(session, world.broker, deal, S.CONVERTED, value="50")
    with pytest.raises(PermissionDenied, match="只有被请求确认的一方"):
        proposals.reject(session, world.broker, deal.id, expected_version=deal.version, today=TODAY)
    proposals.reject(session, world.owner, deal.id, expected_version=deal.version,
                     note="金额过低", today=TODAY)
    session.commit()
    assert (deal.state, deal.pending_to, deal.awaits_owner, deal.awaits_enterprise) == (
        S.FREE_ACTIVE, None, False, False)
    last = events_of(session, deal.id)[-1]
    assert (last.data, last.note) == ({"proposal": "converted", "action": "reject"}, "金额过低")
    assert _inbox(session, world.broker)[-1].endswith("新疆测试大学不同意该提议")
    with pytest.raises(InvalidTransition, match="没有等待确认的提议"):
        proposals.confirm(session, world.ent_user, deal.id, expected_version=deal.version,
                          today=TODAY)


def test_only_the_proposers_side_or_an_operator_withdraws(session, world):
    deal = deal_in(session, world, S.FREE_ACTIVE)
    step(session, world.broker, deal, S.CONVERTED, value="50")
    for outsider in (world.owner, world.ent_user):
        with pytest.raises(PermissionDenied, match="只有提议方可以撤回提议"):
            proposals.withdraw(session, outsider, deal.id, expected_version=deal.version,
                               today=TODAY)
    proposals.withdraw(session, world.broker, deal.id, expected_version=deal.version, today=TODAY)
    assert deal.pending_to is None and deal.state == S.FREE_ACTIVE
    step(session, world.broker, deal, S.CONVERTED, value="50")
    proposals.withdraw(session, world.operator, deal.id, expected_version=deal.version, today=TODAY)
    assert deal.pending_to is None


def test_a_counter_proposal_replaces_the_first_and_counts_the_counter_proposer(session, world):
    deal = deal_in(session, world, S.CONVERSION_DUE)
    step(session, world.ent_user, deal, S.CONVERTED, value="15")
    assert pending_proposal(deal).awaiting == {"owner"}
    step(session, world.owner, deal, S.CONVERTED, value="25")
    proposal = pending_proposal(deal)
    assert (proposal.amount_yuan, set(proposal.awaiting)) == (250_000, {"enterprise"})
    proposals.confirm(session, world.ent_user, deal.id, expected_version=deal.version, today=TODAY)
    assert (deal.state, deal.contract_value_yuan) == (S.CONVERTED, 250_000)


def test_a_stale_page_cannot_confirm(session, world):
    deal = deal_in(session, world, S.CONVERSION_DUE)
    step(session, world.broker, deal, S.CONVERTED, value="15")
    seen = deal.version
    step(session, world.broker, deal, S.CONVERTED, value="95")      # changed meanwhile
    session.commit()
    with pytest.raises(Conflict, match="该交易已被他人修改"):
        proposals.confirm(session, world.owner, deal.id, expected_version=seen, today=TODAY)
    session.rollback()
    assert deal.state == S.CONVERSION_DUE and deal.awaits_owner


def test_a_one_sided_step_drops_a_pending_proposal(session, world):
    deal = deal_in(session, world, S.FREE_ACTIVE)
    step(session, world.broker, deal, S.CONVERTED, value="15")
    step(session, world.ent_user, deal, S.TERMINATED, note="不再需要")
    assert deal.state == S.TERMINATED and deal.pending_to is None and not deal.awaits_owner
    assert todo_count(session, world.owner) == 0


def test_a_conversion_proposed_in_the_free_period_survives_its_end(session, world):
    deal = deal_in(session, world, S.FREE_ACTIVE)
    step(session, world.broker, deal, S.CONVERTED, value="15")
    tick(session, today=deal.free_end + timedelta(days=1))
    assert deal.state == S.CONVERSION_DUE and deal.pending_to == S.CONVERTED
    settle_date = deal.free_end + timedelta(days=2)
    for user in (world.owner, world.ent_user):
        proposals.confirm(session, user, deal.id, expected_version=deal.version, today=settle_date)
    assert deal.state == S.CONVERTED and deal.effective_date == TODAY   # the proposed start


def test_exclusivity_is_checked_when_proposing_and_again_when_confirming(session, world):
    exclusive = deal_in(session, world, S.NEGOTIATING,
                        offer=make_offer(session, world, licence_type="exclusive"))
    other = request_deal(session, world.outsider, make_offer(session, world).id, today=TODAY)
    step(session, world.owner, other, S.NEGOTIATING)
    step(session, world.outsider, other, S.FREE_ACTIVE)          # waits for the licensor
    settle(session, world, world.owner, exclusive, S.FREE_ACTIVE)
    session.commit()
    with pytest.raises(Conflict, match=f"交易 #{exclusive.id}"):
        proposals.confirm(session, world.owner, other.id, expected_version=other.version,
                          today=TODAY)
    session.rollback()
    assert other.state == S.NEGOTIATING
    with pytest.raises(Conflict, match=f"交易 #{exclusive.id}"):
        step(session, world.outsider, other, S.CONVERTED, value="5")


def test_a_broker_speaks_for_an_enterprise_without_users_but_never_for_the_licensor(session, world):
    lone = make_org(session, OrgKind.ENTERPRISE, name="没有账号的企业")
    link_station_client(session, world.station, lone)
    deal = request_deal(session, world.broker, make_offer(session, world).id,
                        enterprise_id=lone.id, today=TODAY)
    step(session, world.owner, deal, S.NEGOTIATING)
    step(session, world.broker, deal, S.CONVERTED, value="5")
    assert pending_proposal(deal).awaiting == {"owner"}                # the licensee side is his
    proposals.confirm(session, world.owner, deal.id, expected_version=deal.version, today=TODAY)
    assert deal.state == S.CONVERTED


# -- open licences -----------------------------------------------------------------------------

def test_an_open_licence_request_cannot_be_declined_by_anyone(session, world):
    deal = request_deal(session, world.ent_user, make_offer(session, world, **OPEN).id,
                        today=TODAY)
    for actor, to in ((world.owner, S.DECLINED), (world.operator, S.DECLINED)):
        with pytest.raises(InvalidTransition, match="开放许可的申请符合公布的许可条件，不能拒绝"):
            step(session, actor, deal, to)
    step(session, world.owner, deal, S.NEGOTIATING)
    with pytest.raises(InvalidTransition, match="不能拒绝"):
        step(session, world.owner, deal, S.DECLINED)
    assert deal.state == S.NEGOTIATING
    assert waiting_for(deal) == ""


def test_an_open_licence_takes_effect_on_the_licensees_notice(session, world):
    deal = request_deal(session, world.ent_user, make_offer(session, world, **OPEN).id,
                        today=TODAY)
    assert todo_count(session, world.owner) == 0          # nothing for the licensor to answer
    assert waiting_for(deal).startswith("等待 乌鲁木齐测试电池有限公司 递交书面通知并付费")
    with pytest.raises(ValidationError, match="请填写书面通知的内容"):
        step(session, world.ent_user, deal, S.FREE_ACTIVE)
    step(session, world.broker, deal, S.FREE_ACTIVE, note="2024-03-01 书面通知，邮寄")
    assert deal.state == S.FREE_ACTIVE and deal.free_start == TODAY   # no licensor consent
    # the paid step on published terms: the licensee's own staff agree, the licensor need not
    step(session, world.broker, deal, S.CONVERTED, value="1")
    assert pending_proposal(deal).awaiting == {"enterprise"}
    proposals.confirm(session, world.ent_user, deal.id, expected_version=deal.version, today=TODAY)
    assert deal.state == S.CONVERTED and deal.contract_value_yuan == 10_000


def test_paying_an_open_licence_at_once_and_transferring_still_needs_the_owner(session, world):
    deal = request_deal(session, world.ent_user, make_offer(session, world, **OPEN).id,
                        today=TODAY)
    step(session, world.ent_user, deal, S.CONVERTED, value="1", note="通知并汇款 1 万元，凭证 H-1")
    assert deal.state == S.CONVERTED                   # the licensee's own notice and payment
    other = deal_in(session, world, S.NEGOTIATING, offer=make_offer(
        session, world, make_patent(session, world.university), **OPEN))
    step(session, world.ent_user, other, S.TRANSFERRED, value="30")
    assert pending_proposal(other).awaiting == {"owner"}   # ownership never moves on notice


def test_open_only_rows_do_not_exist_for_other_licences(session, world):
    deal = request_deal(session, world.ent_user, make_offer(session, world).id, today=TODAY)
    with pytest.raises(InvalidTransition, match="只适用于开放许可"):
        transition(session, world.ent_user, deal.id, S.FREE_ACTIVE, expected_version=deal.version,
                   step=StepInput(note="通知"), today=TODAY)
    assert count(session, DealEvent) == 1
