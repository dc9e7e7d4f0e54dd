"""Logging in and out, two-factor authentication, password reset, the inbox."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/account")

from app.auth import views  # noqa: E402,F401
