"""Login, logout and self-registration."""
from __future__ import annotations

from urllib.parse import urlsplit

from datetime import timedelta

from flask import (Blueprint, flash, make_response, redirect, render_template, request, session,
                   url_for)
from flask_login import login_required, login_user, logout_user

from ..catalog import accounts, login_throttle, station_links
from ..errors import PermissionDenied, ValidationError
from . import device_cookie
from .context import actor, db, runtime
from .forms import LoginForm, RegisterForm, apply_errors
from .security import limiter, login_limit, register_limit, registered

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
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    login_name = form.login.data or ""
    key = device_cookie.throttle_key(login_name)
    verdict = _count_attempt(key)
    if not verdict.allowed:
        return _locked_out(form, verdict)
    try:
        user = accounts.authenticate(db(), login_name, form.password.data or "")
    except ValidationError as exc:
        apply_errors(form, exc)
        return render_template("auth/login.html", form=form)
    except PermissionDenied as exc:   # the password was right: the count starts afresh
        db().rollback()
        _clear_attempts(key)
        form.form_errors.append(exc.message)
        return render_template("auth/login.html", form=form), 403
    _clear_attempts(key)
    session.clear()  # a new session after login: nothing planted before survives
    login_user(user)
    flash(f"欢迎回来，{user.display_name}", "success")
    response = redirect(safe_next(form.next.data) or url_for("home.index"))
    device_cookie.remember(response, login_name)
    return response


def _count_attempt(key: str) -> login_throttle.Verdict:
    """Count the attempt and commit before the password is checked (parallel guesses see it)."""
    settings = runtime().settings
    policy = login_throttle.Policy(free=settings.login_free_failures,
                                   max_delay=timedelta(seconds=settings.login_max_delay_seconds))
    verdict = login_throttle.begin_attempt(db(), key, policy, login_throttle.wall_clock())
    db().commit()
    return verdict


def _clear_attempts(key: str) -> None:
    """The password was right: clear the count (committed with the login's own changes)."""
    login_throttle.succeeded(db(), key)
    db().commit()


def _locked_out(form: LoginForm, verdict: login_throttle.Verdict):
    """429 with the wait in words and in Retry-After; the form stays usable."""
    form.form_errors.append(f"该账号登录失败次数过多，请 {verdict.retry_after} 秒后再试")
    response = make_response(render_template("auth/login.html", form=form), 429)
    response.headers["Retry-After"] = str(verdict.retry_after)
    return response


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
@limiter.limit(register_limit, methods=["POST"], deduct_when=registered)
def register():
    """Self-registration of a university, institute, enterprise or station with its first user."""
    if actor() is not None:
        return redirect(url_for("home.index"))
    form = RegisterForm()
    form.set_stations(station_links.registration_choices(db()))
    if form.validate_on_submit():
        # Validate everything even when the confirmation differs, so one answer lists all problems.
        passwords_match = form.passwords_match()
        try:
            user = accounts.register(db(), form.organization_input(), form.login.data or "",
                                     form.password.data or "", form.display_name.data or "")
            station_links.request_at_registration(db(), user, form.station_ref())
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

