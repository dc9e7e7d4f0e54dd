"""Pages for the finance office."""

from flask import Blueprint

bp = Blueprint("finance", __name__, url_prefix="/finance")

from app.finance import views  # noqa: E402,F401
