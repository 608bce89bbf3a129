"""Register, approve and suspend organizations."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import Conflict, InvalidTransition, NotFound, PermissionDenied
from ..models import REGIONS, Organization, OrgKind, OrgStatus, User
from ..params import parse_id
from .numbers import normalize_credit_code
from .validation import FieldErrors


@dataclass(frozen=True)
class OrganizationInput:
    kind: str
    name: str
    credit_code: str = ""
    region: str = "其他"
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


def validate_organization(data: OrganizationInput, errors: FieldErrors, *,
                          trusted: bool = False) -> dict:
    """Validate registration fields; the credit code is optional only for universities (and
    for whatever the operator creates from the trusted command line)."""
    kind = errors.choice("kind", "机构类型", data.kind, [k.value for k in OrgKind])
    values = {
        "kind": OrgKind(kind) if kind else None,
        "name": errors.text("name", "机构名称", data.name, max_len=200, required=True, min_len=2),
        "region": errors.choice("region", "所在地区", data.region, REGIONS),
        "address": errors.text("address", "地址", data.address, max_len=300),
        "contact_name": errors.text("contact_name", "联系人", data.contact_name, max_len=100),
        "contact_phone": errors.text("contact_phone", "联系电话", data.contact_phone, max_len=40),
        "contact_email": errors.text("contact_email", "联系邮箱", data.contact_email, max_len=200),
    }
    code = (data.credit_code or "").strip()
    if code:
        values["credit_code"] = errors.run("credit_code", normalize_credit_code, code)
    else:
        values["credit_code"] = None
        if kind and kind != OrgKind.UNIVERSITY.value and not trusted:
            errors.add("credit_code", "请填写统一社会信用代码（仅高校可不填）")
    return values


def create_organization(session: Session, data: OrganizationInput, *,
                        status: OrgStatus = OrgStatus.PENDING, source: str = "registration",
                        errors: FieldErrors | None = None, trusted: bool = False) -> Organization:
    """Create an organization after validation; duplicates by name or credit code are refused."""
    errors = errors or FieldErrors()
    values = validate_organization(data, errors, trusted=trusted)
    if values["name"] and find_organization_by_name(session, values["name"]):
        errors.add("name", "该机构名称已注册")
    if values.get("credit_code") and session.scalar(
            select(Organization.id).where(Organization.credit_code == values["credit_code"])):
        errors.add("credit_code", "该统一社会信用代码已注册")
    errors.raise_if_any()
    org = Organization(status=status, source=source, **values)
    session.add(org)
    session.flush()
    return org


def find_organization_by_name(session: Session, name: str) -> Organization | None:
    return session.scalar(select(Organization).where(Organization.name == name.strip()))


def get_organization(session: Session, org_id: int) -> Organization:
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound("未找到该机构")
    return org


def resolve_organization(session: Session, ref: str) -> Organization:
    """Find an organization by numeric id or exact name (used by CLI options like --owner)."""
    org_id = parse_id(ref)
    org = session.get(Organization, org_id) if org_id is not None else find_organization_by_name(session, ref)
    if org is None:
        raise NotFound(f"未找到机构：{ref}")
    return org


def find_organizations(session: Session, *, status: OrgStatus | None = None,
                       kind: OrgKind | None = None, page: int = 1, per_page: int = 50
                       ) -> tuple[list[Organization], int]:
    """One page of organizations, newest first, and the total count."""
    stmt = select(Organization)
    if status:
        stmt = stmt.where(Organization.status == status)
    if kind:
        stmt = stmt.where(Organization.kind == kind)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Organization.created_at.desc(), Organization.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


_ALLOWED_STATUS = {
    OrgStatus.PENDING: {OrgStatus.APPROVED, OrgStatus.REJECTED, OrgStatus.SUSPENDED},
    OrgStatus.APPROVED: {OrgStatus.SUSPENDED},
    OrgStatus.SUSPENDED: {OrgStatus.APPROVED},
    OrgStatus.REJECTED: {OrgStatus.APPROVED},       # reconsidered
}
# What the organization's users are told (in the inbox, and by e-mail when it is set up).
_TOLD = {OrgStatus.APPROVED: "机构已通过平台审核，现在可以登录使用",
         OrgStatus.REJECTED: "机构注册未通过审核", OrgStatus.SUSPENDED: "机构已被平台停用"}


def set_organization_status(session: Session, actor: User, org_id: int, status: OrgStatus,
                            reason: str = "") -> Organization:
    """Operators approve, reject (with a reason), suspend or reinstate organizations; the
    organization's users are told, with the reason."""
    if not actor.is_operator:
        raise PermissionDenied("只有平台运营方可以审核机构")
    org = get_organization(session, org_id)
    if org.id == actor.organization_id and status == OrgStatus.SUSPENDED:
        raise Conflict("不能停用自己所在的运营机构")
    if status not in _ALLOWED_STATUS[org.status]:
        raise InvalidTransition(f"机构当前状态为“{org.status.label}”，不能改为“{status.label}”")
    e = FieldErrors()
    reason = e.text("reason", "原因", reason, max_len=500,
                    required=status == OrgStatus.REJECTED) or ""
    e.raise_if_any()
    org.status = status
    org.status_reason = reason if status in (OrgStatus.REJECTED, OrgStatus.SUSPENDED) else ""
    session.flush()
    from ..notifications import notify
    notify(session, [u for u in org.users if u.is_active], "organization", _TOLD[status],
           f"原因：{reason}" if reason else "", "/")
    return org


def notify_registration(session: Session, org: Organization) -> int:
    """Tell the operators a new organization waits for review (inbox and badge)."""
    from ..notifications import notify
    operators = session.scalars(select(User).join(User.organization).where(
        Organization.kind == OrgKind.OPERATOR, Organization.status == OrgStatus.APPROVED,
        User.is_active.is_(True)))
    return notify(session, operators, "registration",
                  f"新机构注册待审核：{org.name}（{org.kind.label}）",
                  f"所在地区：{org.region}；联系人：{org.contact_name or '未填'}", "/admin/organizations")


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Organization).where(
        Organization.status == OrgStatus.PENDING)) or 0


def link_station_client(session: Session, station: Organization, enterprise: Organization):
    """An active station–enterprise link made by the system (see catalog/station_links.py)."""
    from .station_links import link_station_client as link
    return link(session, station, enterprise)
