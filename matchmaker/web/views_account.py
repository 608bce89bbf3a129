"""我的账号 and 成员管理: profile, password change, the organization's members and invitations;
the one-time pages an invitee and a user with a reset link open without logging in, and the
invitation page an existing user opens from the inbox.
The views parse and format; catalog.memberships and catalog.self_service do the work."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import login_required, login_user, logout_user

from .. import clock, mail
from ..catalog import memberships, self_service
from ..errors import Conflict, PermissionDenied, ValidationError
from .context import actor, db, runtime
from .forms import apply_errors
from .forms_account import (InviteForm, JoinForm, PasswordChangeForm, PlainForm, ProfileForm,
                            SetPasswordForm)

bp = Blueprint("account", __name__, url_prefix="/account")
TEAM_ACTIONS = {"deactivate": "已停用该成员，其登录已失效", "reactivate": "已恢复该成员",
                "make-admin": "已设为管理员", "make-member": "已设为普通成员",
                "hand-over": "已移交管理员身份，您现在是普通成员"}


def _now():
    return clock.now()


def _base() -> str:
    """MATCHMAKER_BASE_URL, else the address this browser used (behind the trusted proxies)."""
    return (runtime().settings.base_url or request.host_url).rstrip("/")


def invite_link(token: str) -> str:
    return f"{_base()}{url_for('account.join', token=token)}"


def reset_link(token: str) -> str:
    return f"{_base()}{url_for('account.set_password', token=token)}"


# -- my account -----------------------------------------------------------------------------------

def _account_page(profile=None, password=None, status: int = 200):
    user = actor()
    return render_template("account/index.html", user=user,
                           profile=profile or ProfileForm(formdata=None, display_name=user.display_name,
                                                          email=user.email),
                           password=password or PasswordChangeForm(formdata=None)), status


@bp.route("/")
@login_required
def index():
    """Profile, password change, and the way to the team page."""
    return _account_page()


@bp.post("/profile")
@login_required
def profile():
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            self_service.update_profile(db(), actor(), display_name=form.display_name.data or "",
                                        email=form.email.data or "")
        except ValidationError as exc:
            db().rollback()
            apply_errors(form, exc)
            return _account_page(profile=form, status=422)
        db().commit()
        flash("个人资料已保存", "success")
    return redirect(url_for("account.index"))


@bp.post("/password")
@login_required
def password():
    """Change one's password; the session goes on under the new session token."""
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return redirect(url_for("account.index"))
    match = form.passwords_match()
    me = actor()._get_current_object()    # the user itself: login_user below must not get the proxy
    try:
        user = self_service.change_password(db(), me, form.current_password.data or "",
                                            form.password.data or "")
    except ValidationError as exc:
        db().rollback()
        apply_errors(form, exc)
        return _account_page(password=form, status=422)
    if not match:
        db().rollback()
        return _account_page(password=form, status=422)
    db().commit()
    session.clear()
    login_user(user)          # this browser stays logged in; every other session has ended
    flash("密码已修改，其他设备上的登录已失效", "success")
    return redirect(url_for("account.index"))


# -- the team -------------------------------------------------------------------------------------

def _team_page(invite_form=None, new_link: str | None = None, status: int = 200):
    user = actor()
    org = user.organization
    return render_template("account/team.html", org=org,
                           members=memberships.members(db(), org),
                           invitations=memberships.pending_invitations(db(), org, _now())
                           if user.is_admin else [],
                           invite_form=invite_form or InviteForm(formdata=None),
                           plain=PlainForm(formdata=None), new_link=new_link,
                           config_invitation_days=runtime().settings.invitation_days), status


NEW_LINK = "matchmaker.new_link"    # a link just issued, shown on the next page only


def take_new_link() -> str | None:
    """The one-time link issued by the previous request (post/redirect/get): shown once, then
    gone from the session, so reloading the page neither shows it again nor issues another."""
    return session.pop(NEW_LINK, None)


@bp.route("/team")
@login_required
def team():
    """Members of the organization; admins also see invitations and the actions."""
    return _team_page(new_link=take_new_link())


@bp.post("/team/invite")
@login_required
def invite():
    """A one-time invitation link, shown once on the answer page (and e-mailed when set up)."""
    memberships.ensure_admin(actor())
    form = InviteForm()
    if not form.validate_on_submit():
        abort(400)
    settings = runtime().settings
    try:
        made = memberships.invite(db(), actor(), role=form.role.data or "", email=form.email.data or "",
                                  now=_now(), lifetime=timedelta(days=settings.invitation_days))
    except ValidationError as exc:
        db().rollback()
        apply_errors(form, exc)
        return _team_page(invite_form=form, status=422)
    link = invite_link(made.token)
    db().commit()
    sent = made.row.email and mail.send_invitation(settings, made.row.email, actor().organization.name,
                                                   link, settings.invitation_days)
    flash(f"邀请链接已生成{'并已发送到 ' + made.row.email if sent else ''}："
          "请复制下方链接发给对方（只显示这一次）", "success")
    session[NEW_LINK] = link
    return redirect(url_for("account.team"))


@bp.post("/team/invitations/<int:invitation_id>/revoke")
@login_required
def revoke(invitation_id: int):
    form = PlainForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        memberships.revoke_invitation(db(), actor(), invitation_id, _now())
    except Conflict as exc:
        db().rollback()
        flash(exc.message, "error")
    else:
        db().commit()
        flash("邀请已撤销，链接随即失效", "success")
    return redirect(url_for("account.team"))


@bp.post("/team/<int:user_id>/<any(deactivate, reactivate, 'make-admin', 'make-member', 'hand-over'):action>")
@login_required
def member(user_id: int, action: str):
    """Deactivate / reactivate a member, change a role, hand the admin role over; leaving is
    deactivating oneself (never the last admin)."""
    form = PlainForm()
    if not form.validate_on_submit():
        abort(400)
    me = actor()
    leaving = action == "deactivate" and user_id == me.id
    run = {"deactivate": lambda: memberships.set_active(db(), me, user_id, False),
           "reactivate": lambda: memberships.set_active(db(), me, user_id, True),
           "make-admin": lambda: memberships.set_role(db(), me, user_id, "admin"),
           "make-member": lambda: memberships.set_role(db(), me, user_id, "member"),
           "hand-over": lambda: memberships.hand_over(db(), me, user_id)}[action]
    try:
        run()
    except (Conflict, ValidationError) as exc:
        db().rollback()
        flash(exc.message, "error")
        return redirect(url_for("account.team"))
    db().commit()
    if leaving:
        logout_user()
        session.clear()
        flash("您已退出该机构，账号已停用", "info")
        return redirect(url_for("home.index"))
    flash(TEAM_ACTIONS[action], "success")
    return redirect(url_for("account.team"))


# -- one-time links (no login) ------------------------------------------------------------------

def _already_logged_in():
    flash("请先退出当前账号，再打开该链接", "warning")
    return redirect(url_for("home.index"))


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str):
    """The invitee creates an account in the inviting organization and is logged in."""
    if actor() is not None:
        return _already_logged_in()
    return _join_page(lambda: memberships.invitation_for(db(), token, _now()),
                      lambda login, password, name: memberships.accept_invitation(
                          db(), token, login=login, password=password, display_name=name,
                          now=_now()))


@bp.route("/invitations/<int:invitation_id>", methods=["GET", "POST"])
@login_required
def invitation(invitation_id: int):
    """An invitation addressed to the logged-in user (opened from the inbox): the same form as
    the link's, for a new account in the inviting organization; the browser then continues
    under the new account (the old one is untouched and can log in again)."""
    me = actor()._get_current_object()
    return _join_page(lambda: memberships.addressed_invitation(db(), me, invitation_id, _now()),
                      lambda login, password, name: memberships.accept_addressed_invitation(
                          db(), me, invitation_id, login=login, password=password,
                          display_name=name, now=_now()),
                      current=me)


def _join_page(load, accept, current=None):
    """The join form of an invitation: `load()` finds it (NotFound: a 404 page), `accept(login,
    password, display_name)` makes the account, which this browser is then logged in as."""
    invitation = load()
    form = JoinForm()
    if request.method == "GET" and current is not None:
        form.display_name.data = current.display_name
    if form.validate_on_submit():
        match = form.passwords_match()
        try:
            user = accept(form.login.data or "", form.password.data or "", form.display_name.data or "")
        except ValidationError as exc:
            db().rollback()
            apply_errors(form, exc)
        except PermissionDenied as exc:
            db().rollback()
            form.form_errors.append(exc.message)
        else:
            if match:
                db().commit()
                session.clear()
                login_user(user)
                second = f"。这是您的新账号，登录名 {user.login}；原账号不受影响" if current else ""
                flash(f"欢迎加入{user.organization.name}{second}", "success")
                return redirect(url_for("home.index"))
            db().rollback()
        return render_template("account/join.html", form=form, invitation=load(),
                               current=current), 422
    return render_template("account/join.html", form=form, invitation=invitation, current=current)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """A new password through a reset link; then the user logs in with it."""
    if actor() is not None:
        return _already_logged_in()
    user = self_service.reset_target(db(), token, _now())
    form = SetPasswordForm()
    if form.validate_on_submit():
        match = form.passwords_match()
        try:
            self_service.reset_password(db(), token, form.password.data or "", _now())
        except ValidationError as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            if match:
                db().commit()
                return render_template("account/password_set.html", login=user.login)
            db().rollback()
        return render_template("account/set_password.html", form=form, target=user), 422
    return render_template("account/set_password.html", form=form, target=user)
