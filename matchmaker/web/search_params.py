"""Parse search query-string parameters into a SearchRequest (shared by pages and API)."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from ..search.service import NEED_FILTERS, PATENT_FILTERS, SearchRequest

FILTERS = {"patent": PATENT_FILTERS, "need": NEED_FILTERS}
SORTS = {"patent": ("date", "free"), "need": ("date",)}


def _int(raw: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(raw or default), low), high)
    except ValueError:
        return default


def _optional_number(raw: str | None, low: float, high: float) -> float | None:
    """A plain decimal number within [low, high], else None (no filter)."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 12 or not raw.replace(".", "", 1).isascii() \
            or not raw.replace(".", "", 1).isdigit():
        return None
    value = float(raw)
    return value if low <= value <= high else None


def search_request(args: MultiDict, kind: str, per_page: int = 20) -> SearchRequest:
    """Unknown or malformed parameters fall back to defaults; a search never fails on them."""
    filters = {name: args.get(name, "") for name in FILTERS[kind] if args.get(name)}
    free_min = _optional_number(args.get("free_min"), 1, 120) if kind == "patent" else None
    return SearchRequest(
        q=(args.get("q") or "")[:2000], filters=filters, ipc=(args.get("ipc") or "")[:8],
        sort=args.get("sort") if args.get("sort") in SORTS[kind] else "relevance",
        page=_int(args.get("page"), 1, 1, 500), per_page=_int(args.get("per_page"), per_page, 1, 100),
        include_unavailable=args.get("all") == "1",
        free_min=int(free_min) if free_min else None,
        fee_max_wan=_optional_number(args.get("fee_max"), 0, 100_000) if kind == "patent" else None,
    )
