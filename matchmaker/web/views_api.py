"""JSON API: search endpoints answering structured JSON (errors too, see errors.py), and their
OpenAPI description."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..search.serialize import page_json
from ..search.service import search_needs, search_patents
from .context import actor, db, runtime
from .openapi import build_spec
from .search_params import search_request

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/patents/search")
def patents_search():
    """Search listed patents: `q`, filters, `ipc`, `sort`, `page`, `per_page`."""
    page = search_patents(db(), runtime().search, actor(), search_request(request.args, "patent"))
    return jsonify(page_json(page))


@bp.get("/needs/search")
def needs_search():
    """Search needs (login required: stations, universities/institutes, operators)."""
    if actor() is None:
        return jsonify({"error": {"code": "Unauthorized", "message": "请先登录"}}), 401
    page = search_needs(db(), runtime().search, actor(), search_request(request.args, "need"))
    return jsonify(page_json(page))


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API (public, like the API's documentation)."""
    return jsonify(build_spec())
