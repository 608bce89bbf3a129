"""Entry points: import (or preview) a file of patents or needs, and corpus records.

Used alike by the CLI, the web preview/confirm flow (batches), the demo loader and the
benchmarks. The caller owns the transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..jobs.queue import queued_rows
from ..matching.triggers import SKIP_KEY
from ..models import (ImportKind, Job, Need, NeedState, Organization, OrgKind,
                      User)
from ..semantic.jobs import queue_encoding
from ..semantic.store import PATENT as VECTOR_PATENT
from .columns import NEED_COLUMNS, PATENT_COLUMNS, ColumnMap, header_scorer, map_columns
from .files import FileProblem, SourceRow, Table, open_table
from .need_rows import NeedRows
from .patent_rows import PatentRows
from .runner import ImportSummary, RowResult, run_rows

COLUMNS = {ImportKind.PATENTS: PATENT_COLUMNS, ImportKind.NEEDS: NEED_COLUMNS}


@dataclass
class ImportOptions:
    encoding: str = "auto"
    list_valid: bool = True                      # patents: list valid ones right away
    include_rows: frozenset[int] = frozenset()   # near-duplicates the user chose to import
    max_rows: int = 50_000
    max_bytes: int | None = None
    today: date = field(default_factory=date.today)


def open_for_import(path: Path, kind: ImportKind, options: ImportOptions,
                    filename: str | None = None) -> tuple[Table, ColumnMap]:
    """Open the file and map its columns; refuses files without the columns we need."""
    columns = COLUMNS[kind]
    table = open_table(path, filename, encoding=options.encoding, max_rows=options.max_rows,
                       max_bytes=options.max_bytes, header_score=header_scorer(columns))
    cmap = map_columns(table.headers, columns)
    if table.format == "jsonl":
        return table, cmap
    if not cmap.fields:
        shown = "、".join(h for h in table.headers[:8] if h) or "（空）"
        raise FileProblem(f"没有识别出任何列。文件的表头是：{shown}。请使用导入模板的列名；"
                          "如果表头显示为乱码，请换一种编码（UTF-8 或 GB18030/GBK）重新上传")
    # A file of numbers and statuses only is a status refresh of patents already listed.
    if kind == ImportKind.PATENTS and not (cmap.has("title") or cmap.has("abstract")
                                           or cmap.has("app_no")):
        raise FileProblem("没有找到“专利名称”“摘要”或“申请号”列，请使用导入模板的列名")
    if kind == ImportKind.NEEDS and not cmap.has("title"):
        raise FileProblem("没有找到“需求名称”列，请使用导入模板的列名")
    return table, cmap


def run_import(session: Session, path: Path, kind: ImportKind, *, organization: Organization | None,
               actor: User | None = None, options: ImportOptions | None = None, write: bool,
               filename: str | None = None,
               on_rejected: Callable[[SourceRow, RowResult], None] | None = None,
               on_open: Callable[[Table, ColumnMap], None] | None = None,
               progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Preview (`write=False`) or import a file. Patents belong to `organization` (None: each
    row's applicant, for trusted corpus imports); needs to the enterprise `organization`."""
    options = options or ImportOptions()
    table, cmap = open_for_import(path, kind, options, filename)
    if on_open is not None:
        on_open(table, cmap)
    handler = _handler(session, kind, organization, actor, options)
    return _run(session, kind, table, cmap, handler, write, on_rejected, progress)


def _handler(session: Session, kind: ImportKind, organization: Organization | None,
             actor: User | None, options: ImportOptions):
    if kind == ImportKind.PATENTS:
        # An enterprise's own patents (custody) are kept apart: drafts, never listed by import.
        own = organization is not None and organization.kind == OrgKind.ENTERPRISE
        return PatentRows(session, owner=organization, today=options.today,
                          list_valid=options.list_valid and not own, include_rows=options.include_rows)
    if organization is None or organization.kind != OrgKind.ENTERPRISE:
        raise FileProblem("技术需求只能导入到一家企业名下")
    return NeedRows(session, enterprise=organization, actor=actor, today=options.today)


def _run(session, kind, table, cmap, handler, write, on_rejected, progress) -> ImportSummary:
    bulk = write and kind == ImportKind.PATENTS
    previous = session.info.get(SKIP_KEY)
    if bulk:   # one matching job per patent would swamp the worker: queue in bulk below
        session.info[SKIP_KEY] = True
    try:
        summary = run_rows(session, table, cmap, handler, write=write, on_rejected=on_rejected,
                           progress=progress)
    finally:
        if bulk and not previous:
            session.info.pop(SKIP_KEY, None)
    if bulk and not previous:   # vectors first: the worker runs jobs in the order queued
        queue_encoding(session, VECTOR_PATENT, handler.listed_ids)
        queue_patent_matching(session, handler.listed_ids)
    return summary


def import_patent_records(session: Session, records: Iterable[tuple[int, dict | None, str]], *,
                          owner: Organization | None, list_valid: bool, today: date,
                          progress: Callable[[int], None] | None = None
                          ) -> tuple[ImportSummary, list[tuple[int, str, str]]]:
    """Corpus records (as read by catalog.corpus.read_jsonl) through the same row path."""
    def rows():
        for line, rec, error in records:
            yield SourceRow(line, [], [error] if error else [], record=rec if not error else None)
    table = Table("jsonl", "utf-8", [], 0, rows())
    cmap = map_columns([], PATENT_COLUMNS)
    rejected: list[tuple[int, str, str]] = []

    def keep(row: SourceRow, result: RowResult) -> None:
        rid = str((row.record or {}).get("id") or "")
        rejected.append((row.number, rid, "；".join(result.errors)))
    handler = PatentRows(session, owner=owner, today=today, list_valid=list_valid)
    summary = _run(session, ImportKind.PATENTS, table, cmap, handler, True, keep, progress)
    return summary, rejected


def queue_patent_matching(session: Session, listed_ids: list[int]) -> None:
    """Match new listings against the open needs: per patent when few were listed, else once
    per open need (each of those jobs ranks the whole catalog, new patents included)."""
    if not listed_ids:
        return
    open_needs = list(session.scalars(select(Need.id).where(Need.state == NeedState.OPEN)))
    if not open_needs:
        return
    if len(listed_ids) <= len(open_needs):
        kind, key, ids = "match_patent", "patent_id", listed_ids
    else:
        kind, key, ids = "match_need", "need_id", open_needs
    waiting = {str(p) for p in session.scalars(select(Job.payload).where(Job.kind == kind,
                                                                       Job.state == "queued"))}
    rows = queued_rows(kind, ({key: i} for i in ids if str({key: i}) not in waiting))
    if rows:
        session.execute(insert(Job), rows)


