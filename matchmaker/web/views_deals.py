"""Licence offers on a patent, licence requests, and the deal page with its transitions
(the recordal form on that page posts to views_recordal)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy.exc import SQLAlchemyError

from .. import clock, permissions
from ..catalog.needs import COLLECTING, enterprises_for
from ..catalog.patents import get_patent, view_patent
from ..errors import Conflict, InvalidTransition, PermissionDenied, ValidationError
from ..licensing import consent, follow_ups, proposals, recordal
from ..licensing import deals as svc
from ..money import wan
from ..licensing.offers import create_offer, get_offer, withdraw_offer
from ..models import DealState, FollowUp, Need
from ..params import DATE_MAX, DATE_MIN
from .auth import require_kinds
from .context import actor, db
from .forms import (DealRequestForm, DealStepForm, FilingForm, FollowUpForm, OfferForm,
                    ProposalForm, apply_errors, choices, commit_or_show_errors)
from .pagination import Page, page_number, per_page
from .params import arg_id, parse_date, parse_int

bp = Blueprint("deals", __name__)


# -- offers ------------------------------------------------------------------------------------

@bp.route("/patents/<int:patent_id>/offers/new", methods=["GET", "POST"])
@require_kinds("university", "institute")
def new_offer(patent_id: int):
    """The owner sets licence terms: a free period, then paid terms (or a transfer price)."""
    patent = permissions.ensure_edit_patent(actor(), get_patent(db(), patent_id))
    form = OfferForm()
    if form.validate_on_submit():
        ok, result = commit_or_show_errors(form, lambda: create_offer(
            db(), actor(), patent_id, form.offer_input(), today=clock.today()),
            aliases={"patent": "licence_type"})
        if ok:
            flash("许可条件已发布" + ("；提示：" + "；".join(result.warnings) if result.warnings else ""),
                  "warning" if result.warnings else "success")
            return redirect(url_for("patents.detail", patent_id=patent_id, _anchor="offers"))
    return render_template("deals/offer_form.html", form=form, patent=patent)


@bp.route("/offers/<int:offer_id>/withdraw", methods=["POST"])
@login_required
def withdraw(offer_id: int):
    # An offer on a patent the user may not see is "not found", like the patent itself.
    view_patent(db(), actor(), get_offer(db(), offer_id).patent_id)
    offer = withdraw_offer(db(), actor(), offer_id)
    db().commit()
    flash("许可已撤回；已经提出的申请不受影响", "info")
    return redirect(url_for("patents.detail", patent_id=offer.patent_id, _anchor="offers"))


@bp.route("/offers/<int:offer_id>/request", methods=["GET", "POST"])
@require_kinds("enterprise", "station")
def request_licence(offer_id: int):
    """An enterprise (or a broker for a client) asks for the licence, optionally for a need."""
    offer = get_offer(db(), offer_id)
    view_patent(db(), actor(), offer.patent_id)
    enterprises = enterprises_for(db(), actor())
    form = DealRequestForm()
    form.enterprise_id.choices = choices((o.id, o.name) for o in enterprises)
    needs = db().query(Need).filter(Need.enterprise_id.in_([o.id for o in enterprises]),
                                    Need.state.in_(COLLECTING)).order_by(Need.id.desc()).all()
    form.need_id.choices = choices([("", "（不关联需求）")] + [
        (n.id, f"{n.title}（{n.enterprise.name}）" if len(enterprises) > 1 else n.title) for n in needs])
    if request.method == "GET" and arg_id("need"):
        form.need_id.data = str(arg_id("need"))
    if request.method == "GET" and arg_id("event"):
        form.event_id.data = str(arg_id("event"))
    if form.validate_on_submit():
        enterprise_id = form.ref("enterprise_id") or (enterprises[0].id if len(enterprises) == 1 else None)
        try:
            deal = svc.request_deal(db(), actor(), offer_id, enterprise_id=enterprise_id,
                                    need_id=form.ref("need_id"), note=form.note.data or "",
                                    today=clock.today(), event_id=form.ref("event_id"))
        except ValidationError as exc:
            db().rollback()
            apply_errors(form, exc, {"offer": "note", "event_id": "__all__"})
        except Conflict as exc:
            db().rollback()
            flash(exc.message, "error")
        else:
            db().commit()
            flash("许可申请已提交，专利权人和服务驿站会收到通知", "success")
            return redirect(url_for("deals.detail", deal_id=deal.id))
    return render_template("deals/request.html", form=form, offer=offer, enterprises=enterprises)


# -- deals -------------------------------------------------------------------------------------

@bp.route("/deals")
@login_required
def index():
    """Deals the user is party to, filterable by state, or those waiting for the user (todo)."""
    state = DealState(request.args["state"]) if request.args.get("state") in DealState._value2member_map_ else None
    todo = request.args.get("todo") == "1"
    number, size = page_number(), per_page()
    result = svc.find_deals(db(), actor(), state=state, todo=todo, page=number, per_page=size)
    return render_template("deals/list.html", page=Page.of(result, number, size), state=state,
                           todo=todo)


@bp.route("/deals/<int:deal_id>")
@login_required
def detail(deal_id: int):
    return detail_page(svc.get_deal(db(), actor(), deal_id))


def detail_page(deal, step_forms: dict | None = None, filing: FilingForm | None = None,
                 note_form: FollowUpForm | None = None, status: int = 200):
    steps = svc.available_steps(actor(), deal)
    proposal = consent.pending_proposal(deal)
    step_forms = step_forms or {}
    for to, _t in steps:
        step_forms.setdefault(to.value, DealStepForm(formdata=None, **_step_defaults(deal, to, proposal)))
    for to_value, form in step_forms.items():
        # Several step forms share one page: unique ids keep each label (and hint/error
        # reference) on its own form's field. Names, and so what is posted, are unchanged.
        for f in form:
            f.id = f"{to_value}-{f.name}"
    notes = db().query(FollowUp).filter(FollowUp.deal_id == deal.id).order_by(FollowUp.id.desc()).all()
    parties = svc.parties_of(actor(), deal)
    sides = consent.agreeing_sides(actor(), deal)
    return render_template("deals/detail.html", deal=deal, steps=steps, step_forms=step_forms,
                           filing=filing or FilingForm(formdata=None, data=FilingForm.data_from(deal)),
                           note_form=note_form or FollowUpForm(formdata=None), notes=notes,
                           can_file=bool(parties & {"owner", "broker", "operator"}),
                           proposal=proposal, turn=consent.waiting_for(deal),
                           proposal_form=ProposalForm(formdata=None, version=str(deal.version)),
                           may_answer=bool(proposal and sides & proposal.awaiting),
                           may_withdraw=bool(proposal and _may_withdraw(deal, proposal)),
                           proposal_label=_label_of(deal, proposal),
                           recordal_current=recordal.recordal_current(deal),
                           consent_needed=lambda t: sorted(consent.required_sides(t, deal) - sides),
                           side_names=lambda s: "、".join(o.name for o in consent.side_organizations(deal, s)),
                           today=clock.today()), status


def _step_defaults(deal, to: DealState, proposal) -> dict:
    """A step form filled with the pending proposal's terms (or the offer's fixed amount), so
    confirming or countering starts from what was proposed."""
    values = {"to_state": to.value, "version": str(deal.version)}
    if proposal is not None and proposal.to_state == to:
        values["start_date"] = proposal.start.isoformat()
        values["contract_value_wan"] = wan_number(proposal.amount_yuan)
    else:
        fixed = deal.terms.get("transfer_price_yuan") if to == DealState.TRANSFERRED else (
            deal.terms.get("lump_sum_yuan") or deal.terms.get("entry_fee_yuan"))
        values["contract_value_wan"] = wan_number(fixed)
    return values


def wan_number(yuan) -> str:
    """Yuan as the plain 万元 number a form field takes (120000 → "12")."""
    return "" if not yuan else f"{yuan / 10_000:g}"


def _may_withdraw(deal, proposal) -> bool:
    from ..models import User
    proposer = db().get(User, proposal.by_user_id) if proposal.by_user_id else None
    return (proposer is not None and proposer.organization_id == actor().organization_id) \
        or permissions.is_operator(actor())


def _label_of(deal, proposal) -> str:
    if proposal is None:
        return ""
    from ..licensing.transitions import allowed
    rule = allowed(deal.state, proposal.to_state)
    return rule.label if rule else proposal.to_state.label


PROPOSAL_ACTIONS = {"confirm": (proposals.confirm, "已确认"), "reject": (proposals.reject, "已表示不同意，提议未生效"),
                    "withdraw": (proposals.withdraw, "提议已撤回")}


@bp.route("/deals/<int:deal_id>/proposal/<any(confirm, reject, withdraw):action>", methods=["POST"])
@login_required
def proposal(deal_id: int, action: str):
    """Answer the step waiting for agreement (or take one's own proposal back)."""
    svc.get_deal(db(), actor(), deal_id)
    form = ProposalForm()
    if not form.validate_on_submit():
        flash("表单已过期，请刷新后重试", "error")
        return redirect(url_for("deals.detail", deal_id=deal_id))
    run, done = PROPOSAL_ACTIONS[action]
    try:
        deal = run(db(), actor(), deal_id, expected_version=form_version(form.version.data),
                   note=form.note.data or "", today=clock.today())
    except ValidationError as exc:
        db().rollback()
        flash(exc.message, "error")
        return redirect(url_for("deals.detail", deal_id=deal_id))
    except (Conflict, InvalidTransition, PermissionDenied) as exc:
        db().rollback()
        flash(exc.message, "error")
        return redirect(url_for("deals.detail", deal_id=deal_id))
    db().commit()
    flash(f"{done}；交易当前为“{deal.state.label}”" + (f"，{consent.waiting_for(deal)}"
                                                   if deal.pending_to else ""), "success")
    return redirect(url_for("deals.detail", deal_id=deal_id))


@bp.route("/deals/<int:deal_id>/step", methods=["POST"])
@login_required
def step(deal_id: int):
    """One transition; a stale version (someone acted first) asks the user to reload."""
    deal = svc.get_deal(db(), actor(), deal_id)
    form = DealStepForm()
    if not form.validate_on_submit():
        flash("表单已过期，请刷新后重试", "error")
        return redirect(url_for("deals.detail", deal_id=deal_id))
    try:
        to_state = DealState(form.to_state.data)
    except ValueError:
        flash("无效的操作", "error")
        return redirect(url_for("deals.detail", deal_id=deal_id))
    version = form_version(form.version.data)
    try:
        start = optional_date(form.start_date.data, "start_date")
        svc.transition(db(), actor(), deal_id, to_state, expected_version=version,
                       step=svc.StepInput(note=form.note.data or "",
                                          contract_value_wan=form.contract_value_wan.data or "",
                                          start_date=start), today=clock.today())
    except ValidationError as exc:
        db().rollback()
        apply_errors(form, exc)
        return detail_page(svc.get_deal(db(), actor(), deal_id), {to_state.value: form}, status=422)
    except (Conflict, InvalidTransition, PermissionDenied) as exc:
        db().rollback()
        flash(exc.message, "error")
        return redirect(url_for("deals.detail", deal_id=deal_id))
    db().commit()
    deal = svc.get_deal(db(), actor(), deal_id)
    if deal.state == to_state:
        flash(f"交易已更新为“{to_state.label}”", "success")
    else:
        flash(f"已提交提议“{to_state.label}”，{consent.waiting_for(deal)}", "success")
    return redirect(url_for("deals.detail", deal_id=deal_id))


@bp.route("/deals/<int:deal_id>/notes", methods=["POST"])
@login_required
def add_note(deal_id: int):
    deal = svc.get_deal(db(), actor(), deal_id)
    form = FollowUpForm()
    if form.validate_on_submit():
        ok, _ = commit_or_show_errors(form, lambda: follow_ups.add_follow_up(db(), actor(), form.body.data,
                                                                      deal_id=deal.id))
        if not ok:
            return detail_page(svc.get_deal(db(), actor(), deal_id), note_form=form, status=422)
        flash("跟进记录已保存", "success")
    return redirect(url_for("deals.detail", deal_id=deal_id, _anchor="notes"))


def form_version(raw: str | None) -> int:
    """The version the user saw; anything unreadable can match no deal (-1: a stale form)."""
    value = parse_int(raw)
    return -1 if value is None else value


def optional_date(raw: str | None, field: str) -> date | None:
    """An optional YYYY-MM-DD field; malformed or absurd input is a field error, not a default."""
    if not (raw or "").strip():
        return None
    value = parse_date(raw)
    if value is None:
        raise ValidationError({field: f"日期格式应为 YYYY-MM-DD（{DATE_MIN.year}–{DATE_MAX.year} 年）"})
    return value


@bp.app_template_filter("wan")
def wan_filter(yuan) -> str:
    return wan(yuan)


@bp.app_context_processor
def deal_helpers() -> dict:
    order = ("requested", "negotiating", "free_active", "conversion_due", "converted")
    def deal_todo() -> int:
        """Deals waiting for the user's organization (the badge on 许可交易)."""
        user = actor()
        if user is None:
            return 0
        try:
            return consent.todo_count(db(), user)
        except SQLAlchemyError:   # e.g. rendering the error page of a failed transaction
            return 0

    return {"deal_states": list(DealState), "deal_todo": deal_todo,
            "state_label": lambda value: DealState(value).label,
            "pipeline_index": lambda value: order.index(value) if value in order else
            (4 if value == "transferred" else -1)}
