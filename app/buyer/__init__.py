"""Pages for buyers (purchasing units)."""

from flask import Blueprint

bp = Blueprint("buyer", __name__, url_prefix="/buyer")

# One import line (ruff merges imports from one module); add modules in alphabetical order.
from app.buyer import (  # noqa: E402,F401,E501
    assets,
    awards,
    cases,
    contracts,
    frameworks,
    opening,
    plans,
    ratings,
    tenders,
    views,
)
