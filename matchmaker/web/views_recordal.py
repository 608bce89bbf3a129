"""Recordal (备案) of a deal's licence contract: the form on the deal page posts here.

Recordal is its own step with CNIPA (licensing/recordal.py), not a deal transition, so its view
lives apart from the deal pages; on a refused entry it shows the deal page again with the form's
errors (views_deals renders it)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import login_required

from .. import clock
from ..errors import Conflict, PermissionDenied, ValidationError
from ..licensing import deals, recordal
from .context import actor, db
from .forms import FilingForm, apply_errors
from .views_deals import detail_page, form_version, optional_date

bp = Blueprint("recordal", __name__)


@bp.route("/deals/<int:deal_id>/filing", methods=["POST"])
@login_required
def filing(deal_id: int):
    """Record the recordal number/date and the technology-contract registration number."""
    form = FilingForm()
    if form.validate_on_submit():
        version = form_version(form.version.data)
        try:
            recordal.record_filing(db(), actor(), deal_id, expected_version=version,
                                   recordal_no=form.recordal_no.data or "",
                                   recordal_date=optional_date(form.recordal_date.data, "recordal_date"),
                                   contract_reg_no=form.contract_reg_no.data or "", today=clock.today())
        except ValidationError as exc:
            db().rollback()
            apply_errors(form, exc)
            return detail_page(deals.get_deal(db(), actor(), deal_id), filing=form, status=422)
        except (Conflict, PermissionDenied) as exc:
            db().rollback()
            flash(exc.message, "error")
            return redirect(url_for("deals.detail", deal_id=deal_id))
        db().commit()
        flash("备案信息已登记", "success")
    return redirect(url_for("deals.detail", deal_id=deal_id))
