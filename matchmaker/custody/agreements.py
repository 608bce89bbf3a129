"""Custody agreements: an enterprise and a service agency agree, for a period, on the services
the agency provides (年费管理, 法律状态监控 …), paid by fee or by voucher (创新券/服务券).

Either side proposes; the other confirms or declines; either side may terminate an active
agreement with a reason; a renewal is a new proposal that starts when the old one ends; `tick`
ends agreements past their end date. Every step is an event (the history), the other side is
notified, and a version column refuses a second person acting on a stale page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ..catalog.validation import FieldErrors
from ..clock import add_months
from ..errors import NotFound, PermissionDenied, ValidationError
from ..money import AmountError, parse_wan
from ..models import (AgreementState as A, CustodyAgreement, CustodyEvent, CustodyService,
                      Organization, OrgKind, OrgStatus, User, VoucherKind)
from ..notifications import notify, organization_audience

MAX_YEARS = 5
STALE = "该托管协议已被他人修改，请刷新页面后重试"

# Who may take each step: the side that did not propose ("counterpart"), either side, the system.
COUNTERPART, EITHER, SYSTEM = "counterpart", "either", "system"
TRANSITIONS: dict[tuple[A, A], str] = {
    (A.PROPOSED, A.ACTIVE): COUNTERPART,
    (A.PROPOSED, A.DECLINED): COUNTERPART,
    (A.ACTIVE, A.TERMINATED): EITHER,
    (A.ACTIVE, A.ENDED): SYSTEM,
}
OPEN_STATES = (A.PROPOSED, A.ACTIVE)


@dataclass(frozen=True)
class AgreementInput:
    """What a proposal says, as typed (amounts in 万元)."""

    services: list[str] = field(default_factory=list)
    start_date: date | str | None = None
    end_date: date | str | None = None
    fee_wan: str = ""
    voucher_kind: str = VoucherKind.NONE.value
    voucher_no: str = ""
    voucher_value_wan: str = ""
    note: str = ""


def _side(actor: User | None) -> Organization:
    org = actor.organization if actor is not None else None
    if org is None or org.kind not in (OrgKind.ENTERPRISE, OrgKind.AGENCY) \
            or org.status != OrgStatus.APPROVED:
        raise PermissionDenied("只有已审核的企业和知识产权服务机构可以签订托管协议")
    return org


def _validate(data: AgreementInput) -> dict:
    e = FieldErrors()
    services = [s for s in dict.fromkeys(data.services or []) if s]
    allowed = {s.value for s in CustodyService}
    if not services:
        e.add("services", "请至少选择一项托管服务")
    elif set(services) - allowed:
        e.add("services", "托管服务不在可选范围内")
    start = e.date("start_date", "开始日期", data.start_date)
    end = e.date("end_date", "结束日期", data.end_date)
    if start is None and "start_date" not in e.errors:
        e.add("start_date", "请填写开始日期")
    if end is None and "end_date" not in e.errors:
        e.add("end_date", "请填写结束日期")
    if start and end:
        if end < start:
            e.add("end_date", "结束日期不能早于开始日期")
        elif end > add_months(start, 12 * MAX_YEARS):
            e.add("end_date", f"一份托管协议最长 {MAX_YEARS} 年，到期后可续签")
    kind = e.choice("voucher_kind", "付费方式", data.voucher_kind or VoucherKind.NONE.value,
                    [v.value for v in VoucherKind])
    amounts = {}
    for name, label, raw in (("fee_yuan", "服务费", data.fee_wan),
                             ("voucher_value_yuan", "券面金额", data.voucher_value_wan)):
        try:
            amounts[name] = parse_wan(raw, label)
        except AmountError as exc:
            e.add(name.replace("_yuan", "_wan"), str(exc))
    voucher_no = e.text("voucher_no", "券号", data.voucher_no, max_len=60)
    if kind and kind != VoucherKind.NONE.value:
        if not voucher_no:
            e.add("voucher_no", "使用创新券或服务券时请填写券号")
        if not amounts.get("voucher_value_yuan") and "voucher_value_wan" not in e.errors:
            e.add("voucher_value_wan", "使用创新券或服务券时请填写券面金额")
    elif kind == VoucherKind.NONE.value and amounts.get("fee_yuan") is None \
            and "fee_wan" not in e.errors:
        e.add("fee_wan", "自费托管请填写服务费（免费服务填 0）")
    note = e.text("note", "说明", data.note, max_len=1000)
    e.raise_if_any()
    return {"services": services, "start_date": start, "end_date": end,
            "voucher_kind": VoucherKind(kind), "voucher_no": voucher_no if kind != "none" else "",
            "fee_yuan": amounts.get("fee_yuan"),
            "voucher_value_yuan": amounts.get("voucher_value_yuan") if kind != "none" else None,
            "note": note}


def _overlapping(session: Session, enterprise_id: int, agency_id: int, start: date, end: date,
                 skip: int | None = None) -> CustodyAgreement | None:
    return session.scalar(select(CustodyAgreement).where(
        CustodyAgreement.enterprise_id == enterprise_id, CustodyAgreement.agency_id == agency_id,
        CustodyAgreement.state.in_(OPEN_STATES), CustodyAgreement.start_date <= end,
        CustodyAgreement.end_date >= start, CustodyAgreement.id != (skip or 0)))


def propose(session: Session, actor: User, counterpart_id: int, data: AgreementInput, *,
            renewal_of: CustodyAgreement | None = None) -> CustodyAgreement:
    """The actor's organization (enterprise or agency) proposes an agreement to the other."""
    mine = _side(actor)
    other = session.get(Organization, counterpart_id)
    wanted = OrgKind.AGENCY if mine.kind == OrgKind.ENTERPRISE else OrgKind.ENTERPRISE
    if other is None or other.kind != wanted or other.status != OrgStatus.APPROVED:
        raise ValidationError({"counterpart": f"请选择一家已审核的{wanted.label}"})
    v = _validate(data)
    enterprise, agency = (mine, other) if mine.kind == OrgKind.ENTERPRISE else (other, mine)
    clash = _overlapping(session, enterprise.id, agency.id, v["start_date"], v["end_date"],
                         skip=renewal_of.id if renewal_of else None)
    if clash is not None:
        raise ValidationError({"start_date": f"与双方现有的托管协议 #{clash.id}（{clash.start_date} 至 "
                                             f"{clash.end_date}，{clash.state.label}）时间重叠"})
    agreement = CustodyAgreement(enterprise=enterprise, agency=agency, proposed_by=mine,
                                 renewal_of_id=renewal_of.id if renewal_of else None, **v)
    session.add(agreement)
    session.flush()
    _event(session, agreement, actor, "", A.PROPOSED, v["note"])
    verb = "续签" if renewal_of else "托管"
    notify(session, organization_audience(other), "custody",
           f"{mine.name}提出{verb}协议，请确认",
           f"{v['start_date']} 至 {v['end_date']}：" + "、".join(CustodyService(s).label for s in v["services"]),
           link=f"/custody/agreements/{agreement.id}")
    return agreement


def renew(session: Session, actor: User, agreement_id: int, data: AgreementInput) -> CustodyAgreement:
    """Propose the follow-up of an active agreement, starting the day after it ends."""
    old = get_agreement(session, actor, agreement_id)
    if old.state != A.ACTIVE:
        raise ValidationError("只有托管中的协议可以续签")
    mine = _side(actor)
    counterpart = old.agency_id if mine.id == old.enterprise_id else old.enterprise_id
    data = AgreementInput(**{**data.__dict__, "start_date": old.end_date + timedelta(days=1)})
    return propose(session, actor, counterpart, data, renewal_of=old)


def _event(session: Session, agreement: CustodyAgreement, actor: User | None, before, after: A,
           note: str = "") -> None:
    session.add(CustodyEvent(agreement=agreement, actor_id=actor.id if actor else None,
                             from_state=before.value if before else "", to_state=after.value,
                             note=note))


def _step(session: Session, actor: User | None, agreement: CustodyAgreement, to: A,
          version: int | None, note: str = "") -> CustodyAgreement:
    who = TRANSITIONS.get((agreement.state, to))
    if who is None:
        raise ValidationError(f"协议当前为“{agreement.state.label}”，不能改为“{to.label}”")
    if who == SYSTEM and actor is not None:
        raise PermissionDenied("协议到期由系统自动处理")
    if actor is not None:
        mine = _side(actor)
        if mine.id not in (agreement.enterprise_id, agreement.agency_id):
            raise NotFound("未找到该托管协议")
        if who == COUNTERPART and mine.id == agreement.proposed_by_id:
            raise PermissionDenied("需由对方确认")
    if version is not None and version != agreement.version:
        raise ValidationError(STALE)
    before = agreement.state
    agreement.state = to
    _event(session, agreement, actor, before, to, note)
    session.flush()
    if actor is not None:
        mine = actor.organization
        other = agreement.agency if mine.id == agreement.enterprise_id else agreement.enterprise
        notify(session, organization_audience(other), "custody",
               f"{mine.name}：托管协议 #{agreement.id} {to.label}", note,
               link=f"/custody/agreements/{agreement.id}")
    return agreement


def respond(session: Session, actor: User, agreement_id: int, accept: bool, *,
            version: int | None = None, note: str = "") -> CustodyAgreement:
    agreement = get_agreement(session, actor, agreement_id)
    return _step(session, actor, agreement, A.ACTIVE if accept else A.DECLINED, version, note)


def terminate(session: Session, actor: User, agreement_id: int, reason: str, *,
              version: int | None = None) -> CustodyAgreement:
    e = FieldErrors()
    reason = e.text("reason", "终止原因", reason, max_len=500, required=True)
    e.raise_if_any()
    agreement = get_agreement(session, actor, agreement_id)
    return _step(session, actor, agreement, A.TERMINATED, version, reason)


def end_expired(session: Session, today: date) -> int:
    """Active agreements past their end date end (tick)."""
    due = list(session.scalars(select(CustodyAgreement).where(
        CustodyAgreement.state == A.ACTIVE, CustodyAgreement.end_date < today)))
    for agreement in due:
        _step(session, None, agreement, A.ENDED, None, f"{agreement.end_date} 到期")
    return len(due)


def get_agreement(session: Session, actor: User | None, agreement_id: int) -> CustodyAgreement:
    """An agreement its two sides and operators may read; others get NotFound."""
    agreement = session.scalar(select(CustodyAgreement).where(CustodyAgreement.id == agreement_id)
                               .options(selectinload(CustodyAgreement.events)))
    org = actor.organization if actor is not None else None
    if agreement is None or org is None or not (
            org.kind == OrgKind.OPERATOR or org.id in (agreement.enterprise_id, agreement.agency_id)):
        raise NotFound("未找到该托管协议")
    return agreement


def agreements_of(session: Session, org: Organization) -> list[CustodyAgreement]:
    """An organization's agreements, open ones first, newest first."""
    rows = session.scalars(select(CustodyAgreement).where(or_(
        CustodyAgreement.enterprise_id == org.id, CustodyAgreement.agency_id == org.id))
        .order_by(CustodyAgreement.id.desc()))
    return sorted(rows, key=lambda a: a.state not in OPEN_STATES)


def covering(session: Session, enterprise_id: int, today: date) -> CustodyAgreement | None:
    """The enterprise's agreement in force today, if any."""
    return session.scalar(select(CustodyAgreement).where(
        CustodyAgreement.enterprise_id == enterprise_id, CustodyAgreement.state == A.ACTIVE,
        CustodyAgreement.start_date <= today, CustodyAgreement.end_date >= today)
        .order_by(CustodyAgreement.start_date.desc()))


def client_ids(session: Session, agency_id: int, today: date) -> set[int]:
    """Enterprises the agency keeps in custody today."""
    return set(session.scalars(select(CustodyAgreement.enterprise_id).where(
        CustodyAgreement.agency_id == agency_id, CustodyAgreement.state == A.ACTIVE,
        CustodyAgreement.start_date <= today, CustodyAgreement.end_date >= today)))


def may_manage(session: Session, actor: User | None, enterprise_id: int, today: date) -> bool:
    """The enterprise itself, or the agency that keeps it in custody today."""
    org = actor.organization if actor is not None else None
    if org is None or org.status != OrgStatus.APPROVED:
        return False
    if org.id == enterprise_id:
        return org.kind == OrgKind.ENTERPRISE
    return org.kind == OrgKind.AGENCY and enterprise_id in client_ids(session, org.id, today)
