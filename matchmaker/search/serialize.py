"""Search pages as JSON: one shape for the API and `matchmaker search --json`."""
from __future__ import annotations

from ..models import Patent
from .documents import fixed_fee_yuan
from .service import SearchHit, SearchPage


def offer_json(patent: Patent) -> dict | None:
    """The patent's active licence offers in brief (None when it has none)."""
    offers = patent.active_offers
    if not offers:
        return None
    return {"licence_types": sorted({o.licence_type.value for o in offers}),
            "payment_modes": sorted({o.payment_mode.value for o in offers}),
            "free_months": max(o.free_months for o in offers),
            "fee_yuan": min(fixed_fee_yuan(o) for o in offers)}


def hit_json(hit: SearchHit) -> dict:
    """Plain `title` and `snippet`; the same marked up (escaped HTML, only <mark>) under
    `highlight`; `partial` when the hit has only some of the query's words (a short list of
    full matches goes on with those). Patents carry their application number; both kinds
    their source id."""
    out = {"id": hit.id, "source_id": hit.obj.source_id, "title": hit.plain_title,
           "snippet": hit.plain_snippet, "score": hit.score, "partial": hit.partial,
           "highlight": {"title": hit.title, "snippet": hit.snippet}}
    if isinstance(hit.obj, Patent):
        out["app_no"] = hit.obj.app_no
        out["offer"] = offer_json(hit.obj)
    return out


def page_json(page: SearchPage) -> dict:
    """`match` is "partial" when nothing had every query word (the labelled fallback)."""
    return {
        "total": page.total, "page": page.request.page, "per_page": page.request.per_page,
        "match": "partial" if page.partial else "all",
        "results": [hit_json(h) for h in page.hits],
        "facets": {name: {f.value: f.count for f in values} for name, values in page.facets.items()},
        "suggestions": page.suggestions, "relaxable": page.relaxable, "truncated": page.truncated,
    }
