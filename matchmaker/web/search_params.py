"""Parse search query-string parameters into a SearchRequest (shared by pages and API)."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from ..params import clamp_int, parse_decimal, parse_int
from ..search.service import NEED_FILTERS, PATENT_FILTERS, SearchRequest

FILTERS = {"patent": PATENT_FILTERS, "need": NEED_FILTERS}
SORTS = {"patent": ("date", "free"), "need": ("date",)}


def search_request(args: MultiDict, kind: str, per_page: int = 20) -> SearchRequest:
    """Unknown or malformed parameters fall back to defaults; a search never fails on them."""
    filters = {name: args.get(name, "") for name in FILTERS[kind] if args.get(name)}
    patents = kind == "patent"
    return SearchRequest(
        q=(args.get("q") or "")[:2000], filters=filters, ipc=(args.get("ipc") or "")[:8],
        sort=args.get("sort") if args.get("sort") in SORTS[kind] else "relevance",
        page=clamp_int(args.get("page"), 1, 1, 500),
        per_page=clamp_int(args.get("per_page"), per_page, 1, 100),
        include_unavailable=args.get("all") == "1",
        free_min=parse_int(args.get("free_min"), low=1, high=120) if patents else None,
        fee_max_wan=parse_decimal(args.get("fee_max"), low=0, high=100_000) if patents else None,
    )
