"""知识产权托管: the agency's workspace, the enterprise's own patents and deadlines, agreements.
The views parse and format; matchmaker.custody does the work."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required
from sqlalchemy import select

from .. import clock
from ..custody import agreements as ag
from ..custody import portfolio as pf
from ..custody.export import deadlines_csv, deadlines_xlsx
from ..errors import NotFound, ValidationError
from ..models import AgreementState, AnnuityPayment, Organization, OrgKind, OrgStatus, Patent
from .auth import require_kinds
from .context import actor, db
from .forms import choices, commit_or_show_errors
from .forms_custody import AgreementForm, LogForm, OwnPatentForm, PaymentForm, StepForm
from .params import arg_id, parse_int

bp = Blueprint("custody", __name__, url_prefix="/custody")
SIDES = ("enterprise", "agency")


def _clients():
    return [db().get(Organization, i) for i in sorted(ag.client_ids(db(), actor().organization_id,
                                                                    clock.today()))]


@bp.route("/")
@require_kinds("enterprise", "agency", "operator")
def index():
    """An agency: clients, deadlines (overdue, in grace, next 90 days), log, agreements. An
    enterprise: its own patents with their next annuity, its agreements and its agency's log."""
    org, today = actor().organization, clock.today()
    if org.kind == OrgKind.OPERATOR:
        rows = db().scalars(select(ag.CustodyAgreement).order_by(ag.CustodyAgreement.id.desc())
                            .limit(200)).all()
        return render_template("custody/operator.html", agreements=rows, today=today)
    agreements = ag.agreements_of(db(), org)
    if org.kind == OrgKind.AGENCY:
        form = LogForm()
        form.enterprise.choices = choices((c.id, c.name) for c in _clients())
        return render_template("custody/agency.html", agreements=agreements, clients=_clients(),
                               work=pf.agency_deadlines(db(), org, today),
                               log=pf.service_log(db(), agency_id=org.id, limit=50),
                               log_form=form, today=today)
    patents = pf.own_patents(db(), [org.id])
    due = {d.patent.id: d for d in pf.deadlines(db(), patents, today)}
    return render_template("custody/enterprise.html", agreements=agreements, patents=patents,
                           due=due, log=pf.service_log(db(), enterprise_id=org.id, limit=50),
                           covering=ag.covering(db(), org.id, today), today=today)


@bp.route("/agreements/new", methods=["GET", "POST"])
@require_kinds(*SIDES)
def new_agreement():
    """Propose an agreement to an approved agency (enterprises) or enterprise (agencies)."""
    form = AgreementForm()
    other = OrgKind.AGENCY if actor().organization.kind == OrgKind.ENTERPRISE else OrgKind.ENTERPRISE
    form.counterpart.label.text = f"托管方（{other.label}）" if other == OrgKind.AGENCY else "委托企业"
    form.counterpart.choices = choices([("", "请选择")] + [
        (o.id, o.name) for o in db().scalars(select(Organization).where(
            Organization.kind == other, Organization.status == OrgStatus.APPROVED)
            .order_by(Organization.name))])
    if not form.is_submitted():
        preset = arg_id("with")
        if preset:
            form.counterpart.data = str(preset)
    if form.validate_on_submit():
        ok, agreement = commit_or_show_errors(
            form, lambda: ag.propose(db(), actor(), parse_int(form.counterpart.data, low=1) or 0,
                                     form.agreement_input()))
        if ok:
            flash("已提交托管协议，等待对方确认", "success")
            return redirect(url_for("custody.agreement", agreement_id=agreement.id))
    return render_template("custody/agreement_form.html", form=form, renewal_of=None)


@bp.route("/agreements/<int:agreement_id>")
@require_kinds(*SIDES, "operator")
def agreement(agreement_id: int):
    """One agreement: terms, whose turn it is, history, and the steps the viewer may take."""
    a = ag.get_agreement(db(), actor(), agreement_id)
    mine = actor().organization_id
    return render_template("custody/agreement.html", a=a, form=StepForm(version=a.version),
                           my_turn=a.state == AgreementState.PROPOSED and mine != a.proposed_by_id
                           and mine in (a.enterprise_id, a.agency_id),
                           party=mine in (a.enterprise_id, a.agency_id))


def _step(agreement_id: int, action, done: str):
    form = StepForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action(parse_int(form.version.data), form.note.data or "")
    except ValidationError as exc:
        db().rollback()
        flash(exc.message, "error")
    else:
        db().commit()
        flash(done, "success")
    return redirect(url_for("custody.agreement", agreement_id=agreement_id))


@bp.post("/agreements/<int:agreement_id>/confirm")
@require_kinds(*SIDES)
def confirm(agreement_id: int):
    return _step(agreement_id, lambda v, n: ag.respond(db(), actor(), agreement_id, True,
                                                       version=v, note=n), "已确认，托管协议生效")


@bp.post("/agreements/<int:agreement_id>/decline")
@require_kinds(*SIDES)
def decline(agreement_id: int):
    return _step(agreement_id, lambda v, n: ag.respond(db(), actor(), agreement_id, False,
                                                       version=v, note=n), "已拒绝该托管协议")


@bp.post("/agreements/<int:agreement_id>/terminate")
@require_kinds(*SIDES)
def terminate(agreement_id: int):
    return _step(agreement_id, lambda v, n: ag.terminate(db(), actor(), agreement_id, n, version=v),
                 "托管协议已终止")


@bp.route("/agreements/<int:agreement_id>/renew", methods=["GET", "POST"])
@require_kinds(*SIDES)
def renew(agreement_id: int):
    """Propose the follow-up agreement (it starts the day after this one ends)."""
    old = ag.get_agreement(db(), actor(), agreement_id)
    form = AgreementForm()
    del form.counterpart
    if not form.is_submitted():
        form.services.data = list(old.services)
        form.voucher_kind.data = old.voucher_kind.value
    if form.validate_on_submit():
        ok, new = commit_or_show_errors(form, lambda: ag.renew(db(), actor(), agreement_id,
                                                               form.agreement_input()))
        if ok:
            flash("已提交续签协议，等待对方确认", "success")
            return redirect(url_for("custody.agreement", agreement_id=new.id))
    return render_template("custody/agreement_form.html", form=form, renewal_of=old)


def _enterprise_for_patent_form() -> Organization:
    org = actor().organization
    if org.kind == OrgKind.ENTERPRISE:
        return org
    enterprise_id = arg_id("enterprise") or parse_int(request.form.get("enterprise"), low=1)
    if enterprise_id is None or not ag.may_manage(db(), actor(), enterprise_id, clock.today()):
        raise NotFound("请从托管客户列表选择企业")
    return db().get(Organization, enterprise_id)


@bp.route("/patents/new", methods=["GET", "POST"])
@require_kinds(*SIDES)
def new_patent():
    """Record one of the enterprise's own patents (agencies: for a client in custody)."""
    enterprise = _enterprise_for_patent_form()
    form = OwnPatentForm()
    if form.validate_on_submit():
        ok, patent = commit_or_show_errors(form, lambda: pf.add_own_patent(
            db(), actor(), enterprise.id, form.patent_input(),
            reduction=form.annuity_reduction.data or "0", today=clock.today()))
        if ok:
            flash("专利已登记，年费期限将自动监控", "success")
            return redirect(url_for("custody.patent", patent_id=patent.id))
    return render_template("custody/patent_form.html", form=form, enterprise=enterprise)


def _own_patent(patent_id: int) -> Patent:
    patent = db().get(Patent, patent_id)
    org = actor().organization
    allowed = patent is not None and patent.owner.kind == OrgKind.ENTERPRISE and (
        org.kind == OrgKind.OPERATOR or ag.may_manage(db(), actor(), patent.owner_id, clock.today()))
    if not allowed:
        raise NotFound("未找到该专利")
    return patent


@bp.route("/patents/<int:patent_id>", methods=["GET", "POST"])
@require_kinds(*SIDES, "operator")
def patent(patent_id: int):
    """An own patent's annuity schedule, the payments recorded, and the payment form."""
    p = _own_patent(patent_id)
    today = clock.today()
    form = PaymentForm()
    if request.method == "POST":
        if actor().organization.kind == OrgKind.OPERATOR:
            abort(403)
        if form.validate_on_submit():
            ok, _ = commit_or_show_errors(form, lambda: pf.record_payment(
                db(), actor(), p.id, year=form.year.data, paid_on=form.paid_on.data,
                amount_yuan=form.amount_yuan.data, receipt_no=form.receipt_no.data or "",
                today=today))
            if ok:
                flash("已登记缴费", "success")
                return redirect(url_for("custody.patent", patent_id=p.id))
    payments = {x.year: x for x in db().scalars(select(AnnuityPayment).where(AnnuityPayment.patent_id == p.id))}
    deadline = pf.next_deadline(p, set(payments), today)
    if deadline and not form.is_submitted():
        form.year.data = str(deadline.annuity.year)
        form.paid_on.data = today.isoformat()
        form.amount_yuan.data = str(deadline.payable_today)
    return render_template("custody/patent.html", p=p, schedule=pf.annuities_of(p), payments=payments,
                           deadline=deadline, form=form, today=today,
                           can_pay=actor().organization.kind != OrgKind.OPERATOR)


@bp.post("/log")
@require_kinds("agency")
def log():
    """The agency notes a service for a client."""
    form = LogForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        pf.add_log_entry(db(), actor(), parse_int(form.enterprise.data, low=1) or 0,
                         kind=form.kind.data, occurred_on=form.occurred_on.data or None,
                         text=form.text.data or "", today=clock.today())
    except ValidationError as exc:
        db().rollback()
        flash(exc.message, "error")
    else:
        db().commit()
        flash("已记录服务日志", "success")
    return redirect(url_for("custody.index", _anchor="service-log"))


@bp.route("/deadlines.<fmt>")
@require_kinds("agency")
def export(fmt: str):
    """The work list (overdue, in grace, due within 90 days) as CSV or XLSX."""
    today = clock.today()
    groups = pf.agency_deadlines(db(), actor().organization, today)
    name = f"年费期限-{today}"
    if fmt == "csv":
        return send_file(io.BytesIO(deadlines_csv(groups)), mimetype="text/csv", as_attachment=True,
                         download_name=f"{name}.csv")
    if fmt == "xlsx":
        return send_file(io.BytesIO(deadlines_xlsx(groups)), as_attachment=True,
                         download_name=f"{name}.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    abort(404)


@bp.app_template_global("service_label")
def service_label(value: str) -> str:
    from ..models import CustodyService
    return CustodyService(value).label if value in CustodyService._value2member_map_ else value


@bp.app_template_global("agreement_state_label")
def agreement_state_label(value: str) -> str:
    return AgreementState(value).label if value in AgreementState._value2member_map_ else "新建"
