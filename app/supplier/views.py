"""Supplier views: registration, dashboard, profile, resubmission, category search."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app.db import db_session
from app.extensions import limiter
from app.security import role_required
from app.supplier import bp
from app.supplier.forms import ActionForm, ProfileForm, RegisterForm
from app.supplier.helpers import (
    category_picker,
    chosen_category_ids,
    locale,
    own_supplier,
    profile_input,
    region_field,
    set_country_choices,
    show_error,
)
from marketplace.accounts.models import Role
from marketplace.suppliers.categories import search_categories
from marketplace.suppliers.documents import current_documents
from marketplace.suppliers.errors import SupplierError
from marketplace.suppliers.reference import MEXICAN_STATES
from marketplace.suppliers.services import (
    AccountInput,
    missing_items,
    profile_input_of,
    register_supplier,
    resubmit,
    update_profile,
)


def _searching() -> bool:
    """The category "Search" button re-shows the form with matches; nothing is saved."""
    return request.method == "POST" and request.form.get("action") == "search"


def _register_limit() -> str:
    # Registrations (and category searches, which post the same form) per address.
    return str(current_app.config["RATELIMIT_REGISTER"])


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register() -> ResponseReturnValue:
    if current_user.is_authenticated and current_user.role == Role.SUPPLIER:
        return redirect(url_for("supplier.dashboard"))
    session = db_session()
    form = RegisterForm()
    set_country_choices(form)
    query = (form.cq.data or request.args.get("cq", "")).strip()
    chosen_ids = chosen_category_ids()
    if request.method == "POST" and not _searching() and form.validate():
        country = form.country.data or "MX"
        try:
            supplier, user = register_supplier(
                session,
                profile_input(form, chosen_ids, country, form.tax_id.data or ""),
                AccountInput(
                    email=form.email.data or "",
                    name=form.name.data or "",
                    password=form.password.data or "",
                ),
            )
            session.commit()
        except SupplierError as err:
            session.rollback()
            show_error(form, err, region_field(country))
        else:
            login_user(user)
            flash(
                _(
                    "%(name)s is registered. An administrator will verify it.",
                    name=supplier.legal_name,
                ),
                "success",
            )
            return redirect(url_for("supplier.dashboard"))
    chosen, results = category_picker(session, chosen_ids, query)
    return render_template(
        "supplier/register.html", form=form, chosen=chosen, results=results, query=query
    )


@bp.get("/categories/search")
def category_search() -> ResponseReturnValue:
    """JSON for the optional search-as-you-type script (the form works without it)."""
    lang = locale()
    matches = search_categories(db_session(), request.args.get("q", "")[:100], limit=30)
    return jsonify(
        [{"id": c.id, "code": c.code, "label": c.label(lang), "level": c.level} for c in matches]
    )


@bp.get("/")
@role_required(Role.SUPPLIER)
def dashboard() -> ResponseReturnValue:
    supplier = own_supplier(db_session())
    return render_template(
        "supplier/dashboard.html",
        supplier=supplier,
        missing=missing_items(supplier),
        current=current_documents(supplier),
        products=[p for p in supplier.products if p.active],
        action_form=ActionForm(),
        state_name=MEXICAN_STATES.get(supplier.region or ""),
    )


@bp.post("/resubmit")
@role_required(Role.SUPPLIER)
def resubmit_view() -> ResponseReturnValue:
    session = db_session()
    supplier = own_supplier(session)
    form = ActionForm()
    if not form.validate():
        flash(_("This form had expired, so nothing was done. Please try again."), "error")
        return redirect(url_for("supplier.dashboard"))
    try:
        resubmit(session, supplier, current_user)
        session.commit()
    except SupplierError as err:
        session.rollback()
        flash(_(err.message, **err.params), "error")
    else:
        flash(_("Sent for verification again."), "success")
    return redirect(url_for("supplier.dashboard"))


@bp.route("/profile", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def profile() -> ResponseReturnValue:
    session = db_session()
    supplier = own_supplier(session)
    form = ProfileForm()
    # The tax id and the country identify the company; they are shown, not edited.
    del form.tax_id
    del form.country
    if request.method == "GET":
        current = profile_input_of(supplier)
        form.process(
            data={
                **vars(current),
                "state": current.region if supplier.country == "MX" else "",
                "region": current.region if supplier.country != "MX" else "",
            }
        )
        chosen_ids = current.category_ids
    else:
        chosen_ids = chosen_category_ids()
    query = (form.cq.data or request.args.get("cq", "")).strip()
    if request.method == "POST" and not _searching() and form.validate():
        try:
            requeued = update_profile(
                session,
                supplier,
                profile_input(form, chosen_ids, supplier.country, supplier.tax_id),
                current_user,
            )
            session.commit()
        except SupplierError as err:
            session.rollback()
            show_error(form, err, region_field(supplier.country))
        else:
            flash(
                _("Profile saved. The new legal name will be verified again.")
                if requeued
                else _("Profile saved."),
                "success",
            )
            return redirect(url_for("supplier.dashboard"))
    chosen, results = category_picker(session, chosen_ids, query)
    return render_template(
        "supplier/profile.html",
        form=form,
        supplier=supplier,
        chosen=chosen,
        results=results,
        query=query,
    )
