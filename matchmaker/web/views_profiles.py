"""Enterprise profiles (企业画像): the enterprise or its broker fills them in; operators and
stations find enterprises by region, district, size class and priority."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from .. import clock
from ..errors import PermissionDenied
from ..models import REGIONS
from ..models.profile import SizeClass
from ..permissions import acts_for
from ..profiles import service as svc
from ..profiles.districts import DISTRICTS, districts_of
from .auth import require_kinds
from .context import actor, db
from .forms import commit_or_show_errors
from .forms_events import ProfileForm

bp = Blueprint("profiles", __name__, url_prefix="/enterprises")
SIZE_FILTERS = [("", "全部规模"), ("sme", "中小微企业")] + SizeClass.choices() + [("unknown", "未填写画像")]


@bp.route("/")
@require_kinds("operator", "station")
def index():
    """Enterprises with their profiles (a station: its clients), filtered."""
    region = request.args.get("region", "")
    size = request.args.get("size", "")
    flt = svc.ProfileFilter(region=region if region in REGIONS else "",
                            district=(request.args.get("district") or "")[:32],
                            size=size if size in dict(SIZE_FILTERS) else "",
                            priority=request.args.get("priority") == "1")
    year = clock.today().year
    rows = svc.find_enterprises(db(), actor(), flt, year=year)
    return render_template("profiles/index.html", rows=rows, flt=flt, regions=REGIONS,
                           sizes=SIZE_FILTERS, year=year, districts=districts_of(flt.region),
                           reasons=lambda p: svc.priority_reasons(p, year))


@bp.route("/mine")
@require_kinds("enterprise")
def mine():
    return redirect(url_for("profiles.edit", org_id=actor().organization_id))


@bp.route("/<int:org_id>/profile", methods=["GET", "POST"])
@require_kinds("enterprise", "station", "operator")
def edit(org_id: int):
    """The profile form (read-only for the operator, who may see but not change it)."""
    org = svc.get_enterprise(db(), actor(), org_id)
    profile = svc.profile_of(db(), org.id)
    editable = acts_for(actor(), org)
    form = ProfileForm(data=svc.input_from(profile, org).__dict__ if request.method == "GET" else None)
    if request.method == "POST" and not editable:
        raise PermissionDenied("运营方只能查看企业画像，由企业或其服务驿站填写")
    if form.validate_on_submit():
        ok, _ = commit_or_show_errors(form, lambda: svc.save_profile(
            db(), actor(), org.id, form.profile_input(), today=clock.today()))
        if ok:
            flash("企业画像已保存", "success")
            return redirect(url_for("profiles.edit", org_id=org.id))
    return render_template("profiles/edit.html", form=form, org=org, profile=profile,
                           editable=editable, districts=districts_of(org.region),
                           reasons=svc.priority_reasons(profile, clock.today().year)), \
        422 if form.errors else 200


@bp.app_context_processor
def district_lists() -> dict:
    return {"all_districts": DISTRICTS}
