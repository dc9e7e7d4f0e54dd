"""Public buyer pages: every buyer that published a process, and each buyer's figures.

A buyer is known by its OCDS party id (``buyer.id`` of its releases), which is also its
URL: ``/buyers/<party id>``, so any page holding a record can link to its buyer.
"""

from __future__ import annotations

from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.public import bp
from app.public.analytics import fresh_session, message_page
from app.public.analytics_party import buyer_figures, buyer_party_figures
from app.public.analytics_tables import integer, money
from marketplace.analytics.services import cached, market_totals
from marketplace.performance.aggregates import late_payments_of_party
from ocds.analytics import buyer_list


@bp.get("/buyers")
def buyers() -> ResponseReturnValue:
    session = fresh_session()
    listing = cached(session, ("buyers",), lambda: buyer_list(market_totals(session)))
    rows = listing.value
    size = current_app.config.get("BUYERS_PAGE_SIZE", 50)
    raw = request.args.get("page", "1")
    pages = max(1, -(-len(rows) // size))
    if not raw.isdigit() or not 1 <= int(raw) <= pages:
        return message_page(_("There is no page “%(page)s” of buyers.", page=raw[:20]), 404)
    page = int(raw)
    return render_template(
        "public/buyers.html",
        rows=[
            (row, integer(row.processes).text, money(row.awarded).text)
            for row in rows[(page - 1) * size : page * size]
        ],
        total=len(rows),
        page=page,
        pages=pages,
        freshness=listing,
    )


@bp.get("/buyers/<path:party_id>")
def buyer_page(party_id: str) -> ResponseReturnValue:
    session = fresh_session()
    summary = buyer_figures(session, party_id)
    if not summary.value.processes:
        return message_page(
            _("No published process has the buyer “%(id)s”.", id=party_id[:80]), 404
        )
    return render_template(
        "public/buyers_page.html",
        figures=buyer_party_figures(session, summary.value),
        freshness=summary,
        late_payments=late_payments_of_party(session, party_id),
    )
