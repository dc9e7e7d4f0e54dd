"""The API's front door: what it offers, so a client can discover it (DESIGN.md §2)."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from app.api import bp
from app.api.http import json_response
from app.api.publication import public_url


@bp.get("/")
def index() -> ResponseReturnValue:
    return json_response(
        {
            "name": "Tianguis public API",
            "version": "1",
            "links": {
                "releases": public_url("api.releases"),
                "records": public_url("api.records"),
                "openapi": public_url("api.openapi"),
                "bulk": public_url("public.bulk_index"),
                "publicationPolicy": public_url("public.publication_policy"),
            },
        }
    )
