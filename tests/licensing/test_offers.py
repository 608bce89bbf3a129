"""Licence offers: what an owner may offer, refused input, guidance warnings, who may act."""
from __future__ import annotations

from datetime import date

import pytest

from matchmaker.errors import NotFound, PermissionDenied, ValidationError
from matchmaker.licensing.offers import create_offer, offers_for, terms_snapshot, withdraw_offer
from matchmaker.models import (DealState as S, LegalStatus, LicenceOffer, LicenceType, ListingState,
                               OfferState, PaymentMode, UserRole)
from tests.factories import make_patent, make_user
from tests.licensing.helpers import TODAY, count, deal_in, make_offer, offer_input


def offer(session, world, **fields):
    return create_offer(session, world.owner, world.patent.id, offer_input(**fields), today=TODAY)


def refused(session, world, patent=None, **fields) -> dict[str, str]:
    """The field errors of a refused offer; nothing is written."""
    before = count(session, LicenceOffer)
    with pytest.raises(ValidationError) as exc:
        create_offer(session, world.owner, (patent or world.patent).id, offer_input(**fields),
                     today=TODAY)
    assert count(session, LicenceOffer) == before
    return exc.value.errors


# -- valid offers ---------------------------------------------------------------------------

@pytest.mark.parametrize("licence_type", ["ordinary", "sole", "exclusive"])
@pytest.mark.parametrize("mode, amounts, stored", [
    ("lump_sum", dict(lump_sum_wan="12.5"), dict(lump_sum_yuan=125_000)),
    ("royalty_sales", dict(royalty_pct="5"), dict(royalty_pct=5.0)),
    ("royalty_profit", dict(royalty_pct="30%"), dict(royalty_pct=30.0)),
    ("entry_plus_royalty", dict(entry_fee_wan="3", royalty_pct="2.5"),
     dict(entry_fee_yuan=30_000, royalty_pct=2.5)),
])
def test_valid_licence_offers(session, world, licence_type, mode, amounts, stored):
    result = offer(session, world, licence_type=licence_type, payment_mode=mode,
                   **{"lump_sum_wan": "", **amounts})
    session.commit()
    o = result.offer
    assert result.warnings == []
    assert (o.licence_type, o.payment_mode, o.state) == (LicenceType(licence_type),
                                                         PaymentMode(mode), OfferState.ACTIVE)
    assert (o.free_months, o.term_months, o.patent_id, o.created_by_id) == (
        6, 36, world.patent.id, world.owner.id)
    for name in ("lump_sum_yuan", "entry_fee_yuan", "royalty_pct", "transfer_price_yuan"):
        assert getattr(o, name) == stored.get(name)


def test_valid_open_licence_offer(session, world):
    o = offer(session, world, licence_type="open", fee_standard="每年 2 万元", payment_method="银行转账，按年支付",
              lump_sum_wan="2").offer
    assert o.licence_type == LicenceType.OPEN
    assert (o.fee_standard, o.payment_method, o.lump_sum_yuan) == ("每年 2 万元", "银行转账，按年支付", 20_000)


def test_valid_transfer_offer_has_no_term(session, world):
    o = offer(session, world, licence_type="transfer", payment_mode="transfer_price",
              lump_sum_wan="", transfer_price_wan="50", free_months=0, term_months="").offer
    assert (o.licence_type, o.transfer_price_yuan, o.term_months) == (LicenceType.TRANSFER, 500_000, 0)


def test_amounts_of_another_payment_mode_are_not_kept(session, world):
    o = offer(session, world, payment_mode="royalty_sales", lump_sum_wan="10", entry_fee_wan="5",
              royalty_pct="3").offer
    assert (o.lump_sum_yuan, o.entry_fee_yuan, o.royalty_pct) == (None, None, 3.0)


def test_amount_formats_users_type(session, world):
    o = offer(session, world, lump_sum_wan="１,２00.5万元").offer    # full-width, comma, unit
    assert o.lump_sum_yuan == 12_005_000
    assert terms_snapshot(o)["lump_sum_yuan"] == 12_005_000


def test_term_exactly_to_expiry_and_free_period_equal_to_term_are_allowed(session, world):
    patent = make_patent(session, world.university, expiry_date=date(2027, 3, 1))
    o = create_offer(session, world.owner, patent.id,
                     offer_input(term_months=36, free_months=12), today=TODAY).offer
    assert o.term_months == 36
    o = offer(session, world, term_months=12, free_months=12).offer
    assert (o.free_months, o.term_months) == (12, 12)


# -- refused input ----------------------------------------------------------------------------

@pytest.mark.parametrize("fields, field, message", [
    (dict(lump_sum_wan="-5"), "lump_sum_wan", "一次性许可费不能为负数"),
    (dict(payment_mode="entry_plus_royalty", entry_fee_wan="-1", royalty_pct="3"),
     "entry_fee_wan", "入门费不能为负数"),
    (dict(royalty_pct="-2", payment_mode="royalty_sales"), "royalty_pct", "提成比例不能为负数"),
    (dict(lump_sum_wan="1000000.01"), "lump_sum_wan", "超过 100 亿元"),
    (dict(lump_sum_wan="20000000"), "lump_sum_wan", "请检查单位"),
    (dict(lump_sum_wan="十万"), "lump_sum_wan", "一次性许可费须为数字"),
    (dict(lump_sum_wan="1e5"), "lump_sum_wan", "须为数字"),
    (dict(lump_sum_wan="abc"), "lump_sum_wan", "须为数字"),
    (dict(payment_mode="royalty_sales", royalty_pct="五"), "royalty_pct", "提成比例须为数字"),
    (dict(payment_mode="royalty_sales", royalty_pct="100.5"), "royalty_pct", "不能超过 100%"),
    (dict(payment_mode="royalty_profit", royalty_pct="150%"), "royalty_pct", "不能超过 100%"),
    (dict(lump_sum_wan=""), "lump_sum_wan", "请填写一次性许可费"),
    (dict(lump_sum_wan="0"), "lump_sum_wan", "须大于 0"),
    (dict(payment_mode="royalty_sales"), "royalty_pct", "请填写提成比例"),
    (dict(payment_mode="royalty_profit", royalty_pct="0"), "royalty_pct", "请填写提成比例"),
    (dict(payment_mode="entry_plus_royalty", royalty_pct="3"), "entry_fee_wan", "请填写入门费"),
    (dict(payment_mode="entry_plus_royalty", entry_fee_wan="3"), "royalty_pct", "请填写提成比例"),
    (dict(licence_type="transfer", payment_mode="transfer_price", lump_sum_wan=""),
     "transfer_price_wan", "请填写转让价款"),
    (dict(licence_type="transfer", payment_mode="lump_sum"), "payment_mode", "转让须约定转让价款"),
    (dict(payment_mode="transfer_price", transfer_price_wan="50"), "payment_mode",
     "只有转让才约定转让价款"),
    (dict(licence_type="exclusive", payment_mode="transfer_price", transfer_price_wan="50"),
     "payment_mode", "只有转让才约定转让价款"),
    (dict(term_months=11), "term_months", "许可期限（月）应在 12–240 之间"),
    (dict(term_months=0), "term_months", "12–240"),
    (dict(term_months=241), "term_months", "12–240"),
    (dict(term_months="三年"), "term_months", "许可期限（月）须为整数"),
    (dict(free_months=-1), "free_months", "0–36"),
    (dict(free_months=37, term_months=60), "free_months", "0–36"),
    (dict(free_months=13, term_months=12), "free_months", "免费期不能长于许可期限"),
    (dict(free_months=24, term_months=18), "free_months", "免费期不能长于许可期限"),
    (dict(licence_type="open", fee_standard="", payment_method="银行转账"), "fee_standard",
     "开放许可须公布许可费标准"),
    (dict(licence_type="open", fee_standard="每年 2 万元", payment_method=""), "payment_method",
     "开放许可须公布支付方式"),
    (dict(licence_type="lease"), "licence_type", "不在可选范围内"),
    (dict(payment_mode=""), "payment_mode", "请选择付费方式"),
])
def test_bad_input_is_refused_with_a_clear_message(session, world, fields, field, message):
    errors = refused(session, world, **fields)
    assert message in errors[field], errors


def test_every_problem_is_reported_at_once(session, world):
    errors = refused(session, world, lump_sum_wan="-1", term_months=6, free_months=40)
    assert set(errors) == {"lump_sum_wan", "term_months", "free_months"}


def test_term_past_the_patents_expiry_is_refused(session, world):
    patent = make_patent(session, world.university, expiry_date=date(2027, 2, 28))
    errors = refused(session, world, patent, term_months=36)      # 2024-03-01 + 36 = 2027-03-01
    assert errors["term_months"] == "许可期限不能超过专利到期日 2027-02-28"


def test_open_licence_without_both_publications_reports_both(session, world):
    errors = refused(session, world, licence_type="open")
    assert errors["fee_standard"] == "开放许可须公布许可费标准"
    assert errors["payment_method"] == "开放许可须公布支付方式"


# -- guidance caps are warnings -----------------------------------------------------------------

@pytest.mark.parametrize("fields, warning", [
    (dict(lump_sum_wan="2000.01"), "高于指导上限 2,000 万元"),
    (dict(payment_mode="entry_plus_royalty", entry_fee_wan="2500", royalty_pct="3"),
     "固定费用 2,500 万元 高于指导上限"),
    (dict(payment_mode="royalty_sales", royalty_pct="20.5"), "净销售额的 20%"),
    (dict(payment_mode="entry_plus_royalty", entry_fee_wan="1", royalty_pct="25"), "净销售额的 20%"),
    (dict(payment_mode="royalty_profit", royalty_pct="40.5"), "利润的 40%"),
])
def test_guidance_caps_warn_but_the_offer_is_created(session, world, fields, warning):
    result = offer(session, world, **fields)
    assert result.offer.id is not None and count(session, LicenceOffer) == 1
    assert len(result.warnings) == 1 and warning in result.warnings[0]


@pytest.mark.parametrize("fields", [
    dict(lump_sum_wan="2000"),
    dict(payment_mode="royalty_sales", royalty_pct="20"),
    dict(payment_mode="royalty_profit", royalty_pct="40"),       # 40 % of profit is within guidance
    dict(payment_mode="royalty_profit", royalty_pct="25"),
])
def test_at_the_guidance_cap_there_is_no_warning(session, world, fields):
    assert offer(session, world, **fields).warnings == []


# -- patents that cannot take an offer -----------------------------------------------------------

@pytest.mark.parametrize("overrides, message", [
    (dict(expiry_date=date(2024, 2, 29)), "该专利已于 2024-02-29 到期，不能发布许可"),
    (dict(legal_status=LegalStatus.LAPSED), "该专利已失效，不能发布许可"),
    (dict(legal_status=LegalStatus.PENDING), "该专利尚未授权，不能发布许可"),
    (dict(listing_state=ListingState.ARCHIVED), "上架后才能发布许可"),
    (dict(listing_state=ListingState.DRAFT), "上架后才能发布许可"),
    (dict(listing_state=ListingState.WITHDRAWN), "上架后才能发布许可"),
])
def test_offer_on_a_patent_that_is_not_validly_listed_is_refused(session, world, overrides, message):
    patent = make_patent(session, world.university, **overrides)
    errors = refused(session, world, patent)
    assert message in errors["patent"]


# -- who may create and withdraw --------------------------------------------------------------

@pytest.mark.parametrize("who", ["other_owner", "ent_user", "broker", "operator", "outsider"])
def test_only_the_owners_staff_may_create_an_offer(session, world, who):
    with pytest.raises(PermissionDenied, match="只有专利权人可以发布许可"):
        create_offer(session, getattr(world, who), world.patent.id, offer_input(), today=TODAY)
    assert count(session, LicenceOffer) == 0


def test_another_user_of_the_owner_may_create_and_withdraw(session, world):
    colleague = make_user(session, world.university, role=UserRole.MEMBER)
    o = create_offer(session, colleague, world.patent.id, offer_input(), today=TODAY).offer
    assert withdraw_offer(session, world.owner, o.id).state == OfferState.WITHDRAWN


@pytest.mark.parametrize("who", ["other_owner", "ent_user", "broker", "operator", "outsider"])
def test_only_the_owners_staff_may_withdraw(session, world, who):
    o = make_offer(session, world)
    session.commit()
    with pytest.raises(PermissionDenied, match="只有专利权人可以撤回许可"):
        withdraw_offer(session, getattr(world, who), o.id)
    session.rollback()
    assert o.state == OfferState.ACTIVE


def test_withdrawal_keeps_deals_already_requested(session, world):
    deal = deal_in(session, world, S.NEGOTIATING)
    withdraw_offer(session, world.owner, deal.offer_id)
    session.commit()
    assert deal.offer.state == OfferState.WITHDRAWN and deal.state == S.NEGOTIATING
    assert offers_for(session, world.patent.id) == []
    assert offers_for(session, world.patent.id, active_only=False) == [deal.offer]


def test_unknown_offer_or_patent_is_not_found(session, world):
    with pytest.raises(NotFound):
        withdraw_offer(session, world.owner, 9999)
    with pytest.raises(NotFound):
        create_offer(session, world.owner, 9999, offer_input(), today=TODAY)


# -- exclusivity ----------------------------------------------------------------------------

@pytest.mark.parametrize("in_force", [S.FREE_ACTIVE, S.CONVERSION_DUE, S.CONVERTED])
@pytest.mark.parametrize("held", ["exclusive", "sole"])
def test_no_exclusive_sole_open_or_transfer_offer_while_exclusive_licence_in_force(
        session, world, held, in_force):
    deal = deal_in(session, world, in_force, offer=make_offer(session, world, licence_type=held))
    label = LicenceType(held).label
    for ltype, extra in (("exclusive", {}), ("sole", {}),
                         ("open", dict(fee_standard="每年 1 万元", payment_method="转账")),
                         ("transfer", dict(payment_mode="transfer_price", transfer_price_wan="50",
                                           lump_sum_wan=""))):
        errors = refused(session, world, licence_type=ltype, **extra)
        assert errors["licence_type"].startswith(f"该专利已有生效中的{label}（交易 #{deal.id}）")
    # an ordinary licence may still be offered
    assert offer(session, world, licence_type="ordinary").offer.id


@pytest.mark.parametrize("state", [S.REQUESTED, S.NEGOTIATING, S.TERMINATED, S.LAPSED,
                                   S.TRANSFERRED, S.DECLINED])
def test_exclusive_licence_not_in_force_does_not_block(session, world, state):
    deal_in(session, world, state, offer=make_offer(session, world, licence_type="exclusive"))
    assert offer(session, world, licence_type="sole").offer.id


def test_ordinary_licence_in_force_does_not_block_an_open_licence(session, world):
    deal_in(session, world, S.FREE_ACTIVE)
    assert offer(session, world, licence_type="open", fee_standard="每年 1 万元",
                 payment_method="转账").offer.id


def test_no_exclusive_or_sole_offer_while_an_open_licence_is_declared(session, world):
    open_offer = make_offer(session, world, licence_type="open", fee_standard="每年 1 万元",
                            payment_method="转账")
    for ltype in ("exclusive", "sole"):
        errors = refused(session, world, licence_type=ltype)
        assert errors["licence_type"] == "该专利已声明开放许可，只能发放普通许可"
    assert offer(session, world, licence_type="ordinary").offer.id
    # once the open licence is withdrawn, an exclusive offer is possible again
    withdraw_offer(session, world.owner, open_offer.id)
    assert offer(session, world, licence_type="exclusive").offer.id
