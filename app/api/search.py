"""``GET /api/search``: the explorer's search as JSON (results, facet counts, highlights).

Same parameters as ``/search``; problems with the request come back in ``problems``
(code, parameters, message) next to the results, never as an error status.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api import bp, openapi
from app.api.http import json_response
from app.search_support import drain_outbox, problem_message, process_url, search_backend
from marketplace.search.index import IndexUnavailable
from marketplace.search.query import Hit, SearchResult
from marketplace.search.request import (
    FACETS,
    MAX_PAGE,
    MAX_PER_PAGE,
    PER_PAGE,
    SORTS,
    parse_request,
)


def _hit(hit: Hit) -> dict[str, Any]:
    return {
        "ocid": hit.ocid,
        "title": hit.title,
        "buyer": hit.buyer,
        "suppliers": hit.suppliers,
        "status": hit.status,
        "procurementMethod": hit.method,
        "mainProcurementCategory": hit.category,
        "date": hit.date.isoformat() + "Z" if hit.date else None,
        "tenderAmount": hit.tender_amount,
        "awardAmount": hit.award_amount,
        "amount": hit.amount,
        "currency": hit.currency,
        "redFlags": hit.flags,
        "publisher": hit.publisher,
        "highlights": hit.highlights,
        "url": process_url(hit.ocid, external=True),
        "record": url_for("api.record", ocid=hit.ocid, _external=True),
    }


def _body(result: SearchResult) -> dict[str, Any]:
    req = result.request
    links: dict[str, str] = {}
    if req.page < result.pages:
        links["next"] = url_for("api.search", _external=True, **req.args(page=req.page + 1))
    if req.page > 1:
        links["prev"] = url_for("api.search", _external=True, **req.args(page=req.page - 1))
    return {
        "query": req.args(page=req.page),
        "sort": req.effective_sort,
        "total": result.total,
        # Very many matches (PostgreSQL backend): the total and facet counts are
        # estimated from a sample, and pages reach only the first ``window`` results.
        "estimated": result.estimated,
        "window": result.window,
        "page": req.page,
        "pages": result.pages,
        "perPage": req.per_page,
        "results": [_hit(hit) for hit in result.hits],
        "facets": {
            name: [{"value": v.value, "count": v.count, "selected": v.selected} for v in values]
            for name, values in result.facets.items()
        },
        "problems": [
            {"code": p.code, "params": p.params, "message": problem_message(p)}
            for p in result.problems
        ],
        "links": links,
        "csv": url_for("public.search_csv", _external=True, **req.args(page="")),
    }


def _param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}  # fmt: skip


_TEXT = {"type": "string"}
# ``add_path`` may not be committed yet where this module is (the API document is
# another helper's work in progress): without it the document just omits this route.
_add_path = getattr(openapi, "add_path", lambda path, item: None)
_add_path(
    "/api/search",
    {
        "get": {
            "summary": "Full-text search of all processes, with facet counts and highlights.",
            "description": (
                "Bad parameters never fail the request: each is reported in `problems` "
                "(code, params, message) and left out of the search."
            ),
            "parameters": [
                _param("q", "Words; accents and Spanish/English plurals are folded.", _TEXT),
                *[
                    _param(facet, f"Facet filter (repeat for several {facet} values).", _TEXT)
                    for facet in FACETS
                ],
                _param(
                    "date_from",
                    "Process date from (YYYY-MM-DD).",
                    {"type": "string", "format": "date"},
                ),
                _param(
                    "date_to", "Process date to (YYYY-MM-DD).", {"type": "string", "format": "date"}
                ),
                _param(
                    "amount_min",
                    "Minimum amount (award total, else tender value).",
                    {"type": "number", "minimum": 0},
                ),
                _param("amount_max", "Maximum amount.", {"type": "number", "minimum": 0}),
                _param("sort", "Order of the results.", {"type": "string", "enum": list(SORTS)}),
                _param(
                    "page", "Page number.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}
                ),
                _param(
                    "per_page",
                    "Results per page.",
                    {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": PER_PAGE},
                ),
            ],  # fmt: skip
            "responses": {
                "200": {
                    "description": (
                        "Results, facet counts, highlights, problems and links. When very "
                        "many processes match, `estimated` is true: `total` and the facet "
                        "counts are estimates from a sample (rounded), relevance orders the "
                        "`window` newest matches and pages reach that far; the CSV has all."
                    ),
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "304": {"description": "Unchanged since If-None-Match."},
                "503": {
                    "description": "The search index is being rebuilt; retry later.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
            },
        }
    },
)


@bp.get("/search", endpoint="search")
def search_api() -> ResponseReturnValue:
    req, problems = parse_request(request.args.to_dict(flat=False))
    drain_outbox()
    try:
        result = search_backend().search(req, problems)
    except IndexUnavailable:
        response = json_response(
            {
                "error": "rebuilding",
                "message": _(
                    "The search index is being rebuilt. Please try again in a few minutes."
                ),
            }
        )
        response.status_code = 503
        response.headers["Retry-After"] = "60"
        return response
    return json_response(_body(result))
