"""Builders for import files (CSV, XLSX, JSON Lines) and checks of what the database holds."""
from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.catalog.numbers import app_no_check_char
from matchmaker.imports.runner import ImportSummary
from matchmaker.imports.service import ImportOptions, run_import
from matchmaker.models import (ImportKind, Job, Need, Organization, Patent, PatentIPC)

TODAY = date(2024, 6, 1)
FORMULA = "=cmd|' /C calc'!A0"


def app_no(year: int = 2017, type_digit: str = "1", serial: int = 1) -> str:
    """A valid application number (check digit computed, never hard-coded)."""
    body = f"{year}{type_digit}{serial:07d}"
    return f"{body}.{app_no_check_char(body)}"


def with_wrong_check(number: str) -> str:
    body, check = number.split(".")
    return f"{body}.{'1' if check != '1' else '2'}"


def full_width(text: str) -> str:
    return text.translate(str.maketrans("0123456789.-X", "０１２３４５６７８９．－Ｘ"))


def csv_text(rows: list[list]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_text(rows).encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list], merges: tuple[str, ...] = ()) -> Path:
    """A workbook whose first sheet holds `rows` from A1; strings starting with "=" are stored
    by openpyxl as real formulas."""
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    wb.save(path)
    return path


def write_jsonl(path: Path, records: list[dict | str]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n"
                            for r in records), encoding="utf-8")
    return path


def import_patents(session: Session, path: Path, owner: Organization | None, *, write: bool = True,
                   on_rejected=None, **options) -> ImportSummary:
    return run_import(session, path, ImportKind.PATENTS, organization=owner, write=write,
                      options=ImportOptions(today=TODAY, **options), on_rejected=on_rejected)


def import_needs(session: Session, path: Path, enterprise: Organization, *, write: bool = True,
                 actor=None, **options) -> ImportSummary:
    return run_import(session, path, ImportKind.NEEDS, organization=enterprise, actor=actor,
                      write=write, options=ImportOptions(today=TODAY, **options))


def counts(session: Session) -> dict[str, int]:
    """Rows per table that an import may touch."""
    return {model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Patent, PatentIPC, Need, Organization, Job)}


def patent_by_app_no(session: Session, number: str) -> Patent:
    return session.scalars(select(Patent).where(Patent.app_no == number)).one()


def rejected_rows(summary: ImportSummary) -> dict[int, list[str]]:
    return {r["row"]: r["errors"] for r in summary.rejected}


def warned_rows(summary: ImportSummary) -> dict[int, list[str]]:
    return {w["row"]: w["warnings"] for w in summary.warnings}
