"""Helpers for the supplier registry tests: valid RFCs, profiles, registered suppliers."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.suppliers.categories import CURATED_CSV, category_by_code, load_categories_csv
from marketplace.suppliers.models import Supplier
from marketplace.suppliers.rfc import rfc_check_digit
from marketplace.suppliers.services import (
    AccountInput,
    ProfileInput,
    register_supplier,
    verify_supplier,
)
from tests.factories import PASSWORD, make_user

_counter = itertools.count(1)


def make_rfc(letters: str = "TPR") -> str:
    """A fresh, valid company RFC (correct date and check digit)."""
    n = next(_counter)
    date = dt.date(2001, 1, 1) + dt.timedelta(days=n * 7)
    body = f"{letters}{date:%y%m%d}A{'123456789ABCDEFGHIJKLMNPQRSTUVWXYZ'[n % 34]}"
    return body + rfc_check_digit(body)


def english(client: FlaskClient) -> FlaskClient:
    """Messages are asserted in English, whatever translations exist."""
    client.get("/lang/en?next=/")
    return client


def load_categories(session: Session) -> None:
    load_categories_csv(session, CURATED_CSV)


def profile(**overrides: Any) -> ProfileInput:
    values: dict[str, Any] = {
        "legal_name": f"Servicios de Prueba {next(_counter)}, S.A. de C.V.",
        "country": "MX",
        "tax_id": make_rfc(),
        "region": "CMX",
        "locality": "Coyoacán",
        "street_address": "Av. Universidad 3000",
        "postal_code": "04510",
        "size": "small",
        "contact_name": "Ventas gobierno",
        "contact_email": "ventas@prueba.example.mx",
        "contact_phone": "+52 55 5555 0000",
        "website": "https://prueba.example.mx",
    }
    values.update(overrides)
    return ProfileInput(**values)


def make_supplier(
    session: Session,
    *,
    verified: bool = False,
    codes: tuple[str, ...] = (),
    admin: User | None = None,
    **overrides: Any,
) -> tuple[Supplier, User]:
    """A registered supplier (pending unless ``verified``) and its user."""
    n = next(_counter)
    ids = []
    for code in codes:
        category = category_by_code(session, code)
        assert category is not None, code
        ids.append(category.id)
    supplier, user = register_supplier(
        session,
        profile(category_ids=ids, **overrides),
        AccountInput(email=f"proveedor{n}@test.example", name=f"Persona {n}", password=PASSWORD),
    )
    if verified:
        verify_supplier(session, supplier, admin or make_user(session, Role.ADMIN))
    session.flush()
    return supplier, user


def registration_form(**overrides: Any) -> dict[str, Any]:
    """What a person types into the registration form."""
    n = next(_counter)
    data: dict[str, Any] = {
        "legal_name": f"Soluciones Web {n}, S.A. de C.V.",
        "trade_name": "",
        "country": "MX",
        "tax_id": make_rfc("SWE"),
        "state": "CMX",
        "region": "",
        "locality": "Benito Juárez",
        "street_address": "Calle Durango 100",
        "postal_code": "03100",
        "size": "small",
        "website": "https://soluciones.example.mx",
        "contact_name": "Licitaciones",
        "contact_email": "licitaciones@soluciones.example.mx",
        "contact_phone": "+52 55 1234 5678",
        "name": f"Laura Registro {n}",
        "email": f"laura{n}@soluciones.example.mx",
        "password": "una clave bastante larga",
        "password_confirm": "una clave bastante larga",
        "action": "register",
    }
    data.update(overrides)
    return data


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
