"""Language choice: ?lang= link sets a cookie; then the user's setting; then the browser."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import Babel
from flask_login import current_user

bp = Blueprint("i18n", __name__)
COOKIE = "lang"

#: The Babel locale used for each UI language: Spanish numbers, dates and money are
#: formatted the Mexican way (1,234.50 and "2 dic 2026"), not Spain's (1.234,50).
FORMAT_LOCALES = {"es": "es_MX", "en": "en"}


def select_locale() -> str:
    """The UI language ("es" or "en"); translations are looked up by it."""
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(COOKIE)
    if chosen in languages:
        return chosen
    if current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


@bp.get("/lang/<code>")
def switch(code: str) -> ResponseReturnValue:
    """Set the UI language and go back to where the user was (a plain link: no JS)."""
    target = request.args.get("next", "")
    # Only local paths: never redirect to another site.
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("public.home")
    response = redirect(target)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            COOKIE,
            code,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        )
    return response


def _babel_locale() -> str:
    language = select_locale()
    return FORMAT_LOCALES.get(language, language)


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=_babel_locale)
    app.register_blueprint(bp)
