"""OpenAPI 3.1 description of /api/ (a test keeps it and ``app.url_map`` in step)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.typing import ResponseReturnValue

from app.api import bp
from app.api.http import json_response
from app.api.params import DEFAULT_LIMIT, MAX_LIMIT

OCDS_DOCS = "https://standard.open-contracting.org/1.1/en/schema/"


def _param(name: str, where: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
    }


PAGING = [
    _param(
        "since",
        "query",
        "Only items at or after this ISO 8601 date-time (UTC when no offset).",
        {"type": "string", "format": "date-time"},
    ),
    _param(
        "cursor",
        "query",
        "Opaque position from `links.next` of the previous page.",
        {"type": "string"},
    ),
    _param(
        "limit",
        "query",
        "Items per page.",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    ),
]


def _json(description: str, schema_ref: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"$ref": schema_ref} if schema_ref else {"type": "object"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _json("A parameter is wrong; `error.path` names it.", "#/components/schemas/Error"),
    "404": _json("Not found.", "#/components/schemas/Error"),
}
NOT_MODIFIED = {"304": {"description": "Unchanged since If-None-Match / If-Modified-Since."}}


def _get(summary: str, parameters: list[dict[str, Any]], ok: dict[str, Any]) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters,
            "responses": {"200": ok, **NOT_MODIFIED, **ERRORS},
        }
    }


#: Path items other API modules add (``add_path``) so that the document covers their routes.
EXTRA_PATHS: dict[str, dict[str, Any]] = {}


def add_path(path: str, item: dict[str, Any]) -> None:
    """Describe another /api/ route, e.g. ``add_path("/api/search", {"get": {...}})``."""
    EXTRA_PATHS[path] = item


def document() -> dict[str, Any]:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tianguis public API",
            "version": "1",
            "description": (
                "Read-only open contracting data (OCDS 1.1.5), no login. Responses carry ETag "
                "and Last-Modified, are gzipped on request and allow any origin. Licence: "
                "CC BY 4.0."
            ),
        },
        "servers": [{"url": base}],
        "paths": {
            "/api/": _get("What the API offers.", [], _json("API name and version.")),
            "/api/openapi.json": _get("This document.", [], _json("OpenAPI 3.1 document.")),
            "/api/releases": _get(
                "Release package of all releases, ordered by (date, id). A release dated "
                "before one you have already paged past lands behind your cursor: to follow "
                "changes, poll /api/records?since= (ordered by when a record changed).",
                PAGING,
                _json(f"OCDS release package ({OCDS_DOCS}release_package/)."),
            ),
            "/api/releases/{release_id}": _get(
                "Release package with one release.",
                [_param("release_id", "path", "`<ocid>-<sequence>`.", {"type": "string"})],
                _json("OCDS release package."),
            ),
            "/api/records": _get(
                "Record package (linked releases + compiledRelease), ordered by last change; "
                "`since` filters by when the record last changed.",
                PAGING,
                _json(f"OCDS record package ({OCDS_DOCS}record_package/)."),
            ),
            "/api/records/{ocid}": _get(
                "Record package with one record, its releases embedded.",
                [
                    _param("ocid", "path", "Open Contracting ID.", {"type": "string"}),
                    _param(
                        "versioned",
                        "query",
                        "1 adds the versionedRelease (history of every field).",
                        {"type": "string", "enum": ["0", "1"]},
                    ),
                ],
                _json("OCDS record package."),
            ),
            **EXTRA_PATHS,
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message", "path"],
                            "properties": {
                                "code": {"type": "integer"},
                                "message": {"type": "string"},
                                "path": {"type": ["string", "null"]},
                            },
                        }
                    },
                }
            }
        },
    }


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return json_response(document())
