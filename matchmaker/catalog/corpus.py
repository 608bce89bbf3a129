"""Import patent records in the shared corpus format (JSON Lines, one record per line)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..models import LegalStatus, ListingState, Organization, OrgKind, OrgStatus, Patent
from .organizations import find_organization_by_name
from .patents import PatentInput, apply_values, listing_problem, validate_patent

_CLAIM_2 = re.compile(r"(?<=[。；;])\s*2\s*[.、．]")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (line, id, reason)

    @property
    def ok(self) -> bool:
        return not self.rejected


def read_jsonl(path: Path) -> Iterator[tuple[int, dict | None, str]]:
    """Yield (line number, record or None, error) for every non-blank line."""
    opener = __import__("gzip").open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, None, f"不是有效的 JSON：{exc.msg}"
                continue
            yield (n, rec, "") if isinstance(rec, dict) else (n, None, "每行须为一个 JSON 对象")


def first_claim(claims: str | None) -> str:
    """The text of claim 1 from a full claims section."""
    if not claims:
        return ""
    return _CLAIM_2.split(claims, maxsplit=1)[0].strip()


def map_type(raw: str | None) -> str:
    raw = raw or ""
    if "实用新型" in raw:
        return "utility"
    if "外观" in raw:
        return "design"
    return "invention" if "发明" in raw else ""


def map_status(raw: str | None) -> str:
    raw = raw or ""
    if raw.startswith(("有权", "有效")):
        return LegalStatus.VALID.value
    if raw.startswith("审中"):
        return LegalStatus.PENDING.value
    if raw.startswith(("失效", "无权")):
        return LegalStatus.LAPSED.value
    return LegalStatus.UNKNOWN.value


def record_to_input(rec: dict) -> PatentInput:
    """Map a corpus record onto PatentInput; values are copied, never invented."""
    return PatentInput(
        title=rec.get("title") or "", abstract=rec.get("abstract") or "",
        first_claim=first_claim(rec.get("claims")), app_no=rec.get("app_no") or "",
        pub_no=rec.get("pub_no") or "", ipc_codes=list(rec.get("ipc") or []),
        patent_type=map_type(rec.get("type")), legal_status=map_status(rec.get("legal_status")),
        filing_date=rec.get("app_date"), grant_date=rec.get("grant_date"),
        inventors=rec.get("inventors") or [], source_id=str(rec.get("id") or "") or None,
        source=rec.get("source") or "",
    )


def first_applicant(name: str) -> str:
    """First of several applicants separated by ; ， 、 (outside parentheses)."""
    depth, out = 0, []
    for ch in name or "":
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth -= 1
        elif depth == 0 and ch in ";；,，、":
            break
        out.append(ch)
    return "".join(out).strip()


def owner_for(session: Session, rec: dict, cache: dict[str, Organization]) -> Organization:
    """Find or create the organization named as the record's owner/applicant (approved, source=import)."""
    name = (rec.get("owner") or first_applicant(rec.get("applicant") or "")).strip()
    if not name:
        raise ValidationError({"owner": "记录没有申请人，请用 --owner 指定专利权人机构"})
    if name not in cache:
        org = find_organization_by_name(session, name)
        if org is None:
            kind = rec.get("owner_kind") or ("university" if re.search("大学|学院", name)
                                             and not re.search("研究院|研究所|科学院", name)
                                             else "institute")
            org = Organization(kind=OrgKind(kind), name=name[:200], status=OrgStatus.APPROVED,
                               source="import")
            session.add(org)
        cache[name] = org
    return cache[name]


def import_records(session: Session, records: Iterable[tuple[int, dict | None, str]], *,
                   owner: Organization | None = None, list_valid: bool = True,
                   today: date | None = None,
                   progress: Callable[[int], None] | None = None) -> ImportReport:
    """Upsert records by source id; rows that fail validation are reported, not written.

    The caller owns the transaction, so an error it raises rolls back everything.
    """
    importer = _Importer(session, owner, list_valid, today or date.today())
    with session.no_autoflush:
        for line, rec, error in records:
            if progress:
                progress(1)
            importer.row(line, rec, error)
    session.flush()
    return importer.report


class _Importer:
    """Row loop state: uniqueness is checked against maps loaded once, not a query per row."""

    def __init__(self, session: Session, owner: Organization | None, list_valid: bool,
                 today: date):
        self.session, self.owner, self.list_valid, self.today = session, owner, list_valid, today
        self.report = ImportReport()
        self.owners: dict[str, Organization] = {}
        self.by_source = dict(session.execute(select(Patent.source_id, Patent.id)
                                              .where(Patent.source_id.is_not(None))).all())
        self.by_app_no = dict(session.execute(select(Patent.app_no, Patent.id)
                                              .where(Patent.app_no.is_not(None))).all())
        self.seen: set[str] = set()

    def row(self, line: int, rec: dict | None, error: str) -> None:
        if rec is None:
            self.report.rejected.append((line, "", error))
            return
        try:
            patent, pid, previous = self._apply(line, rec)
        except ValidationError as exc:
            self.report.rejected.append((line, str(rec.get("id", "")), "；".join(exc.errors.values())))
            return
        patent.listing_state = _initial_state(patent, self.list_valid, self.today, previous)
        self.session.add(patent)
        if pid:
            self.report.updated += 1
        else:
            self.report.created += 1
        if (self.report.created + self.report.updated) % 500 == 0:
            self.session.flush()

    def _apply(self, line: int, rec: dict) -> tuple[Patent, int | None, ListingState | None]:
        values = validate_patent(record_to_input(rec), today=self.today, require_title=False)
        if not values["abstract"] and not values["title"]:
            raise ValidationError({"abstract": "标题和摘要不能都为空"})
        sid, app_no = values["source_id"], values["app_no"]
        if sid and sid in self.seen:
            raise ValidationError({"source_id": "与文件中前面的记录编号重复"})
        pid = self.by_source.get(sid)
        if app_no and self.by_app_no.get(app_no, pid) != pid:
            raise ValidationError({"app_no": f"申请号 {app_no} 已存在"})
        org = self.owner or owner_for(self.session, rec, self.owners)
        patent = self.session.get(Patent, pid) if pid else Patent(owner=org)
        previous = patent.listing_state if pid else None
        apply_values(self.session, patent, values, self.today, check_unique=False)
        if sid:
            self.seen.add(sid)
        if app_no:
            self.by_app_no[app_no] = pid or -line
        return patent, pid, previous


def _initial_state(patent: Patent, list_valid: bool, today: date,
                   previous: ListingState | None) -> ListingState:
    """Expired or lapsed patents come in archived; pending ones as drafts; the rest listed.

    A re-imported patent keeps the state its owner gave it unless it can no longer be listed.
    """
    problem = listing_problem(patent, today)
    if previous is not None and not (problem and previous == ListingState.LISTED):
        return previous
    if problem and patent.legal_status != LegalStatus.PENDING:
        return ListingState.ARCHIVED
    if problem or not list_valid:
        return ListingState.DRAFT
    return ListingState.LISTED
