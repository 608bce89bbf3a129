"""The innovation-station workspace (pipeline board, clients, waiting needs, follow-ups)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from .. import clock, permissions
from ..catalog.needs import view_need
from ..licensing.follow_ups import add_follow_up
from ..licensing.station import WAITING_PER_PAGE, workspace
from .auth import require_kinds
from .context import actor, db
from .forms import FollowUpForm, commit_or_show_errors
from .pagination import Page, page_number

bp = Blueprint("station", __name__, url_prefix="/station")


@bp.route("/")
@require_kinds("station")
def index():
    """The board, clients and one page of waiting needs (`?waiting_page=`)."""
    number = page_number("waiting_page")
    ws = workspace(db(), actor().organization, today=clock.today(), waiting_page=number)
    waiting = Page.of((ws.waiting, ws.waiting_total), number, WAITING_PER_PAGE,
                      param="waiting_page", anchor="waiting")
    return render_template("station/index.html", ws=ws, waiting=waiting,
                           note_form=FollowUpForm(formdata=None))


@bp.route("/needs/<int:need_id>/note", methods=["POST"])
@require_kinds("station")
def need_note(need_id: int):
    """A broker's note on a client's need (its first response when none came before)."""
    # Only for the enterprises the station serves: a note would also count as the need's first
    # response and drop it from the serving station's waiting list.
    permissions.ensure_acts_for(actor(), view_need(db(), actor(), need_id).enterprise)
    form = FollowUpForm()
    if form.validate_on_submit():
        ok, _ = commit_or_show_errors(form, lambda: add_follow_up(db(), actor(), form.body.data,
                                                                  need_id=need_id))
        flash("跟进记录已保存" if ok else "；".join(form.body.errors or ["保存失败"]),
              "success" if ok else "error")
    return redirect(url_for("station.index", _anchor="waiting"))
