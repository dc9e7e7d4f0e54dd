"""Logging in (password, then the second factor when enrolled) and logging out.

A session is only ever logged in (``login_user``) once every factor the account has is
checked; between the two steps the session holds just a pending user id for 5 minutes.
"""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from app.auth import bp
from app.auth.forms import CodeForm, LoginForm, LogoutForm
from app.auth.helpers import home_for, safe_next
from app.db import db_session
from app.extensions import limiter
from marketplace.accounts.login import authenticate, check_second_factor, complete_login
from marketplace.accounts.models import User
from marketplace.accounts.services import normalise_email

PENDING_KEY = "auth_pending"
PENDING_SECONDS = 5 * 60


def clock() -> float:
    """Seconds since the epoch (tests move it instead of sleeping)."""
    return time.time()


def _login_limit() -> str:
    return str(current_app.config["RATELIMIT_LOGIN"])


def _account_key() -> str:
    """Rate-limit key for the account being tried, whatever address it is tried from."""
    return "login-account:" + normalise_email(request.form.get("email", ""))[:254]


def _pending_key() -> str:
    pending = session.get(PENDING_KEY) or {}
    return f"login-2fa:{pending.get('uid', 'none')}"


def _finish_login(
    user: User, target: str | None, notes: tuple[str, ...] = ()
) -> ResponseReturnValue:
    """Both factors (or the only one) are right: start the logged-in session."""
    db = db_session()
    failed = complete_login(db, user)
    db.commit()
    session.clear()  # a fresh session: nothing from before the login carries over
    login_user(user)
    for note in notes:
        flash(note, "info")
    if failed:
        flash(
            ngettext(
                "There was %(num)s failed attempt to log in to your account since your last "
                "login.",
                "There were %(num)s failed attempts to log in to your account since your last "
                "login.",
                failed,
            ),
            "info",
        )
    if user.needs_2fa and not user.totp_enabled:
        flash(_("Your role needs two-factor authentication. Set it up to continue."), "info")
        return redirect(url_for("auth.totp_enrol", next=target or home_for(user)))
    return redirect(target or home_for(user))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, key_func=_account_key, methods=["POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or home_for(current_user))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        db = db_session()
        user = authenticate(db, form.email.data or "", form.password.data or "")
        db.commit()  # a failed attempt is counted even though the login fails
        target = safe_next(form.next.data)
        if user is None:
            form.password.errors = [_("The e-mail address or the password is not correct.")]
        elif user.totp_enabled:
            session[PENDING_KEY] = {
                "uid": user.id,
                "tail": user.get_id(),
                "at": clock(),
                "next": target,
            }
            return redirect(url_for("auth.totp_challenge"))
        else:
            return _finish_login(user, target)
    return render_template("auth/login.html", form=form)


def _pending_user() -> tuple[User | None, str | None]:
    """The user whose password was right in the last 5 minutes, and where they were going."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or clock() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None, None
    user = db_session().get(User, int(pending.get("uid", 0)))
    # If the password changed meanwhile, the pending login is void.
    if user is None or not user.is_active or user.get_id() != pending.get("tail"):
        return None, None
    return user, pending.get("next")


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, key_func=_pending_key, methods=["POST"])
def totp_challenge() -> ResponseReturnValue:
    user, target = _pending_user()
    if user is None:
        session.pop(PENDING_KEY, None)
        flash(_("Your login took longer than 5 minutes. Please enter your password again."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        db = db_session()
        result = check_second_factor(db, user, form.code.data or "")
        db.commit()
        if result.ok:
            notes: tuple[str, ...] = ()
            if result.how == "recovery_code":
                notes = (
                    ngettext(
                        "You used a recovery code. %(num)s code is left: make new ones on your "
                        "account page.",
                        "You used a recovery code. %(num)s codes are left: make new ones on "
                        "your account page if you are running out.",
                        result.recovery_codes_left,
                    ),
                )
            return _finish_login(user, target, notes)
        if result.how == "replayed":
            message = _("That code was already used. Wait for your app to show a new one.")
        else:
            message = _(
                "That code is not right. Enter the 6-digit code your app shows now, "
                "or a recovery code."
            )
        form.code.errors = [message]
    return render_template("auth/totp_challenge.html", form=form)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    form = LogoutForm()
    if not form.validate_on_submit():
        # An expired token: ask once more, with a fresh token, instead of failing.
        return render_template("auth/logout.html", form=form)
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("public.home"))
