"""Operator back office: approve, suspend and reinstate organizations."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for

from ..catalog.organizations import find_organizations, set_organization_status
from ..errors import Conflict, InvalidTransition, ValidationError
from ..models import OrgStatus
from .auth import require_kinds
from .context import actor, db
from .pagination import Page, page_number, per_page
from .params import arg_id

bp = Blueprint("admin", __name__, url_prefix="/admin")

ALL = "all"
# The three buttons of the list: label and the status each one sets.
ACTIONS = {"approve": OrgStatus.APPROVED, "reject": OrgStatus.REJECTED,
           "suspend": OrgStatus.SUSPENDED, "reinstate": OrgStatus.APPROVED}


def _status_filter() -> str:
    raw = request.args.get("status", OrgStatus.PENDING.value)
    return raw if raw in {ALL, *(s.value for s in OrgStatus)} else OrgStatus.PENDING.value


@bp.route("", strict_slashes=False)
@bp.route("/organizations")
@require_kinds("operator")
def organizations():
    """Organizations filtered by status (pending first), newest first."""
    status = _status_filter()
    number, size = page_number(), per_page()
    result = find_organizations(db(), status=None if status == ALL else OrgStatus(status),
                                page=number, per_page=size)
    return render_template("admin/organizations.html", page=Page.of(result, number, size),
                           status=status, statuses=OrgStatus)


@bp.route("/organizations/<int:org_id>/<any(approve, reject, suspend, reinstate):action>",
          methods=["POST"])
@require_kinds("operator")
def change_status(org_id: int, action: str):
    """Approve, reject (with a reason), suspend or reinstate one organization, then go back to
    the list; its users are told."""
    try:
        org = set_organization_status(db(), actor(), org_id, ACTIONS[action],
                                      reason=(request.form.get("reason") or "")[:1000])
    except (InvalidTransition, Conflict, ValidationError) as exc:
        db().rollback()
        flash(exc.message, "error")
    else:
        db().commit()
        flash(f"已将“{org.name}”设为{org.status.label}", "success")
    back = request.form.get("status", OrgStatus.PENDING.value)
    return redirect(url_for("admin.organizations", status=back if back else None))


@bp.route("/patents")
@require_kinds("operator")
def patent_lookup():
    """Find a patent by application number (drafts included), e.g. one whose ownership is
    disputed; a hit goes straight to the patent's page."""
    from ..catalog.patents import find_by_app_no
    raw = (request.args.get("app_no") or "").strip()[:40]
    patent = find_by_app_no(db(), raw) if raw else None
    if patent is not None:
        return redirect(url_for("patents.detail", patent_id=patent.id, _anchor="ownership"))
    return render_template("admin/patents.html", app_no=raw, searched=bool(raw))


AUDIT_TYPES = {"patent": "专利", "need": "需求", "offer": "许可条件", "deal": "交易",
               "organization": "机构", "station_link": "驿站服务关系", "user": "用户",
               "account_token": "邀请与重设密码链接"}


@bp.route("/audit")
@require_kinds("operator")
def audit():
    """The audit trail (append-only): who changed what, when, from what to what."""
    from ..audit import find_entries
    from ..audit_view import build_audit_rows
    kind = request.args.get("type", "")
    kind = kind if kind in AUDIT_TYPES else ""
    object_id = arg_id("id")
    number, size = page_number(), per_page()
    result = find_entries(db(), object_type=kind or None, object_id=object_id, page=number,
                          per_page=size)
    return render_template("admin/audit.html", page=Page.of(result, number, size), kind=kind,
                           object_id=object_id, types=AUDIT_TYPES,
                           rows=build_audit_rows(db(), result[0]))


@bp.route("/users")
@require_kinds("operator")
def users():
    """Every user, searchable by login, name or organization, with the reset-link button (and
    the link just issued, once)."""
    from ..catalog.accounts import find_users
    from .forms_account import PlainForm
    from .views_account import take_new_link
    query = (request.args.get("q") or "").strip()[:100]
    number, size = page_number(), per_page()
    result = find_users(db(), query, page=number, per_page=size)
    return render_template("admin/users.html", page=Page.of(result, number, size), q=query,
                           link=take_new_link(), plain=PlainForm(formdata=None))


@bp.post("/users/<int:user_id>/reset-link")
@require_kinds("operator")
def reset_link(user_id: int):
    """A one-time link to set a new password, shown once here (and e-mailed when set up)."""
    from datetime import timedelta

    from .. import clock, mail
    from ..catalog.self_service import issue_reset
    from .context import runtime
    from .forms_account import PlainForm
    from .views_account import NEW_LINK, reset_link as absolute
    if not PlainForm().validate_on_submit():
        abort(400)
    settings = runtime().settings
    user, token = issue_reset(db(), actor(), user_id, now=clock.now(),
                              lifetime=timedelta(hours=settings.reset_link_hours))
    link = absolute(token)
    db().commit()
    sent = mail.send_reset(settings, user.mail_address, link, settings.reset_link_hours)
    flash(f"已为 {user.login} 签发重设密码链接" + (f"并发送到 {user.mail_address}" if sent else "") +
          f"：请通过可靠渠道转交（只显示这一次，{settings.reset_link_hours} 小时内有效，此前的链接已失效）",
          "success")
    session[NEW_LINK] = link
    return redirect(url_for("admin.users", q=user.login))


@bp.app_context_processor
def admin_badge() -> dict:
    def pending_organizations() -> int:
        """Registrations waiting for review (the badge on 机构审核), operators only."""
        from sqlalchemy.exc import SQLAlchemyError

        from ..catalog.organizations import pending_count
        user = actor()
        if user is None or not user.is_operator:
            return 0
        try:
            return pending_count(db())
        except SQLAlchemyError:
            return 0
    return {"pending_organizations": pending_organizations}
