"""Read and save enterprise profiles; the sets of enterprises the KPIs and filters ask for."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import permissions
from ..catalog.validation import FieldErrors
from ..errors import NotFound
from ..models import INDUSTRIES, Organization, OrgKind, User
from ..models.profile import EnterpriseProfile, Sector, SizeClass
from ..params import parse_int
from .districts import districts_of
from .sme import classify, default_sector, is_startup, needs

SME_CLASSES = frozenset(c for c in SizeClass if c.is_sme)
MAX_EMPLOYEES = 10_000_000
MAX_REVENUE_WAN = 100_000_000      # 1 万亿元


@dataclass(frozen=True)
class ProfileInput:
    """What the form posts (text as typed; parsed and checked by `save_profile`)."""

    sector: str = ""
    employees: str = ""
    revenue_wan: str = ""
    founded_year: str = ""
    specialized: bool = False
    high_tech: bool = False
    covid_affected: bool = False
    district: str = ""
    industry: str = ""


def get_enterprise(session: Session, actor: User | None, enterprise_id: int) -> Organization:
    """An enterprise the actor may see the profile of: its own users, its stations' brokers and
    operators (others: NotFound, so the enterprise's figures are not revealed)."""
    org = session.get(Organization, enterprise_id)
    if org is None or org.kind != OrgKind.ENTERPRISE or not (
            permissions.acts_for(actor, org) or permissions.is_operator(actor)):
        raise NotFound("未找到该企业")
    return org


def profile_of(session: Session, enterprise_id: int) -> EnterpriseProfile | None:
    return session.get(EnterpriseProfile, enterprise_id)


def save_profile(session: Session, actor: User, enterprise_id: int, data: ProfileInput, *,
                 today: date) -> EnterpriseProfile:
    """The enterprise (or a broker serving it) records its profile; the size class follows from
    sector, employees and revenue."""
    org = get_enterprise(session, actor, enterprise_id)
    permissions.ensure_acts_for(actor, org)
    errors = FieldErrors()
    sector_value = errors.choice("sector", "划型行业", data.sector, [s.value for s in Sector])
    sector = Sector(sector_value) if sector_value else None
    use_e, use_r = needs(sector) if sector else (True, True)
    employees = _number(errors, "employees", "从业人员", data.employees, MAX_EMPLOYEES, use_e)
    revenue = _number(errors, "revenue_wan", "上年营业收入", data.revenue_wan, MAX_REVENUE_WAN, use_r)
    founded = None
    if (data.founded_year or "").strip():
        founded = parse_int(data.founded_year, low=1900, high=today.year)
        if founded is None:
            errors.add("founded_year", f"成立年份应为 1900–{today.year} 之间的年份")
    industry = errors.choice("industry", "所属行业", data.industry, INDUSTRIES)
    district = errors.text("district", "所在区（县）", data.district, max_len=32, required=True)
    allowed = districts_of(org.region)
    if district and allowed and district not in allowed:
        errors.add("district", f"“{district}”不是{org.region}下辖的区（县），请从列表中选择")
    errors.raise_if_any()
    profile = profile_of(session, org.id)
    if profile is None:
        profile = EnterpriseProfile(enterprise_id=org.id)
        session.add(profile)
    profile.sector, profile.employees, profile.revenue_wan = sector, employees, revenue
    profile.size_class = classify(sector, employees, revenue)
    profile.founded_year, profile.industry, profile.district = founded, industry, district
    profile.specialized, profile.high_tech = bool(data.specialized), bool(data.high_tech)
    profile.covid_affected = bool(data.covid_affected)
    profile.updated_by_id = actor.id
    session.flush()
    return profile


def _number(errors: FieldErrors, field: str, label: str, raw: str, high: int,
            required: bool) -> int | None:
    text = (raw or "").strip().replace(",", "")
    if not text:
        if required:
            errors.add(field, f"请填写{label}（按国家中小企业划型标准需要）")
        return None
    value = parse_int(text, low=0, high=high)
    if value is None:
        errors.add(field, f"{label}应为 0–{high:,} 之间的整数")
    return value


def input_from(profile: EnterpriseProfile | None, org: Organization) -> ProfileInput:
    """The form's initial values: the saved profile, else sensible defaults."""
    if profile is None:
        return ProfileInput(sector=default_sector("其他").value, industry="其他")
    return ProfileInput(sector=profile.sector.value, employees=_s(profile.employees),
                        revenue_wan=_s(profile.revenue_wan), founded_year=_s(profile.founded_year),
                        specialized=profile.specialized, high_tech=profile.high_tech,
                        covid_affected=profile.covid_affected, district=profile.district,
                        industry=profile.industry)


def _s(value) -> str:
    return "" if value is None else str(value)


def size_classes(session: Session, enterprise_ids) -> dict[int, SizeClass | None]:
    """Each enterprise's size class (absent: no profile)."""
    ids = list(enterprise_ids)
    if not ids:
        return {}
    return dict(session.execute(select(EnterpriseProfile.enterprise_id, EnterpriseProfile.size_class)
                                .where(EnterpriseProfile.enterprise_id.in_(ids))).all())


def counts_as_sme(size: SizeClass | None) -> bool:
    """The rule every SME indicator of the plan applies (100 SMEs converting, 1,000 SMEs under
    custody): the profile classes the enterprise micro, small or medium. Without a profile, or
    with the figures the class needs missing, it is not counted: the plan counts SMEs, and an
    unknown size is followed up (the KPI page shows how many) rather than assumed small."""
    return size is not None and size.is_sme


@dataclass(frozen=True)
class SizeSplit:
    """Enterprises as the SME indicators see them: counted, or left out and why."""

    smes: frozenset[int]
    unclassified: frozenset[int]     # no profile, or no size class yet
    large: frozenset[int]


def split_by_size(session: Session, enterprise_ids) -> SizeSplit:
    """Split enterprises into the SMEs an indicator counts and the ones it leaves out."""
    ids = set(enterprise_ids)
    sizes = size_classes(session, ids)
    smes = frozenset(e for e in ids if counts_as_sme(sizes.get(e)))
    unclassified = frozenset(e for e in ids if sizes.get(e) is None)
    return SizeSplit(smes, unclassified, frozenset(ids - smes - unclassified))


def is_priority(profile: EnterpriseProfile | None, year: int) -> bool:
    """The plan supports small and micro enterprises, start-ups and those hit by COVID first
    ("重点扶持受新冠肺炎疫情影响较大的小企业和初创企业"): an enterprise is a priority when it has a
    reason to be (one rule, so the filters, the pushes and the badges always agree)."""
    return bool(priority_reasons(profile, year))


def priority_reasons(profile: EnterpriseProfile | None, year: int) -> list[str]:
    """Why an enterprise is a priority, as the badges say it (empty: not a priority)."""
    if profile is None:
        return []
    out = []
    if profile.size_class in (SizeClass.MICRO, SizeClass.SMALL):
        out.append(profile.size_class.label)
    if is_startup(profile.founded_year, year):
        out.append("初创企业")
    if profile.covid_affected:
        out.append("受疫情影响")
    return out


def priority_reasons_of(session: Session, enterprise_ids, year: int) -> dict[int, list[str]]:
    """The priority enterprises among these, with their reasons, in one query (for a list of
    matches or a round of pushes); enterprises that are not a priority are absent."""
    ids = list(set(enterprise_ids))
    if not ids:
        return {}
    out = {}
    for profile in session.scalars(select(EnterpriseProfile).where(EnterpriseProfile.enterprise_id.in_(ids))):
        reasons = priority_reasons(profile, year)
        if reasons:
            out[profile.enterprise_id] = reasons
    return out


@dataclass(frozen=True)
class ProfileFilter:
    region: str = ""
    district: str = ""
    size: str = ""             # a SizeClass value, "sme", or "unknown" (no profile)
    priority: bool = False


def find_enterprises(session: Session, actor: User, flt: ProfileFilter, *, year: int
                     ) -> list[tuple[Organization, EnterpriseProfile | None]]:
    """Approved enterprises the actor oversees (operator: all; station: its clients) with their
    profiles, filtered by region, district, size class and priority."""
    from ..models import OrgStatus
    stmt = (select(Organization, EnterpriseProfile)
            .outerjoin(EnterpriseProfile, EnterpriseProfile.enterprise_id == Organization.id)
            .where(Organization.kind == OrgKind.ENTERPRISE, Organization.status == OrgStatus.APPROVED))
    if actor.organization.kind == OrgKind.STATION:
        stmt = stmt.where(Organization.id.in_([c.id for c in actor.organization.clients] or [-1]))
    elif not permissions.is_operator(actor):
        return []
    if flt.region:
        stmt = stmt.where(Organization.region == flt.region)
    if flt.district:
        stmt = stmt.where(EnterpriseProfile.district == flt.district)
    if flt.size == "sme":
        stmt = stmt.where(EnterpriseProfile.size_class.in_(SME_CLASSES))
    elif flt.size == "unknown":
        stmt = stmt.where(EnterpriseProfile.size_class.is_(None))
    elif flt.size in SizeClass._value2member_map_:
        stmt = stmt.where(EnterpriseProfile.size_class == SizeClass(flt.size))
    rows = [(o, p) for o, p in session.execute(stmt.order_by(Organization.region, Organization.name))]
    if flt.priority:
        rows = [(o, p) for o, p in rows if is_priority(p, year)]
    return rows
