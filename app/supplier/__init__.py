"""Pages for suppliers: registration, profile, documents, catalogue."""

from flask import Blueprint

bp = Blueprint("supplier", __name__, url_prefix="/supplier")

from app.supplier import (  # noqa: E402,F401
    bids,
    catalogue_views,
    complaints,
    contracts,
    frameworks,
    ratings,
    views,
)
