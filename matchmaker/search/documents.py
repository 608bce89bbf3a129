"""ORM objects → index documents. Pure apart from reading the object's attributes."""
from __future__ import annotations

from datetime import date

from ..models import Need, Patent
from ..text.tokenize import char_bigrams, tokenize_for_search

NO_EXPIRY = 99991231
# The bigram field covers the title and the opening of the abstract, where the problem and the
# solution are stated; the whole abstract would triple the index vocabulary for little recall.
BIGRAM_ABSTRACT_CHARS = 400


def day_number(d: date | None, default: int = 0) -> int:
    """Dates as sortable integers YYYYMMDD."""
    return d.year * 10000 + d.month * 100 + d.day if d else default


def analyzed(text: str) -> str:
    return " ".join(tokenize_for_search(text))


def bigram_text(*parts: str) -> str:
    return " ".join(char_bigrams(" ".join(p for p in parts if p)))


def patent_document(p: Patent) -> dict:
    """A patent's index fields with raw text; `analyze_document` tokenizes the text fields.

    Splitting the two lets a rebuild read rows in one process and tokenize in several.
    """
    levels: list[str] = []
    for e in p.ipc_entries:
        levels += [e.section, e.ipc_class, e.subclass]
    return {
        "id": str(p.id),
        "title": p.title, "abstract": p.abstract, "claims": p.first_claim,
        "ipc": " ".join(sorted(set(levels))) or None,
        "ipc_section": " ".join(sorted({e.section for e in p.ipc_entries})) or None,
        "patent_type": p.patent_type.value if p.patent_type else "unknown",
        "legal_status": p.legal_status.value, "owner_kind": p.owner.kind.value,
        "region": p.owner.region, "listing_state": p.listing_state.value,
        "owner_id": str(p.owner_id), "industry": ",".join(p.industry_tags) or None,
        "expiry": day_number(p.expiry_date, NO_EXPIRY),
        "date": day_number(p.grant_date or p.filing_date or p.created_at.date()),
    }


def need_document(n: Need) -> dict:
    return {
        "id": str(n.id), "title": n.title, "abstract": n.description, "industry": n.industry,
        "region": n.region, "state": n.state.value, "enterprise_id": str(n.enterprise_id),
        "date": day_number(n.created_at.date()), "expiry": day_number(n.valid_until, NO_EXPIRY),
    }


def analyze_document(doc: dict) -> dict:
    """Replace raw text by analyzed tokens, add the bigram field, drop empty fields (Whoosh
    rejects None). Pure and picklable: safe to run in worker processes."""
    out = {k: v for k, v in doc.items() if v is not None}
    out["bigrams"] = bigram_text(doc.get("title") or "", (doc.get("abstract") or "")[:BIGRAM_ABSTRACT_CHARS])
    for name in ("title", "abstract", "claims"):
        if name in out:
            out[name] = analyzed(out[name])
    return out


def analyze_batch(docs: list[dict]) -> list[dict]:
    return [analyze_document(d) for d in docs]
