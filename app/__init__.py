"""Tianguis web application: the app factory. Nothing runs at import time."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

BLUEPRINTS = ("public", "auth", "supplier", "buyer", "finance", "admin", "api")


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    from app import config, db, i18n, library_settings, security, security_headers, server_timing
    from app.extensions import limiter

    app = Flask(
        __name__,
        instance_path=os.environ.get("TIANGUIS_INSTANCE_PATH") or None,
        instance_relative_config=True,
    )
    config.load_config(app, overrides)
    server_timing.init_app(app)  # first: its clock starts before the other hooks
    db.init_app(app)
    library_settings.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    limiter.init_app(app)

    import importlib

    for name in BLUEPRINTS:
        module = importlib.import_module(f"app.{name}")
        app.register_blueprint(module.bp)

    _register_template_helpers(app)
    _register_error_pages(app)
    security_headers.init_app(app)
    return app


def _register_template_helpers(app: Flask) -> None:
    from flask_login import current_user
    from flask_wtf.csrf import generate_csrf

    from app.db import db_session
    from app.i18n import select_locale
    from app.navigation import NAV
    from marketplace.inbox.services import unread_count

    @app.context_processor
    def _inject() -> dict[str, Any]:
        def inbox_unread() -> int:
            if not current_user.is_authenticated:
                return 0
            return unread_count(db_session(), current_user.id)

        def nav_links() -> list[tuple[str, str]]:
            role = current_user.role if current_user.is_authenticated else None
            return [
                (endpoint, str(label))
                for endpoint, label, roles in NAV
                if endpoint in app.view_functions and (roles is None or role in roles)
            ]

        return {
            "csrf_token": generate_csrf,
            "current_locale": select_locale,
            "inbox_unread": inbox_unread,
            "nav_links": nav_links,
        }


def _register_error_pages(app: Flask) -> None:
    messages = {
        400: lambda: _("The request could not be understood."),
        403: lambda: _("You do not have permission to do this."),
        404: lambda: _("We could not find that page."),
        405: lambda: _("That action is not allowed here."),
        413: lambda: _("The file or form is too large."),
        429: lambda: _("Too many attempts. Please wait a minute and try again."),
    }

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> ResponseReturnValue:
        code = exc.code or 500
        message = messages.get(code, lambda: exc.description or "")()
        from flask import request

        if request.path.startswith("/api/"):
            return {"error": {"code": code, "message": message, "path": None}}, code
        return render_template("error.html", code=code, message=message), code
