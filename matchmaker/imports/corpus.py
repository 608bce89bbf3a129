"""Corpus records (the shared JSON Lines format, read by `catalog.corpus.read_jsonl`) imported
through the same row path as uploaded files: `import_records` only wraps them as a table."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable

from sqlalchemy.orm import Session

from ..models import Organization
from .service import import_patent_records


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (line, id, reason)

    @property
    def ok(self) -> bool:
        return not self.rejected


def import_records(session: Session, records: Iterable[tuple[int, dict | None, str]], *,
                   owner: Organization | None = None, list_valid: bool = True,
                   today: date | None = None,
                   progress: Callable[[int], None] | None = None) -> ImportReport:
    """Upsert corpus records (by application number, else source id) in the caller's
    transaction; rows that fail validation are reported, not written."""
    summary, rejected = import_patent_records(session, records, owner=owner,
                                              list_valid=list_valid, today=today or date.today(),
                                              progress=progress)
    return ImportReport(created=summary.counts["new"], updated=summary.counts["updated"],
                        unchanged=summary.counts["unchanged"], rejected=rejected)
