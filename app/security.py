"""Who may do what: login manager, role checks, the 2FA gate.

Each protected view is wrapped with ``role_required``; the wrapper records the allowed
roles on the view so the route × role matrix test can list them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user

from app.db import db_session
from marketplace.accounts.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def _load_user(token: str) -> User | None:
    user_id, _, tail = token.partition(":")
    if not user_id.isdigit():
        return None
    user = db_session().get(User, int(user_id))
    if user is None or not user.is_active or user.password_hash[-12:] != tail:
        return None
    return user


def role_required(*roles: Role) -> Callable[[F], F]:
    """Allow only logged-in users with one of ``roles``; others get 403, anonymous a login.

    Users of roles that need two-factor authentication are sent to enrol first.
    """

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            if current_user.needs_2fa and not current_user.totp_enabled:
                return redirect(url_for("auth.totp_enrol", next=request.full_path))
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def login_required_any(view: F) -> F:
    """Any logged-in user (whatever the role), e.g. the inbox or account settings."""
    return role_required(*Role)(view)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
