"""The explorer: full-text search over all published processes, with facets, ranges,
sorting and pages (``/search``), and the same results as CSV (``/search.csv``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import Response, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_number
from flask_babel import gettext as _
from markupsafe import Markup

from app.extensions import limiter, search_limit
from app.public import bp
from app.search_support import (
    FACET_LABELS,
    drain_outbox,
    problem_message,
    process_url,
    search_backend,
    value_label,
)
from marketplace.search.index import IndexUnavailable
from marketplace.search.query import Hit
from marketplace.search.request import FACETS, SORTS, SearchRequest, parse_request

CSV_COLUMNS = (
    "ocid",
    "title",
    "buyer",
    "suppliers",
    "status",
    "procurement_method",
    "main_procurement_category",
    "date",
    "tender_amount",
    "award_amount",
    "currency",
    "red_flags",
    "publisher",
    "url",
)


def _sort_label(sort: str) -> str:
    labels = {
        "relevance": _("Best match"),
        "date": _("Newest first"),
        "date_asc": _("Oldest first"),
        "amount": _("Largest amount first"),
        "amount_asc": _("Smallest amount first"),
    }
    return labels[sort]


def toggle_url(req: SearchRequest, facet: str, value: str) -> str:
    """The same search with ``value`` added to or removed from the facet's filter."""
    values = list(req.filters.get(facet, []))
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    return url_for("public.search_page", **req.args(**{facet: values, "page": ""}))


@bp.get("/search")
@limiter.limit(search_limit)
def search_page() -> ResponseReturnValue:
    req, problems = parse_request(request.args.to_dict(flat=False))
    drain_outbox()
    try:
        result = search_backend().search(req, problems)
    except IndexUnavailable:
        result = None
    messages = [problem_message(p) for p in (result.problems if result else problems)]
    highlights = {}
    if result is not None:
        highlights = {
            hit.ocid: {name: Markup(html) for name, html in hit.highlights.items()}  # noqa: S704  (whoosh escapes the text)
            for hit in result.hits
        }
    return render_template(
        "public/search/search.html",
        req=req,
        result=result,
        messages=messages,
        highlights=highlights,
        facets=FACETS,
        facet_labels=FACET_LABELS,
        value_label=value_label,
        number=format_number,
        toggle_url=toggle_url,
        process_url=process_url,
        sorts=[(s, _sort_label(s)) for s in SORTS],
    ), (200 if result is not None else 503)


def _cell(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: keep it text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}"


def csv_row(hit: Hit) -> list[str]:
    return [
        hit.ocid,
        _cell(hit.title),
        _cell(hit.buyer),
        _cell("; ".join(hit.suppliers)),
        hit.status,
        hit.method,
        hit.category,
        hit.date.date().isoformat() if hit.date else "",
        _number(hit.tender_amount),
        _number(hit.award_amount),
        hit.currency,
        " ".join(hit.flags),
        _cell(hit.publisher),
        process_url(hit.ocid, external=True),
    ]


@bp.get("/search.csv")
@limiter.limit(search_limit)
def search_csv() -> ResponseReturnValue:
    req, _problems = parse_request(request.args.to_dict(flat=False))
    drain_outbox()
    try:
        hits = search_backend().iter_hits(req)
        first = next(hits, None)
    except IndexUnavailable:
        return Response(
            _("The search index is being rebuilt. Please try again in a few minutes.") + "\n",
            status=503,
            mimetype="text/plain",
            headers={"Retry-After": "60"},
        )

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        # The byte-order mark tells spreadsheets the file is UTF-8 (accents intact).
        buffer.write("\ufeff")
        writer.writerow(CSV_COLUMNS)
        if first is not None:
            writer.writerow(csv_row(first))
            for count, hit in enumerate(hits, 1):
                writer.writerow(csv_row(hit))
                if count % 500 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="tianguis-search.csv"'},
    )
