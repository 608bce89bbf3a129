"""Patent rows: read a row into PatentInput, classify it against the catalog, write it."""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from datetime import date

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..catalog.corpus import first_applicant, first_claim, guess_supplier_kind
from ..catalog.patents import PatentInput, listing_problem, set_ipc_entries, validate_patent
from ..catalog.terms import compute_expiry
from ..errors import ValidationError
from ..models import LegalStatus, ListingState, Organization, OrgStatus, Patent
from ..text.normalize import normalize
from . import cells
from .columns import PATENT_COLUMNS
from .files import SourceRow
from .runner import RowResult, RowStatus

NEAR_DUPLICATE_SCORE = 90     # rapidfuzz ratio of normalized titles (and abstracts), 0-100
_TEXT_FIELDS = ("title", "abstract", "first_claim", "scenarios")
# Fields compared for "updated / unchanged", in the order the preview lists changes.
COMPARED = ("title", "abstract", "first_claim", "app_no", "pub_no", "patent_type", "legal_status",
            "filing_date", "grant_date", "ipc_codes", "inventors", "industry_tags", "readiness",
            "scenarios", "knowhow_included")
LABELS = {c.field: c.label for c in PATENT_COLUMNS} | {"listing_state": "上架状态",
                                                      "expiry_date": "到期日"}


def display(value) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, list):
        return "；".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if hasattr(value, "label"):
        return value.label
    text = str(value)
    return text if len(text) <= 60 else text[:60] + "…"


class PatentRows:
    """Row handler for patents (see runner.RowHandler).

    `owner` fixes the owner of every row (web upload, `--owner`); without it each row's first
    applicant is the owner (the shared corpus), found or created as an approved organization.
    Existing patents are matched by application number, else by source id.
    """

    def __init__(self, session: Session, *, owner: Organization | None, today: date,
                 list_valid: bool = True, include_rows: frozenset[int] = frozenset()):
        self.session, self.owner, self.today = session, owner, today
        self.list_valid, self.include_rows = list_valid, include_rows
        self.by_app_no: dict[str, tuple[int, int]] = {}
        self.by_source: dict[str, tuple[int, int]] = {}
        for pid, app_no, sid, owner_id in session.execute(
                select(Patent.id, Patent.app_no, Patent.source_id, Patent.owner_id)):
            if app_no:
                self.by_app_no[app_no] = (pid, owner_id)
            if sid:
                self.by_source[sid] = (pid, owner_id)
        # Near-duplicates are judged against what existed before this import, so the preview
        # and the import (which sees its own earlier batches) flag the same rows.
        self.existing_max_id = session.scalar(select(func.max(Patent.id))) or 0
        self.seen: dict[tuple[str, str], int] = {}
        self.fetched: dict[int, Patent] = {}
        # Without a fixed owner every row names one: look them all up once.
        self.orgs: dict[str, Organization | None] = {} if owner is not None else {
            o.name: o for o in session.scalars(select(Organization))}
        self.similar_pool: dict[int, tuple[list[int], list[str], list[str], list[str]]] = {}
        self.listed: list[Patent] = []
        self.listed_ids: list[int] = []

    # -- runner hooks ------------------------------------------------------------------------

    def prepare(self, batch) -> None:
        self._collect_ids()
        ids = set()
        for _row, values in batch:
            for name, index in (("app_no", self.by_app_no), ("source_id", self.by_source)):
                for raw in values.get(name, []):
                    key = _key(name, raw)
                    if key in index:
                        ids.add(index[key][0])
        self.fetched = {p.id: p for p in self.session.scalars(
            select(Patent).where(Patent.id.in_(ids)))} if ids else {}

    def plan(self, row: SourceRow, values: dict[str, list]) -> RowResult:
        result = RowResult(row.number, RowStatus.NEW)
        if row.problems:
            return result.reject(row.problems)
        data, applicant, present = self._input(values, result)
        result.key = (data.app_no or data.source_id or "")[:40]
        if result.errors:
            return result.reject()
        try:
            v = validate_patent(data, today=self.today, require_title=False)
        except ValidationError as exc:
            return result.reject(list(exc.errors.values()))
        result.key, result.title = v["app_no"] or v["source_id"] or "", v["title"]
        for name, label in (("app_no", "申请号"), ("source_id", "来源编号")):
            if v[name] and (name, v[name]) in self.seen:
                return result.reject([f"与第 {self.seen[name, v[name]]} 行的{label}相同（文件内重复）"])
        for name in ("app_no", "source_id"):
            if v[name]:
                self.seen[name, v[name]] = row.number
        if v["app_no"]:
            present.add("patent_type")
        hit = self.by_app_no.get(v["app_no"] or "") or self.by_source.get(v["source_id"] or "")
        if hit and v["source_id"] and self.by_source.get(v["source_id"], hit) != hit:
            return result.reject([f"来源编号 {v['source_id']} 已属于另一件专利"])
        if hit:     # empty cells keep what is stored, the title and abstract included
            return self._plan_update(result, v, present, hit)
        if not v["title"] and not v["abstract"]:
            return result.reject(["专利名称和摘要不能都为空"])
        return self._plan_new(result, v, applicant)

    def write(self, result: RowResult) -> Patent:
        kind, v, present, state, owner = result.payload
        if kind == "new":
            patent = Patent(owner=owner if isinstance(owner, Organization) else self._org(owner, True))
            self.session.add(patent)
            present = set(COMPARED) | {"source_id", "source"}
        else:
            patent = self.fetched[result.target_id]
        for name in present:
            if name in v:
                setattr(patent, name, v[name])
        patent.expiry_date = compute_expiry(patent.patent_type, patent.filing_date,
                                            patent.term_extension_days or 0)
        if kind == "new" or "ipc_codes" in present:
            set_ipc_entries(patent, v["ipc_codes"])
        patent.listing_state = state
        if state == ListingState.LISTED:
            self.listed.append(patent)
        return patent

    def finish(self, written: bool) -> None:
        self._collect_ids()

    def _collect_ids(self) -> None:
        self.listed_ids.extend(p.id for p in self.listed if p.id is not None)
        self.listed = []

    # -- reading -----------------------------------------------------------------------------

    def _input(self, values: dict[str, list], result: RowResult) -> tuple[PatentInput, str, set[str]]:
        texts: dict[str, str] = {}
        converted = False
        values = cells.drop_formulas(values, LABELS, result.errors)
        for name in ("title", "abstract", "first_claim", "scenarios", "app_no", "pub_no",
                     "source_id", "source", "applicant"):
            raw = " ".join(cells.as_text(x) for x in values.get(name, []) if x is not None).strip()
            if name in _TEXT_FIELDS or name == "applicant":
                raw, changed = cells.simplified(raw)
                converted |= changed
            texts[name] = raw
        inventors = [i for x in values.get("inventors", []) for i in cells.split_list(x)]
        simplified_inventors = [cells.simplified(i)[0] for i in inventors]
        converted |= simplified_inventors != inventors
        data = PatentInput(
            title=texts.get("title", ""), abstract=texts.get("abstract", ""),
            first_claim=first_claim(texts.get("first_claim", "")), app_no=texts.get("app_no", ""),
            pub_no=texts.get("pub_no", ""), scenarios=texts.get("scenarios", ""),
            ipc_codes=[c for x in values.get("ipc_codes", []) for c in cells.split_list(x)],
            inventors=simplified_inventors, source_id=texts.get("source_id") or None,
            source=texts.get("source", ""),
            industry_tags=[t for x in values.get("industry_tags", []) for t in cells.split_list(x)],
        )
        cells.read_into(data, values, (("patent_type", cells.patent_type, "专利类型"),
                                       ("legal_status", cells.legal_status, "法律状态"),
                                       ("filing_date", cells.as_date, "申请日"),
                                       ("grant_date", cells.as_date, "授权公告日"),
                                       ("readiness", cells.as_int_text, "技术成熟度"),
                                       ("knowhow_included", cells.as_bool, "提供技术支持")),
                        result.errors)
        if converted:
            result.warnings.append("已将繁体字转换为简体")
        present = {name for name, raw in values.items()
                   if any(cells.as_text(x) for x in raw)} - {"applicant"}
        if data.ipc_codes:
            present.add("ipc_codes")
        return data, texts.get("applicant", ""), present

    # -- classification ----------------------------------------------------------------------

    def _plan_update(self, result: RowResult, v: dict, present: set[str],
                     hit: tuple[int, int]) -> RowResult:
        pid, owner_id = hit
        if self.owner is not None and owner_id != self.owner.id:
            # Never name another organization's record (it may be a hidden draft).
            return result.reject([f"{result.key} 已由其他机构登记，不能作为本机构的专利导入；"
                                  "如果这件专利属于贵单位，请联系平台运营方核实权属"])
        result.target_id = pid
        patent = self.fetched[pid]
        for name in COMPARED:
            if name in present and name in v and getattr(patent, name) != v[name]:
                result.changes.append((LABELS[name], display(getattr(patent, name)), display(v[name])))
        state = self._state_after(patent, v, present, result)
        if state != patent.listing_state:
            result.changes.append(("上架状态", patent.listing_state.label, state.label))
        result.status = RowStatus.UPDATED if result.changes else RowStatus.UNCHANGED
        result.payload = ("update", v, present, state, None)
        return result

    def _plan_new(self, result: RowResult, v: dict, applicant: str) -> RowResult:
        owner: Organization | str | None = self.owner
        if owner is None:
            owner = (first_applicant(applicant) or "")[:200]
            if not owner:
                return result.reject(["没有专利权人：请指定专利权人机构（命令行用 --owner），或在文件中提供“专利权人/申请人”列"])
        elif applicant and owner.name not in applicant:
            result.warnings.append(f"申请人“{applicant[:40]}”中没有“{owner.name}”，请确认专利权归属")
        probe = _Probe(v)
        state = _initial_state(probe, self.list_valid, self.today, result)
        org = owner if isinstance(owner, Organization) else self._org(owner, False)
        if org is not None and org.id is not None:
            similar = self._similar(org.id, v)
            if similar:
                result.similar = similar
                if result.number in self.include_rows:
                    result.warnings.append(f"与已有专利 #{similar['id']} 高度相似，按你的选择仍作为新专利导入")
                else:
                    result.status = RowStatus.NEAR_DUPLICATE
        result.payload = ("new", v, None, state, owner)
        return result

    def _state_after(self, patent: Patent, v: dict, present: set[str],
                     result: RowResult) -> ListingState:
        """A re-imported patent keeps the state its owner gave it unless it can no longer be
        listed (expired or lapsed since): then it is archived."""
        probe = _Probe({k: (v[k] if k in present and k in v else getattr(patent, k))
                        for k in ("patent_type", "legal_status", "filing_date")})
        problem = listing_problem(probe, self.today)
        if problem and patent.listing_state == ListingState.LISTED:
            result.warnings.append(problem.replace("，不能上架", "，已从上架改为归档"))
            return ListingState.ARCHIVED
        return patent.listing_state

    # -- owners and near-duplicates ----------------------------------------------------------

    def _org(self, name: str, create: bool) -> Organization | None:
        if name not in self.orgs or (create and self.orgs[name] is None):
            org = self.orgs.get(name) or self.session.scalar(
                select(Organization).where(Organization.name == name))
            if org is None and create:
                org = Organization(kind=guess_supplier_kind(name), name=name,
                                   status=OrgStatus.APPROVED, source="import")
                self.session.add(org)   # flushed with its first patent's batch
            self.orgs[name] = org
        return self.orgs[name]

    def _similar(self, owner_id: int, v: dict) -> dict | None:
        """The owner's existing patent whose title (and abstract) is near-identical, if any."""
        if owner_id not in self.similar_pool:
            rows = self.session.execute(select(Patent.id, Patent.title, Patent.abstract)
                                        .where(Patent.owner_id == owner_id,
                                               Patent.id <= self.existing_max_id)).all()
            self.similar_pool[owner_id] = _SimilarPool(rows)
        return self.similar_pool[owner_id].find(normalize(v["title"]),
                                                normalize(v["abstract"][:500]))


class _SimilarPool:
    """An owner's existing patents, sorted by title and by abstract length: a ratio of at
    least 90 needs lengths within a factor of ~0.82 of each other (2·common/(a+b) ≥ 0.9), so
    only that slice is compared — a few times less work on large portfolios."""

    MIN_LENGTH_RATIO = 2 * NEAR_DUPLICATE_SCORE / 100 - 1 if NEAR_DUPLICATE_SCORE > 50 else 0.0

    def __init__(self, rows):
        self.items = [(r.id, r.title, normalize(r.title), normalize(r.abstract[:500])) for r in rows]
        self.by_title = sorted(range(len(self.items)), key=lambda i: len(self.items[i][2]))
        self.title_lens = [len(self.items[i][2]) for i in self.by_title]
        self.by_abstract = sorted(range(len(self.items)), key=lambda i: len(self.items[i][3]))
        self.abstract_lens = [len(self.items[i][3]) for i in self.by_abstract]

    def _slice(self, order: list[int], lens: list[int], length: int) -> list[int]:
        lo = bisect_left(lens, math.ceil(length * self.MIN_LENGTH_RATIO))
        hi = bisect_right(lens, math.floor(length / self.MIN_LENGTH_RATIO)) if self.MIN_LENGTH_RATIO else len(lens)
        return order[lo:hi]

    def find(self, title: str, abstract: str) -> dict | None:
        if not self.items or not (title or abstract):
            return None
        use_title = bool(title)
        query = title if use_title else abstract
        field = 2 if use_title else 3
        order, lens = (self.by_title, self.title_lens) if use_title else (self.by_abstract, self.abstract_lens)
        candidates = self._slice(order, lens, len(query))
        hits = process.extract(query, [self.items[i][field] for i in candidates],
                               scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE_SCORE, limit=5)
        for _text, score, pos in hits:
            pid, original_title, _t, other_abstract = self.items[candidates[pos]]
            if use_title and abstract and other_abstract:
                score = min(score, fuzz.ratio(abstract, other_abstract))
                if score < NEAR_DUPLICATE_SCORE:
                    continue
            return {"id": pid, "title": original_title, "score": round(score)}
        return None


class _Probe:
    """Just enough of a Patent for `listing_problem` before one exists."""

    def __init__(self, v: dict):
        self.legal_status = v.get("legal_status") or LegalStatus.UNKNOWN
        self.expiry_date = compute_expiry(v.get("patent_type"), v.get("filing_date"))

    def is_expired(self, today: date) -> bool:
        return self.expiry_date is not None and self.expiry_date < today


def _initial_state(probe: _Probe, list_valid: bool, today: date, result: RowResult) -> ListingState:
    """Expired or lapsed patents come in archived (with a warning), pending ones as drafts."""
    problem = listing_problem(probe, today)
    if problem and probe.legal_status != LegalStatus.PENDING:
        result.warnings.append(problem.replace("，不能上架", "，将作为已归档导入（不上架）"))
        return ListingState.ARCHIVED
    if problem:
        result.warnings.append("该专利尚未授权，导入为草稿")
        return ListingState.DRAFT
    return ListingState.LISTED if list_valid else ListingState.DRAFT


def _key(name: str, raw) -> str:
    text = cells.as_text(raw)
    if name == "app_no":
        from ..catalog.numbers import normalize_app_no
        try:
            return normalize_app_no(text)
        except ValidationError:
            return ""
    return text

