"""Public supplier pages: the directory of verified suppliers and each supplier's page."""

from __future__ import annotations

from flask import abort, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from app.db import db_session
from app.public import bp
from app.public.analytics import fresh_session
from app.public.analytics_party import supplier_figures, supplier_party_figures
from app.supplier.forms import SIZE_LABELS
from app.supplier.helpers import locale
from marketplace.db import utcnow
from marketplace.performance.aggregates import recent_final_ratings, supplier_performance
from marketplace.performance.services import finalise_due
from marketplace.suppliers.catalogue import public_catalogue
from marketplace.suppliers.categories import top_categories
from marketplace.suppliers.directory import DirectoryQuery, public_supplier, search_directory
from marketplace.suppliers.models import Category
from marketplace.suppliers.ocds import supplier_party
from marketplace.suppliers.reference import MEXICAN_STATES, region_name


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.get("/suppliers")
def supplier_directory() -> ResponseReturnValue:
    session = db_session()
    query = DirectoryQuery(
        text=request.args.get("q", "")[:100],
        category_id=_int_arg("category"),
        size=request.args.get("size", ""),
        region=request.args.get("state", "")[:10],
        after=_int_arg("after"),
    )
    page = search_directory(session, query, current_app.config.get("DIRECTORY_PAGE_SIZE", 20))
    categories = top_categories(session)
    # A category chosen from a supplier page may be deeper than the filter list: keep it.
    if query.category_id and all(c.id != query.category_id for c in categories):
        chosen = session.get(Category, query.category_id)
        if chosen is not None:
            categories.append(chosen)
    return render_template(
        "public/supplier_directory.html",
        page=page,
        query=query,
        categories=categories,
        states=sorted(MEXICAN_STATES.items(), key=lambda kv: kv[1]),
        state_names=MEXICAN_STATES,
        sizes=SIZE_LABELS,
        lang=locale(),
    )


@bp.get("/suppliers/<int:supplier_id>")
def supplier_page(supplier_id: int) -> ResponseReturnValue:
    session = fresh_session()
    supplier = public_supplier(session, supplier_id)
    if supplier is None:
        abort(404)
    # What the publication says about the supplier (bids, awards), by its OCDS party id.
    figures = supplier_figures(session, supplier.party_id)
    activity = supplier_party_figures(session, figures.value)
    # Ratings whose reply period ended become final (and published) before the reading.
    if finalise_due(session, utcnow(), supplier_id=supplier.id):
        session.commit()
    return render_template(
        "public/supplier_page.html",
        supplier=supplier,
        activity=activity,
        freshness=figures,
        products=public_catalogue(session, supplier.id),
        performance=supplier_performance(session, supplier.id),
        recent_ratings=recent_final_ratings(session, supplier.id),
        region=region_name(supplier.country, supplier.region),
        sizes=SIZE_LABELS,
        lang=locale(),
    )


@bp.get("/suppliers/<int:supplier_id>.json")
def supplier_party_json(supplier_id: int) -> ResponseReturnValue:
    """The supplier as an OCDS Organization (the same object releases carry in parties)."""
    supplier = public_supplier(db_session(), supplier_id)
    if supplier is None:
        abort(404)
    return jsonify(supplier_party(supplier, ["supplier"]))
