"""OpenAPI 3 description of the JSON API (served at /api/openapi.json, fuzzed by the tests).

Built from the same tables the views use (search filters, limits), so a new filter value or
limit shows up here without a second list to keep in step.
"""
from __future__ import annotations

from importlib import metadata
from typing import Any

from ..search.query import MAX_QUERY_CHARS
from ..search.service import MAX_PAGE, NEED_FILTERS, PATENT_FILTERS

_ERROR_REF = {"$ref": "#/components/schemas/Error"}

# Status → description of the error answers; every one has the Error body (errors.py).
ERROR_STATUSES = {
    "400": "请求无效",
    "401": "未登录（需求检索需要登录）",
    "403": "无权访问（企业用户不能检索需求）",
    "422": "参数校验失败（fields 列出各字段的问题）",
}


def _enum_param(name: str, values: dict[str, str], description: str) -> dict:
    labels = "；".join(f"{value}={label}" for value, label in values.items())
    return {"name": name, "in": "query", "required": False,
            "description": f"{description}（{labels}）；未知取值被忽略",
            "schema": {"type": "string", "enum": list(values)}}


def _common_params() -> list[dict]:
    """Parameters both searches read (see search_params.search_request)."""
    return [
        {"name": "q", "in": "query", "required": False,
         "description": f"检索词，纯文本：AND/OR/NOT、引号、* 等都按普通文字处理；"
                        f"最多读取前 {MAX_QUERY_CHARS} 个字符",
         "schema": {"type": "string"}},
        {"name": "sort", "in": "query", "required": False,
         "description": "排序：relevance（相关度，默认）、date（日期）或 free（免费试用期最长，仅专利）；其他取值按相关度",
         "schema": {"type": "string", "enum": ["relevance", "date", "free"]}},
        {"name": "page", "in": "query", "required": False,
         "description": f"页码，从 1 开始（最多 {MAX_PAGE} 页）；无法解析时为第 1 页",
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
        {"name": "per_page", "in": "query", "required": False,
         "description": "每页条数（1–100）；超出范围时取最近的边界值",
         "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
    ]


def _patent_params() -> list[dict]:
    headings = {"patent_type": "专利类型", "legal_status": "法律状态", "owner_kind": "权利人类型",
                "region": "所在地区", "industry": "产业领域", "ipc_section": "IPC 部",
                "offer": "许可条件", "licence_type": "许可方式", "payment_mode": "付费方式"}
    return _common_params() + [
        _enum_param(name, values, headings.get(name, name)) for name, values in PATENT_FILTERS.items()
    ] + [
        {"name": "ipc", "in": "query", "required": False,
         "description": "IPC 分类前缀，如 H01 或 H01M（最多读取 8 个字符）",
         "schema": {"type": "string"}},
        {"name": "all", "in": "query", "required": False,
         "description": "1 = 同时检索未上架、失效或过期的专利（仅平台运营方有效）",
         "schema": {"type": "string", "enum": ["0", "1"]}},
        {"name": "free_min", "in": "query", "required": False,
         "description": "只看免费试用期至少这么多个月的许可条件（1–120）；无法解析时忽略",
         "schema": {"type": "integer", "minimum": 1, "maximum": 120}},
        {"name": "fee_max", "in": "query", "required": False,
         "description": "只看固定费用（一次性、入门费或转让价）不超过这么多万元的许可条件；0 = 只按提成付费",
         "schema": {"type": "number", "minimum": 0, "maximum": 100000}},
    ]


def _need_params() -> list[dict]:
    headings = {"industry": "产业领域", "region": "所在地区", "state": "需求状态"}
    return _common_params() + [
        _enum_param(name, values, headings.get(name, name)) for name, values in NEED_FILTERS.items()
    ]


def _responses(*errors: str) -> dict:
    out: dict[str, Any] = {"200": {"description": "检索结果",
                                   "content": {"application/json": {
                                       "schema": {"$ref": "#/components/schemas/SearchPage"}}}}}
    for status in errors:
        out[status] = {"description": ERROR_STATUSES[status],
                       "content": {"application/json": {"schema": _ERROR_REF}}}
    return out


def _schemas() -> dict:
    return {
        "SearchHit": {
            "type": "object",
            "required": ["id", "source_id", "title", "snippet", "score", "partial", "highlight"],
            "properties": {
                "id": {"type": "integer"},
                "source_id": {"type": ["string", "null"], "description": "导入来源中的编号"},
                "app_no": {"type": ["string", "null"], "description": "申请号（仅专利）"},
                "title": {"type": "string", "description": "纯文本标题（无标记）"},
                "snippet": {"type": "string", "description": "纯文本摘要片段"},
                "score": {"type": "number"},
                "offer": {"type": ["object", "null"], "description": "生效中的许可条件摘要（仅专利）",
                          "properties": {
                              "licence_types": {"type": "array", "items": {"type": "string"}},
                              "payment_modes": {"type": "array", "items": {"type": "string"}},
                              "free_months": {"type": "integer", "description": "最长免费试用期（月）"},
                              "fee_yuan": {"type": "integer", "description": "最低固定费用（元，仅提成为 0）"}}},
                "partial": {"type": "boolean",
                            "description": "只包含部分检索词（排在包含全部检索词的结果之后）"},
                "highlight": {
                    "type": "object", "required": ["title", "snippet"],
                    "description": "已转义的 HTML，只有 <mark> 是标记",
                    "properties": {"title": {"type": "string"}, "snippet": {"type": "string"}},
                },
            },
        },
        "SearchPage": {
            "type": "object",
            "required": ["total", "page", "per_page", "match", "results", "facets", "suggestions",
                         "relaxable", "truncated"],
            "properties": {
                "total": {"type": "integer", "minimum": 0},
                "match": {"type": "string", "enum": ["all", "partial"],
                          "description": "all：结果包含全部检索词；partial：没有同时包含全部词的结果，以下为部分匹配"},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
                "results": {"type": "array", "items": {"$ref": "#/components/schemas/SearchHit"}},
                "facets": {"type": "object", "description": "分面：过滤项 → {取值: 数量}",
                           "additionalProperties": {
                               "type": "object",
                               "additionalProperties": {"type": "integer", "minimum": 0}}},
                "suggestions": {"type": "array", "items": {"type": "string"},
                                "description": "没有结果时的近似词"},
                "relaxable": {"type": "array", "items": {"type": "string"},
                              "description": "没有结果时可以去掉的过滤项"},
                "truncated": {"type": "boolean",
                              "description": f"检索词超过 {MAX_QUERY_CHARS} 个字符而被截断"},
            },
        },
        "Error": {
            "type": "object", "required": ["error"],
            "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "description": "机器可读的错误类型"},
                    "message": {"type": "string", "description": "给用户看的中文说明"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"},
                               "description": "字段 → 中文说明（仅校验错误）"},
                },
            }},
        },
    }


def _version() -> str:
    try:
        return metadata.version("matchmaker")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


def build_spec() -> dict:
    """The OpenAPI 3.0 document of /api/*."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "专利供需对接平台 API", "version": _version(),
                 "description": "检索接口；错误一律返回 {\"error\": {\"code\", \"message\", \"fields\"?}}"},
        "paths": {
            "/api/patents/search": {"get": {
                "operationId": "searchPatents", "summary": "检索已上架的专利（无需登录）",
                "parameters": _patent_params(), "responses": _responses("400", "422"),
                "security": [{}, {"sessionCookie": []}],
            }},
            "/api/needs/search": {"get": {
                "operationId": "searchNeeds",
                "summary": "检索技术需求（需登录：高校院所、创新驿站、运营方）",
                "parameters": _need_params(), "responses": _responses("400", "401", "403", "422"),
                "security": [{"sessionCookie": []}],
            }},
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"sessionCookie": {
                "type": "apiKey", "in": "cookie", "name": "session",
                "description": "登录后浏览器会话的 Cookie"}},
        },
    }
