"""Roadshows and matchmaking events: the public programme and registration, and the
organizer's pages. The views parse and format; matchmaker.events does the work."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from .. import clock
from ..catalog.needs import enterprises_for
from ..errors import Conflict, InvalidTransition, NotFound, ValidationError
from ..events import pairs as pr
from ..events import programme as pg
from ..events import registration as rg
from ..events import service as svc
from ..events.export import event_csv, event_xlsx
from ..models import EventState
from ..params import parse_date, parse_id, parse_int
from ..profiles.districts import districts_of
from .auth import require_kinds
from .context import actor, db
from .forms import apply_errors, choices, commit_or_show_errors
from .forms_events import CancelForm, EventForm, PairForm, RegistrationForm

bp = Blueprint("events", __name__, url_prefix="/events")
ORGANIZERS = ("operator", "station")
DONE = {"publish": "活动已发布，开放报名", "cancel": "活动已取消，报名单位会收到通知",
        "held": "活动已标记为已举办，可以登记签到和跟进对接"}


def _ids(name: str) -> list[int]:
    """Ids posted as a list of checkboxes; a value that is no id matches nothing (the service
    checks who may act before it complains that nothing was chosen)."""
    return [i for i in (parse_id(v) for v in request.form.getlist(name)) if i is not None]


def _enterprise_ref(raw: str | None) -> int | None:
    """The enterprise a broker acts for; absent: the actor's own; malformed: no such one."""
    if not raw:
        return None
    ref = parse_id(raw)
    if ref is None:
        raise NotFound("未找到该企业")
    return ref


def _act(event_id: int, action, done: str, anchor: str = "", endpoint: str = "events.manage"):
    """Run one service call; a domain refusal is flashed (nothing written), then back."""
    try:
        result = action()
    except (ValidationError, InvalidTransition, Conflict) as exc:
        db().rollback()
        flash(exc.message, "error")
    else:
        db().commit()
        flash(done(result) if callable(done) else done, "success")
    return redirect(url_for(endpoint, event_id=event_id, _anchor=anchor or None))


@bp.route("/")
def index():
    """Upcoming events (soonest first) and past ones."""
    today = clock.today()
    upcoming = svc.find_events(db(), actor(), upcoming=True, today=today)
    past = svc.find_events(db(), actor(), upcoming=False, today=today, limit=30)
    return render_template("events/index.html", upcoming=upcoming, past=past,
                           counts=pg.item_counts(db(), [e.id for e in upcoming + past]),
                           can_organize=svc.can_organize(actor()))


@bp.route("/new", methods=["GET", "POST"])
@require_kinds(*ORGANIZERS)
def create():
    form = EventForm()
    if not form.is_submitted():
        form.region.data = actor().organization.region
    if form.validate_on_submit():
        ok, event = commit_or_show_errors(form, lambda: svc.create_event(
            db(), actor(), form.event_input(), today=clock.today()))
        if ok:
            flash("活动已创建（筹备中）：请添加路演项目后发布", "success")
            return redirect(url_for("events.manage", event_id=event.id, _anchor="programme"))
    return render_template("events/form.html", form=form, event=None,
                           districts=districts_of(form.region.data or "")), 422 if form.errors else 200


@bp.route("/<int:event_id>")
def detail(event_id: int):
    """The public programme (patents with their offers, needs), registration, own registrations."""
    event = svc.get_event(db(), actor(), event_id)
    user = actor()
    mine = rg.registrations_for(db(), user, event)
    form = RegistrationForm(formdata=None)
    enterprises = enterprises_for(db(), user) if user else []
    form.enterprise_id.choices = choices((o.id, o.name) for o in enterprises)
    return render_template("events/detail.html", event=event, mine=mine, form=form,
                           enterprises=enterprises, organizer=svc.is_organizer(user, event),
                           own_patents=pg.own_listed_patents(db(), user, event) if user else [],
                           my_pairs=_my_pairs(event, enterprises), today=clock.today())


def _my_pairs(event, enterprises) -> list:
    """Pairs of the viewer's enterprises, for the "request the licence" links."""
    ids = {o.id for o in enterprises}
    if not ids or event.state not in pr.FOLLOWED:
        return []
    return [r for r in pr.pair_rows(db(), event) if r.enterprise.id in ids]


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@require_kinds(*ORGANIZERS)
def edit(event_id: int):
    event = svc.get_managed(db(), actor(), event_id)
    form = EventForm(data=EventForm.data_from(event) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            svc.update_event(db(), actor(), event_id, form.event_input(),
                             expected_version=parse_int(form.version.data) or -1, today=clock.today())
        except ValidationError as exc:
            db().rollback()
            apply_errors(form, exc)
        except (InvalidTransition, Conflict) as exc:
            db().rollback()
            flash(exc.message, "error")
            return redirect(url_for("events.manage", event_id=event_id))
        else:
            db().commit()
            flash("活动信息已保存", "success")
            return redirect(url_for("events.manage", event_id=event_id))
    return render_template("events/form.html", form=form, event=event,
                           districts=districts_of(form.region.data or "")), 422 if form.errors else 200


@bp.post("/<int:event_id>/<any(publish, cancel, held):action>")
@require_kinds(*ORGANIZERS)
def change_state(event_id: int, action: str):
    svc.get_managed(db(), actor(), event_id)
    form = CancelForm()
    return _act(event_id, lambda: svc.change_state(
        db(), actor(), event_id, action, reason=form.reason.data or "",
        expected_version=parse_int(form.version.data) or -1, today=clock.today()), DONE[action])


@bp.post("/<int:event_id>/items")
@require_kinds(*ORGANIZERS, "university", "institute")
def add_items(event_id: int):
    """The organizer adds patents and needs (from the suggestions); a supplier presents its own."""
    event = svc.get_event(db(), actor(), event_id)
    back = "events.manage" if svc.is_organizer(actor(), event) else "events.detail"
    return _act(event_id, lambda: pg.add_items(
        db(), actor(), event_id, patent_ids=_ids("patent_ids"), need_ids=_ids("need_ids"),
        note=request.form.get("note", "")), lambda added: f"已添加 {len(added)} 个路演项目",
        "programme", back)


@bp.post("/items/<int:item_id>/remove")
@login_required
def remove_item(item_id: int):
    event = pg.event_of_item(db(), actor(), item_id)
    back = "events.manage" if svc.is_organizer(actor(), event) else "events.detail"
    return _act(event.id, lambda: pg.remove_item(db(), actor(), event.id, item_id),
                "已撤下该路演项目", "programme", back)


@bp.post("/<int:event_id>/register")
@require_kinds("enterprise", "station")
def register(event_id: int):
    svc.get_event(db(), actor(), event_id)
    form = RegistrationForm()
    enterprise_id = _enterprise_ref(form.enterprise_id.data)
    return _act(event_id, lambda: rg.register(
        db(), actor(), event_id, form.registration_input(), enterprise_id=enterprise_id,
        today=clock.today()), lambda r: f"{r.organization.name}已报名（{r.seats} 人）",
        "registration", "events.detail")


@bp.post("/<int:event_id>/unregister")
@require_kinds("enterprise", "station")
def unregister(event_id: int):
    svc.get_event(db(), actor(), event_id)
    enterprise_id = _enterprise_ref(request.form.get("enterprise_id"))
    return _act(event_id, lambda: rg.cancel_registration(
        db(), actor(), event_id, enterprise_id=enterprise_id, today=clock.today()),
        "已取消报名", "registration", "events.detail")


@bp.route("/<int:event_id>/manage")
@require_kinds(*ORGANIZERS)
def manage(event_id: int):
    """The organizer's view: programme and suggestions, registrations and attendance,
    invitations, pairs with match scores and outcomes, the event's figures."""
    from .views_events_manage import manage_page
    return manage_page(svc.get_managed(db(), actor(), event_id))


@bp.post("/<int:event_id>/invite")
@require_kinds(*ORGANIZERS)
def invite(event_id: int):
    svc.get_managed(db(), actor(), event_id)
    return _act(event_id, lambda: rg.invite(db(), actor(), event_id, _ids("enterprise_ids"),
                                            today=clock.today()),
                lambda n: f"已向 {n} 家企业发出邀请", "invite")


@bp.post("/<int:event_id>/attendance")
@require_kinds(*ORGANIZERS)
def attendance(event_id: int):
    svc.get_managed(db(), actor(), event_id)
    return _act(event_id, lambda: rg.record_attendance(db(), actor(), event_id, _ids("attended"),
                                                       today=clock.today()),
                lambda n: f"已登记签到 {n} 家", "registrations")


@bp.post("/<int:event_id>/pairs")
@require_kinds(*ORGANIZERS)
def follow_up(event_id: int):
    svc.get_managed(db(), actor(), event_id)
    form = PairForm()

    def run():
        day = None
        if (form.follow_up_on.data or "").strip():
            day = parse_date(form.follow_up_on.data)
            if day is None:
                raise ValidationError({"follow_up_on": "下次跟进日期格式应为 YYYY-MM-DD"})
        return pr.follow_up(db(), actor(), event_id, pr.PairInput(
            parse_id(form.patent_id.data), parse_id(form.enterprise_id.data),
            form.outcome.data or "", form.note.data or "", day))
    return _act(event_id, run, "对接结果已保存", "pairs")


@bp.route("/<int:event_id>/export.<any(csv, xlsx):fmt>")
@require_kinds(*ORGANIZERS)
def export(event_id: int, fmt: str):
    event = svc.get_managed(db(), actor(), event_id)
    rows = pr.pair_rows(db(), event)
    name = f"活动{event.id}-报名与对接结果"
    if fmt == "csv":
        return send_file(io.BytesIO(event_csv(event, rows)), mimetype="text/csv", as_attachment=True,
                         download_name=f"{name}.csv")
    if fmt == "xlsx":
        return send_file(io.BytesIO(event_xlsx(event, rows)), as_attachment=True, download_name=f"{name}.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    abort(404)


@bp.app_context_processor
def event_helpers() -> dict:
    return {"event_states": EventState}

