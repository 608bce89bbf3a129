"""JSON API: search endpoints answering structured JSON (errors too, see errors.py), and their
OpenAPI description."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..models import Patent
from ..search.service import SearchHit, SearchPage, search_needs, search_patents
from .context import actor, db, runtime
from .openapi import build_spec
from .search_params import search_request

bp = Blueprint("api", __name__, url_prefix="/api")


def _hit_json(hit: SearchHit) -> dict:
    """Plain `title` and `snippet`; the same marked up (escaped HTML, only <mark>) under
    `highlight`. Patents carry their application number; both kinds their source id."""
    out = {"id": hit.id, "source_id": hit.obj.source_id, "title": hit.plain_title,
           "snippet": hit.plain_snippet, "score": hit.score,
           "highlight": {"title": hit.title, "snippet": hit.snippet}}
    if isinstance(hit.obj, Patent):
        out["app_no"] = hit.obj.app_no
    return out


def _page_json(page: SearchPage) -> dict:
    return {
        "total": page.total, "page": page.request.page, "per_page": page.request.per_page,
        "match": "partial" if page.partial else "all",
        "results": [_hit_json(h) for h in page.hits],
        "facets": {name: {f.value: f.count for f in values} for name, values in page.facets.items()},
        "suggestions": page.suggestions, "relaxable": page.relaxable, "truncated": page.truncated,
    }


@bp.get("/patents/search")
def patents_search():
    """Search listed patents: `q`, filters, `ipc`, `sort`, `page`, `per_page`."""
    page = search_patents(db(), runtime().search, actor(), search_request(request.args, "patent"))
    return jsonify(_page_json(page))


@bp.get("/needs/search")
def needs_search():
    """Search needs (login required: stations, universities/institutes, operators)."""
    if actor() is None:
        return jsonify({"error": {"code": "Unauthorized", "message": "请先登录"}}), 401
    page = search_needs(db(), runtime().search, actor(), search_request(request.args, "need"))
    return jsonify(_page_json(page))


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API (public, like the API's documentation)."""
    return jsonify(build_spec())
