"""ORM objects → index documents. Pure apart from reading the object's attributes."""
from __future__ import annotations

from datetime import date

import re

from ..models import Need, Patent
from ..text.normalize import normalize
from ..text.titles import derived_title
from ..text.tokenize import CJK_CLASS, char_bigrams, tokenize_for_search

NO_EXPIRY = 99991231
# Character fields cover this much of a body: the whole of nearly every abstract, but not the
# OCR-noise tails of the few 10k-character ones.
CHAR_BODY_CHARS = 3000
# Between runs of text (punctuation, spaces) the character fields hold this separator; the
# analyzer drops it but keeps its position, so a phrase never spans "电池。池子".
RUN_BREAK = "|"
_RUNS = re.compile(r"[\W_]+")
_CJK = re.compile(f"[{CJK_CLASS}]")


def day_number(d: date | None, default: int = 0) -> int:
    """Dates as sortable integers YYYYMMDD."""
    return d.year * 10000 + d.month * 100 + d.day if d else default


def analyzed(text: str) -> str:
    return " ".join(tokenize_for_search(text))


def char_field_text(text: str) -> str:
    """Character bigrams of each run of ``text`` (:func:`char_bigrams`), runs separated by
    :data:`RUN_BREAK`: the phrase-capable character field.

    >>> char_field_text("滴灌带。ro膜")
    '滴灌 灌带 | ro 膜'
    """
    runs = (" ".join(char_bigrams(run)) for run in _RUNS.split(normalize(text)))
    return f" {RUN_BREAK} ".join(r for r in runs if r)


def unigram_text(text: str) -> str:
    """The distinct CJK characters of ``text``, for one-character queries (砖, 膜)."""
    return " ".join(dict.fromkeys(_CJK.findall(normalize(text))))


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
        **offer_fields(p),
    }


def offer_fields(p: Patent) -> dict:
    """What search filters on of a patent's active licence offers: whether it has one, their
    licence types and payment modes, the longest free period, and the lowest fixed amount
    payable (lump sum, entry fee or transfer price; 0 for royalty-only terms)."""
    offers = p.active_offers
    if not offers:
        return {"offer": "none", "free_months": -1}   # sorts after every offer
    return {"offer": "active",
            "licence_type": ",".join(sorted({o.licence_type.value for o in offers})),
            "payment_mode": ",".join(sorted({o.payment_mode.value for o in offers})),
            "free_months": max(o.free_months for o in offers),
            "fee_yuan": min(fixed_fee_yuan(o) for o in offers)}


def fixed_fee_yuan(offer) -> int:
    """The fixed amount an offer asks for (what a fee ceiling compares with)."""
    return (offer.lump_sum_yuan or offer.entry_fee_yuan or offer.transfer_price_yuan or 0)


def need_document(n: Need) -> dict:
    return {
        "id": str(n.id), "title": n.title, "abstract": n.description, "industry": n.industry,
        "region": n.region, "state": n.state.value, "enterprise_id": str(n.enterprise_id),
        "date": day_number(n.created_at.date()), "expiry": day_number(n.valid_until, NO_EXPIRY),
    }


def analyze_document(doc: dict) -> dict:
    """Replace raw text by analyzed tokens, add the character fields, drop empty fields (Whoosh
    rejects None). A record without a title is indexed under its abstract's "一种…" phrase
    (:func:`derived_title`), so title signals do not punish it. Pure and picklable: safe to
    run in worker processes."""
    out = {k: v for k, v in doc.items() if v is not None}
    abstract = (doc.get("abstract") or "")[:CHAR_BODY_CHARS]
    title = doc.get("title") or derived_title(abstract)
    if title:
        out["title"] = title
        out["tchars"] = char_field_text(title)
    if abstract:
        out["bchars"] = char_field_text(abstract)
    out["chars"] = unigram_text(f"{title} {abstract}")
    for name in ("title", "abstract", "claims"):
        if name in out:
            out[name] = analyzed(out[name])
    return {k: v for k, v in out.items() if v != ""}


def analyze_batch(docs: list[dict]) -> list[dict]:
    return [analyze_document(d) for d in docs]
