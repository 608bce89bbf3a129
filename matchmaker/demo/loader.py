"""Load the shipped demo data set (see demo/data/README.md for provenance)."""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..catalog import station_links
from ..catalog.accounts import create_user
from ..catalog.corpus import read_jsonl
from ..imports.corpus import ImportReport, import_records
from ..catalog.needs import NeedInput, create_need
from .custody import DemoCustody, create_demo_custody
from .deals import DemoDeals, create_demo_deals
from .events import create_demo_events, create_demo_profiles
from .teams import create_demo_teams
from ..clock import now
from ..errors import Conflict
from ..jobs.queue import enqueue
from ..matching.triggers import SKIP_KEY as SKIP_MATCHING
from ..models import Need, Organization, OrgKind, OrgStatus, User, UserRole
from ..semantic.bundle import load_bundle

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_SOURCE = "demo"
TOPIC_INDUSTRY = {
    "materials": "新材料", "energy": "新能源", "equipment": "高端装备", "biomedicine": "生物医药",
    "it": "信息技术", "agriculture": "农产品加工", "chemicals": "煤化工", "environment": "节能环保",
}


@dataclass
class DemoResult:
    credentials: list[tuple[str, str, str]] = field(default_factory=list)  # login, password, org
    patents: ImportReport | None = None
    needs: int = 0
    vectors: int = 0        # shipped sentence vectors installed (matchmaker/semantic/bundle.py)
    deals: DemoDeals | None = None
    custody: DemoCustody | None = None


def demo_loaded(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Organization)
                               .where(Organization.source == DEMO_SOURCE)))


def load_demo(session: Session, *, password: str | None = None, data_dir: Path = DATA_DIR,
              progress: Callable[[int], None] | None = None, today: date | None = None) -> DemoResult:
    """Create demo organizations, users, patents and needs in the caller's transaction.

    Passwords are random unless `password` is given; they are returned once for printing.
    """
    if demo_loaded(session):
        raise Conflict("演示数据已经加载过了")
    # Queue matching once per demo need below, instead of a job per imported patent.
    session.info[SKIP_MATCHING] = True
    spec = json.loads((data_dir / "organizations.json").read_text(encoding="utf-8"))
    orgs = _create_organizations(session, spec["organizations"])
    result = DemoResult()
    users: dict[str, User] = {}
    for u in spec["users"]:
        pw = password or secrets.token_urlsafe(9) + "7a"
        org = orgs[u["organization"]]
        role = UserRole(u.get("role", "member"))
        users.setdefault(org.name, create_user(session, org, u["login"], pw, u["display_name"],
                                               role=role))
        result.credentials.append((u["login"], pw, org.name))
    _link_stations(session, spec["organizations"], orgs, users)
    create_demo_teams(session, users, now(), password=password, credentials=result.credentials)
    result.patents = import_records(session, read_jsonl(data_dir / "patents.jsonl.gz"),
                                    progress=progress, today=today)
    industries = {o["name"]: TOPIC_INDUSTRY.get(o.get("topic", ""), "其他")
                  for o in spec["organizations"]}
    needs = _create_needs(session, data_dir / "needs.jsonl.gz", orgs, users, industries, today)
    create_demo_profiles(session, users, orgs, today or date.today())
    result.deals = create_demo_deals(session, users, today or date.today())
    create_demo_events(session, users, today or date.today())
    result.custody = create_demo_custody(session, users, today or date.today(), password=password,
                                         credentials=result.credentials)
    session.info.pop(SKIP_MATCHING, None)
    result.vectors = load_bundle(session, data_dir / "vectors.npz")
    for need in needs:
        enqueue(session, "match_need", {"need_id": need.id}, dedupe=False)
    result.needs = len(needs)
    return result


def _create_organizations(session: Session, items: list[dict]) -> dict[str, Organization]:
    orgs: dict[str, Organization] = {}
    for item in items:
        org = Organization(kind=OrgKind(item["kind"]), name=item["name"], region=item["region"],
                           status=OrgStatus.APPROVED, source=DEMO_SOURCE)
        session.add(org)
        orgs[org.name] = org
    session.flush()
    return orgs


def _link_stations(session: Session, items: list[dict], orgs: dict[str, Organization],
                   users: dict[str, User]) -> None:
    """Each station asks to serve its demo clients and the enterprise confirms, through the
    same services as the web (an enterprise without a demo user is linked by the operator)."""
    operator = next((u for u in users.values() if u.organization.kind == OrgKind.OPERATOR), None)
    for item in items:
        station = orgs[item["name"]]
        for client in item.get("serves", []):
            enterprise = orgs[client]
            broker, confirmer = users.get(station.name), users.get(enterprise.name)
            if broker is not None and confirmer is not None:
                link = station_links.request_link(session, broker, enterprise.id,
                                                  note="演示数据：驿站上门走访后申请服务")
                station_links.act(session, confirmer, link.id, "confirm", note="演示数据")
            elif operator is not None:
                station_links.operator_link(session, operator, station.id, enterprise.id,
                                            note="演示数据")


def _create_needs(session: Session, path: Path, orgs: dict[str, Organization],
                  users: dict[str, User], industries: dict[str, str], today: date | None) -> list[Need]:
    """Real needs posted by their demo enterprise; every fourth one by its station's broker."""
    needs = []
    for n, rec, _error in read_jsonl(path):
        enterprise = orgs[rec["enterprise"]]
        poster = users.get(enterprise.name)
        if n % 4 == 0 and enterprise.stations:
            poster = users.get(enterprise.stations[0].name, poster)
        data = NeedInput(title=rec["title"][:200], description=rec.get("text") or "",
                         industry=industries.get(enterprise.name, "其他"),
                         region=rec.get("enterprise_region") or enterprise.region,
                         source_id=rec["id"], source=rec.get("source") or "")
        needs.append(create_need(session, poster, enterprise, data, today=today))
    return needs
