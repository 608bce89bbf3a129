"""`/healthz` for load balancers and monitoring: status words and counts, details to the log."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify

from .. import health
from .context import runtime
from .request_log import current_request_id

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz():
    """200 while the database answers (pages work); `status` is "degraded" when jobs are
    overdue (no worker renews them) or the index is missing or broken (search is down,
    `matchmaker index rebuild` restores it); 503 when the database is unreachable. The
    answer is public: why something failed goes to the log, never into the response."""
    report = health.check(runtime())
    for detail in report.details:
        log.warning("healthz %s: %s", report.status, detail,
                    extra={"fields": {"request_id": current_request_id()}})
    return jsonify(report.body), 503 if report.status == "down" else 200
