"""A company registers through the form in Chromium, is verified, and its public page
reads well on a 360 px phone screen (screenshot saved to docs/screenshots/)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from marketplace.accounts.models import OrgKind, Role
from marketplace.accounts.services import create_organisation, create_user
from marketplace.suppliers.catalogue import ProductInput, add_product
from marketplace.suppliers.categories import CURATED_CSV, load_categories_csv
from marketplace.suppliers.models import Supplier, SupplierStatus
from marketplace.suppliers.rfc import rfc_check_digit
from marketplace.suppliers.services import verify_supplier
from tests.browser.conftest import PHONE, LiveServer

pytestmark = pytest.mark.browser

RFC_BODY = "RDC150312K7"
RFC = RFC_BODY + rfc_check_digit(RFC_BODY)


def test_register_verify_and_view_on_a_phone(
    live_server: LiveServer, browser: Any, page: Any
) -> None:
    with live_server.sessions() as session:
        load_categories_csv(session, CURATED_CSV)
        session.commit()
    url = live_server.url

    page.goto(f"{url}/supplier/register")
    page.fill("#legal_name", "Redes y Datos del Centro, S.A. de C.V.")
    page.fill("#trade_name", "Redes y Datos del Centro")
    page.fill("#tax_id", RFC.lower())  # typed in lower case: normalised by the server
    page.check("#size-1")  # small
    page.fill("#website", "https://redesydatos.example.mx")
    page.fill("#street_address", "Av. Insurgentes Sur 1602")
    page.fill("#locality", "Benito Juárez")
    page.select_option("#state", "CMX")
    page.fill("#postal_code", "03940")
    page.fill("#contact_name", "Ventas gobierno")
    page.fill("#contact_email", "gobierno@redesydatos.example.mx")
    page.fill("#contact_phone", "+52 55 5000 1234")
    page.fill("#name", "Rosa Díaz")
    page.fill("#email", "rosa@redesydatos.example.mx")
    page.fill("#password", "una clave muy segura")
    page.fill("#password_confirm", "una clave muy segura")
    # Search-as-you-type (the optional script), without accents: results appear as boxes.
    page.fill("#cq", "conmutadores")
    page.locator("#category-results label", has_text="43222612").locator("input").check()
    page.fill("#cq", "cableado estructurado")
    page.locator("#category-results label", has_text="72151603").locator("input").check()
    assert page.locator("#category-chosen input:checked").count() == 2
    page.click("button[value=register]")

    page.wait_for_url(f"{url}/supplier/")
    assert page.locator(".status-pending").is_visible()

    page.goto(f"{url}/supplier/products")
    page.fill("#name", "Switch administrable 48 puertos PoE+")
    page.fill("#unit", "pieza")
    page.fill("#unit_price", "38,500.00")
    page.click("form[action$='/supplier/products'] button[type=submit]")
    page.wait_for_url(f"{url}/supplier/products")

    with live_server.sessions() as session:
        supplier = session.scalar(select(Supplier).where(Supplier.tax_id == RFC))
        assert supplier is not None and supplier.status == SupplierStatus.PENDING
        assert sorted(c.code for c in supplier.categories) == ["43222612", "72151603"]
        user = supplier.organisation.users[0]
        add_product(
            session,
            supplier,
            ProductInput(
                name="Instalación de nodo de red categoría 6A",
                unit="nodo",
                unit_price=Decimal("1450.00"),
                description="Incluye cable, jack, patch cord y certificación.",
            ),
            user,
        )
        admin_org = create_organisation(session, OrgKind.ADMIN, "Operación", "BROWSER-ADMIN")
        admin = create_user(
            session,
            admin_org,
            "admin@browser.example",
            "Admin",
            "clave de administración",
            Role.ADMIN,
        )
        verify_supplier(session, supplier, admin)
        session.commit()
        supplier_id = supplier.id

    # The public page as an anonymous visitor sees it, in a fresh browser context.
    page.context.close()
    page = browser.new_context(viewport=PHONE, locale="en-US").new_page()
    page.goto(f"{url}/suppliers/{supplier_id}")
    assert page.locator("h1").inner_text() == "Redes y Datos del Centro"
    assert page.get_by_text("38,500.00 MXN").is_visible()
    assert page.get_by_text("rosa@redesydatos.example.mx").count() == 0  # personal data
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.goto(f"{url}/suppliers?state=CMX")
    assert page.get_by_role("link", name="Redes y Datos del Centro").is_visible()
    page.context.close()
