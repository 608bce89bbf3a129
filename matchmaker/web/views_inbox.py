"""The in-app inbox: list, open (mark read and follow the link), mark all read, nav badge."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required
from sqlalchemy.exc import SQLAlchemyError

from .. import notifications
from ..errors import NotFound
from ..models import Notification
from .context import actor, db
from .pagination import Page, page_number, per_page

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


def safe_link(link: str) -> str | None:
    """The link if it stays on this site (a path like /matches/need/3), else None."""
    link = (link or "").strip()
    if not link.startswith("/") or link.startswith("//") or "\\" in link:
        return None
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in link):
        return None
    return link


@bp.app_context_processor
def inbox_badge() -> dict:
    """`inbox_unread()` for the nav badge (recommendations left out: the 工作台 sums them up;
    `inbox_unread(True)` counts only them): counted only when a template asks for it."""
    def inbox_unread(recommendations: bool = False) -> int:
        user = actor()
        if user is None:
            return 0
        try:
            return notifications.unread_count(db(), user, recommendations=recommendations)
        except SQLAlchemyError:   # e.g. rendering the error page of a failed transaction
            return 0
    return {"inbox_unread": inbox_unread}


@bp.route("/")   # registered second: url_for builds the canonical "/inbox"
@bp.route("")
@login_required
def index():
    """The user's notifications, newest first."""
    number, size = page_number(), per_page()
    result = notifications.find_notifications(db(), actor(), page=number, per_page=size)
    return render_template("inbox/index.html", page=Page.of(result, number, size),
                           safe_link=safe_link)


@bp.route("/<int:notification_id>/open", methods=["POST"])
@login_required
def open_item(notification_id: int):
    """Mark one notification read and follow its link (only links within this site)."""
    item = db().get(Notification, notification_id)
    if item is None or item.user_id != actor().id:
        raise NotFound("未找到该消息")
    notifications.mark_read(db(), actor(), notification_id)
    db().commit()
    return redirect(safe_link(item.link) or url_for("inbox.index"))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    """Mark every notification of the user read."""
    count = notifications.mark_read(db(), actor())
    db().commit()
    flash(f"已将 {count} 条消息标为已读" if count else "没有未读消息", "success" if count else "info")
    return redirect(url_for("inbox.index"))
