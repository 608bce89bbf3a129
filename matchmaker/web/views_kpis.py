"""KPI dashboard for operators (all stations) and stations (their own deals)."""
from __future__ import annotations

import io
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from .. import clock
from ..custody.kpis import TARGET_KEY as CUSTODY_TARGET_KEY
from ..indicators.targets import set_target
from ..indicators.definitions import INDICATORS
from ..indicators.export import indicator_rows
from ..indicators.table import build_table
from ..indicators.targets import set_target
from ..models import REGIONS
from ..errors import ValidationError
from ..licensing.kpi_export import kpis_csv, kpis_xlsx
from ..licensing.kpis import FIRST_YEAR, LICENCE_GROWTH_TARGET, VALUE_GROWTH_TARGET, compute_kpis
from .auth import require_kinds
from .context import actor, db
from .params import arg_date, arg_int

bp = Blueprint("kpis", __name__, url_prefix="/kpis")


def _params() -> dict:
    """?as_of=YYYY-MM-DD&from_year=&to_year=; bad values fall back to the defaults (shown).
    KPIs start in FIRST_YEAR: an earlier date or year is no figure of this platform."""
    today = clock.today()
    as_of = min(arg_date("as_of", low=date(FIRST_YEAR, 1, 1)) or today, today)

    def year(name: str) -> int | None:
        return arg_int(name, low=FIRST_YEAR, high=as_of.year)
    station_id = actor().organization_id if actor().organization.kind.value == "station" else None
    return {"as_of": as_of, "first_year": year("from_year"), "last_year": year("to_year"),
            "station_id": station_id}


def _indicators(k) -> list:
    """The plan's indicator table (the platform's: not on a station's own page)."""
    if k.station_id is not None:
        return []
    return build_table(db(), first_year=k.first_year, last_year=k.last_year, as_of=k.as_of)


@bp.route("/")
@require_kinds("operator", "station")
def index():
    k = compute_kpis(db(), **_params())
    return render_template("kpis/index.html", k=k, licence_target=LICENCE_GROWTH_TARGET,
                           value_target=VALUE_GROWTH_TARGET, indicators=_indicators(k),
                           indicator_defs=INDICATORS, regions=REGIONS)


@bp.route("/export.<fmt>")
@require_kinds("operator", "station")
def export(fmt: str):
    k = compute_kpis(db(), **_params())
    name = f"指标-{k.as_of}"
    rows = _indicators(k)
    extra = [("规划指标表", indicator_rows(rows))] if rows else []
    if fmt == "csv":
        return send_file(io.BytesIO(kpis_csv(k, extra)), mimetype="text/csv", as_attachment=True,
                         download_name=f"{name}.csv")
    if fmt == "xlsx":
        return send_file(io.BytesIO(kpis_xlsx(k, extra)), as_attachment=True, download_name=f"{name}.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    abort(404)


@bp.app_template_filter("zip_bars")
def zip_bars(labels, values) -> list[tuple]:
    return list(zip(list(labels), list(values)))


@bp.app_template_filter("wan_number")
def wan_number(yuan) -> float:
    return round((yuan or 0) / 10_000, 1)


@bp.app_template_filter("state_bar")
def state_bar(item) -> tuple[str, int]:
    from ..models import DealState
    state, count = item
    return DealState(state).label, count


@bp.post("/custody-plan")
@require_kinds("operator")
def custody_plan():
    """The operator sets a year's cumulative target of SMEs under custody."""
    try:
        set_target(db(), actor(), CUSTODY_TARGET_KEY, request.form.get("year"),
                   request.form.get("value"))
    except ValidationError as exc:
        db().rollback()
        flash(exc.message, "error")
    else:
        db().commit()
        flash("已设置托管覆盖目标", "success")
    return redirect(url_for("kpis.index", _anchor="kpi-custody"))


@bp.post("/targets")
@require_kinds("operator")
def targets():
    """The operator sets a year's milestone of any indicator, for the platform, a region or a
    district (the custody form above is one case of it)."""
    form = request.form
    try:
        set_target(db(), actor(), form.get("key"), form.get("year"), form.get("value"),
                   region=form.get("region", ""), district=form.get("district", ""))
    except ValidationError as exc:
        db().rollback()
        flash(exc.message, "error")
    else:
        db().commit()
        flash("已设置年度目标", "success")
    return redirect(url_for("kpis.index", _anchor="kpi-indicators"))
