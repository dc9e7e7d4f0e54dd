"""Logging in and out, two-factor authentication, password reset, the inbox."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/account")

from app.auth import account_views, reset_views, totp_views, views  # noqa: E402,F401
