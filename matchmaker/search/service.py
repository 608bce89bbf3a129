"""Search patents and needs: one service for the pages and the JSON API."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Mapping

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import permissions
from ..errors import PermissionDenied
from ..models import (INDUSTRIES, REGIONS, LegalStatus, LicenceType, ListingState, Need, NeedState,
                      OrgKind, PatentType, PaymentMode, Patent, User)
from .backend import SearchBackend, TextQuery
from .documents import day_number
from .highlight import snippet, unmark
from .query import parse_text
from .fields import NEED, PATENT

MAX_PAGE = 500
IPC_SECTIONS = {"A": "人类生活必需", "B": "作业；运输", "C": "化学；冶金", "D": "纺织；造纸",
                "E": "固定建筑物", "F": "机械工程；照明；加热；武器；爆破", "G": "物理", "H": "电学"}

# filter name -> (index field, allowed values -> Chinese label)
PATENT_FILTERS: dict[str, dict[str, str]] = {
    # "unknown": patents without a type, indexed under that value (documents.py) so the facet
    # value is a working filter that returns exactly them; kept, like legal status 未知, because
    # the count tells how much of a result is untyped. A missing field with no such value
    # (industry, IPC, offer "none") is simply not offered.
    "patent_type": {t.value: t.label for t in PatentType} | {"unknown": "未标注"},
    "legal_status": {s.value: s.label for s in LegalStatus},
    "owner_kind": {OrgKind.UNIVERSITY.value: "高校", OrgKind.INSTITUTE.value: "科研院所"},
    "region": {r: r for r in REGIONS},
    "industry": {i: i for i in INDUSTRIES},
    "ipc_section": {k: f"{k} {v}" for k, v in IPC_SECTIONS.items()},
    # licence offers (推动免费或低价许可): only patents whose owner published terms
    "offer": {"active": "已发布许可条件"},
    "licence_type": {t.value: t.label for t in LicenceType},
    "payment_mode": {m.value: m.label for m in PaymentMode},
}
NEED_FILTERS: dict[str, dict[str, str]] = {
    "industry": {i: i for i in INDUSTRIES},
    "region": {r: r for r in REGIONS},
    "state": {s.value: s.label for s in NeedState},
}


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    filters: Mapping[str, str] = field(default_factory=dict)
    ipc: str = ""          # class or subclass prefix, e.g. "H01" or "H01M"
    sort: str = "relevance"   # or "date" (newest first), "free" (longest free period first)
    page: int = 1
    per_page: int = 20
    include_unavailable: bool = False
    free_min: int | None = None       # months: an active offer with at least this free period
    fee_max_wan: float | None = None  # 万元: an active offer asking at most this fixed amount


@dataclass(frozen=True)
class SearchHit:
    id: int
    title: str      # escaped HTML with <mark> around matched words (pages)
    snippet: str    # the same, an excerpt of the body
    score: float
    obj: object
    partial: bool = False   # has only some of the query's words (after the full matches)

    @property
    def plain_title(self) -> str:
        """The title as text, without markup (the JSON API's `title`)."""
        return unmark(self.title)

    @property
    def plain_snippet(self) -> str:
        return unmark(self.snippet)


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class SearchPage:
    request: SearchRequest
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[FacetValue]]
    suggestions: list[str] = field(default_factory=list)
    relaxable: list[str] = field(default_factory=list)
    truncated: bool = False
    partial: bool = False    # nothing had every query word: these hits have some of them

    @property
    def partial_from(self) -> int | None:
        """Index of the first hit that has only some of the query's words, if any."""
        return next((i for i, h in enumerate(self.hits) if h.partial), None)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))


def _clean_filters(raw: Mapping[str, str], allowed: dict[str, dict[str, str]]) -> dict[str, str]:
    """Unknown filter names or values are ignored rather than failing the search."""
    return {k: v for k, v in raw.items() if k in allowed and v in allowed[k]}


def search_patents(session: Session, backend: SearchBackend, actor: User | None,
                   req: SearchRequest, *, today: date | None = None) -> SearchPage:
    """Free text + filters + facets over patents; by default only listed, valid, unexpired ones."""
    today = today or date.today()
    filters = _clean_filters(req.filters, PATENT_FILTERS)
    must: dict[str, list[str]] = {k: [v] for k, v in filters.items()}
    ranges: dict[str, tuple[int | None, int | None]] = {}
    ipc = "".join(req.ipc.split()).lower()[:4]
    if ipc:
        must["ipc"] = [ipc]
    if not (req.include_unavailable and permissions.is_operator(actor)):
        # Everyone else sees only what can be licensed: a status filter narrows, never widens.
        offered = [LegalStatus.VALID.value, LegalStatus.UNKNOWN.value]
        must["listing_state"] = [ListingState.LISTED.value]
        must["legal_status"] = [v for v in must.get("legal_status", offered) if v in offered] \
            or ["none"]
        ranges["expiry"] = (day_number(today), None)
    if req.free_min:
        ranges["free_months"] = (req.free_min, None)
    if req.fee_max_wan is not None:
        ranges["fee_yuan"] = (None, int(req.fee_max_wan * 10_000))
    visible = {k: must[k] for k in ("listing_state", "legal_status") if k in must}
    return _run(session, backend, PATENT, req, must, ranges, filters, PATENT_FILTERS,
                lambda ids: _load(session, Patent, ids, selectinload(Patent.owner),
                                  selectinload(Patent.offers)),
                lambda p: (p.display_title, p.abstract), visible)


def search_needs(session: Session, backend: SearchBackend, actor: User | None,
                 req: SearchRequest) -> SearchPage:
    """Needs search for stations, suppliers and operators (enterprises see only their own list)."""
    if not permissions.can_search_needs(actor):
        raise PermissionDenied("需求检索仅对高校院所、创新驿站和运营方开放")
    filters = _clean_filters(req.filters, NEED_FILTERS)
    must: dict[str, list[str]] = {k: [v] for k, v in filters.items()}
    if "state" not in filters:
        must["state"] = [NeedState.OPEN.value]
    return _run(session, backend, NEED, req, must, {}, filters, NEED_FILTERS,
                lambda ids: _load(session, Need, ids, selectinload(Need.enterprise)),
                lambda n: (n.title, n.description), {})


def _finds_visible(backend, kind, word: str, visible: dict, ranges: dict) -> bool:
    """A suggestion must find something the user may see (the lexicon keeps words of deleted
    and hidden documents)."""
    return backend.search(kind, TextQuery(words=(word,)), filters=visible, ranges=ranges,
                          limit=1).total > 0


def _run(session, backend, kind, req, must, ranges, filters, allowed, load, texts,
         visible: dict) -> SearchPage:
    text_query, truncated = parse_text(req.q)
    page = min(max(req.page, 1), MAX_PAGE)
    per_page = min(max(req.per_page, 1), 100)
    sort = req.sort if req.sort in ("date", "free") else "relevance"

    def run(query, facets=list(allowed), offset=(page - 1) * per_page, limit=per_page):
        return backend.search(kind, query, filters=must, ranges=ranges, facets=facets, sort=sort,
                              offset=offset, limit=limit, with_terms=True)
    res, partial = run(text_query), False
    found = [(h, False) for h in res.hits]
    if relaxable_query(text_query):
        relaxed = replace(text_query, require_all=False)
        if res.total == 0:
            res = run(relaxed)
            partial = res.total > 0
            found = [(h, True) for h in res.hits]
        elif page == 1 and sort == "relevance" and res.total < per_page:
            # A short list of full matches goes on with the best partial ones, labelled.
            shown = {h.id for h in res.hits}
            more = run(relaxed, facets=[], offset=0, limit=per_page + len(shown)).hits
            found += [(h, True) for h in more if h.id not in shown][:per_page - len(shown)]
    objects = load([h.id for h, _ in found])
    wanted = set(text_query.words) | {alt.text for c in text_query.concepts
                                      for alt in c.alternatives}
    hits = []
    for h, is_partial in found:
        obj = objects.get(h.id)
        if obj is None:  # index ahead of the database; the outbox will catch up
            continue
        title, body = texts(obj)
        terms = set(h.matched_terms) | wanted
        hits.append(SearchHit(id=h.id, title=snippet(title, terms, width=200),
                              snippet=snippet(body, terms), obj=obj,
                              # sorted by date, Whoosh's "score" is the sort key: no relevance
                              score=round(h.score, 3) if sort == "relevance" else 0.0,
                              partial=is_partial))
    facets = {name: sorted((FacetValue(v, allowed[name].get(v, v), c, filters.get(name) == v)
                            for v, c in res.facets.get(name, {}).items() if v in allowed[name]),
                           key=lambda f: -f.count)
              for name in allowed}
    suggestions, relaxable = [], []
    if res.total == 0:   # not even a partial match: a typo (光伏组建) or a filter too many
        relaxable = sorted(filters) + [name for name, on in (
            ("ipc", req.ipc), ("free_min", req.free_min), ("fee_max", req.fee_max_wan is not None)) if on]
        suggestions = [w for w in suggest(backend, kind, text_query.words)
                       if _finds_visible(backend, kind, w, visible, ranges)]
    return SearchPage(request=req, total=res.total, hits=hits, facets=facets,
                      suggestions=suggestions, relaxable=relaxable, truncated=truncated,
                      partial=partial)


def relaxable_query(query: TextQuery) -> bool:
    """Whether the any-concept fallback can find more than the query did: there are several
    concepts, or a part of several words (棉花采摘机) whose words may then match alone."""
    return len(query.concepts) > 1 or any(
        not c.alternatives[0].is_word and any(len(w) >= 2 for w in c.alternatives[0].words)
        for c in query.concepts)


def _load(session: Session, model, ids: list[int], *options) -> dict[int, object]:
    if not ids:
        return {}
    return {o.id: o for o in session.scalars(select(model).where(model.id.in_(ids)).options(*options))}


def suggest(backend: SearchBackend, kind: str, words: tuple[str, ...], limit: int = 5) -> list[str]:
    """Did-you-mean: index vocabulary words closest to the query words (rapidfuzz)."""
    vocab = backend.vocabulary(kind)
    if not vocab or not words:
        return []
    found: dict[str, float] = {}
    for word in words[:8]:
        for cand, score, _ in process.extract(word, vocab, scorer=fuzz.ratio, limit=3,
                                              score_cutoff=60):
            if cand != word:
                found[cand] = max(found.get(cand, 0), score)
    return [w for w, _ in sorted(found.items(), key=lambda kv: -kv[1])[:limit]]
