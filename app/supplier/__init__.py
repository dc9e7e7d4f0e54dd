"""Pages for suppliers: registration, profile, documents, catalogue."""

from flask import Blueprint

bp = Blueprint("supplier", __name__, url_prefix="/supplier")

from app.supplier import bids, catalogue_views, complaints, contracts, ratings, views  # noqa: E402,F401
from app.supplier import frameworks  # noqa: E402,F401
