"""Two-factor enrolment (TOTP) and recovery codes."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth import bp
from app.auth.forms import CodeForm
from app.auth.helpers import home_for, no_store, safe_next, show_error
from app.db import db_session
from app.security import login_required_any
from marketplace.accounts.models import User
from marketplace.accounts.services import (
    AccountError,
    enable_totp,
    regenerate_recovery_codes,
    start_totp_enrolment,
    totp_uri,
    unused_recovery_codes,
)


def qr_data_uri(text: str) -> str:
    """A QR code as an SVG data URI: shows in an <img> with no script and no styles."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# Enrolment is reachable before 2FA is on (role_required would send the user here),
# so it checks only that someone is logged in.
@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def totp_enrol() -> ResponseReturnValue:
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    target = safe_next(request.values.get("next"))
    if user.totp_enabled:
        flash(_("Two-factor authentication is already on for your account."), "info")
        return redirect(target or url_for("auth.account"))
    db = db_session()
    form = CodeForm()
    if request.method == "GET":
        form.next.data = target or ""
        if not user.totp_secret:
            # The secret is kept from the first visit so reloading the page does not
            # invalidate an app that already scanned it.
            start_totp_enrolment(user)
            db.commit()
    elif form.validate_on_submit():
        try:
            codes = enable_totp(db, user, form.code.data or "")
        except AccountError as error:
            db.rollback()
            show_error(form, error)
        else:
            db.commit()
            flash(_("Two-factor authentication is on."), "success")
            return _show_codes(codes, target or home_for(user))
    if not user.totp_secret:  # e.g. a stale tab posting without a GET first
        start_totp_enrolment(user)
        db.commit()
    return no_store(
        render_template(
            "auth/totp_enrol.html",
            form=form,
            qr=qr_data_uri(totp_uri(user)),
            secret=grouped(user.totp_secret or ""),
        )
    )


def _show_codes(codes: list[str], continue_to: str) -> ResponseReturnValue:
    return no_store(
        render_template("auth/recovery_codes_show.html", codes=codes, continue_to=continue_to)
    )


@bp.route("/recovery-codes", methods=["GET", "POST"])
@login_required_any
def recovery_codes() -> ResponseReturnValue:
    """Make a new set of recovery codes (the old ones stop working)."""
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    if not user.totp_enabled:
        return redirect(url_for("auth.totp_enrol"))
    form = CodeForm()
    if form.validate_on_submit():
        db = db_session()
        try:
            codes = regenerate_recovery_codes(db, user, form.code.data or "")
        except AccountError as error:
            db.rollback()
            show_error(form, error)
        else:
            db.commit()
            flash(_("New recovery codes made. The old ones no longer work."), "success")
            return _show_codes(codes, url_for("auth.account"))
    return render_template(
        "auth/recovery_codes.html", form=form, left=unused_recovery_codes(user)
    )
