"""Translate domain and HTTP errors in one place: JSON under /api/, a Chinese page elsewhere."""
from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from ..errors import MatchmakerError, ValidationError

log = logging.getLogger(__name__)

HTTP_MESSAGES = {
    400: "请求无效", 401: "请先登录", 403: "无权访问此页面", 404: "页面或记录不存在",
    405: "不支持该请求方式", 413: "上传的文件太大", 429: "操作过于频繁，请稍后再试",
    500: "服务器内部错误，请稍后再试", 503: "服务暂时不可用，请稍后再试",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str, code: str, fields: dict | None = None):
    if wants_json():
        body = {"error": {"code": code, "message": message}}
        if fields:
            body["error"]["fields"] = fields
        return jsonify(body), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(MatchmakerError)
    def domain_error(exc: MatchmakerError):
        fields = exc.errors if isinstance(exc, ValidationError) else None
        return error_response(exc.status, exc.message, type(exc).__name__, fields)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(exc):
        """The database is down or unreachable: say so (503) instead of a 500; the pool's
        pre-ping and the next request's fresh session recover once it is back."""
        from flask import g

        from .context import close_session
        # Render the page as a visitor: loading the user would need the database again.
        g._login_user = current_app.login_manager.anonymous_user()
        log.warning("database unavailable: %s", str(exc).splitlines()[0][:200])
        try:
            close_session()
        except Exception:  # the session may be unusable; it is being dropped anyway
            pass
        text = str(exc).lower()
        disk_full = "disk is full" in text or "no space left" in text or \
            getattr(getattr(exc, "orig", None), "sqlstate", "") == "53100"
        message = ("服务器磁盘空间不足，操作未完成，没有写入任何数据；请联系平台运营方" if disk_full
                   else "数据库暂时不可用，请稍后再试")
        response = make_response(error_response(503, message, "DiskFull" if disk_full
                                                 else "DatabaseUnavailable"))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_response(400, "表单已过期或缺少安全令牌，请刷新页面后重试", "CSRFError")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        message = HTTP_MESSAGES.get(status, exc.description or "请求失败")
        if status == 413 and "matchmaker" in current_app.extensions:
            message += f"（上限 {current_app.extensions['matchmaker'].settings.max_upload_mb} MB）"
        return error_response(status, message,
                              exc.name.replace(" ", ""))
