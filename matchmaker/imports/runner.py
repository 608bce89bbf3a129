"""Walk every row of a table once: read, validate, classify, and (when asked) write.

The same pass serves the preview (`write=False`) and the import (`write=True`), so what the
preview promises is what the import does. Rows are handled in batches: existing records are
fetched once per batch, written objects are flushed and dropped from the session, so memory
stays flat however long the file is. The caller owns the transaction: any exception (a file
problem found on row 40,000, a full disk, a database error) rolls back every row.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Protocol

from sqlalchemy.orm import Session

from .columns import ColumnMap, header_key
from .files import SourceRow, Table

BATCH_SIZE = 500
SAMPLE_LIMIT = 50        # problems / changes kept for the preview page


class RowStatus(str, enum.Enum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"
    NEAR_DUPLICATE = "near_duplicate"   # flagged for the user; skipped unless included

    @property
    def label(self) -> str:
        return {"new": "新增", "updated": "更新", "unchanged": "无变化", "rejected": "拒绝",
                "near_duplicate": "疑似重复"}[self.value]


@dataclass
class RowResult:
    number: int
    status: RowStatus
    key: str = ""
    title: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)   # (label, old, new)
    similar: dict | None = None            # {"id", "title", "score"} of a near-identical record
    target_id: int | None = None           # existing record updated / compared
    payload: object = None                 # the handler's validated values, for `write`

    def reject(self, errors: list[str] | None = None) -> "RowResult":
        """Mark the row rejected with these messages (added to any collected already)."""
        self.status = RowStatus.REJECTED
        self.errors.extend(errors or [])
        self.payload = None
        return self


class RowHandler(Protocol):
    """One kind of record (patents, needs): how to read, classify and write a row."""

    def prepare(self, batch: list[tuple[SourceRow, dict[str, list]]]) -> None: ...
    def plan(self, row: SourceRow, values: dict[str, list]) -> RowResult: ...
    def write(self, result: RowResult) -> object: ...
    def finish(self, written: bool) -> None: ...


@dataclass
class ImportSummary:
    """What the preview shows and the import reports; stored as JSON with the batch."""

    format: str = ""
    encoding: str = ""
    header_row: int = 0
    mapping: list[tuple[str, str]] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in RowStatus})
    rejected: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    near_duplicates: list[dict] = field(default_factory=list)
    warning_count: int = 0
    file_error: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def applicable(self) -> int:
        return self.counts["new"] + self.counts["updated"]

    def add(self, r: RowResult) -> None:
        self.counts[r.status.value] += 1
        if r.status == RowStatus.REJECTED:
            if len(self.rejected) < SAMPLE_LIMIT:
                self.rejected.append({"row": r.number, "key": r.key, "errors": r.errors})
            return
        if r.warnings:
            self.warning_count += 1
            if len(self.warnings) < SAMPLE_LIMIT:
                self.warnings.append({"row": r.number, "key": r.key, "warnings": r.warnings})
        if r.changes and len(self.changes) < SAMPLE_LIMIT:
            self.changes.append({"row": r.number, "key": r.key, "title": r.title,
                                 "target_id": r.target_id,
                                 "changes": [list(c) for c in r.changes]})
        if r.similar is not None and len(self.near_duplicates) < 500:
            self.near_duplicates.append({"row": r.number, "key": r.key, "title": r.title,
                                         "included": r.status != RowStatus.NEAR_DUPLICATE,
                                         **{f"similar_{k}": v for k, v in r.similar.items()}})

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__} | {"total": self.total}

    @classmethod
    def from_dict(cls, data: dict) -> "ImportSummary":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["mapping"] = [tuple(m) for m in known.get("mapping", [])]
        return cls(**known)


def row_values(row: SourceRow, cmap: ColumnMap, aliases: dict[str, tuple[str, int]],
               multi: frozenset[str] = frozenset()) -> dict[str, list]:
    """field -> raw values of the row (several for multi-column fields such as IPC)."""
    if row.record is not None:   # JSON Lines: keys can differ from line to line
        found: dict[str, list[tuple[int, list]]] = {}
        for key, value in row.record.items():
            hit = aliases.get(header_key(key))
            if hit is not None and value not in (None, "", []):
                name, rank = hit
                found.setdefault(name, []).append((rank, value if isinstance(value, list) else [value]))
        # Several keys for one field (`owner` and `applicant`): the better-ranked alias wins,
        # except for multi-column fields, which take them all.
        return {name: ([v for _r, vals in sorted(hits) for v in vals] if name in multi
                       else min(hits, key=lambda h: h[0])[1])
                for name, hits in found.items()}
    return {name: [row.cells[i] for i in idx if i < len(row.cells)]
            for name, idx in cmap.fields.items()}


def run_rows(session: Session, table: Table, cmap: ColumnMap, handler: RowHandler, *,
             write: bool, on_rejected: Callable[[SourceRow, RowResult], None] | None = None,
             progress: Callable[[int], None] | None = None,
             batch_size: int = BATCH_SIZE) -> ImportSummary:
    """Classify every row; with `write`, apply the new and updated ones in the caller's
    transaction. Returns the summary; raises FileProblem for a file-level problem."""
    summary = ImportSummary(format=table.format, encoding=table.encoding,
                            header_row=table.header_row, mapping=cmap.rows(),
                            unmapped=list(cmap.unmapped))
    aliases: dict[str, tuple[str, int]] = {}
    for c in cmap.columns:
        for rank, a in enumerate((c.label, *c.aliases)):
            aliases.setdefault(header_key(a), (c.field, rank))
    multi = frozenset(c.field for c in cmap.columns if c.multi)
    with session.no_autoflush:
        for batch in _batches(table.rows, batch_size):
            valued = [(row, row_values(row, cmap, aliases, multi)) for row in batch]
            handler.prepare(valued)
            written = []
            for row, values in valued:
                result = handler.plan(row, values)
                summary.add(result)
                if result.status == RowStatus.REJECTED and on_rejected is not None:
                    on_rejected(row, result)
                elif write and result.status in (RowStatus.NEW, RowStatus.UPDATED):
                    written.append(handler.write(result))
            if written:
                session.flush()
                for obj in written:     # done with; dropping them keeps memory flat
                    session.expunge(obj)
            if progress:
                progress(len(batch))
    handler.finish(write)
    return summary


def _batches(rows: Iterable[SourceRow], size: int) -> Iterator[list[SourceRow]]:
    batch: list[SourceRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
