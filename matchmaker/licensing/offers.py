"""Licence offers: validate the terms an owner sets on a listed patent, create and withdraw.

Hard rules (errors): amounts not negative nor absurd, royalty ≤ 100 %, term ≥ 12 months and not
past expiry, no exclusive/sole offer while such a licence is in force or an open licence is
declared, open licences publish fee standard, payment method and term, and only valid listed
patents can be offered. CNIPA guidance caps (fixed fee ≤ 2,000 万元, royalty ≤ 20 % of sales or
≤ 40 % of profit) are warnings.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import permissions
from ..catalog.patents import get_patent, listing_problem
from ..clock import add_months
from ..errors import NotFound, PermissionDenied, ValidationError
from ..models import (Deal, DealState, LicenceOffer, LicenceType, ListingState, OfferState,
                      Patent, PaymentMode, User)
from ..catalog.validation import FieldErrors
from ..money import GUIDANCE_FIXED_FEE_YUAN, AmountError, parse_pct, parse_wan, wan

MAX_FREE_MONTHS = 36
MAX_TERM_MONTHS = 240
IN_FORCE = (DealState.FREE_ACTIVE, DealState.CONVERSION_DUE, DealState.CONVERTED)
ROYALTY_GUIDANCE = {PaymentMode.ROYALTY_SALES: 20.0, PaymentMode.ROYALTY_PROFIT: 40.0,
                    PaymentMode.ENTRY_PLUS_ROYALTY: 20.0}


@dataclass
class OfferInput:
    """Offer fields as typed (amounts in 万元, royalty in %)."""

    licence_type: str = LicenceType.ORDINARY.value
    free_months: int | str = 6
    payment_mode: str = PaymentMode.LUMP_SUM.value
    lump_sum_wan: str = ""
    entry_fee_wan: str = ""
    royalty_pct: str = ""
    transfer_price_wan: str = ""
    term_months: int | str = 36
    territory: str = "中国大陆"
    field_of_use: str = ""
    knowhow_included: bool = False
    support_included: bool = False
    fee_standard: str = ""
    payment_method: str = ""
    note: str = ""


@dataclass
class OfferResult:
    offer: LicenceOffer
    warnings: list[str] = field(default_factory=list)


def _int(e: FieldErrors, name: str, label: str, raw, lo: int, hi: int) -> int | None:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        e.add(name, f"{label}须为整数")
        return None
    if not lo <= value <= hi:
        e.add(name, f"{label}应在 {lo}–{hi} 之间")
        return None
    return value


def validate_offer(session: Session, patent: Patent, data: OfferInput, *, today: date
                   ) -> tuple[dict, list[str]]:
    """Model values and warnings, or ValidationError listing every problem."""
    e = FieldErrors()
    warnings: list[str] = []
    ltype = e.choice("licence_type", "许可类型", data.licence_type, [t.value for t in LicenceType])
    mode = e.choice("payment_mode", "付费方式", data.payment_mode, [m.value for m in PaymentMode])
    ltype = LicenceType(ltype) if ltype else None
    mode = PaymentMode(mode) if mode else None
    v: dict = {"licence_type": ltype, "payment_mode": mode,
               "territory": e.text("territory", "许可地域", data.territory, max_len=100) or "中国大陆",
               "field_of_use": e.text("field_of_use", "许可领域", data.field_of_use, max_len=200),
               "knowhow_included": bool(data.knowhow_included),
               "support_included": bool(data.support_included),
               "fee_standard": e.text("fee_standard", "许可费标准", data.fee_standard, max_len=2000),
               "payment_method": e.text("payment_method", "支付方式", data.payment_method, max_len=200),
               "note": e.text("note", "补充说明", data.note, max_len=2000)}
    v["free_months"] = _int(e, "free_months", "免费期（月）", data.free_months, 0, MAX_FREE_MONTHS)
    transfer = ltype == LicenceType.TRANSFER
    v["term_months"] = 0 if transfer else _int(e, "term_months", "许可期限（月）", data.term_months,
                                               12, MAX_TERM_MONTHS)
    for name, label, parser in (("lump_sum_yuan", "一次性许可费", data.lump_sum_wan),
                                ("entry_fee_yuan", "入门费", data.entry_fee_wan),
                                ("transfer_price_yuan", "转让价款", data.transfer_price_wan)):
        try:
            v[name] = parse_wan(parser, label)
        except AmountError as exc:
            e.add(name.replace("_yuan", "_wan"), str(exc))
            v[name] = None
    try:
        v["royalty_pct"] = parse_pct(data.royalty_pct, "提成比例")
    except AmountError as exc:
        e.add("royalty_pct", str(exc))
        v["royalty_pct"] = None
    if ltype and mode:
        _check_payment(e, ltype, mode, v, warnings)
    if ltype == LicenceType.OPEN:
        if not v["fee_standard"]:
            e.add("fee_standard", "开放许可须公布许可费标准")
        if not v["payment_method"]:
            e.add("payment_method", "开放许可须公布支付方式")
    if v["free_months"] and v["term_months"] and v["free_months"] > v["term_months"]:
        e.add("free_months", "免费期不能长于许可期限")
    problem = offer_problem(session, patent, ltype, today)
    if problem:
        e.add(*problem)
    if v["term_months"] and patent.expiry_date and add_months(today, v["term_months"]) > patent.expiry_date:
        e.add("term_months", f"许可期限不能超过专利到期日 {patent.expiry_date}")
    e.raise_if_any()
    return v, warnings


def _check_payment(e: FieldErrors, ltype: LicenceType, mode: PaymentMode, v: dict,
                   warnings: list[str]) -> None:
    if ltype == LicenceType.TRANSFER and mode != PaymentMode.TRANSFER_PRICE:
        e.add("payment_mode", "转让须约定转让价款")
    if ltype != LicenceType.TRANSFER and mode == PaymentMode.TRANSFER_PRICE:
        e.add("payment_mode", "只有转让才约定转让价款")
    needs = {PaymentMode.LUMP_SUM: ("lump_sum_yuan",), PaymentMode.TRANSFER_PRICE: ("transfer_price_yuan",),
             PaymentMode.ROYALTY_SALES: ("royalty_pct",), PaymentMode.ROYALTY_PROFIT: ("royalty_pct",),
             PaymentMode.ENTRY_PLUS_ROYALTY: ("entry_fee_yuan", "royalty_pct")}[mode]
    labels = {"lump_sum_yuan": ("lump_sum_wan", "一次性许可费"), "transfer_price_yuan": ("transfer_price_wan", "转让价款"),
              "entry_fee_yuan": ("entry_fee_wan", "入门费"), "royalty_pct": ("royalty_pct", "提成比例")}
    for name in needs:
        if not v.get(name):
            field_name, label = labels[name]
            e.add(field_name, f"请填写{label}（须大于 0）")
    for name in ("lump_sum_yuan", "entry_fee_yuan", "transfer_price_yuan", "royalty_pct"):
        if name not in needs:
            v[name] = None     # terms of another payment mode are not kept
    fixed = max(v.get("lump_sum_yuan") or 0, v.get("entry_fee_yuan") or 0)
    if fixed > GUIDANCE_FIXED_FEE_YUAN:
        warnings.append(f"固定费用 {wan(fixed)} 高于指导上限 2,000 万元，请确认")
    cap = ROYALTY_GUIDANCE.get(mode)
    if cap and (v.get("royalty_pct") or 0) > cap:
        base = "利润" if mode == PaymentMode.ROYALTY_PROFIT else "净销售额"
        warnings.append(f"提成比例 {v['royalty_pct']}% 高于指导上限（{base}的 {cap:g}%），请确认")


def offer_problem(session: Session, patent: Patent, ltype: LicenceType | None,
                  today: date) -> tuple[str, str] | None:
    """(field, message) saying why this patent cannot take an offer of this type now, or None."""
    problem = listing_problem(patent, today)
    if problem:
        return "patent", problem.replace("不能上架", "不能发布许可")
    if patent.listing_state != ListingState.LISTED:
        return "patent", f"该专利当前为“{patent.listing_state.label}”，上架后才能发布许可"
    if ltype is None:
        return None
    exclusive = exclusive_in_force(session, patent.id)
    if exclusive and (ltype.is_exclusive_kind or ltype in (LicenceType.OPEN, LicenceType.TRANSFER)):
        return "licence_type", (f"该专利已有生效中的{exclusive.licence_type.label}（交易 #{exclusive.id}），"
                                f"不能再发布{ltype.label}")
    if ltype.is_exclusive_kind and open_offer(session, patent.id):
        return "licence_type", "该专利已声明开放许可，只能发放普通许可"
    return None


def exclusive_in_force(session: Session, patent_id: int) -> Deal | None:
    return session.scalar(select(Deal).where(
        Deal.patent_id == patent_id, Deal.state.in_(IN_FORCE),
        Deal.licence_type.in_([LicenceType.SOLE, LicenceType.EXCLUSIVE])).limit(1))


def open_offer(session: Session, patent_id: int) -> LicenceOffer | None:
    return session.scalar(select(LicenceOffer).where(
        LicenceOffer.patent_id == patent_id, LicenceOffer.state == OfferState.ACTIVE,
        LicenceOffer.licence_type == LicenceType.OPEN).limit(1))


def create_offer(session: Session, actor: User, patent_id: int, data: OfferInput, *,
                 today: date) -> OfferResult:
    patent = get_patent(session, patent_id)
    if not permissions.can_edit_patent(actor, patent):
        raise PermissionDenied("只有专利权人可以发布许可")
    values, warnings = validate_offer(session, patent, data, today=today)
    offer = LicenceOffer(patent=patent, created_by=actor, **values)
    session.add(offer)
    session.flush()
    return OfferResult(offer, warnings)


def withdraw_offer(session: Session, actor: User, offer_id: int) -> LicenceOffer:
    """Withdrawal does not touch deals already requested under the offer."""
    offer = get_offer(session, offer_id)
    if not permissions.can_edit_patent(actor, offer.patent):
        raise PermissionDenied("只有专利权人可以撤回许可")
    offer.state = OfferState.WITHDRAWN
    session.flush()
    return offer


def get_offer(session: Session, offer_id: int) -> LicenceOffer:
    offer = session.get(LicenceOffer, offer_id)
    if offer is None:
        raise NotFound("未找到该许可")
    return offer


def offers_for(session: Session, patent_id: int, *, active_only: bool = True) -> list[LicenceOffer]:
    stmt = select(LicenceOffer).where(LicenceOffer.patent_id == patent_id)
    if active_only:
        stmt = stmt.where(LicenceOffer.state == OfferState.ACTIVE)
    return list(session.scalars(stmt.order_by(LicenceOffer.id)))


def terms_snapshot(offer: LicenceOffer) -> dict:
    """The offer's terms copied onto a deal, so later edits of the offer do not change it."""
    return {"licence_type": offer.licence_type.value, "free_months": offer.free_months,
            "payment_mode": offer.payment_mode.value, "lump_sum_yuan": offer.lump_sum_yuan,
            "entry_fee_yuan": offer.entry_fee_yuan, "royalty_pct": offer.royalty_pct,
            "transfer_price_yuan": offer.transfer_price_yuan, "term_months": offer.term_months,
            "territory": offer.territory, "field_of_use": offer.field_of_use,
            "knowhow_included": offer.knowhow_included, "support_included": offer.support_included}
