"""Public views of the ICT asset register (public fields only: never the location, the
notes or who changed what): what expires soon across government, what the government
holds from one supplier, and each purchasing unit's renewal alerts as an Atom feed."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.buyer.assets import CATEGORY_LABELS, STATUS_LABELS
from app.db import db_session
from app.public import bp
from marketplace.accounts.models import Organisation, OrgKind
from marketplace.assets import queries
from marketplace.assets.models import Asset, AssetAlert
from marketplace.db import utcnow
from marketplace.search.feeds import FEED_SIZE, MEDIA_TYPE, Entry, Feed, render
from marketplace.suppliers.models import Supplier


def _int_arg(name: str, default: int = 1) -> int:
    try:
        return max(1, int(request.args.get(name, str(default))))
    except ValueError:
        return default


def _units() -> list[Organisation]:
    return list(
        db_session().scalars(
            select(Organisation)
            .where(Organisation.kind == OrgKind.BUYER)
            .order_by(Organisation.name)
        )
    )


@bp.get("/assets/expiring")
def assets_expiring() -> ResponseReturnValue:
    """Assets in use across government whose period ends within 90 days (or has ended
    without a decision), soonest first; ``unit`` narrows to one purchasing unit."""
    today = utcnow().date()
    unit = request.args.get("unit", type=int)
    page = queries.expiring(db_session(), today, org_id=unit, page=_int_arg("page"))
    return render_template(
        "public/assets/expiring.html", page=page, today=today, unit=unit, units=_units(),
        categories=CATEGORY_LABELS, statuses=STATUS_LABELS, days=queries.EXPIRING_DAYS,
    )  # fmt: skip


@bp.get("/assets/suppliers/<int:supplier_id>")
def supplier_assets(supplier_id: int) -> ResponseReturnValue:
    """What the government holds from one supplier: assets in use by category, and
    each of them, soonest end first."""
    supplier = db_session().get(Supplier, supplier_id)
    if supplier is None:
        abort(404)
    today = utcnow().date()
    summary = queries.supplier_assets(db_session(), supplier.id, today, _int_arg("page"))
    return render_template(
        "public/assets/supplier.html", supplier=supplier, summary=summary, today=today,
        categories=CATEGORY_LABELS, statuses=STATUS_LABELS,
    )  # fmt: skip


def _unit_by_party_id(party_id: str) -> Organisation | None:
    conditions = [Organisation.code == party_id]
    if party_id.startswith("org-") and party_id[4:].isdigit():
        conditions.append(Organisation.id == int(party_id[4:]))
    return db_session().scalar(
        select(Organisation).where(Organisation.kind == OrgKind.BUYER, or_(*conditions)).limit(1)
    )


@bp.get("/feeds/assets/<party_id>.atom")
def assets_feed(party_id: str) -> ResponseReturnValue:
    """A purchasing unit's renewal alerts (30, 15 and 7 days before an asset's end),
    newest first, with public fields only."""
    unit = _unit_by_party_id(party_id)
    if unit is None:
        abort(404)
    alerts = (
        db_session()
        .execute(
            select(AssetAlert, Asset)
            .join(Asset, AssetAlert.asset_id == Asset.id)
            .where(AssetAlert.owner_org_id == unit.id)
            .order_by(AssetAlert.created_at.desc(), AssetAlert.id.desc())
            .limit(FEED_SIZE)
        )
        .all()
    )
    page = url_for("public.assets_expiring", unit=unit.id, _external=True)
    entries = [
        Entry(
            id=f"{page}#alert-{alert.id}",
            title=_(
                "%(asset)s ends in %(days)s days", asset=asset.description, days=alert.days_before
            ),  # fmt: skip
            updated=alert.created_at,
            published=alert.created_at,
            link=page,
            summary=" · ".join(
                p
                for p in (
                    str(CATEGORY_LABELS[asset.category]),
                    _("ends on %(date)s", date=alert.end_date.isoformat()),
                    asset.supplier_label,
                )
                if p
            ),  # fmt: skip
            categories=(asset.category.value,),
        )
        for alert, asset in alerts
    ]
    url = url_for("public.assets_feed", party_id=party_id, _external=True)
    feed = Feed(
        id=url, title=_("Tianguis: assets of %(unit)s expiring", unit=unit.name), self_link=url,
        alternate_link=page, author=str(current_app.config.get("PUBLISHER_NAME") or "Tianguis"),
    )  # fmt: skip
    response = Response(render(feed, entries), mimetype=MEDIA_TYPE)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
