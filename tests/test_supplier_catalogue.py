"""Products and prices: add, edit, hide; shown on the public page."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.suppliers.models import Product
from tests.factories import login_as, post_form
from tests.supplier_helpers import english, load_categories, make_supplier


def _product_form(**overrides: str) -> dict[str, str]:
    form = {
        "name": "Laptop 14 pulgadas",
        "description": "Core i5, 16 GB",
        "category_id": "",
        "unit": "pieza",
        "unit_price": "18,500.50",
        "currency": "MXN",
    }
    form.update(overrides)
    return form


def test_add_edit_hide_product(app: Flask, client: FlaskClient, db: Session) -> None:
    load_categories(db)
    supplier, user = make_supplier(db, verified=True, codes=("43211503",))
    login_as(english(client), user)
    laptops = supplier.categories[0]
    response = post_form(client, "/supplier/products", _product_form(category_id=str(laptops.id)))
    assert response.status_code == 302
    product = db.scalar(select(Product).where(Product.supplier_id == supplier.id))
    assert product is not None
    assert product.unit_price == Decimal("18500.50") and product.currency == "MXN"
    assert product.category_id == laptops.id

    public = english(app.test_client())
    page = public.get(f"/suppliers/{supplier.id}").get_data(as_text=True)
    assert "Laptop 14 pulgadas" in page and "18,500.50 MXN" in page

    edit_url = f"/supplier/products/{product.id}/edit"
    assert "18500.50" in client.get(edit_url).get_data(as_text=True)
    saved = post_form(client, edit_url, _product_form(name="Laptop 15", unit_price="19000"))
    assert saved.status_code == 302
    db.refresh(product)
    assert (product.name, product.unit_price) == ("Laptop 15", Decimal("19000.00"))

    hidden = post_form(
        client,
        f"/supplier/products/{product.id}/active",
        {"active": "0"},
        form_url="/supplier/products",
    )
    assert hidden.status_code == 302
    db.refresh(product)
    assert product.active is False
    assert "Laptop 15" not in public.get(f"/suppliers/{supplier.id}").get_data(as_text=True)


def test_bad_prices_are_named_and_input_kept(client: FlaskClient, db: Session) -> None:
    supplier, user = make_supplier(db)
    login_as(english(client), user)
    for price, message in [
        ("doce mil", "Enter the price as a number"),
        ("-5", "The price must be zero or more."),
        ("10.555", "Use at most two decimals."),
        ("NaN", "The price must be zero or more."),
    ]:
        response = post_form(client, "/supplier/products", _product_form(unit_price=price))
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert message in page, price
        assert 'value="Laptop 14 pulgadas"' in page
    assert db.scalar(select(Product).where(Product.supplier_id == supplier.id)) is None


def test_cannot_edit_another_suppliers_product(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    _, owner = make_supplier(db)
    login_as(client, owner)
    post_form(client, "/supplier/products", _product_form())
    product = db.scalar(select(Product).where(Product.name == "Laptop 14 pulgadas"))
    assert product is not None
    _, intruder = make_supplier(db)
    other = app.test_client()
    login_as(other, intruder)
    assert other.get(f"/supplier/products/{product.id}/edit").status_code == 404
