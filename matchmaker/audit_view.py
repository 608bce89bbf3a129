"""The audit trail as an operator reads it: Chinese field names, states by their labels, amounts
in 万元, months and percentages with their units, and the organizations, users, patents and
needs an entry names by their names instead of bare ids.

The trail itself stores raw column values (`state: requested → terminated`, `lump_sum_yuan
200000`) so it stays exact; this read model only formats it, like the rest of the UI does.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .money import wan
from .models import (AuditEntry, DealState, LegalStatus, LicenceOffer, LicenceType, ListingState,
                     Need, NeedState, OfferState, Organization, OrgKind, OrgStatus, Patent,
                     PatentType, PaymentMode, User, WantedForm)

OBJECT_LABELS = {"patent": "专利", "need": "需求", "offer": "许可条件", "deal": "交易",
                 "organization": "机构"}
ACTION_LABELS = {"create": "新增", "update": "修改", "delete": "删除", "reassign": "变更专利权人"}
EMPTY = "（空）"

FIELD_LABELS = {
    # patents
    "app_no": "申请号", "pub_no": "公开号", "source_id": "来源编号", "source": "数据来源",
    "abstract": "摘要", "first_claim": "首项权利要求", "ipc_codes": "IPC 分类号",
    "patent_type": "专利类型", "legal_status": "法律状态", "filing_date": "申请日",
    "grant_date": "授权日", "term_extension_days": "保护期补偿", "expiry_date": "保护期至",
    "inventors": "发明人", "owner_id": "专利权人", "industry_tags": "行业", "readiness": "技术成熟度",
    "scenarios": "应用场景", "knowhow_included": "含技术秘密", "listing_state": "上架状态",
    "annuity_reduction": "年费减缴", "annuity_risk_since": "年费逾期起始日",
    "owner": "专利权人", "reason": "原因", "offers_withdrawn": "撤回的许可条件",
    # needs
    "enterprise_id": "企业", "posted_by_id": "发布人", "on_behalf_station_id": "代发驿站",
    "description": "需求描述", "industry": "所属行业", "region": "地区", "budget_min_wan": "预算下限",
    "budget_max_wan": "预算上限", "wanted_forms": "合作方式", "valid_until": "有效期至",
    # offers
    "patent_id": "专利", "created_by_id": "发布人", "licence_type": "许可方式", "free_months": "免费期",
    "payment_mode": "付费方式", "lump_sum_yuan": "一次性许可费", "entry_fee_yuan": "入门费",
    "royalty_pct": "提成比例", "transfer_price_yuan": "转让价格", "term_months": "许可期限",
    "territory": "许可地域", "field_of_use": "使用领域", "support_included": "含技术支持",
    "fee_standard": "收费标准", "payment_method": "支付方式", "note": "备注",
    # deals
    "offer_id": "许可条件", "need_id": "需求", "requested_by_id": "申请人", "station_id": "经办驿站",
    "terms": "许可条件", "free_start": "免费期开始", "free_end": "免费期结束", "effective_date": "生效日期",
    "contract_value_yuan": "合同金额", "recordal_due": "备案截止", "recordal_no": "备案号",
    "recordal_date": "备案日期", "contract_reg_no": "技术合同登记号",
    # organizations
    "kind": "机构类型", "credit_code": "统一社会信用代码", "address": "地址", "contact_name": "联系人",
    "contact_phone": "联系电话", "contact_email": "联系邮箱",
}
# Fields whose name depends on the object: a need's title is not a patent's.
KIND_FIELD_LABELS = {
    ("patent", "title"): "专利名称", ("need", "title"): "需求名称", ("offer", "title"): "名称",
    ("organization", "name"): "机构名称", ("organization", "status"): "审核状态",
    ("patent", "state"): "状态", ("need", "state"): "需求状态", ("offer", "state"): "许可条件状态",
    ("deal", "state"): "交易状态", ("deal", "licence_type"): "许可方式",
}
ENUMS = {"patent_type": PatentType, "legal_status": LegalStatus, "listing_state": ListingState,
         "licence_type": LicenceType, "payment_mode": PaymentMode, "kind": OrgKind,
         "status": OrgStatus, "wanted_forms": WantedForm}
STATE_ENUMS = {"need": NeedState, "offer": OfferState, "deal": DealState}
# Ids that name another row: (model, the attribute shown).
REFERENCES: dict[str, tuple[type, str]] = {
    "owner_id": (Organization, "name"), "enterprise_id": (Organization, "name"),
    "on_behalf_station_id": (Organization, "name"), "station_id": (Organization, "name"),
    "posted_by_id": (User, "display_name"), "created_by_id": (User, "display_name"),
    "requested_by_id": (User, "display_name"), "patent_id": (Patent, "title"),
    "need_id": (Need, "title"), "offer_id": (LicenceOffer, "id"),
}


@dataclass(frozen=True)
class Change:
    """One field of an entry: its label and both values as text."""

    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class AuditRow:
    """One entry, ready to show."""

    entry: AuditEntry
    object_label: str
    action_label: str
    changes: tuple[Change, ...]


def field_label(kind: str, field: str) -> str:
    """'lump_sum_yuan' → '一次性许可费'; an unknown field keeps its name."""
    return KIND_FIELD_LABELS.get((kind, field)) or FIELD_LABELS.get(field) or field


def _enum_label(enum_cls, value) -> str:
    try:
        return enum_cls(value).label
    except ValueError:
        return str(value)


def format_value(kind: str, field: str, value: Any, names: dict[tuple[str, Any], str] | None = None) -> str:
    """A stored value as the UI shows it elsewhere.

    >>> format_value("offer", "lump_sum_yuan", 200000), format_value("deal", "state", "terminated")
    ('20 万元', '已终止')
    >>> format_value("offer", "free_months", 6), format_value("offer", "royalty_pct", 3.5)
    ('6 个月', '3.5%')
    >>> format_value("need", "wanted_forms", ["licence", "transfer"]), format_value("patent", "knowhow_included", True)
    ('许可、转让', '是')
    """
    if value is None or value == "" or value == []:
        return EMPTY
    if field in REFERENCES and names is not None and (field, value) in names:
        return names[(field, value)]
    if field == "state" and kind in STATE_ENUMS:
        return _enum_label(STATE_ENUMS[kind], value)
    if field in ENUMS:
        if isinstance(value, list):
            return "、".join(_enum_label(ENUMS[field], v) for v in value)
        return _enum_label(ENUMS[field], value)
    formatter = _FORMATTERS.get(field) or _suffix_formatter(field)
    if formatter is not None and not isinstance(value, (list, dict, bool)):
        return formatter(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):   # a deal's terms: the offer's own fields
        return "；".join(f"{field_label('offer', k)} {format_value('offer', k, v)}"
                        for k, v in value.items() if v not in (None, "", []))
    return str(value)


_FORMATTERS: dict[str, Callable[[Any], str]] = {
    "royalty_pct": lambda v: f"{float(v):g}%",
    "annuity_reduction": lambda v: f"减缴 {v}%",
    "term_extension_days": lambda v: f"{v} 天",
    "readiness": lambda v: f"{v} 级",
    "offers_withdrawn": lambda v: f"{v} 项",
    "offer_id": lambda v: f"#{v}",
}


def _suffix_formatter(field: str) -> Callable[[Any], str] | None:
    if field.endswith("_yuan"):
        return lambda v: wan(int(v))
    if field.endswith("_wan"):
        return lambda v: f"{v} 万元"
    if field.endswith("_months"):
        return lambda v: "无" if v == 0 else f"{v} 个月"
    return None


def _names(session: Session, entries: Iterable[AuditEntry]) -> dict[tuple[str, Any], str]:
    """Names of every row the entries refer to: one query per referenced table."""
    wanted: dict[tuple[type, str], set[int]] = {}
    fields_of: dict[tuple[type, str], list[str]] = {}
    for entry in entries:
        for field, pair in (entry.changes or {}).items():
            if field in REFERENCES:
                target = REFERENCES[field]
                fields_of.setdefault(target, []).append(field)
                wanted.setdefault(target, set()).update(v for v in pair if isinstance(v, int))
    out: dict[tuple[str, Any], str] = {}
    for (model, attr), ids in wanted.items():
        if attr == "id":
            continue
        column = getattr(model, attr)
        for row_id, name in session.execute(select(model.id, column).where(model.id.in_(ids))):
            for field in fields_of[(model, attr)]:
                out[(field, row_id)] = f"{name}（#{row_id}）"
    return out


def build_audit_rows(session: Session, entries: list[AuditEntry]) -> list[AuditRow]:
    """The entries of one page, formatted (names looked up once for the whole page)."""
    names = _names(session, entries)
    rows = []
    for entry in entries:
        kind = entry.object_type
        changes = tuple(
            Change(field, field_label(kind, field), format_value(kind, field, pair[0], names),
                   format_value(kind, field, pair[1], names))
            for field, pair in (entry.changes or {}).items())
        rows.append(AuditRow(entry, f"{OBJECT_LABELS.get(kind, kind)} #{entry.object_id}",
                             ACTION_LABELS.get(entry.action, entry.action), changes))
    return rows
