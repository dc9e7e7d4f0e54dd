"""Public read-only JSON API."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from app.api import views  # noqa: E402,F401
