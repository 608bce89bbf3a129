"""Create, update and list patents; validation of numbers, dates, IPC codes and listing rules."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from ..errors import NotFound, PermissionDenied, ValidationError
from ..models import (INDUSTRIES, LegalStatus, LicenceOffer, ListingState, OfferState, Organization,
                      Patent, PatentIPC, PatentType, User)
from .. import permissions
from .ipc import parse_ipc, split_ipc_list
from .numbers import app_no_type_digit, normalize_app_no
from .terms import compute_expiry
from .validation import FieldErrors

TYPE_FOR_DIGIT = {"1": PatentType.INVENTION, "8": PatentType.INVENTION,
                  "2": PatentType.UTILITY, "9": PatentType.UTILITY, "3": PatentType.DESIGN}


@dataclass
class PatentInput:
    """Patent fields as they arrive from a form, a file or the API (strings and lists)."""

    title: str = ""
    abstract: str = ""
    first_claim: str = ""
    app_no: str = ""
    pub_no: str = ""
    ipc_codes: list[str] | str = field(default_factory=list)
    patent_type: str = ""
    legal_status: str = LegalStatus.UNKNOWN.value
    filing_date: date | str | None = None
    grant_date: date | str | None = None
    inventors: list[str] | str = field(default_factory=list)
    industry_tags: list[str] = field(default_factory=list)
    readiness: int | str | None = None
    scenarios: str = ""
    knowhow_included: bool = False
    listing_state: str = ListingState.DRAFT.value
    source_id: str | None = None
    source: str = ""


def validate_patent(data: PatentInput, *, today: date | None = None,
                    require_title: bool = True) -> dict:
    """Turn raw input into model values, or raise ValidationError with every field problem.

    Records imported from public corpora may lack a title (`require_title=False`); people
    entering a patent by hand must give one.
    """
    today = today or date.today()
    e = FieldErrors()
    v: dict = {
        "title": e.text("title", "专利名称", data.title, max_len=300, required=require_title,
                        min_len=2),
        "abstract": e.text("abstract", "摘要", data.abstract, max_len=20_000),
        "first_claim": e.text("first_claim", "首项权利要求", data.first_claim, max_len=20_000),
        "pub_no": e.text("pub_no", "公开/授权公告号", data.pub_no, max_len=40) or None,
        "scenarios": e.text("scenarios", "应用场景", data.scenarios, max_len=2_000),
        "knowhow_included": bool(data.knowhow_included),
        "source": (data.source or "")[:300],
        "source_id": (data.source_id or None),
    }
    v["app_no"] = e.run("app_no", lambda raw: normalize_app_no(raw, today=today), data.app_no) if (data.app_no or "").strip() else None
    ptype = e.choice("patent_type", "专利类型", data.patent_type, [t.value for t in PatentType],
                     required=False)
    v["patent_type"] = PatentType(ptype) if ptype else None
    if v["app_no"] and not v["patent_type"]:
        v["patent_type"] = TYPE_FOR_DIGIT[app_no_type_digit(v["app_no"])]
    elif v["app_no"] and v["patent_type"] != TYPE_FOR_DIGIT[app_no_type_digit(v["app_no"])]:
        e.add("patent_type", "专利类型与申请号中的类型位不一致")
    status = e.choice("legal_status", "法律状态", data.legal_status or "unknown",
                      [s.value for s in LegalStatus])
    v["legal_status"] = LegalStatus(status) if status else LegalStatus.UNKNOWN
    v["filing_date"] = e.date("filing_date", "申请日", data.filing_date)
    v["grant_date"] = e.date("grant_date", "授权公告日", data.grant_date)
    if v["filing_date"] and v["filing_date"] > today:
        e.add("filing_date", "申请日不能晚于今天")
    if v["grant_date"] and v["filing_date"] and v["grant_date"] < v["filing_date"]:
        e.add("grant_date", "授权公告日不能早于申请日")
    if v["app_no"] and v["filing_date"] and len(v["app_no"]) == 14 \
            and int(v["app_no"][:4]) != v["filing_date"].year:
        e.add("filing_date", "申请日年份与申请号中的年份不一致")
    v["ipc_codes"] = _validate_ipc(split_ipc_list(data.ipc_codes), e)
    inventors = split_ipc_list(data.inventors) if isinstance(data.inventors, str) else data.inventors
    v["inventors"] = [i.strip()[:50] for i in inventors if i and i.strip()][:50]
    unknown = [t for t in data.industry_tags if t not in INDUSTRIES]
    if unknown:
        e.add("industry_tags", f"未知的行业：{'、'.join(unknown)}")
    v["industry_tags"] = [t for t in data.industry_tags if t in INDUSTRIES]
    v["readiness"] = _validate_readiness(data.readiness, e)
    state = e.choice("listing_state", "上架状态", data.listing_state or "draft",
                     [s.value for s in ListingState])
    v["listing_state"] = ListingState(state) if state else ListingState.DRAFT
    e.raise_if_any()
    v["expiry_date"] = compute_expiry(v["patent_type"], v["filing_date"])
    return v


def _validate_ipc(codes: list[str], e: FieldErrors) -> list[str]:
    parsed = []
    for raw in codes[:30]:
        code = e.run("ipc_codes", parse_ipc, raw)
        if code and code.code not in parsed:
            parsed.append(code.code)
    return parsed


def _validate_readiness(raw, e: FieldErrors) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 9:
        e.add("readiness", "技术成熟度应为 1–9 的整数")
        return None
    return value


def listing_problem(patent: Patent, today: date) -> str | None:
    """Why a patent may not be listed, or None: only granted, valid, unexpired patents are offered."""
    if patent.legal_status == LegalStatus.LAPSED:
        return "该专利已失效，不能上架"
    if patent.legal_status == LegalStatus.PENDING:
        return "该专利尚未授权，不能上架"
    if patent.is_expired(today):
        return f"该专利已于 {patent.expiry_date} 到期，不能上架"
    return None


def apply_values(session: Session, patent: Patent, values: dict, today: date,
                 *, check_unique: bool = True) -> None:
    """Set validated values on a patent (and its IPC rows); refuses duplicate numbers.

    Bulk importers check uniqueness against preloaded maps and pass `check_unique=False`.
    """
    if check_unique:
        _check_unique(session, patent, values)
    for key, value in values.items():
        setattr(patent, key, value)
    # A stored term compensation (domain.md §2) survives edits and re-imports.
    patent.expiry_date = compute_expiry(patent.patent_type, patent.filing_date,
                                        patent.term_extension_days or 0)
    if patent.listing_state == ListingState.LISTED:
        problem = listing_problem(patent, today)
        if problem:
            raise ValidationError({"listing_state": problem})
    set_ipc_entries(patent, values["ipc_codes"])


def set_ipc_entries(patent: Patent, codes: list[str]) -> None:
    """Replace the per-level IPC rows that list filters use (codes are already validated)."""
    patent.ipc_entries = []
    for pos, code in enumerate(codes):
        p = parse_ipc(code)
        patent.ipc_entries.append(PatentIPC(position=pos, code=p.code, section=p.section,
                                            ipc_class=p.ipc_class, subclass=p.subclass))


# Another organization's patent is never named: its id (or whether it is a hidden draft) is
# none of the user's business. A real owner blocked by someone else's entry goes to the operator.
TAKEN_BY_OTHERS = ("申请号 {app_no} 已由其他机构登记。如果这件专利属于贵单位，请联系平台运营方核实权属，"
                   "运营方可以把它变更到贵单位名下")


def _check_unique(session: Session, patent: Patent, values: dict) -> None:
    if values["app_no"]:
        clash = session.execute(select(Patent.id, Patent.owner_id).where(
            Patent.app_no == values["app_no"], Patent.id != (patent.id or 0))).first()
        owner_id = patent.owner.id if patent.owner is not None else patent.owner_id
        if clash and clash.owner_id == owner_id:
            raise ValidationError({"app_no": f"申请号 {values['app_no']} 已登记为本机构的专利 #{clash.id}"})
        if clash:
            raise ValidationError({"app_no": TAKEN_BY_OTHERS.format(app_no=values["app_no"])})
    if values.get("source_id"):
        clash = session.scalar(select(Patent.id).where(Patent.source_id == values["source_id"],
                                                       Patent.id != (patent.id or 0)))
        if clash:
            raise ValidationError({"source_id": f"来源编号 {values['source_id']} 已存在"})


def create_patent(session: Session, actor: User | None, data: PatentInput, *,
                  owner: Organization | None = None, today: date | None = None) -> Patent:
    """Create a patent owned by the actor's organization (or `owner` when run from the CLI)."""
    today = today or date.today()
    if actor is not None:
        if not permissions.can_list_patents(actor):
            raise PermissionDenied("只有高校和科研院所可以登记专利")
        owner = actor.organization
    if owner is None:
        raise ValidationError({"owner": "缺少专利权人机构"})
    values = validate_patent(data, today=today)
    patent = Patent(owner=owner)
    apply_values(session, patent, values, today)
    session.add(patent)
    session.flush()
    return patent


def update_patent(session: Session, actor: User, patent_id: int, data: PatentInput, *,
                  today: date | None = None) -> Patent:
    today = today or date.today()
    patent = permissions.ensure_edit_patent(actor, get_patent(session, patent_id))
    values = validate_patent(data, today=today)
    values["source_id"], values["source"] = patent.source_id, patent.source
    apply_values(session, patent, values, today)
    session.flush()
    return patent


def set_listing_state(session: Session, actor: User, patent_id: int, state: ListingState, *,
                      today: date | None = None) -> Patent:
    """List, withdraw or archive a patent; listing checks status and expiry."""
    patent = permissions.ensure_edit_patent(actor, get_patent(session, patent_id))
    if state == ListingState.LISTED:
        problem = listing_problem(patent, today or date.today())
        if problem:
            raise ValidationError({"listing_state": problem})
    patent.listing_state = state
    session.flush()
    return patent


def find_by_app_no(session: Session, raw: str) -> Patent | None:
    """The patent registered under this application number (any form users type), or None."""
    try:
        app_no = normalize_app_no(raw)
    except ValidationError:
        return None
    return session.scalar(select(Patent).where(Patent.app_no == app_no))


def get_patent(session: Session, patent_id: int) -> Patent:
    patent = session.get(Patent, patent_id)
    if patent is None:
        raise NotFound("未找到该专利")
    return patent


def view_patent(session: Session, actor: User | None, patent_id: int) -> Patent:
    """A patent the actor may see, or NotFound (drafts of other organizations stay hidden)."""
    return permissions.ensure_view_patent(actor, get_patent(session, patent_id))


def without_active_offer():
    """Patents nobody can request a licence for: no active licence terms. One condition for the
    工作台 tile that counts them and the 我的专利 list behind it, so the two always agree."""
    return ~exists().where(LicenceOffer.patent_id == Patent.id,
                           LicenceOffer.state == OfferState.ACTIVE)


def find_patents(session: Session, actor: User | None, *, owner_id: int | None = None,
                 listing_state: ListingState | None = None, without_offer: bool = False,
                 page: int = 1, per_page: int = 20) -> tuple[list[Patent], int]:
    """A page of patents the actor may see, newest first; `owner_id` narrows to one owner,
    `listing_state` to one state, `without_offer` to patents without active licence terms."""
    stmt = select(Patent)
    if owner_id is not None:
        stmt = stmt.where(Patent.owner_id == owner_id)
    if listing_state is not None:
        stmt = stmt.where(Patent.listing_state == listing_state)
    if without_offer:
        stmt = stmt.where(without_active_offer())
    if not permissions.is_operator(actor):
        visible = Patent.listing_state == ListingState.LISTED
        if actor is not None:
            visible = visible | (Patent.owner_id == actor.organization_id)
        stmt = stmt.where(visible)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Patent.id.desc())
                           .offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    return list(rows), total
