"""The red-flag summary: how many processes raise each indicator, what it means, and a
link to the search listing them. Counts come from the search index (flag facet), over
our own publication only: processes imported from other publishers are left out."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import format_number
from flask_babel import lazy_gettext as _l

from app.db import db_session
from app.public import bp
from app.search_support import drain_outbox, search_backend
from marketplace.publication.queries import imported_publishers
from marketplace.search.index import IndexUnavailable
from marketplace.search.request import SearchRequest
from ocds.redflags import TITLES

#: code -> (title, what it means, why it matters), in plain words.
INDICATORS = {
    "R003": (
        _l("Short submission period"),
        _l("An open procedure gave bidders fewer than 15 days to submit."),
        _l("Little time to prepare a bid favours firms that knew about it in advance."),
    ),
    "R018": (
        _l("Single bid received"),
        _l("Only one company bid in an open or selective procedure."),
        _l(
            "Without competition the buyer cannot compare prices; it may mean others were kept out."
        ),
    ),
    "R024": (
        _l("Price close to the winning bid"),
        _l("The second-lowest bid was unusually close to the winning one."),
        _l("Colluding firms can fake competition with a bid just above their partner's."),
    ),
    "R025": (
        _l("Excessive unit price"),
        _l("A unit price is far above what is usually paid for items of the same classification."),
        _l("Paying much more than other buyers for the same thing is a plain sign of overpricing."),
    ),
    "R028": (
        _l("Identical bid prices"),
        _l("Different companies bid exactly the same price."),
        _l("Matching prices can mean leaked information or coordinated bids."),
    ),
    "R030": (
        _l("Late bid won"),
        _l("The winning bid was received after the submission deadline."),
        _l("Accepting a late bid lets a favoured bidder see the others first."),
    ),
    "R035": (
        _l("All except the winning bid disqualified"),
        _l("Every bid but the winner's was disqualified."),
        _l("Disqualifying all rivals is a way to hand the contract to a chosen firm."),
    ),
    "R036": (
        _l("Lowest bid disqualified"),
        _l("The cheapest bid was disqualified and a more expensive one won."),
        _l("When price decides, dropping the cheapest bid can steer the award."),
    ),
    "R038": (
        _l("Excessive disqualified bids"),
        _l("The buyer, or a bidder, has far more disqualified bids than is usual."),
        _l("Many disqualifications can hide steering by a buyer or sham bids by a firm."),
    ),
    "R048": (
        _l("Heterogeneous supplier"),
        _l("The winner supplies an unusually wide range of unrelated products."),
        _l("A firm that sells everything is less likely to be a specialist, or may be a front."),
    ),
    "R058": (
        _l("Heavily discounted bid"),
        _l("The winning bid was far below the next one, compared with all processes."),
        _l("A price far below everyone else's can mean poor quality or a change later on."),
    ),
}
assert set(INDICATORS) == set(TITLES), "every indicator needs its words here"


def flag_title(code: str) -> str:
    entry = INDICATORS.get(code)
    return str(entry[0]) if entry else code


@bp.get("/red-flags")
def red_flags() -> ResponseReturnValue:
    drain_outbox()
    counts: dict[str, int] = {}
    total = 0
    available = True
    estimated = False
    own: list[str] | None = None  # publisher facet values of our processes; None: all are
    try:
        result = search_backend().search(SearchRequest(per_page=1))
        imported = imported_publishers(db_session())
        if imported:
            own = [v.value for v in result.facets["publisher"] if v.value not in imported]
            result = search_backend().search(SearchRequest(per_page=1, filters={"publisher": own}))
        total = result.total if own != [] else 0
        counts = {value.value: value.count for value in result.facets["flag"]} if total else {}
        estimated = result.estimated
    except IndexUnavailable:
        available = False
    rows = [
        (code, title, meaning, why, counts.get(code, 0))
        for code, (title, meaning, why) in INDICATORS.items()
    ]
    return render_template(
        "public/search/red_flags.html",
        rows=rows,
        total=total,
        estimated=estimated,
        number=format_number,
        available=available,
        own_publishers=own,
    ), (200 if available else 503)
