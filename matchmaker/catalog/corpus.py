"""The shared corpus format (JSON Lines, one patent per line) and helpers for its fields.

Corpus records go through the same import path as uploaded files (matchmaker.imports):
`import_records` only wraps in-memory records as a table.
"""
from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlalchemy.orm import Session

from ..models import Organization, OrgKind

_CLAIM_2 = re.compile(r"(?<=[。；;])\s*2\s*[.、．]")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (line, id, reason)

    @property
    def ok(self) -> bool:
        return not self.rejected


def read_jsonl(path: Path) -> Iterator[tuple[int, dict | None, str]]:
    """Yield (line number, record or None, error) for every non-blank line."""
    opener = gzip.open if path.suffix == ".gz" else open
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


def guess_supplier_kind(name: str) -> OrgKind:
    """Universities by name (大学/学院), everything else that holds patents as an institute."""
    if re.search("大学|学院", name) and not re.search("研究院|研究所|科学院", name):
        return OrgKind.UNIVERSITY
    return OrgKind.INSTITUTE


def import_records(session: Session, records: Iterable[tuple[int, dict | None, str]], *,
                   owner: Organization | None = None, list_valid: bool = True,
                   today: date | None = None,
                   progress: Callable[[int], None] | None = None) -> ImportReport:
    """Upsert corpus records (by application number, else source id) in the caller's
    transaction; rows that fail validation are reported, not written."""
    from ..imports.service import import_patent_records

    summary, rejected = import_patent_records(session, records, owner=owner,
                                              list_valid=list_valid, today=today or date.today(),
                                              progress=progress)
    return ImportReport(created=summary.counts["new"], updated=summary.counts["updated"],
                        unchanged=summary.counts["unchanged"], rejected=rejected)
