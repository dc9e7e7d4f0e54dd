"""The framework catalogue: admitted suppliers' priced listings, searched and compared
by buyers (and anyone: prices are public)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload

from marketplace.accounts.models import User
from marketplace.audit.services import record as audit
from marketplace.frameworks.errors import N_, FrameworkError, NotAllowed
from marketplace.frameworks.minicomp import running_competition
from marketplace.frameworks.models import Admission, Framework, FrameworkLot, Listing
from marketplace.frameworks.services import supplier_of
from marketplace.suppliers.models import Supplier, SupplierSize

#: Most listings compared side by side.
MAX_COMPARE = 4


@dataclass
class ListingInput:
    description: str
    category: str
    unit_price: str
    unit: str
    delivery_terms: str = ""


def parse_price(text: str) -> Decimal:
    try:
        price = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise FrameworkError(
            N_("Enter the unit price as a number, e.g. 1250.50."), "unit_price"
        ) from None
    if not price.is_finite() or price <= 0 or price != price.quantize(Decimal("0.01")):
        raise FrameworkError(
            N_("The unit price must be positive, with at most two decimals."), "unit_price"
        )
    if price >= Decimal("1e15"):
        raise FrameworkError(N_("The unit price is too large."), "unit_price")
    return price


def _check(data: ListingInput) -> Decimal:
    if len(data.description.strip()) < 10:
        raise FrameworkError(N_("Describe the service (at least 10 characters)."), "description")
    if not data.category.strip():
        raise FrameworkError(N_("Give a category."), "category")
    if not data.unit.strip():
        raise FrameworkError(N_("Say what unit the price is for (hour, month, licence)."), "unit")
    return parse_price(data.unit_price)


def _own_admission(session: Session, user: User, admission: Admission) -> Supplier:
    supplier = supplier_of(session, user)
    if admission.supplier_id != supplier.id:
        raise NotAllowed("This admission belongs to another supplier.")
    return supplier


def add_listing(
    session: Session, user: User, admission: Admission, data: ListingInput, now: dt.datetime
) -> Listing:
    """An admitted supplier publishes a listing in its lot (while the agreement runs or
    before it starts)."""
    supplier = _own_admission(session, user, admission)
    if now >= admission.framework.end_date:
        raise FrameworkError(N_("The framework has expired."))
    price = _check(data)
    listing = Listing(
        admission_id=admission.id,
        description=data.description.strip(),
        category=data.category.strip(),
        unit_price=price,
        unit=data.unit.strip(),
        delivery_terms=data.delivery_terms.strip(),
        is_sme=supplier.size != SupplierSize.LARGE,
        updated_at=now,
    )
    session.add(listing)
    session.flush()
    audit(
        session,
        "framework.listing",
        "framework",
        admission.framework_id,
        actor_user_id=user.id,
        actor_org_id=user.organisation_id,
        details={"listing": listing.id, "price": str(price)},
        public=True,
    )
    return listing


def change_price(
    session: Session, user: User, listing: Listing, unit_price: str, now: dt.datetime
) -> None:
    """Change a listing's price (public, audited), unless a mini-competition of its lot
    is taking bids: the invited suppliers compete against the prices buyers saw."""
    _own_admission(session, user, listing.admission)
    price = parse_price(unit_price)
    if running_competition(session, listing.admission.lot, now) is not None:
        raise FrameworkError(
            N_("A mini-competition of this lot is taking bids: prices are frozen until it closes."),
            "unit_price",
        )
    old = listing.unit_price
    listing.unit_price = price
    listing.updated_at = now
    audit(
        session,
        "framework.price",
        "framework",
        listing.admission.framework_id,
        actor_user_id=user.id,
        actor_org_id=user.organisation_id,
        details={"listing": listing.id, "from": str(old), "to": str(price)},
        public=True,
    )


@dataclass
class CatalogueQuery:
    text: str = ""
    lot_id: int | None = None
    category: str = ""
    sme_only: bool = False
    max_price: Decimal | None = None


def _listings(framework: Framework) -> Select[Listing]:
    return (
        select(Listing)
        .join(Admission, Listing.admission_id == Admission.id)
        .join(FrameworkLot, Admission.lot_id == FrameworkLot.id)
        .join(Supplier, Admission.supplier_id == Supplier.id)
        .where(Admission.framework_id == framework.id, Listing.active.is_(True))
        .options(joinedload(Listing.admission).joinedload(Admission.supplier))
        .options(joinedload(Listing.admission).joinedload(Admission.lot))
    )


def search(session: Session, framework: Framework, query: CatalogueQuery) -> list[Listing]:
    """Active listings matching every filter, cheapest first."""
    stmt = _listings(framework)
    if query.text.strip():
        like = f"%{query.text.strip().lower()}%"
        stmt = stmt.where(
            or_(
                Listing.description.ilike(like),
                Listing.category.ilike(like),
                Supplier.legal_name.ilike(like),
            )
        )
    if query.lot_id is not None:
        stmt = stmt.where(FrameworkLot.id == query.lot_id)
    if query.category:
        stmt = stmt.where(Listing.category == query.category)
    if query.sme_only:
        stmt = stmt.where(Listing.is_sme.is_(True))
    if query.max_price is not None:
        stmt = stmt.where(Listing.unit_price <= query.max_price)
    return list(session.scalars(stmt.order_by(Listing.unit_price, Listing.id)).unique())


def categories(session: Session, framework: Framework) -> list[str]:
    stmt = _listings(framework).with_only_columns(Listing.category).distinct()
    return sorted(session.scalars(stmt))


def compare(session: Session, framework: Framework, ids: list[int]) -> list[Listing]:
    """The chosen listings of this framework, in the order chosen (at most MAX_COMPARE)."""
    if len(ids) < 2:
        raise FrameworkError(N_("Choose at least two listings to compare."), "listing")
    if len(ids) > MAX_COMPARE:
        raise FrameworkError(N_("Compare at most four listings at a time."), "listing")
    found = {
        lst.id: lst
        for lst in session.scalars(_listings(framework).where(Listing.id.in_(ids))).unique()
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise FrameworkError(N_("A chosen listing is not in this catalogue."), "listing")
    return [found[i] for i in ids]
