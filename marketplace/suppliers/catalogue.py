"""A supplier's catalogue: products and services with list prices."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import User
from marketplace.audit.services import record
from marketplace.suppliers.errors import N_, SupplierError
from marketplace.suppliers.models import Category, Product, Supplier

MAX_PRICE = Decimal("9999999999999999.99")  # what Numeric(18, 2) holds
CURRENCIES = ("MXN", "USD", "EUR")


@dataclass
class ProductInput:
    name: str
    unit: str
    unit_price: str | Decimal
    currency: str = "MXN"
    description: str = ""
    category_id: int | None = None


def _text(value: str | None, field: str, max_length: int, required: bool = True) -> str:
    text = " ".join((value or "").split()) if field != "description" else (value or "").strip()
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        raise SupplierError(N_("Remove the control characters from this field."), field)
    if required and not text:
        raise SupplierError(N_("This field is required."), field)
    if len(text) > max_length:
        raise SupplierError(N_("Use at most %(max)s characters."), field, max=max_length)
    return text


def parse_price(value: str | Decimal) -> Decimal:
    """A price as typed: "1,234.50" or "1234.5"; two decimals at most, not negative."""
    if isinstance(value, Decimal):
        price = value
    else:
        text = (value or "").strip().replace(",", "").replace("$", "").strip()
        try:
            price = Decimal(text)
        except InvalidOperation:
            raise SupplierError(
                N_("Enter the price as a number, e.g. 1234.50"), "unit_price"
            ) from None
    if not price.is_finite() or price < 0:
        raise SupplierError(N_("The price must be zero or more."), "unit_price")
    if price != price.quantize(Decimal("0.01")):
        raise SupplierError(N_("Use at most two decimals."), "unit_price")
    if price > MAX_PRICE:
        raise SupplierError(N_("That price is too large."), "unit_price")
    return price.quantize(Decimal("0.01"))


def _apply(session: Session, product: Product, data: ProductInput) -> None:
    product.name = _text(data.name, "name", 200)
    product.unit = _text(data.unit, "unit", 40)
    product.description = _text(data.description, "description", 4000, required=False) or None
    product.unit_price = parse_price(data.unit_price)
    if data.currency not in CURRENCIES:
        raise SupplierError(N_("Choose a currency from the list."), "currency")
    product.currency = data.currency
    if data.category_id is not None and session.get(Category, data.category_id) is None:
        raise SupplierError(N_("Choose a category from the list."), "category_id")
    product.category_id = data.category_id


def add_product(session: Session, supplier: Supplier, data: ProductInput, actor: User) -> Product:
    product = Product(supplier=supplier, active=True)
    _apply(session, product, data)
    session.add(product)
    session.flush()
    _audit(session, "product.added", product, actor)
    return product


def update_product(session: Session, product: Product, data: ProductInput, actor: User) -> None:
    _apply(session, product, data)
    session.flush()
    _audit(session, "product.updated", product, actor)


def set_product_active(session: Session, product: Product, active: bool, actor: User) -> None:
    product.active = active
    session.flush()
    _audit(session, "product.activated" if active else "product.deactivated", product, actor)


def _audit(session: Session, action: str, product: Product, actor: User) -> None:
    record(
        session,
        action,
        "product",
        product.id,
        actor_user_id=actor.id,
        actor_org_id=actor.organisation_id,
        details={
            "supplier_id": product.supplier_id,
            "name": product.name,
            "unit_price": str(product.unit_price),
            "currency": product.currency,
        },
        public=True,
    )


def product_of(session: Session, supplier: Supplier, product_id: int) -> Product | None:
    """The supplier's own product (None if it belongs to someone else)."""
    return session.scalar(
        select(Product).where(Product.id == product_id, Product.supplier_id == supplier.id)
    )


def public_catalogue(session: Session, supplier_id: int) -> list[Product]:
    return list(
        session.scalars(
            select(Product)
            .where(Product.supplier_id == supplier_id, Product.active.is_(True))
            .order_by(Product.name, Product.id)
        )
    )
