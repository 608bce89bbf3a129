"""Login, logout and self-registration."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import login_required, login_user, logout_user

from ..catalog import accounts
from ..errors import PermissionDenied, ValidationError
from .context import actor, db
from .forms import LoginForm, RegisterForm, apply_errors
from .security import limiter, login_limit

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Return `target` only when it is a relative path on this site (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    """Show the login form; on valid credentials start a fresh session."""
    if actor() is not None:
        return redirect(url_for("home.index"))
    form = LoginForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(db(), form.login.data or "", form.password.data or "")
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.form_errors.append(exc.message)
            status = 403
        else:
            db().commit()
            session.clear()  # a new session after login: nothing planted before survives
            login_user(user)
            flash(f"欢迎回来，{user.display_name}", "success")
            return redirect(safe_next(form.next.data) or url_for("home.index"))
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the session everywhere: the rotated token invalidates every copy of the cookie."""
    accounts.rotate_session_token(actor())
    db().commit()
    logout_user()
    session.clear()
    flash("您已安全退出", "info")
    return redirect(url_for("home.index"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Self-registration of a university, institute, enterprise or station with its first user."""
    if actor() is not None:
        return redirect(url_for("home.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        # Validate everything even when the confirmation differs, so one answer lists all problems.
        passwords_match = form.passwords_match()
        try:
            accounts.register(db(), form.organization_input(), form.login.data or "",
                              form.password.data or "", form.display_name.data or "")
        except ValidationError as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            if passwords_match:
                db().commit()
                return redirect(url_for("auth.registered"))
            db().rollback()
    return render_template("auth/register.html", form=form)


@bp.route("/register/done")
def registered():
    """Confirmation page after registration: the organization waits for the operator."""
    return render_template("auth/registered.html")

