"""Milestones the operator sets: one value per indicator, year and scope (the platform, a
region, or a district under it: "乌鲁木齐市/天山区")."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import PermissionDenied, ValidationError
from ..models import REGIONS, IndicatorTarget, OrgKind, User
from ..params import parse_int
from ..profiles.districts import districts_of
from .definitions import BY_KEY

MAX_TARGET = 10**13          # yuan: 10 万亿 is beyond any plan


def scope_of(region: str = "", district: str = "") -> str:
    """The scope key of a milestone: the platform, a region, or a district under it.

    >>> scope_of(), scope_of("乌鲁木齐市"), scope_of("乌鲁木齐市", "天山区")
    ('', '乌鲁木齐市', '乌鲁木齐市/天山区')
    """
    return f"{region}/{district}" if region and district else region


def targets(session: Session) -> dict[tuple[str, int, str], int]:
    """Every milestone: (key, year, scope) → value."""
    return {(t.key, t.year, t.scope): t.value for t in session.scalars(select(IndicatorTarget))}


def set_target(session: Session, actor: User | None, key, year, value, *, region: str = "",
               district: str = "") -> IndicatorTarget:
    """The operator sets (or, with an empty value, clears) a year's milestone of an indicator
    for the platform, a region or a district."""
    if actor is None or actor.organization.kind != OrgKind.OPERATOR:
        raise PermissionDenied("只有平台运营方可以设置年度目标")
    errors = {}
    if key not in BY_KEY:
        errors["key"] = "请选择指标"
    y = parse_int(year, low=2000, high=2100)
    if y is None:
        errors["year"] = "年份应在 2000–2100 之间"
    v = parse_int(value, low=0, high=MAX_TARGET)
    if v is None:
        errors["value"] = "目标应为不小于 0 的整数" + ("（成交额以元计）" if key == "contract_value" else "")
    region, district = (region or "").strip(), (district or "").strip()
    if region and region not in REGIONS:
        errors["region"] = "地区不在可选范围内"
    if district and not region:
        errors["district"] = "请先选择区（县）所属的地区"
    elif district and districts_of(region) and district not in districts_of(region):
        errors["district"] = f"“{district}”不是{region}下辖的区（县）"
    elif len(district) > 32:
        errors["district"] = "区（县）不能超过 32 个字符"
    if errors:
        raise ValidationError(errors)
    scope = scope_of(region, district)
    row = session.scalar(select(IndicatorTarget).where(
        IndicatorTarget.key == key, IndicatorTarget.year == y, IndicatorTarget.scope == scope))
    if row is None:
        row = IndicatorTarget(key=key, year=y, scope=scope, value=v)
        session.add(row)
    row.value, row.updated_by_id = v, actor.id
    session.flush()
    return row
