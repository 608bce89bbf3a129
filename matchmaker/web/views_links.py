"""创新驿站服务关系: stations and enterprises ask each other and answer; the operator links and
unlinks. The views parse and format; matchmaker.catalog.station_links does the work."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..catalog import station_links as sl
from ..errors import Conflict, InvalidTransition, PermissionDenied, ValidationError
from ..models import LinkState, Organization, OrgKind, OrgStatus
from ..params import parse_id
from .auth import require_kinds
from .context import actor, db
from .forms import choices, commit_or_show_errors
from .forms_links import LinkActionForm, LinkRequestForm, OperatorLinkForm
from .pagination import Page, page_number, per_page
from .params import parse_int

bp = Blueprint("links", __name__, url_prefix="/links")
KINDS = ("station", "enterprise", "operator")
DONE = {"confirm": "已确认，服务关系已建立", "decline": "已拒绝该申请", "withdraw": "申请已撤回",
        "end": "服务关系已解除"}


def _request_form(form: LinkRequestForm | None = None) -> LinkRequestForm:
    form = form or LinkRequestForm(formdata=None)
    org = actor().organization
    other = OrgKind.ENTERPRISE if org.kind == OrgKind.STATION else OrgKind.STATION
    form.counterpart.label.text = "申请服务的企业" if other == OrgKind.ENTERPRISE else "希望服务本企业的创新驿站"
    form.counterpart.choices = choices([("", "请选择")] + [
        (o.id, o.name) for o in sl.candidates(db(), org)])
    return form


def _operator_form(form: OperatorLinkForm | None = None) -> OperatorLinkForm:
    form = form or OperatorLinkForm(formdata=None)
    for field, kind in ((form.station_id, OrgKind.STATION), (form.enterprise_id, OrgKind.ENTERPRISE)):
        field.choices = choices([("", "请选择")] + [(o.id, o.name) for o in db().scalars(
            select(Organization).where(Organization.kind == kind,
                                       Organization.status == OrgStatus.APPROVED)
            .order_by(Organization.name))])
    return form


def _page(form=None, status: int = 200):
    org = actor().organization
    if org.kind == OrgKind.OPERATOR:
        raw = request.args.get("state", "")
        state = LinkState(raw) if raw in LinkState._value2member_map_ else None
        number, size = page_number(), per_page()
        result = sl.find_links(db(), state=state, page=number, per_page=size)
        return render_template("links/operator.html", page=Page.of(result, number, size),
                               state=state, form=_operator_form(form),
                               action_form=LinkActionForm(formdata=None)), status
    return render_template("links/index.html", board=sl.board(db(), org), form=_request_form(form),
                           action_form=LinkActionForm(formdata=None)), status


@bp.route("/")
@require_kinds(*KINDS)
def index():
    """A station's clients / an enterprise's stations, the requests both ways and the history;
    the operator sees every link and links a pair directly."""
    return _page()


@bp.post("/new")
@require_kinds(*KINDS)
def create():
    if actor().organization.kind == OrgKind.OPERATOR:
        form = OperatorLinkForm()
        _operator_form(form)
        if form.validate_on_submit():
            ok, _ = commit_or_show_errors(form, lambda: sl.operator_link(
                db(), actor(), parse_id(form.station_id.data), parse_id(form.enterprise_id.data),
                form.note.data or ""))
            if ok:
                flash("服务关系已建立", "success")
                return redirect(url_for("links.index"))
        return _page(form, 422)
    form = LinkRequestForm()
    _request_form(form)
    if form.validate_on_submit():
        ok, _ = commit_or_show_errors(form, lambda: sl.request_link(
            db(), actor(), parse_id(form.counterpart.data), form.note.data or ""))
        if ok:
            flash("申请已提交，等待对方确认", "success")
            return redirect(url_for("links.index"))
    return _page(form, 422)


@bp.post("/<int:link_id>/<any(confirm, decline, withdraw, end):action>")
@require_kinds(*KINDS)
def act(link_id: int, action: str):
    """Answer a request, withdraw one's own, or end an active link (with a reason)."""
    sl.get_link(db(), actor(), link_id)       # someone else's link: 404
    form = LinkActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        sl.act(db(), actor(), link_id, action, note=form.note.data or "",
               version=parse_int(form.version.data))
    except (ValidationError, Conflict, InvalidTransition, PermissionDenied) as exc:
        db().rollback()
        flash(exc.message, "error")
    else:
        db().commit()
        flash(DONE[action], "success")
    return redirect(url_for("links.index"))


@bp.app_context_processor
def link_helpers() -> dict:
    def links_waiting() -> int:
        """Requests waiting for the user's organization (the badge on the navigation)."""
        user = actor()
        if user is None or user.organization.kind not in (OrgKind.STATION, OrgKind.ENTERPRISE):
            return 0
        try:
            return sl.waiting_count(db(), user.organization)
        except SQLAlchemyError:
            return 0
    return {"links_waiting": links_waiting, "link_states": list(LinkState),
            "link_state_label": lambda value: LinkState(value).label if value else ""}
