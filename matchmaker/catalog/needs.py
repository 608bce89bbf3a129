"""Post, edit and list technical needs; brokers post on behalf of the enterprises they serve."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import permissions
from ..errors import Conflict, NotFound, ValidationError
from ..models import (INDUSTRIES, REGIONS, Need, NeedState, Organization, OrgKind, User,
                      WantedForm)
from .validation import FieldErrors

DEFAULT_VALIDITY_DAYS = 180
MAX_BUDGET_WAN = 1_000_000  # 100 billion yuan: anything above is a typo


@dataclass
class NeedInput:
    title: str = ""
    description: str = ""
    industry: str = "其他"
    region: str = ""
    budget_min_wan: int | str | None = None
    budget_max_wan: int | str | None = None
    wanted_forms: list[str] = field(default_factory=lambda: [WantedForm.LICENCE.value])
    valid_until: date | str | None = None
    source_id: str | None = None
    source: str = ""


def validate_need(data: NeedInput, *, today: date | None = None, default_region: str = "其他") -> dict:
    """Turn raw input into model values, or raise ValidationError listing every problem."""
    today = today or date.today()
    e = FieldErrors()
    v: dict = {
        "title": e.text("title", "需求标题", data.title, max_len=200, required=True, min_len=2),
        "description": e.text("description", "需求描述", data.description, max_len=10_000),
        "industry": e.choice("industry", "所属行业", data.industry or "其他", INDUSTRIES),
        "region": e.choice("region", "所在地区", data.region or default_region, REGIONS),
        "source": (data.source or "")[:300],
        "source_id": data.source_id or None,
    }
    v["budget_min_wan"] = _budget(e, "budget_min_wan", "预算下限", data.budget_min_wan)
    v["budget_max_wan"] = _budget(e, "budget_max_wan", "预算上限", data.budget_max_wan)
    if v["budget_min_wan"] is not None and v["budget_max_wan"] is not None \
            and v["budget_min_wan"] > v["budget_max_wan"]:
        e.add("budget_max_wan", "预算上限不能低于下限")
    forms = [f for f in (data.wanted_forms or []) if f]
    bad = [f for f in forms if f not in {w.value for w in WantedForm}]
    if bad or not forms:
        e.add("wanted_forms", "请至少选择一种合作方式（许可、转让、合作开发）")
    v["wanted_forms"] = [f for f in forms if not bad]
    until = e.date("valid_until", "有效期", data.valid_until)
    if until is None and "valid_until" not in e.errors:
        until = today + timedelta(days=DEFAULT_VALIDITY_DAYS)
    if until is not None and until < today:
        e.add("valid_until", "有效期不能早于今天")
    elif until is not None and until > today + timedelta(days=3 * 366):
        e.add("valid_until", "有效期最长三年")
    v["valid_until"] = until
    e.raise_if_any()
    return v


def _budget(e: FieldErrors, field_name: str, label: str, raw) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        e.add(field_name, f"{label}须为整数（单位：万元）")
        return None
    if not 0 <= value <= MAX_BUDGET_WAN:
        e.add(field_name, f"{label}应在 0–{MAX_BUDGET_WAN} 万元之间")
        return None
    return value


def create_need(session: Session, actor: User | None, enterprise: Organization, data: NeedInput,
                *, today: date | None = None) -> Need:
    """Post a need for an enterprise; a broker posting for a client is recorded as such.

    `actor` None is reserved for trusted imports (CLI, demo data).
    """
    if enterprise.kind != OrgKind.ENTERPRISE:
        raise ValidationError({"enterprise": "需求只能属于企业"})
    if actor is not None:
        permissions.ensure_acts_for(actor, enterprise)
    values = validate_need(data, today=today, default_region=enterprise.region)
    if values["source_id"] and session.scalar(select(Need.id).where(Need.source_id == values["source_id"])):
        raise ValidationError({"source_id": f"来源编号 {values['source_id']} 已存在"})
    need = Need(enterprise=enterprise, posted_by=actor, **values)
    if actor is not None and actor.organization.kind == OrgKind.STATION:
        need.on_behalf_station = actor.organization
    session.add(need)
    session.flush()
    return need


# A need still collecting solutions; closed, solved and expired ones are a record of what was.
COLLECTING = frozenset({NeedState.OPEN, NeedState.MATCHED})


def ensure_collecting(need: Need) -> Need:
    """Refuse changes to a need that no longer collects solutions (edits, licence requests)."""
    if need.state not in COLLECTING:
        raise Conflict(f"该需求{need.state.label}，不能再修改或关联许可申请；如仍需征集，请发布新需求")
    return need


def update_need(session: Session, actor: User, need_id: int, data: NeedInput, *,
                today: date | None = None) -> Need:
    need = ensure_collecting(permissions.ensure_edit_need(actor, get_need(session, need_id)))
    values = validate_need(data, today=today, default_region=need.enterprise.region)
    values["source_id"], values["source"] = need.source_id, need.source
    for key, value in values.items():
        setattr(need, key, value)
    session.flush()
    return need


def set_need_state(session: Session, actor: User, need_id: int, state: NeedState) -> Need:
    need = permissions.ensure_edit_need(actor, get_need(session, need_id))
    need.state = state
    session.flush()
    return need


def get_need(session: Session, need_id: int) -> Need:
    need = session.get(Need, need_id)
    if need is None:
        raise NotFound("未找到该需求")
    return need


def view_need(session: Session, actor: User | None, need_id: int) -> Need:
    return permissions.ensure_view_need(actor, get_need(session, need_id))


def find_needs(session: Session, actor: User, *, enterprise_id: int | None = None,
               enterprise_ids: Sequence[int] | None = None,
               state: NeedState | None = None, page: int = 1, per_page: int = 20
               ) -> tuple[list[Need], int]:
    """A page of needs the actor may see: enterprises see their own, brokers their clients'.

    `enterprise_id` / `enterprise_ids` narrow the page further (e.g. to a station's clients).
    """
    stmt = select(Need)
    if not permissions.can_search_needs(actor):
        stmt = stmt.where(Need.enterprise_id == actor.organization_id)
    if enterprise_id is not None:
        stmt = stmt.where(Need.enterprise_id == enterprise_id)
    if enterprise_ids is not None:
        stmt = stmt.where(Need.enterprise_id.in_(list(enterprise_ids)))
    if state is not None:
        stmt = stmt.where(Need.state == state)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Need.created_at.desc(), Need.id.desc())
                           .offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def count_needs(session: Session, state: NeedState = NeedState.OPEN) -> int:
    """How many needs are in `state` (the landing page shows the open ones)."""
    return session.scalar(select(func.count(Need.id)).where(Need.state == state)) or 0


def enterprises_for(session: Session, actor: User) -> list[Organization]:
    """Enterprises the actor may post needs for (its own, or a station's clients)."""
    org = actor.organization
    if org.kind == OrgKind.ENTERPRISE:
        return [org]
    if org.kind == OrgKind.STATION:
        return sorted(org.clients, key=lambda o: o.name)
    return []
