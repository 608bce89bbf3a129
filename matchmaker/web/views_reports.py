"""The operator's annual report (printable page and XLSX) and the parties' consent to be named
in its success cases (a form on the deal page)."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from .. import clock
from ..licensing.deals import get_deal
from ..licensing.kpis import FIRST_YEAR
from ..reports.annual import build_report
from ..reports.consent import set_consent
from ..reports.export import report_xlsx
from .auth import require_kinds
from .context import actor, db

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= clock.today().year:
        abort(404)
    return year


@bp.route("/<int:year>")
@require_kinds("operator")
def annual(year: int):
    report = build_report(db(), _year(year), today=clock.today())
    return render_template("reports/annual.html", report=report)


@bp.route("/<int:year>.xlsx")
@require_kinds("operator")
def annual_xlsx(year: int):
    report = build_report(db(), _year(year), today=clock.today())
    return send_file(io.BytesIO(report_xlsx(report)), as_attachment=True,
                     download_name=f"{year}年度知识产权运营报告.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.app_context_processor
def consent_helpers() -> dict:
    def deal_consent(deal) -> dict | None:
        """For the deal page: whether the viewer's side and both sides consented (None: the
        viewer is not the licensor or the licensee)."""
        from ..reports.consent import both_consented, consents, party_org
        user = actor()
        org = party_org(user, deal) if user else None
        if org is None:
            return None
        given = consents(db(), [deal.id]).get(deal.id, set())
        return {"mine": org in given, "both": both_consented(deal, given)}
    return {"deal_consent": deal_consent}


@bp.post("/consent/deals/<int:deal_id>")
@login_required
def consent(deal_id: int):
    """The licensor or licensee agrees (or no longer agrees) to be named with this deal."""
    get_deal(db(), actor(), deal_id)
    agree = request.form.get("consent") == "1"
    set_consent(db(), actor(), deal_id, agree)
    db().commit()
    flash("已同意在年度报告的成功案例中署名展示" if agree else "已撤回署名同意", "success")
    return redirect(url_for("deals.detail", deal_id=deal_id, _anchor="publicity"))
