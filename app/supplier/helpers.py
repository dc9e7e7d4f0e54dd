"""Glue between the supplier forms and the registry services (also used by admin pages)."""

from __future__ import annotations

from flask import abort, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms.fields.choices import SelectChoice

from app.supplier.forms import ProfileForm
from marketplace.suppliers.categories import categories_by_ids, search_categories
from marketplace.suppliers.errors import SupplierError
from marketplace.suppliers.models import Category, Supplier
from marketplace.suppliers.reference import country_names
from marketplace.suppliers.services import ProfileInput, supplier_for_org


def locale() -> str:
    """The UI language ("es" or "en"), whatever the formatting locale (es_MX)."""
    return str(get_locale() or "es").split("_")[0]


def show_error(
    form: FlaskForm, err: SupplierError, field_map: dict[str, str] | None = None
) -> None:
    """Put a service's error next to its field (or at the top when it has none)."""
    name = (field_map or {}).get(err.field or "", err.field)
    message = _(err.message, **err.params) if err.params else _(err.message)
    target = form._fields.get(name) if name else None  # noqa: SLF001
    if target is not None:
        target.errors = [*target.errors, message]
    else:
        form.form_errors.append(message)


def set_country_choices(form: ProfileForm) -> None:
    names = country_names(locale())
    mexico = names.pop("MX", "México")
    # Mexico first: nearly every supplier is Mexican.
    form.country.choices = [SelectChoice("MX", mexico)] + [
        SelectChoice(code, name) for code, name in sorted(names.items(), key=lambda kv: kv[1])
    ]


def chosen_category_ids() -> list[int]:
    return [int(v) for v in request.form.getlist("categories") if v.isdigit()][:100]


def category_picker(
    session: Session, chosen_ids: list[int], query: str
) -> tuple[list[Category], list[Category]]:
    """(chosen categories, search results not already chosen) for the category fieldset."""
    chosen = categories_by_ids(session, chosen_ids)
    taken = {c.id for c in chosen}
    results = [c for c in search_categories(session, query) if c.id not in taken] if query else []
    return chosen, results


def profile_input(
    form: ProfileForm, category_ids: list[int], country: str, tax_id: str
) -> ProfileInput:
    region = form.state.data if country == "MX" else form.region.data
    return ProfileInput(
        legal_name=form.legal_name.data or "",
        trade_name=form.trade_name.data or "",
        country=country,
        tax_id=tax_id,
        region=region or "",
        locality=form.locality.data or "",
        street_address=form.street_address.data or "",
        postal_code=form.postal_code.data or "",
        size=form.size.data or "",
        website=form.website.data or "",
        contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "",
        contact_phone=form.contact_phone.data or "",
        category_ids=category_ids,
    )


def region_field(country: str) -> dict[str, str]:
    """Service errors about "region" belong to the state list for Mexico."""
    return {"region": "state" if country == "MX" else "region", "categories": "cq"}


def own_supplier(session: Session) -> Supplier:
    supplier = supplier_for_org(session, current_user.organisation_id)
    if supplier is None:
        abort(404)
    return supplier
