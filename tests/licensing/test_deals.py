"""Deal rules: who may request, visibility, duplicates, amounts, free period, recordal, needs."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from matchmaker.errors import Conflict, NotFound, PermissionDenied, ValidationError
from matchmaker.licensing.follow_ups import add_follow_up
from matchmaker.licensing.deals import StepInput, find_deals, get_deal, request_deal, transition
from matchmaker.licensing.recordal import record_filing, recordal_current
from matchmaker.licensing.offers import withdraw_offer
from matchmaker.models import (Deal, DealEvent, DealState as S, FollowUp, LegalStatus, ListingState,
                               Match, MatchState, OrgKind)
from tests.factories import make_need, make_org, make_patent, make_user
from tests.licensing.helpers import (TODAY, agree, count, deal_in, events_of, make_offer, settle,
                                     step)


# -- requesting -----------------------------------------------------------------------------

def test_enterprise_requests_a_licence(session, world):
    offer = make_offer(session, world)
    deal = request_deal(session, world.ent_user, offer.id, note="希望尽快试用", today=TODAY)
    session.commit()
    assert (deal.state, deal.version, deal.enterprise_id, deal.station_id) == (
        S.REQUESTED, 1, world.enterprise.id, None)
    assert (deal.patent_id, deal.offer_id, deal.requested_by_id) == (
        world.patent.id, offer.id, world.ent_user.id)
    assert deal.terms["free_months"] == 6 and deal.terms["lump_sum_yuan"] == 100_000
    [event] = events_of(session, deal.id)
    assert (event.from_state, event.to_state, event.actor_id, event.note) == (
        None, S.REQUESTED, world.ent_user.id, "希望尽快试用")
    assert event.at == datetime(2024, 3, 1, 12, tzinfo=timezone.utc)


def test_terms_are_a_snapshot_of_the_offer(session, world):
    offer = make_offer(session, world)
    deal = request_deal(session, world.ent_user, offer.id, today=TODAY)
    offer.lump_sum_yuan = 999_999
    session.commit()
    session.expire_all()
    assert deal.terms["lump_sum_yuan"] == 100_000


def test_broker_requests_for_a_client(session, world):
    offer = make_offer(session, world)
    deal = request_deal(session, world.broker, offer.id, enterprise_id=world.enterprise.id,
                        today=TODAY)
    assert (deal.enterprise_id, deal.station_id, deal.requested_by_id) == (
        world.enterprise.id, world.station.id, world.broker.id)


def test_broker_must_name_the_enterprise(session, world):
    offer = make_offer(session, world)
    with pytest.raises(ValidationError) as exc:
        request_deal(session, world.broker, offer.id, today=TODAY)
    assert exc.value.errors == {"enterprise_id": "请选择申请许可的企业"}
    assert count(session, Deal) == 0


@pytest.mark.parametrize("who, for_whom", [
    ("broker", "outsider_ent"),        # not a client of the station
    ("ent_user", "outsider_ent"),      # another enterprise
    ("outsider", "enterprise"),
])
def test_request_for_an_enterprise_one_does_not_act_for_is_refused(session, world, who, for_whom):
    offer = make_offer(session, world)
    with pytest.raises(PermissionDenied):
        request_deal(session, getattr(world, who), offer.id,
                     enterprise_id=getattr(world, for_whom).id, today=TODAY)
    assert count(session, Deal) == count(session, DealEvent) == 0


@pytest.mark.parametrize("who", ["owner", "operator"])
def test_only_enterprises_take_licences(session, world, who):
    offer = make_offer(session, world)
    with pytest.raises(ValidationError, match="请选择申请许可的企业"):
        request_deal(session, getattr(world, who), offer.id, today=TODAY)
    with pytest.raises(ValidationError, match="请选择申请许可的企业"):   # a station is no licensee
        request_deal(session, world.broker, offer.id, enterprise_id=world.station.id, today=TODAY)
    assert count(session, Deal) == 0


def test_double_submission_is_a_conflict_and_writes_no_second_deal(session, world):
    offer = make_offer(session, world)
    first = request_deal(session, world.ent_user, offer.id, today=TODAY)
    session.commit()
    for actor in (world.ent_user, world.broker):       # the broker cannot duplicate it either
        with pytest.raises(Conflict) as exc:
            request_deal(session, actor, offer.id, enterprise_id=world.enterprise.id, today=TODAY)
        assert f"交易 #{first.id}" in exc.value.message and "请勿重复提交" in exc.value.message
    session.rollback()
    assert count(session, Deal) == 1 and count(session, DealEvent) == 1


@pytest.mark.parametrize("state", [S.NEGOTIATING, S.FREE_ACTIVE, S.CONVERSION_DUE])
def test_open_deal_blocks_a_new_request_on_the_same_patent(session, world, state):
    deal = deal_in(session, world, state)
    other_offer = make_offer(session, world, free_months=3)
    with pytest.raises(Conflict, match=f"交易 #{deal.id}"):
        request_deal(session, world.ent_user, other_offer.id, today=TODAY)


@pytest.mark.parametrize("state", [S.DECLINED, S.TERMINATED, S.LAPSED])
def test_after_a_closed_deal_the_enterprise_may_ask_again(session, world, state):
    deal = deal_in(session, world, state)
    again = request_deal(session, world.ent_user, deal.offer_id, today=TODAY)
    assert again.id != deal.id and again.state == S.REQUESTED


def test_other_enterprises_may_request_the_same_ordinary_offer(session, world):
    offer = make_offer(session, world)
    request_deal(session, world.ent_user, offer.id, today=TODAY)
    request_deal(session, world.outsider, offer.id, today=TODAY)
    assert count(session, Deal) == 2


def test_withdrawn_offer_cannot_be_requested(session, world):
    offer = make_offer(session, world)
    withdraw_offer(session, world.owner, offer.id)
    with pytest.raises(ValidationError) as exc:
        request_deal(session, world.ent_user, offer.id, today=TODAY)
    assert exc.value.errors == {"offer": "该许可已撤回，不能再申请"}
    assert count(session, Deal) == 0


@pytest.mark.parametrize("change, message", [
    (dict(listing_state=ListingState.ARCHIVED), "上架后才能发布许可"),
    (dict(legal_status=LegalStatus.LAPSED), "该专利已失效"),
    (dict(expiry_date=date(2024, 2, 1)), "到期"),
])
def test_offer_on_a_patent_no_longer_valid_cannot_be_requested(session, world, change, message):
    offer = make_offer(session, world)
    for key, value in change.items():
        setattr(world.patent, key, value)
    with pytest.raises(ValidationError, match=message):
        request_deal(session, world.ent_user, offer.id, today=TODAY)
    assert count(session, Deal) == 0


@pytest.mark.parametrize("requested", ["exclusive", "sole", "transfer"])
def test_exclusive_sole_or_transfer_request_refused_while_exclusive_licence_in_force(
        session, world, requested):
    extra = (dict(payment_mode="transfer_price", transfer_price_wan="80", lump_sum_wan="")
             if requested == "transfer" else {})
    pending = make_offer(session, world, licence_type=requested, **extra)   # offered before
    deal_in(session, world, S.FREE_ACTIVE, offer=make_offer(session, world, licence_type="exclusive"))
    with pytest.raises(ValidationError, match="该专利已有生效中的独占许可，暂不能申请"):
        request_deal(session, world.outsider, pending.id, today=TODAY)


def test_unknown_offer_is_not_found(session, world):
    with pytest.raises(NotFound, match="未找到该许可"):
        request_deal(session, world.ent_user, 4242, today=TODAY)


# -- exclusivity when a licence takes effect ----------------------------------------------------

def _two_requests(session, world, first_type: str, second_type: str, patent=None):
    patent = patent or world.patent
    first = request_deal(session, world.ent_user,
                         make_offer(session, world, patent, licence_type=first_type).id, today=TODAY)
    second = request_deal(session, world.outsider,
                          make_offer(session, world, patent, licence_type=second_type).id,
                          today=TODAY)
    for deal in (first, second):
        step(session, world.owner, deal, S.NEGOTIATING)
    return first, second


@pytest.mark.parametrize("first_type, second_type", [
    ("exclusive", "exclusive"), ("sole", "exclusive"), ("exclusive", "ordinary"),
    ("sole", "ordinary"), ("ordinary", "exclusive"), ("ordinary", "sole"),
])
def test_no_second_licence_takes_effect_next_to_an_exclusive_one(session, world, first_type,
                                                                second_type):
    """Both were requested while nothing was in force; only the first may take effect."""
    for second_to in (S.FREE_ACTIVE, S.CONVERTED, S.TRANSFERRED):
        first, second = _two_requests(session, world, first_type, second_type,
                                      make_patent(session, world.university))
        settle(session, world, world.owner, first, S.FREE_ACTIVE)
        session.commit()
        before, version = count(session, DealEvent), second.version
        with pytest.raises(Conflict, match=f"交易 #{first.id}"):
            step(session, world.owner, second, second_to)
        session.rollback()
        assert second.state == S.NEGOTIATING and second.version == version
        assert count(session, DealEvent) == before
        # once the first licence ends, the second may take effect
        step(session, world.owner, first, S.TERMINATED)
        settle(session, world, world.owner, second, second_to)


OPEN = dict(licence_type="open", fee_standard="每年 1 万元", payment_method="银行转账")


@pytest.mark.parametrize("ltype", ["exclusive", "sole"])
def test_no_exclusive_request_while_an_open_licence_is_declared(session, world, ltype):
    older = make_offer(session, world, licence_type=ltype)       # offered before the declaration
    make_offer(session, world, **OPEN)
    with pytest.raises(ValidationError) as exc:
        request_deal(session, world.ent_user, older.id, today=TODAY)
    assert exc.value.errors == {"offer": "该专利已声明开放许可，只能发放普通许可"}
    assert count(session, Deal) == 0


@pytest.mark.parametrize("to", [S.FREE_ACTIVE, S.CONVERTED])
def test_exclusive_deal_cannot_take_effect_once_an_open_licence_is_declared(session, world, to):
    deal = deal_in(session, world, S.NEGOTIATING,
                   offer=make_offer(session, world, licence_type="exclusive"))
    declared = make_offer(session, world, **OPEN)
    session.commit()
    with pytest.raises(Conflict, match="该专利已声明开放许可，只能发放普通许可"):
        step(session, world.owner, deal, to)
    session.rollback()
    assert deal.state == S.NEGOTIATING
    withdraw_offer(session, world.owner, declared.id)            # the declaration is withdrawn
    settle(session, world, world.owner, deal, to)


def test_ordinary_licences_under_an_open_licence_take_effect(session, world):
    open_offer = make_offer(session, world, **OPEN)
    deal = request_deal(session, world.ent_user, open_offer.id, today=TODAY)
    step(session, world.owner, deal, S.NEGOTIATING)
    step(session, world.owner, deal, S.FREE_ACTIVE)
    assert deal.state == S.FREE_ACTIVE


def test_ordinary_licences_coexist(session, world):
    first, second = _two_requests(session, world, "ordinary", "ordinary")
    settle(session, world, world.owner, first, S.FREE_ACTIVE)
    settle(session, world, world.owner, second, S.CONVERTED)
    assert (first.state, second.state) == (S.FREE_ACTIVE, S.CONVERTED)


def test_exclusive_licence_converts_after_its_own_free_period(session, world):
    deal = deal_in(session, world, S.CONVERSION_DUE,
                   offer=make_offer(session, world, licence_type="exclusive"))
    settle(session, world, world.owner, deal, S.CONVERTED, value="30")


# -- visibility ---------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["outsider", "other_owner"])
def test_deal_of_another_organization_is_not_found(session, world, who):
    deal = deal_in(session, world, S.FREE_ACTIVE)
    session.commit()
    actor = getattr(world, who)
    with pytest.raises(NotFound, match="未找到该交易"):
        get_deal(session, actor, deal.id)
    with pytest.raises(NotFound):
        transition(session, actor, deal.id, S.TERMINATED, expected_version=deal.version,
                   today=TODAY)
    with pytest.raises(NotFound):
        record_filing(session, actor, deal.id, expected_version=None, contract_reg_no="X1",
                      today=TODAY)
    with pytest.raises(NotFound):
        add_follow_up(session, actor, "看看", deal_id=deal.id)
    session.rollback()
    assert deal.state == S.FREE_ACTIVE and count(session, FollowUp) == 0
    assert find_deals(session, actor) == ([], 0)


def test_broker_of_a_station_not_serving_the_enterprise_does_not_see_it(session, world):
    deal = deal_in(session, world, S.NEGOTIATING)
    other_station = make_org(session, OrgKind.STATION)
    other_broker = make_user(session, other_station)
    with pytest.raises(NotFound):
        get_deal(session, other_broker, deal.id)
    assert find_deals(session, other_broker) == ([], 0)


def test_a_party_without_the_role_is_refused(session, world):
    deal = deal_in(session, world, S.NEGOTIATING)
    session.commit()
    with pytest.raises(PermissionDenied, match="您不能执行“拒绝”"):
        transition(session, world.ent_user, deal.id, S.DECLINED, expected_version=deal.version,
                   step=StepInput(), today=TODAY)
    session.rollback()
    assert deal.state == S.NEGOTIATING and deal.contract_value_yuan is None


def test_find_deals_lists_what_each_party_sees(session, world):
    mine = deal_in(session, world, S.NEGOTIATING)
    by_broker = request_deal(session, world.broker, make_offer(
        session, world, make_patent(session, world.university)).id,
        enterprise_id=world.enterprise.id, today=TODAY)
    theirs = request_deal(session, world.outsider, mine.offer_id, today=TODAY)
    session.commit()
    ids = lambda actor, **kw: sorted(d.id for d in find_deals(session, actor, **kw)[0])
    assert ids(world.ent_user) == ids(world.broker) == sorted([mine.id, by_broker.id])
    assert ids(world.owner) == ids(world.operator) == sorted([mine.id, by_broker.id, theirs.id])
    assert ids(world.outsider) == [theirs.id]
    assert ids(world.operator, station_id=world.station.id) == [by_broker.id]
    assert ids(world.owner, state=S.REQUESTED) == sorted([by_broker.id, theirs.id])
    assert find_deals(session, world.owner, per_page=2)[1] == 3


# -- contract values ------------------------------------------------------------------------------

@pytest.mark.parametrize("to", [S.CONVERTED, S.TRANSFERRED])
@pytest.mark.parametrize("raw, message", [
    ("", "请填写合同金额（万元，须大于 0）"),
    ("0", "请填写合同金额（万元，须大于 0）"),
    ("-3", "合同金额不能为负数"),
    ("三十", "合同金额须为数字"),
    ("2000000", "超过 100 亿元"),
])
def test_paid_step_needs_a_positive_contract_value(session, world, to, raw, message):
    deal = deal_in(session, world, S.NEGOTIATING)
    session.commit()
    before, version = count(session, DealEvent), deal.version
    with pytest.raises(ValidationError) as exc:
        transition(session, world.owner, deal.id, to, expected_version=version,
                   step=StepInput(contract_value_wan=raw), today=TODAY)
    assert message in exc.value.errors["contract_value_wan"]
    session.rollback()
    assert (deal.state, deal.version, deal.contract_value_yuan, deal.effective_date) == (
        S.NEGOTIATING, version, None, None)
    assert count(session, DealEvent) == before


def test_contract_value_in_wan_is_stored_in_yuan(session, world):
    deal = deal_in(session, world, S.CONVERSION_DUE)
    transition(session, world.broker, deal.id, S.CONVERTED, expected_version=deal.version,
               step=StepInput(contract_value_wan="12.345 万元", start_date=date(2024, 3, 5)),
               today=TODAY)
    session.commit()
    assert deal.state == S.CONVERSION_DUE and deal.contract_value_yuan is None   # proposed only
    assert deal.pending["amount_yuan"] == 123_450
    agree(session, world, deal)
    session.commit()
    assert deal.state == S.CONVERTED and deal.contract_value_yuan == 123_450
    assert (deal.effective_date, deal.recordal_due) == (date(2024, 3, 5), date(2024, 6, 5))
    event = events_of(session, deal.id)[-1]
    assert event.amount_yuan == 123_450
    assert event.data == {"start": "2024-03-05", "proposed_by": world.broker.id,
                          "confirmed_by": world.ent_user.id}


# -- the free period ---------------------------------------------------------------------------

def test_starting_the_free_period_sets_its_dates_and_the_recordal_deadline(session, world):
    deal = deal_in(session, world, S.NEGOTIATING,
                   offer=make_offer(session, world, free_months=6))
    transition(session, world.owner, deal.id, S.FREE_ACTIVE, expected_version=deal.version,
               step=StepInput(start_date=date(2024, 8, 31)), today=TODAY)
    session.commit()
    assert (deal.free_start, deal.free_end) == (date(2024, 8, 31), date(2025, 2, 28))
    assert (deal.effective_date, deal.recordal_due) == (date(2024, 8, 31), date(2024, 11, 30))
    assert deal.contract_value_yuan is None
    assert events_of(session, deal.id)[-1].data == {"start": "2024-08-31"}


def test_free_period_starts_today_by_default(session, world):
    deal = deal_in(session, world, S.FREE_ACTIVE,
                   offer=make_offer(session, world, free_months=12, term_months=24))
    assert (deal.free_start, deal.free_end) == (TODAY, date(2025, 3, 1))
    assert deal.recordal_due == date(2024, 6, 1)


def test_offer_without_free_months_cannot_start_a_free_period(session, world):
    deal = deal_in(session, world, S.NEGOTIATING, offer=make_offer(session, world, free_months=0))
    session.commit()
    before, version = count(session, DealEvent), deal.version
    with pytest.raises(ValidationError, match="该许可没有免费期，请直接签订有偿许可"):
        step(session, world.owner, deal, S.FREE_ACTIVE)
    session.rollback()
    assert (deal.state, deal.version, deal.free_start, deal.free_end) == (
        S.NEGOTIATING, version, None, None)
    assert count(session, DealEvent) == before
    settle(session, world, world.owner, deal, S.CONVERTED, value="8")   # the direct paid route
    assert deal.state == S.CONVERTED and deal.contract_value_yuan == 80_000


def test_a_note_too_long_leaves_the_deal_unchanged(session, world):
    deal = deal_in(session, world, S.NEGOTIATING)
    session.commit()
    version = deal.version
    with pytest.raises(ValidationError, match="备注不能超过 2000 个字符"):
        step(session, world.owner, deal, S.FREE_ACTIVE, note="长" * 2001)
    # nothing changed even before a rollback (the caller may not roll back)
    assert (deal.state, deal.free_start, deal.effective_date) == (S.NEGOTIATING, None, None)
    session.commit()
    session.expire_all()
    assert deal.state == S.NEGOTIATING and deal.version == version
    with pytest.raises(ValidationError, match="备注不能超过 2000 个字符"):
        request_deal(session, world.outsider, deal.offer_id, note="长" * 2001, today=TODAY)
    session.commit()
    assert count(session, Deal) == 1


# -- recordal and contract registration ------------------------------------------------------------

def test_record_filing_stores_the_recordal_and_logs_an_event(session, world):
    deal = deal_in(session, world, S.FREE_ACTIVE)
    session.commit()
    version = deal.version
    record_filing(session, world.owner, deal.id, expected_version=version,
                  recordal_no=" 2024990000123 ", recordal_date=date(2024, 4, 2),
                  contract_reg_no="6501012024000321", today=date(2024, 4, 3))
    session.commit()
    assert (deal.recordal_no, deal.recordal_date, deal.contract_reg_no) == (
        "2024990000123", date(2024, 4, 2), "6501012024000321")
    assert deal.state == S.FREE_ACTIVE and deal.version == version + 1
    event = events_of(session, deal.id)[-1]
    assert event.from_state == event.to_state == S.FREE_ACTIVE
    assert event.actor_id == world.owner.id and event.amount_yuan is None
    assert event.data == {"recordal_no": "2024990000123", "recordal_date": "2024-04-02",
                          "contract_reg_no": "6501012024000321"}


def test_contract_registration_alone_is_an_event_without_state_change(session, world):
    deal = deal_in(session, world, S.CONVERTED)
    record_filing(session, world.broker, deal.id, expected_version=deal.version,
                  contract_reg_no="6501012024000999", today=TODAY)
    session.commit()
    assert deal.contract_reg_no == "6501012024000999" and deal.recordal_no == ""
    event = events_of(session, deal.id)[-1]
    assert (event.from_state, event.to_state, event.data) == (
        S.CONVERTED, S.CONVERTED, {"contract_reg_no": "6501012024000999"})


@pytest.mark.parametrize("kwargs, field, message", [
    (dict(), "recordal_no", "请填写备案号或技术合同登记号"),
    (dict(recordal_no="  "), "recordal_no", "请填写备案号或技术合同登记号"),
    (dict(recordal_no="R1"), "recordal_date", "请填写备案日期"),
    (dict(recordal_no="R1", recordal_date=date(2024, 3, 2)), "recordal_date",
     "备案日期应在合同首次生效日 2024-03-01 与今天之间"),         # in the future
    (dict(recordal_no="R1", recordal_date=date(2024, 2, 29)), "recordal_date",
     "备案日期应在合同首次生效日 2024-03-01 与今天之间"),         # before the contract took effect
])
def test_record_filing_validates_its_input(session, world, kwargs, field, message):
    deal = deal_in(session, world, S.FREE_ACTIVE)
    session.commit()
    before, version = count(session, DealEvent), deal.version
    with pytest.raises(ValidationError) as exc:
        record_filing(session, world.owner, deal.id, expected_version=version, today=TODAY,
                      **kwargs)
    assert exc.value.errors == {field: message}
    session.rollback()
    assert deal.recordal_no == "" and deal.version == version and count(session, DealEvent) == before


def test_record_filing_on_the_effective_date_and_today_is_fine(session, world):
    deal = deal_in(session, world, S.FREE_ACTIVE)
    record_filing(session, world.operator, deal.id, expected_version=None, recordal_no="R1",
                  recordal_date=TODAY, today=TODAY)
    assert deal.recordal_date == TODAY


def test_no_recordal_before_the_contract_takes_effect(session, world):
    deal = deal_in(session, world, S.NEGOTIATING)
    with pytest.raises(ValidationError, match="许可合同尚未生效，不能登记备案"):
        record_filing(session, world.owner, deal.id, expected_version=None, recordal_no="R1",
                      recordal_date=TODAY, today=TODAY)


def test_the_enterprise_cannot_record_a_filing(session, world):
    deal = deal_in(session, world, S.FREE_ACTIVE)
    with pytest.raises(PermissionDenied, match="只有专利权人、驿站经纪人或运营方可以登记备案信息"):
        record_filing(session, world.ent_user, deal.id, expected_version=None, recordal_no="R1",
                      recordal_date=TODAY, today=TODAY)


def test_conversion_keeps_the_free_licences_recordal_and_starts_a_new_period(session, world):
    deal = deal_in(session, world, S.FREE_ACTIVE)
    record_filing(session, world.owner, deal.id, expected_version=None, recordal_no="R-FREE",
                  recordal_date=TODAY, contract_reg_no="REG-1", today=TODAY)
    assert recordal_current(deal)
    later = date(2024, 9, 2)
    settle(session, world, world.owner, deal, S.CONVERTED, today=later, value="20")
    # nothing is cleared: the free licence's recordal stays, the paid contract is due its own
    assert (deal.effective_date, deal.recordal_due, deal.recordal_no, deal.recordal_date,
            deal.contract_reg_no) == (later, date(2024, 12, 2), "R-FREE", TODAY, "REG-1")
    assert not recordal_current(deal)
    # the pre-filled form saved again as it is is accepted; a new number covers the new contract
    record_filing(session, world.owner, deal.id, expected_version=deal.version,
                  recordal_no="R-FREE", recordal_date=TODAY, today=later)
    record_filing(session, world.owner, deal.id, expected_version=deal.version,
                  recordal_no="R-PAID", recordal_date=later, today=later)
    assert recordal_current(deal) and deal.contract_reg_no == "REG-1"


# -- needs, matches and follow-ups -------------------------------------------------------------

def test_request_with_a_need_answers_it_and_marks_the_match(session, world):
    need = make_need(session, world.enterprise, valid_until=None)
    match = Match(need=need, patent=world.patent, score=0.8)
    session.add(match)
    session.commit()
    assert need.first_response_at is None and match.state == MatchState.SUGGESTED
    request_deal(session, world.ent_user, make_offer(session, world).id, need_id=need.id,
                 today=TODAY)
    session.commit()
    assert need.first_response_at == datetime(2024, 3, 1, 12, tzinfo=timezone.utc)
    assert match.state == MatchState.REQUESTED


def test_an_earlier_first_response_is_kept(session, world):
    need = make_need(session, world.enterprise, valid_until=None)
    earlier = datetime(2024, 2, 20, 8, tzinfo=timezone.utc)
    need.first_response_at = earlier
    deal = request_deal(session, world.broker, make_offer(session, world).id,
                        enterprise_id=world.enterprise.id, need_id=need.id, today=TODAY)
    session.commit()
    assert need.first_response_at == earlier and deal.need_id == need.id


def test_need_of_another_enterprise_is_refused(session, world):
    need = make_need(session, world.outsider_ent, valid_until=None)
    with pytest.raises(ValidationError, match="该需求不属于申请企业"):
        request_deal(session, world.ent_user, make_offer(session, world).id, need_id=need.id,
                     today=TODAY)
    assert count(session, Deal) == 0 and need.first_response_at is None


def test_brokers_follow_up_answers_a_need_but_the_enterprises_own_note_does_not(session, world):
    need = make_need(session, world.enterprise, valid_until=None)
    add_follow_up(session, world.ent_user, "补充说明：需要年产 500 吨", need_id=need.id,
                  at=datetime(2024, 3, 1, 9, tzinfo=timezone.utc))
    assert need.first_response_at is None
    at = datetime(2024, 3, 2, 9, tzinfo=timezone.utc)
    note = add_follow_up(session, world.broker, "  已电话联系企业  ", need_id=need.id, at=at)
    assert need.first_response_at == at and note.body == "已电话联系企业"
    for body, message in (("   ", "请填写跟进内容"), ("字" * 2001, "不能超过 2000 个字符")):
        with pytest.raises(ValidationError, match=message):
            add_follow_up(session, world.broker, body, need_id=need.id)
    with pytest.raises(ValidationError, match="须关联交易或需求"):
        add_follow_up(session, world.broker, "无处可挂")
    assert count(session, FollowUp) == 2
