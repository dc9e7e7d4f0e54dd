"""Public framework pages: the list, one framework (lots, admitted suppliers), its
catalogue with filters, and a side-by-side comparison of listings. Prices are public."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from app.db import db_session
from app.public import bp
from marketplace.db import utcnow
from marketplace.frameworks import catalogue
from marketplace.frameworks.errors import FrameworkError
from marketplace.frameworks.metrics import variety
from marketplace.frameworks.models import Framework
from marketplace.frameworks.windows import next_window_start, window_at


def framework_or_404(framework_id: int) -> Framework:
    framework = db_session().get(Framework, framework_id)
    if framework is None:
        abort(404)
    return framework


@bp.get("/frameworks/")
def frameworks() -> ResponseReturnValue:
    rows = db_session().scalars(select(Framework).order_by(Framework.end_date.desc(), Framework.id))
    return render_template("public/frameworks/list.html", frameworks=list(rows), now=utcnow())


@bp.get("/frameworks/<int:framework_id>")
def framework_page(framework_id: int) -> ResponseReturnValue:
    framework = framework_or_404(framework_id)
    now = utcnow()
    by_lot = {
        lot.id: [a for a in framework.admissions if a.lot_id == lot.id] for lot in framework.lots
    }
    return render_template(
        "public/frameworks/page.html",
        framework=framework,
        by_lot=by_lot,
        now=now,
        window=window_at(framework, now),
        next_window=next_window_start(framework, now),
        v=variety(db_session(), framework),
    )


def _query(framework: Framework) -> tuple[catalogue.CatalogueQuery, str]:
    """The filters from the query string; an unreadable maximum price is named, not fatal."""
    lot = request.args.get("lot", type=int)
    raw_max = request.args.get("max_price", "").strip()
    max_price, problem = None, ""
    if raw_max:
        try:
            max_price = Decimal(raw_max.replace(",", ""))
        except InvalidOperation:
            problem = _("The maximum price must be a number.")
    return (
        catalogue.CatalogueQuery(
            text=request.args.get("q", "")[:200],
            lot_id=lot if lot in {x.id for x in framework.lots} else None,
            category=request.args.get("category", "")[:120],
            sme_only=request.args.get("sme") == "1",
            max_price=max_price,
        ),
        problem,
    )


@bp.get("/frameworks/<int:framework_id>/catalogue")
def framework_catalogue(framework_id: int) -> ResponseReturnValue:
    framework = framework_or_404(framework_id)
    query, problem = _query(framework)
    session = db_session()
    return render_template(
        "public/frameworks/catalogue.html",
        framework=framework,
        query=query,
        raw_max=request.args.get("max_price", ""),
        problem=problem,
        listings=catalogue.search(session, framework, query),
        categories=catalogue.categories(session, framework),
    )


@bp.get("/frameworks/<int:framework_id>/compare")
def framework_compare(framework_id: int) -> ResponseReturnValue:
    framework = framework_or_404(framework_id)
    ids = [int(v) for v in request.args.getlist("listing") if v.isdigit()]
    try:
        listings = catalogue.compare(db_session(), framework, ids)
    except FrameworkError as err:
        return render_template(
            "public/frameworks/compare.html", framework=framework, listings=[],
            error=_(err.message.text, **err.message.params),
        ), 400  # fmt: skip
    return render_template(
        "public/frameworks/compare.html", framework=framework, listings=listings, error=""
    )
