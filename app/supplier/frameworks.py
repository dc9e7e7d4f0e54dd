"""Supplier framework pages: apply to a lot while a window is open, and publish or
reprice listings in the lots where the company is admitted."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, TextAreaField

from app.db import db_session
from app.framework_support import run
from app.security import role_required
from app.supplier import bp
from app.supplier.helpers import own_supplier
from marketplace.accounts.models import Role
from marketplace.db import utcnow
from marketplace.frameworks.catalogue import ListingInput, add_listing, change_price
from marketplace.frameworks.models import (
    Admission,
    Application,
    Framework,
    FrameworkLot,
    Listing,
)
from marketplace.frameworks.services import apply_to_lot, window_at


class ApplyForm(FlaskForm):
    statement = TextAreaField(_l("What you offer for this lot"))


class ListingForm(FlaskForm):
    description = TextAreaField(_l("Service"))
    category = StringField(_l("Category"))
    unit_price = StringField(_l("Unit price"))
    unit = StringField(_l("Unit (hour, month, licence)"))
    delivery_terms = TextAreaField(_l("Delivery terms"))


class PriceForm(FlaskForm):
    unit_price = StringField(_l("New unit price"))


def _page(
    status: int = 200, *, apply_forms: dict[int, ApplyForm] | None = None,
    listing_forms: dict[int, ListingForm] | None = None,
    price_forms: dict[int, PriceForm] | None = None,
) -> ResponseReturnValue:  # fmt: skip
    session = db_session()
    supplier = own_supplier(session)
    now = utcnow()
    frameworks = [
        f
        for f in session.scalars(
            select(Framework).where(Framework.end_date > now).order_by(Framework.id)
        )
        if window_at(f, now) is not None
    ]
    applications = {
        a.lot_id: a
        for a in session.scalars(
            select(Application)
            .where(Application.supplier_id == supplier.id)
            .order_by(Application.id)
        )
    }
    admissions = list(
        session.scalars(
            select(Admission).where(Admission.supplier_id == supplier.id).order_by(Admission.id)
        )
    )
    listings = {
        a.id: list(
            session.scalars(
                select(Listing).where(Listing.admission_id == a.id).order_by(Listing.id)
            )
        )
        for a in admissions
    }
    apply_forms = apply_forms or {}
    listing_forms = listing_forms or {}
    price_forms = price_forms or {}
    return render_template(
        "supplier/frameworks/index.html",
        supplier=supplier, frameworks=frameworks, applications=applications,
        admissions=admissions, listings=listings, now=now,
        apply_form=lambda lot_id: apply_forms.get(lot_id) or ApplyForm(formdata=None),
        listing_form=lambda adm_id: listing_forms.get(adm_id) or ListingForm(formdata=None),
        price_form=lambda lst_id: price_forms.get(lst_id) or PriceForm(formdata=None),
    ), status  # fmt: skip


@bp.get("/frameworks")
@role_required(Role.SUPPLIER)
def frameworks() -> ResponseReturnValue:
    return _page()


@bp.post("/frameworks/lots/<int:lot_id>/apply")
@role_required(Role.SUPPLIER)
def framework_apply(lot_id: int) -> ResponseReturnValue:
    session = db_session()
    lot = session.get(FrameworkLot, lot_id)
    if lot is None:
        abort(404)
    form = ApplyForm()
    statement = form.statement.data or ""
    if form.validate() and run(
        lambda: apply_to_lot(session, current_user, lot, statement, utcnow()), form
    ):
        flash(_("Application sent: the buyer will evaluate it."), "success")
        return redirect(url_for("supplier.frameworks"))
    return _page(400, apply_forms={lot_id: form})


@bp.post("/frameworks/admissions/<int:admission_id>/listings")
@role_required(Role.SUPPLIER)
def framework_listing_new(admission_id: int) -> ResponseReturnValue:
    session = db_session()
    admission = session.get(Admission, admission_id)
    if admission is None:
        abort(404)
    form = ListingForm()
    if form.validate():
        data = ListingInput(
            description=form.description.data or "", category=form.category.data or "",
            unit_price=form.unit_price.data or "", unit=form.unit.data or "",
            delivery_terms=form.delivery_terms.data or "",
        )  # fmt: skip
        if run(lambda: add_listing(session, current_user, admission, data, utcnow()), form):
            flash(_("Listing published in the catalogue."), "success")
            return redirect(url_for("supplier.frameworks"))
    return _page(400, listing_forms={admission_id: form})


@bp.post("/frameworks/listings/<int:listing_id>/price")
@role_required(Role.SUPPLIER)
def framework_listing_price(listing_id: int) -> ResponseReturnValue:
    session = db_session()
    listing = session.get(Listing, listing_id)
    if listing is None:
        abort(404)
    form = PriceForm()
    price = form.unit_price.data or ""
    if form.validate() and run(
        lambda: change_price(session, current_user, listing, price, utcnow()), form
    ):
        flash(_("Price changed."), "success")
        return redirect(url_for("supplier.frameworks"))
    return _page(400, price_forms={listing_id: form})
