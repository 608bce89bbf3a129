"""Patent library: list, detail, register and edit patents, and list/withdraw/archive them."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from .. import permissions
from ..catalog import patents as catalog
from ..errors import Conflict, ValidationError
from ..licensing.offers import offers_for
from ..licensing.ownership import reassign_patent
from ..models import ListingState
from .auth import require_kinds
from .context import actor, db
from .forms import PatentForm, ReassignForm, commit_or_show_errors
from .pagination import Page, page_number, per_page
from .params import arg_id

bp = Blueprint("patents", __name__, url_prefix="/patents")

SUPPLIERS = ("university", "institute")
# POST /patents/<id>/<action>: the listing state each button sets.
STATE_ACTIONS = {"list": ListingState.LISTED, "withdraw": ListingState.WITHDRAWN,
                 "archive": ListingState.ARCHIVED}


@bp.route("/")
def index():
    """The patent library: listed patents (plus the visitor's own organization's)."""
    number, size = page_number(), per_page()
    result = catalog.find_patents(db(), actor(), page=number, per_page=size)
    return render_template("patents/list.html", page=Page.of(result, number, size), mine=False)


def _mine_filters() -> tuple[ListingState | None, bool]:
    """`?state=` (a listing state) and `?offer=none` (no active licence terms), the filters the
    工作台 tiles link to; anything else is ignored, as in the deal list."""
    raw = request.args.get("state", "")
    state = ListingState(raw) if raw in ListingState._value2member_map_ else None
    return state, request.args.get("offer") == "none"


@bp.route("/mine")
@require_kinds(*SUPPLIERS)
def mine():
    """Every patent of the user's own university or institute, drafts included; narrowed by
    listing state and to those without licence terms."""
    state, without_offer = _mine_filters()
    number, size = page_number(), per_page()
    result = catalog.find_patents(db(), actor(), owner_id=actor().organization_id,
                                  listing_state=state, without_offer=without_offer,
                                  page=number, per_page=size)
    return render_template("patents/list.html", page=Page.of(result, number, size), mine=True,
                           state=state, without_offer=without_offer, states=list(ListingState))


@bp.route("/<int:patent_id>")
def detail(patent_id: int):
    """One patent; drafts of other organizations are reported as not found."""
    patent = catalog.view_patent(db(), actor(), patent_id)
    can_edit = permissions.can_edit_patent(actor(), patent)
    return render_template("patents/detail.html", patent=patent, can_edit=can_edit,
                           offers=offers_for(db(), patent.id, active_only=not can_edit),
                           need_id=arg_id("need") or "",
                           reassign=ReassignForm() if permissions.is_operator(actor()) else None)


@bp.route("/new", methods=["GET", "POST"])
@require_kinds(*SUPPLIERS)
def create():
    """Register a patent for the user's organization."""
    form = PatentForm()
    if form.validate_on_submit():
        ok, patent = commit_or_show_errors(
            form, lambda: catalog.create_patent(db(), actor(), form.patent_input()))
        if ok:
            if patent.listing_state == ListingState.LISTED:   # the next step of the same flow
                flash("专利已登记并上架。下一步：发布许可条件，企业即可直接申请（也可以稍后在专利页发布）",
                      "success")
                return redirect(url_for("deals.new_offer", patent_id=patent.id))
            flash("专利已登记为草稿：企业还看不到。上架并发布许可条件后，企业即可申请", "success")
            return redirect(url_for("patents.detail", patent_id=patent.id))
    return render_template("patents/form.html", form=form, patent=None)


@bp.route("/<int:patent_id>/edit", methods=["GET", "POST"])
@login_required
def edit(patent_id: int):
    """Edit a patent of the user's own organization (403 for others, 404 for hidden drafts)."""
    patent = permissions.ensure_edit_patent(actor(), catalog.view_patent(db(), actor(), patent_id))
    form = PatentForm(data=PatentForm.data_from(patent))
    form.allow_current_state(patent.listing_state)
    if form.validate_on_submit():
        ok, _ = commit_or_show_errors(
            form, lambda: catalog.update_patent(db(), actor(), patent_id, form.patent_input()))
        if ok:
            flash("修改已保存", "success")
            return redirect(url_for("patents.detail", patent_id=patent_id))
    return render_template("patents/form.html", form=form, patent=patent)


@bp.route("/<int:patent_id>/<any(list, withdraw, archive):action>", methods=["POST"])
@login_required
def change_state(patent_id: int, action: str):
    """List, withdraw or archive a patent; a refused listing is explained in a flash message."""
    try:
        patent = catalog.set_listing_state(db(), actor(), patent_id, STATE_ACTIONS[action])
    except ValidationError as exc:
        db().rollback()
        flash(exc.message, "error")
    else:
        db().commit()
        if action == "list" and request.form.get("next") == "offer":   # 上架并发布许可条件
            flash("专利已上架。下一步：填写许可条件", "success")
            return redirect(url_for("deals.new_offer", patent_id=patent_id))
        flash(f"专利状态已改为“{patent.listing_state.label}”", "success")
    return redirect(url_for("patents.detail", patent_id=patent_id, _anchor="offers"))


@bp.route("/<int:patent_id>/owner", methods=["POST"])
@require_kinds("operator")
def reassign(patent_id: int):
    """Operator: resolve an ownership dispute by moving the patent to its real owner."""
    form = ReassignForm()
    if not form.validate_on_submit():
        flash("表单已过期，请刷新页面后重试", "error")
        return redirect(url_for("patents.detail", patent_id=patent_id))
    try:
        done = reassign_patent(db(), actor(), patent_id, form.new_owner.data or "",
                               form.reason.data or "")
    except (ValidationError, Conflict) as exc:
        db().rollback()
        flash(exc.message, "error")
    else:
        db().commit()
        flash(f"专利权人已由“{done.previous_owner_name}”变更为“{done.patent.owner.name}”，专利已设为草稿"
              + (f"，原专利权人的 {done.offers_withdrawn} 项许可条件已撤回" if done.offers_withdrawn else ""),
              "success")
    return redirect(url_for("patents.detail", patent_id=patent_id))
