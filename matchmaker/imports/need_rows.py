"""Need rows: read a row into NeedInput, classify it against the enterprise's needs, write it."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.needs import NeedInput, validate_need
from ..errors import ValidationError
from ..models import INDUSTRIES, REGIONS, Need, Organization, OrgKind, User, WantedForm
from . import cells
from .columns import NEED_COLUMNS
from .files import SourceRow
from .patent_rows import display
from .runner import RowResult, RowStatus

COMPARED = ("title", "description", "industry", "region", "budget_min_wan", "budget_max_wan",
            "wanted_forms", "valid_until")
LABELS = {c.field: c.label for c in NEED_COLUMNS}


class NeedRows:
    """Row handler for needs of one enterprise (see runner.RowHandler).

    A row is the same need as an existing one when its 需求编号 matches (source id), else when
    the enterprise already has a need with the same title. `actor` is who posts them: a station
    broker's import is recorded as posted on the enterprise's behalf.
    """

    def __init__(self, session: Session, *, enterprise: Organization, actor: User | None,
                 today: date):
        self.session, self.enterprise, self.actor, self.today = session, enterprise, actor, today
        self.existing = {n.id: n for n in session.scalars(
            select(Need).where(Need.enterprise_id == enterprise.id))}
        self.by_title = {n.title: n.id for n in self.existing.values()}
        self.by_source = dict(session.execute(select(Need.source_id, Need.enterprise_id)
                                              .where(Need.source_id.is_not(None))).all())
        self.own_by_source = {n.source_id: n.id for n in self.existing.values() if n.source_id}
        self.seen: dict[tuple[str, str], int] = {}

    def prepare(self, batch) -> None:
        """Needs of one enterprise are few: all were loaded up front."""

    def plan(self, row: SourceRow, values: dict[str, list]) -> RowResult:
        result = RowResult(row.number, RowStatus.NEW)
        if row.problems:
            return result.reject(row.problems)
        data, present = self._input(values, result)
        result.key = (data.source_id or data.title or "")[:40]
        if result.errors:
            return result.reject()
        try:
            v = validate_need(data, today=self.today, default_region=self.enterprise.region)
        except ValidationError as exc:
            return result.reject(list(exc.errors.values()))
        result.key, result.title = v["source_id"] or v["title"], v["title"]
        for name, label in (("source_id", "需求编号"), ("title", "需求名称")):
            if name == "title" and v["source_id"]:
                continue
            if v[name] and (name, v[name]) in self.seen:
                return result.reject([f"与第 {self.seen[name, v[name]]} 行的{label}相同（文件内重复）"])
            if v[name]:
                self.seen[name, v[name]] = row.number
        sid = v["source_id"]
        if sid and self.by_source.get(sid, self.enterprise.id) != self.enterprise.id:
            return result.reject([f"需求编号 {sid} 已被其他企业的需求使用"])
        target = self.own_by_source.get(sid) if sid else self.by_title.get(v["title"])
        if target is None:
            result.payload = ("new", v, present)
            return result
        need = self.existing[target]
        result.target_id = target
        for name in COMPARED:
            if name in present and getattr(need, name) != v[name]:
                result.changes.append((LABELS[name], _shown(name, getattr(need, name)),
                                       _shown(name, v[name])))
        result.status = RowStatus.UPDATED if result.changes else RowStatus.UNCHANGED
        result.payload = ("update", v, present)
        return result

    def write(self, result: RowResult) -> Need:
        kind, v, present = result.payload
        if kind == "new":
            need = Need(enterprise=self.enterprise, posted_by=self.actor, **v)
            if self.actor is not None and self.actor.organization.kind == OrgKind.STATION:
                need.on_behalf_station = self.actor.organization
            self.session.add(need)
            return need
        need = self.existing[result.target_id]
        for name in present:
            if name in v:
                setattr(need, name, v[name])
        return need

    def finish(self, written: bool) -> None:
        """Each new need queues its own matching (matching.triggers)."""

    def _input(self, values: dict[str, list], result: RowResult) -> tuple[NeedInput, set[str]]:
        texts: dict[str, str] = {}
        converted = False
        values = cells.drop_formulas(values, LABELS, result.errors)
        for name in ("title", "description", "industry", "region", "source_id", "source"):
            raw = "\n".join(cells.as_text(x) for x in values.get(name, []) if x is not None).strip()
            raw, changed = cells.simplified(raw)
            converted |= changed and name in ("title", "description")
            texts[name] = raw
        data = NeedInput(title=texts.get("title", ""), description=texts.get("description", ""),
                         source_id=texts.get("source_id") or None, source=texts.get("source", ""))
        data.industry = self._choice(texts.get("industry", ""), INDUSTRIES, "其他", "所属行业", result)
        data.region = self._choice(texts.get("region", ""), REGIONS, self.enterprise.region,
                                   "所在地区", result)
        cells.read_into(data, values, (("budget_min_wan", cells.as_int_text, "预算下限"),
                                       ("budget_max_wan", cells.as_int_text, "预算上限"),
                                       ("wanted_forms", cells.wanted_forms, "合作方式"),
                                       ("valid_until", cells.as_date, "有效期至")), result.errors)
        if converted:
            result.warnings.append("已将繁体字转换为简体")
        present = {name for name, raw in values.items() if any(cells.as_text(x) for x in raw)}
        return data, present

    @staticmethod
    def _choice(text: str, allowed: tuple[str, ...], default: str, label: str,
                result: RowResult) -> str:
        """An allowed value, one contained in the text ("新能源汽车" → 新能源), or the default
        with a warning: a broker's free wording should not cost the whole row."""
        if not text or text in allowed:
            return text or default
        found = next((a for a in allowed if a != "其他" and (a in text or text in a)), None)
        if found:
            return found
        result.warnings.append(f"{label}“{text[:20]}”不在列表中，已记为“{default}”")
        return default


def _shown(name: str, value) -> str:
    """A value for the preview's change list: cooperation forms by their Chinese labels."""
    if name == "wanted_forms" and value:
        labels = {w.value: w.label for w in WantedForm}
        value = [labels.get(f, f) for f in value]
    return display(value)

