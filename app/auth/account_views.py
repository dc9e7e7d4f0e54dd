"""The account page (name, language, password, two-factor status) and the inbox."""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app.auth import bp
from app.auth.forms import ChangePasswordForm, ProfileForm
from app.auth.helpers import safe_next, show_error
from app.db import db_session
from app.i18n import COOKIE as LANG_COOKIE
from app.security import login_required_any
from marketplace.accounts.models import User
from marketplace.accounts.services import (
    AccountError,
    change_password,
    unused_recovery_codes,
    update_profile,
)
from marketplace.inbox.services import messages_for, open_message


def _me() -> User:
    # The real object, not the proxy: login_user() must not be handed current_user itself.
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _account_page(
    profile: ProfileForm | None = None, password: ChangePasswordForm | None = None
) -> ResponseReturnValue:
    user = _me()
    if profile is None:
        profile = ProfileForm(formdata=None, obj=user)
    return render_template(
        "auth/account.html",
        user=user,
        profile=profile,
        password=password or ChangePasswordForm(formdata=None),
        recovery_left=unused_recovery_codes(user) if user.totp_enabled else 0,
    )


@bp.get("/")
@login_required_any
def account() -> ResponseReturnValue:
    return _account_page()


@bp.post("/profile")
@login_required_any
def account_profile() -> ResponseReturnValue:
    form = ProfileForm()
    if not form.validate_on_submit():
        return _account_page(profile=form)
    db = db_session()
    try:
        update_profile(db, _me(), form.name.data or "", form.locale.data or "")
    except AccountError as error:
        db.rollback()
        show_error(form, error)
        return _account_page(profile=form)
    db.commit()
    flash(_("Your details are saved."), "success")
    response = make_response(redirect(url_for("auth.account")))
    # The language cookie wins over the account setting, so keep them the same.
    if form.locale.data in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANG_COOKIE, form.locale.data, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return response


@bp.post("/password", endpoint="change_password")
@login_required_any
def change_password_view() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _account_page(password=form)
    db = db_session()
    user = _me()
    try:
        change_password(db, user, form.current_password.data or "", form.new_password.data or "")
    except AccountError as error:
        db.rollback()
        show_error(form, error)
        return _account_page(password=form)
    db.commit()
    # Sessions are tied to the password hash: every other session has just ended.
    # Keep this one by logging in again with the new identity.
    login_user(user)
    flash(_("Your password is changed. You were logged out everywhere else."), "success")
    return redirect(url_for("auth.account"))


@bp.get("/inbox")
@login_required_any
def inbox() -> ResponseReturnValue:
    messages = messages_for(db_session(), _me().id)
    return render_template("auth/inbox.html", messages=messages)


@bp.get("/inbox/<int:message_id>")
@login_required_any
def message(message_id: int) -> ResponseReturnValue:
    db = db_session()
    msg = open_message(db, _me().id, message_id)
    if msg is None:
        abort(404)
    db.commit()
    # Lines that are links to this site (e.g. a reset link) are shown as links.
    site_url = str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/") + "/"
    return render_template(
        "auth/message.html", msg=msg, link=safe_next(msg.link), site_url=site_url
    )
