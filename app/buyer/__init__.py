"""Pages for buyers (purchasing units)."""

from flask import Blueprint

bp = Blueprint("buyer", __name__, url_prefix="/buyer")

from app.buyer import cases, views  # noqa: E402,F401
