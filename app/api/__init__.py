"""Public read-only JSON API."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")


from app.api import errors, http, openapi, publication, views  # noqa: E402,F401
from app.api import search as _search  # noqa: E402,F401

http.register(bp)

from app.extensions import api_limit, limiter  # noqa: E402

limiter.limit(api_limit)(bp)
