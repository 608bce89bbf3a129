"""Technical needs: list, detail, post (also by station brokers for their clients), edit, close."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required

from .. import permissions
from ..catalog import needs as catalog
from ..catalog.organizations import get_organization
from ..models import NeedState, WantedForm
from .auth import require_kinds
from .context import actor, db
from .forms import NeedForm, commit_or_show_errors
from .pagination import Page, page_number, per_page

bp = Blueprint("needs", __name__, url_prefix="/needs")

POSTERS = ("enterprise", "station")


@bp.route("/")
@login_required
def index():
    """Needs the user may see: an enterprise its own, everybody else all of them."""
    number, size = page_number(), per_page()
    result = catalog.find_needs(db(), actor(), page=number, per_page=size)
    return render_template("needs/list.html", page=Page.of(result, number, size), scope="all")


@bp.route("/clients")
@require_kinds("station")
def clients():
    """A station's view: needs of the enterprises it serves."""
    number, size = page_number(), per_page()
    client_ids = [org.id for org in catalog.enterprises_for(db(), actor())]
    result = catalog.find_needs(db(), actor(), enterprise_ids=client_ids, page=number,
                                per_page=size)
    return render_template("needs/list.html", page=Page.of(result, number, size),
                           scope="clients")


@bp.route("/<int:need_id>")
@login_required
def detail(need_id: int):
    """One need (404 when the user may not see it)."""
    need = catalog.view_need(db(), actor(), need_id)
    labels = {value: label for value, label in WantedForm.choices()}
    return render_template("needs/detail.html", need=need,
                           wanted_labels=[labels.get(f, f) for f in need.wanted_forms or []],
                           can_edit=permissions.can_edit_need(actor(), need),
                           collecting=need.state in catalog.COLLECTING)


@bp.route("/new", methods=["GET", "POST"])
@require_kinds(*POSTERS)
def create():
    """Post a need: enterprises for themselves, brokers for an enterprise their station serves."""
    enterprises = catalog.enterprises_for(db(), actor())
    form = NeedForm()
    form.set_enterprises(enterprises)
    if form.validate_on_submit():
        enterprise_id = _chosen_enterprise(form)
        if enterprise_id is not None:
            ok, need = commit_or_show_errors(
                form, lambda: catalog.create_need(db(), actor(), get_organization(db(), enterprise_id),
                                                  form.need_input()),
                aliases={"enterprise": "enterprise_id"})
            if ok:
                flash("需求已发布", "success")
                return redirect(url_for("needs.detail", need_id=need.id))
    return render_template("needs/form.html", form=form, need=None, enterprises=enterprises)


def _chosen_enterprise(form: NeedForm) -> int | None:
    """An enterprise user always posts for its own company; a broker picks one."""
    if actor().organization.kind.value == "enterprise":
        return actor().organization_id
    return form.enterprise_ref()


@bp.route("/<int:need_id>/edit", methods=["GET", "POST"])
@login_required
def edit(need_id: int):
    """Edit a need of the user's enterprise or of an enterprise the user's station serves."""
    need = catalog.ensure_collecting(
        permissions.ensure_edit_need(actor(), catalog.view_need(db(), actor(), need_id)))
    form = NeedForm(data=NeedForm.data_from(need))
    form.set_enterprises([need.enterprise])
    if form.validate_on_submit():
        ok, _ = commit_or_show_errors(
            form, lambda: catalog.update_need(db(), actor(), need_id, form.need_input()))
        if ok:
            flash("修改已保存", "success")
            return redirect(url_for("needs.detail", need_id=need_id))
    return render_template("needs/form.html", form=form, need=need, enterprises=[need.enterprise])


@bp.route("/<int:need_id>/close", methods=["POST"])
@login_required
def close(need_id: int):
    """Close a need: it stays visible but no longer collects solutions."""
    catalog.set_need_state(db(), actor(), need_id, NeedState.CLOSED)
    db().commit()
    flash("需求已关闭", "success")
    return redirect(url_for("needs.detail", need_id=need_id))
