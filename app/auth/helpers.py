"""Small helpers shared by the account views."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import current_app, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import AccountError

#: Where each role lands after logging in (when that page exists).
ROLE_HOME = {
    Role.SUPPLIER: "supplier.dashboard",
    Role.BUYER: "buyer.dashboard",
    Role.FINANCE: "finance.dashboard",
    Role.ADMIN: "admin.dashboard",
}


def safe_next(target: str | None) -> str | None:
    """``target`` as a local path (with query), or None if it points anywhere else."""
    if not target or any(c in target for c in "\\\r\n\t") or len(target) > 2000:
        return None
    parts = urlsplit(target)
    foreign = parts.scheme not in ("", "http", "https") or parts.netloc not in ("", request.host)
    if foreign or (parts.netloc and not parts.scheme):
        return None
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))


def home_for(user: User) -> str:
    endpoint = ROLE_HOME.get(user.role)
    if endpoint and endpoint in current_app.view_functions:
        return url_for(endpoint)
    return url_for("public.home")


def translated(error: AccountError) -> str:
    return _(error.message, **error.params)  # type: ignore[arg-type]


def show_error(form: FlaskForm, error: AccountError) -> None:
    """Put a service's error next to its field (or above the form)."""
    message = translated(error)
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def no_store(response: ResponseReturnValue) -> ResponseReturnValue:
    """Pages showing secrets (TOTP secret, recovery codes) must not be cached."""
    from flask import make_response

    resp = make_response(response)
    resp.headers["Cache-Control"] = "no-store"
    return resp
