"""Search pages: full-text patent search for everyone, needs search for suppliers, stations and
operators. The views only translate HTTP; matchmaker.search.service does the work."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping

from flask import Blueprint, render_template, request, url_for
from flask_login import login_required

from .. import permissions
from ..search.query import MAX_QUERY_CHARS
from ..search.service import (MAX_PAGE, NEED_FILTERS, PATENT_FILTERS, SearchPage, SearchRequest,
                              search_needs, search_patents)
from .context import actor, db, runtime
from .pagination import Page
from .search_params import search_request

bp = Blueprint("search", __name__, url_prefix="/search")

# Sidebar order and Chinese headings of the filter groups.
PATENT_GROUPS = {"offer": "许可条件", "licence_type": "许可方式", "payment_mode": "付费方式",
                 "patent_type": "专利类型", "ipc_section": "IPC 部", "industry": "产业领域",
                 "legal_status": "法律状态", "owner_kind": "权利人类型", "region": "所在地区"}
NEED_GROUPS = {"industry": "产业领域", "region": "所在地区", "state": "需求状态"}


@dataclass(frozen=True)
class SearchLinks:
    """URLs of the current search with one thing changed; every other parameter is kept."""

    endpoint: str
    args: Mapping[str, str]  # the current search's non-empty parameters, without `page`

    @classmethod
    def of(cls, endpoint: str, req: SearchRequest, allowed: dict[str, dict[str, str]],
           include_unavailable: bool) -> "SearchLinks":
        """Only meaningful parameters survive, so links never carry junk from the address bar.
        The service reads at most MAX_QUERY_CHARS of the query, so links carry no more."""
        args = {"q": req.q[:MAX_QUERY_CHARS], "ipc": req.ipc.strip(),
                "sort": req.sort if req.sort != "relevance" else "",
                "free_min": str(req.free_min) if req.free_min else "",
                "fee_max": f"{req.fee_max_wan:g}" if req.fee_max_wan is not None else ""}
        args |= {k: v for k, v in req.filters.items() if v in allowed.get(k, {})}
        if include_unavailable:
            args["all"] = "1"
        if request.args.get("per_page"):
            args["per_page"] = str(req.per_page)
        return cls(endpoint, {k: v for k, v in args.items() if v})

    def url(self, **changes: str | int | None) -> str:
        """This search with `changes` applied (None drops a parameter); back to page 1 unless
        `page` is given, because a changed search starts over."""
        args = {**self.args, **changes}
        return url_for(self.endpoint, **{k: v for k, v in args.items() if v not in (None, "")})

    def cleared(self) -> str:
        """This search without any filter: keywords, sort and options only."""
        keep = ("q", "sort", "all", "per_page")
        return url_for(self.endpoint, **{k: v for k, v in self.args.items() if k in keep})

    def hidden(self, *exclude: str) -> list[tuple[str, str]]:
        """(name, value) pairs for hidden inputs of a GET form that changes `exclude`."""
        return [(k, v) for k, v in self.args.items() if k not in exclude]


@dataclass(frozen=True)
class SearchPager(Page):
    """Pagination for search results: at most MAX_PAGE pages (the service's limit), and page
    links built from the cleaned search parameters."""

    links: SearchLinks | None = None

    @property
    def pages(self) -> int:
        return min(super().pages, MAX_PAGE)

    def url(self, number: int) -> str:
        return self.links.url(page=number if number > 1 else None)


@dataclass(frozen=True)
class Chip:
    """A selected filter shown above the results, with the link that removes it."""

    name: str
    label: str
    remove_url: str


def _chips(links: SearchLinks, groups: dict[str, str],
           allowed: dict[str, dict[str, str]]) -> list[Chip]:
    chips = [Chip(name, f"{heading}：{allowed[name][links.args[name]]}", links.url(**{name: None}))
             for name, heading in groups.items() if name in links.args]
    if "ipc" in links.args:
        chips.append(Chip("ipc", f"IPC 分类：{links.args['ipc'].upper()}", links.url(ipc=None)))
    if "free_min" in links.args:
        chips.append(Chip("free_min", f"免费试用 ≥ {links.args['free_min']} 个月",
                          links.url(free_min=None)))
    if "fee_max" in links.args:
        chips.append(Chip("fee_max", f"固定费用 ≤ {links.args['fee_max']} 万元", links.url(fee_max=None)))
    return chips


def _render(template: str, kind: str, page: SearchPage, groups: dict[str, str],
            allowed: dict[str, dict[str, str]], include_unavailable: bool):
    req = page.request
    links = SearchLinks.of(request.endpoint, req, allowed, include_unavailable)
    has_query = bool(req.q.strip())
    return render_template(
        template, kind=kind, result=page, req=req, links=links, groups=groups, filters=allowed,
        chips=_chips(links, groups, allowed), has_query=has_query,
        sort=req.sort if req.sort != "relevance" or has_query else "date",
        pager=SearchPager(items=page.hits, total=page.total, number=req.page, per_page=req.per_page,
                          links=links),
        max_query_chars=MAX_QUERY_CHARS, today=date.today(),
        relax=[(name, links.url(**{name: None})) for name in page.relaxable],
    )


@bp.get("/patents")
def patents():
    """Patent search: keywords, facets, sorting; operators may include unavailable patents."""
    req = search_request(request.args, "patent")
    page = search_patents(db(), runtime().search, actor(), req)
    operator = permissions.is_operator(actor())
    return _render("search/patents.html", "patent", page, PATENT_GROUPS, PATENT_FILTERS,
                   req.include_unavailable and operator)


@bp.get("/needs")
@login_required
def needs():
    """Needs search (PermissionDenied, i.e. a 403 page, for enterprises)."""
    req = search_request(request.args, "need")
    page = search_needs(db(), runtime().search, actor(), req)
    return _render("search/needs.html", "need", page, NEED_GROUPS, NEED_FILTERS, False)
