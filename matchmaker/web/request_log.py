"""One structured (JSON) log line per request, tied together by a request id.

The id comes from the proxy's `X-Request-ID` when it looks like one, else is generated; it is
returned in the response header so a user's report can be found in the logs.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, request

log = logging.getLogger("matchmaker.request")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                "logger": record.name, "message": record.getMessage()}
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class ReadableFormatter(logging.Formatter):
    """One short line per request for a developer's console: `12:40:06 GET /inbox 200 7.8 ms`."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", {})
        if record.getMessage() == "request" and "path" in fields:
            line = (f"{self.formatTime(record, '%H:%M:%S')} {fields['method']} {fields['path']} "
                    f"{fields['status']} {fields.get('duration_ms')} ms")
        else:
            line = f"{self.formatTime(record, '%H:%M:%S')} {record.levelname} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(level: int = logging.INFO, *, readable: bool = False) -> None:
    """JSON lines on stderr for the matchmaker loggers (once per process); `readable`: short
    text lines for the development server, whose own per-request log is silenced so each
    request is logged once."""
    root = logging.getLogger("matchmaker")
    if any(getattr(h, "_matchmaker", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ReadableFormatter() if readable else JsonFormatter())
    if readable:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    handler._matchmaker = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


def current_request_id() -> str:
    return g.get("request_id", "")


def register(app: Flask) -> None:
    from .. import audit
    audit.add_resolver(audit_actor)

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        started = g.get("request_started")
        # The user's id only: Flask-Login's get_id() is "id:session_token", and a token in a log
        # plus the secret key is enough to forge that user's session cookie.
        user_id = _logged_in_user_id()
        log.info("request", extra={"fields": {
            "request_id": request_id, "method": request.method, "path": request.path,
            "status": response.status_code, "user": user_id,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "remote": request.remote_addr, "bytes": response.calculate_content_length()}})
        return response


def _logged_in_user_id() -> int | None:
    """The logged-in user's numeric id, or None (visitors, and pages rendered without a user)."""
    from flask_login import current_user
    if current_user and current_user.is_authenticated:
        return current_user.id
    return None


def audit_actor():
    """The audit trail's "who" inside a request: the logged-in user, or the visitor."""
    from flask import has_request_context
    from flask_login import current_user
    if not has_request_context():
        return None
    request_id = g.get("request_id", "")
    if current_user and current_user.is_authenticated:
        user = current_user
        return user.id, f"{user.display_name}（{user.organization.name}）", request_id
    return None, "访客", request_id

