"""Forgotten password: ask for a link, then set a new password through it."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from app.auth import bp
from app.auth.forms import ResetPasswordForm, ResetRequestForm
from app.auth.helpers import show_error, translated
from app.db import db_session
from app.extensions import limiter
from marketplace.accounts.models import User
from marketplace.accounts.password_reset import (
    request_password_reset,
    user_for_reset_token,
)
from marketplace.accounts.password_reset import (
    reset_password as reset_password_with_token,
)
from marketplace.accounts.services import AccountError, normalise_email


def _limit() -> str:
    return str(current_app.config["RATELIMIT_LOGIN"])


def _link_for(token: str) -> str:
    # Built from the configured public address, never from the request's Host header,
    # so a forged Host cannot make us mail a link to someone else's site.
    base = str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    return base + url_for("auth.reset_password", token=token)


def _compose(user: User, link: str) -> tuple[str, str]:
    with force_locale(user.locale):
        subject = _("Reset your Tianguis password")
        body = _(
            "Hello %(name)s,\n\n"
            "Someone (we hope you) asked to reset the password of your Tianguis account "
            "%(email)s. To choose a new password, open this link within one hour:\n\n"
            "%(link)s\n\n"
            "The link works once. If you did not ask for it, ignore this message: your "
            "password stays as it is.",
            name=user.name,
            email=user.email,
            link=link,
        )
    return subject, body


def _email_key() -> str:
    """Per address too, so nobody can flood someone's mailbox from many IPs."""
    return "reset-email:" + normalise_email(request.form.get("email", ""))[:254]


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
@limiter.limit(_limit, key_func=_email_key, methods=["POST"])
def reset_request() -> ResponseReturnValue:
    form = ResetRequestForm()
    if form.validate_on_submit():
        db = db_session()
        request_password_reset(
            db,
            form.email.data or "",
            secret_key=current_app.config["SECRET_KEY"],
            link_for=_link_for,
            compose=_compose,
            mail_url=current_app.config.get("MAIL_URL") or None,
            outbox_dir=Path(current_app.instance_path) / "outbox",
        )
        db.commit()
        # The same answer whether or not the address has an account.
        return redirect(url_for("auth.reset_sent"))
    return render_template("auth/reset_request.html", form=form)


@bp.get("/reset/sent")
def reset_sent() -> ResponseReturnValue:
    return render_template("auth/reset_sent.html")


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    db = db_session()
    secret = current_app.config["SECRET_KEY"]
    try:
        user_for_reset_token(db, secret, token)
    except AccountError as error:
        return render_template("auth/reset_invalid.html", message=translated(error)), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = reset_password_with_token(db, secret, token, form.new_password.data or "")
        except AccountError as error:
            db.rollback()
            if error.field == "password":
                error.field = "new_password"
            show_error(form, error)
        else:
            db.commit()
            if current_user.is_authenticated and current_user.id == user.id:
                logout_user()
            flash(_("Your password has been changed. You can log in with it now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, token=token)
