"""What the search pages, the search API and `tianguis search` share: where the index
lives, who publishes which ocid prefix, keeping the index fresh, and the words the
explorer shows for facets, codes and problems (translated here, in one place)."""

from __future__ import annotations

import logging

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.db import db_session
from marketplace.publication.models import SearchOutbox
from marketplace.search.backend import SearchBackend, make_backend
from marketplace.search.request import Problem

log = logging.getLogger(__name__)


def index_dir() -> str:
    return str(current_app.config["SEARCH_INDEX_DIR"])


def search_backend() -> SearchBackend:
    """The configured search backend (SEARCH_BACKEND): whoosh files or PostgreSQL."""
    config = current_app.config
    return make_backend(
        str(config.get("SEARCH_BACKEND") or "whoosh"),
        index_dir=index_dir(),
        database_url=str(config["DATABASE_URL"]),
        session=db_session,
    )


def publishers() -> dict[str, str]:
    """Our own ocid prefix shows under the publisher's name; imported data by its prefix."""
    config = current_app.config
    return {str(config["OCID_PREFIX"]).lower(): str(config.get("PUBLISHER_NAME") or "")}


def process_url(ocid: str, external: bool = False) -> str:
    """The public page of a process; its OCDS record where the app has no such page."""
    endpoint = "public.process" if "public.process" in current_app.view_functions else "api.record"
    return url_for(endpoint, ocid=ocid, _external=external)


def drain_outbox() -> None:
    """Take in releases published since the last sync, so a search sees them at once.

    Cheap when there is nothing to do (one indexed query). A failure only leaves the
    index a little behind: it is logged, never shown to the visitor.
    """
    session = db_session()
    try:
        waiting = session.scalar(
            select(SearchOutbox.id).where(SearchOutbox.processed_at.is_(None)).limit(1)
        )
        if waiting is not None:
            search_backend().sync(session, publishers=publishers())
            session.commit()
    except Exception:  # the search must still answer from the index it has
        session.rollback()
        log.exception("search sync before a search failed")


FACET_LABELS = {
    "buyer": _l("Buyer"),
    "supplier": _l("Supplier"),
    "status": _l("Status"),
    "method": _l("Procurement method"),
    "category": _l("Category"),
    "year": _l("Year"),
    "amount_band": _l("Amount"),
    "flag": _l("Red flag"),
    "publisher": _l("Publisher"),
}

CODE_LABELS = {
    "method": {
        "open": _l("Open"),
        "selective": _l("Selective"),
        "limited": _l("Limited"),
        "direct": _l("Direct"),
    },
    "category": {"goods": _l("Goods"), "services": _l("Services"), "works": _l("Works")},
    "status": {
        "planning": _l("Planning"),
        "planned": _l("Planned"),
        "active": _l("Active"),
        "cancelled": _l("Cancelled"),
        "unsuccessful": _l("Unsuccessful"),
        "complete": _l("Complete"),
        "withdrawn": _l("Withdrawn"),
    },
    "amount_band": {
        "0-100k": _l("Under 100 thousand"),
        "100k-1M": _l("100 thousand to 1 million"),
        "1M-10M": _l("1 to 10 million"),
        "10M-100M": _l("10 to 100 million"),
        "100M+": _l("100 million or more"),
    },
}


def value_label(facet: str, value: str) -> str:
    if facet == "flag":
        from app.public.redflags import flag_title

        return f"{value} · {flag_title(value)}"
    label = CODE_LABELS.get(facet, {}).get(value)
    return str(label) if label is not None else value


def problem_message(problem: Problem) -> str:
    """The visitor-facing sentence for one problem with the request."""
    p = problem.params
    code = problem.code
    if code == "query_too_long":
        return _(
            "Your search was too long; we searched for its first %(max)s characters.", max=p["max"]
        )
    if code == "too_many_words":
        return _("Your search had too many words; we used the first %(max)s.", max=p["max"])
    if code == "no_words":
        return _(
            "“%(query)s” has no words to search for, so all processes are shown.", query=p["query"]
        )
    if code == "query_syntax":
        return _(
            "We could not read “%(query)s” as a search; we searched for its words instead.",
            query=p["query"],
        )
    if code == "unknown_value":
        return _(
            "No process has %(facet)s “%(value)s”; that filter was left out.",
            facet=str(FACET_LABELS.get(p["facet"], p["facet"])).lower(),
            value=p["value"],
        )
    if code == "bad_date":
        return _(
            "“%(value)s” is not a date (use YYYY-MM-DD); that limit was left out.", value=p["value"]
        )
    if code == "swapped_dates":
        return _("The start date was after the end date; we swapped them.")
    if code == "bad_amount":
        return _("“%(value)s” is not an amount; that limit was left out.", value=p["value"])
    if code == "negative_amount":
        return _("Amounts cannot be negative; that limit was left out.")
    if code == "swapped_amounts":
        return _("The minimum amount was above the maximum; we swapped them.")
    if code == "unknown_sort":
        return _("“%(sort)s” is not a way to sort; results are in the usual order.", sort=p["sort"])
    if code in ("bad_page", "bad_per_page"):
        return _("“%(value)s” is not a page number; showing the first page.", value=p["value"])
    if code == "page_too_deep":
        return _(
            "Only the first %(max)s pages can be shown; narrow your search or download the CSV.",
            max=p["max"],
        )
    if code == "page_out_of_range":
        return _(
            "There is no page %(page)s; this is the last page (%(pages)s).",
            page=p["page"],
            pages=p["pages"],
        )
    return _("Part of your search could not be used.")
