"""API routes live here (see DESIGN.md §2)."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from app.api import bp


@bp.get("/")
def index() -> ResponseReturnValue:
    """What the API offers, so a client can discover it."""
    return jsonify({"name": "Tianguis public API", "version": "1"})
