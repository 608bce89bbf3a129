"""Parse search query-string parameters into a SearchRequest (shared by pages and API)."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from ..params import clamp_int
from ..search.service import NEED_FILTERS, PATENT_FILTERS, SearchRequest

FILTERS = {"patent": PATENT_FILTERS, "need": NEED_FILTERS}


def search_request(args: MultiDict, kind: str, per_page: int = 20) -> SearchRequest:
    """Unknown or malformed parameters fall back to defaults; a search never fails on them."""
    filters = {name: args.get(name, "") for name in FILTERS[kind] if args.get(name)}
    return SearchRequest(
        q=(args.get("q") or "")[:2000], filters=filters, ipc=(args.get("ipc") or "")[:8],
        sort="date" if args.get("sort") == "date" else "relevance",
        page=clamp_int(args.get("page"), 1, 1, 500),
        per_page=clamp_int(args.get("per_page"), per_page, 1, 100),
        include_unavailable=args.get("all") == "1",
    )
