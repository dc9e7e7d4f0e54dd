"""Provider variety metrics of a framework, computed from admissions and call-offs and
shown on its public page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from marketplace.frameworks.calloffs import direct_calloff
from marketplace.frameworks.catalogue import ListingInput, add_listing
from marketplace.frameworks.metrics import variety
from marketplace.frameworks.services import apply_to_lot, decide_application
from tests.framework_helpers import NOW, RUNNING, admit, make_framework
from tests.supplier_helpers import english, make_supplier
from tests.test_frameworks_calloffs import CEILING, _input


def _scenario(db: Session):  # type: ignore[no-untyped-def]
    framework, buyer = make_framework(db)
    adm_a, sup_a, user_a = admit(db, framework, buyer, 0, size="small")
    adm_b, sup_b, user_b = admit(db, framework, buyer, 0, size="large")
    admit(db, framework, buyer, 1, size="micro")
    a = add_listing(db, user_a, adm_a, ListingInput("Desarrollo web", "Dev", "1000", "hora"), NOW)
    b = add_listing(db, user_b, adm_b, ListingInput("Desarrollo móvil", "Dev", "1000", "hora"), NOW)
    direct_calloff(db, buyer, a, _input("25"), ceiling=CEILING, now=RUNNING)  # 25,000
    direct_calloff(db, buyer, b, _input("75"), ceiling=CEILING, now=RUNNING)  # 75,000
    _new, new_user = make_supplier(db, verified=True, size="medium")
    during = dt.datetime(2030, 8, 5)
    application = apply_to_lot(db, new_user, framework.lots[1], "Nube privada y respaldos.", during)
    decide_application(db, buyer, application, admit=True, reason="", now=during)
    return framework, sup_a, sup_b


def test_variety_counts_lots_concentration_smes_and_new_entrants(db: Session) -> None:
    framework, sup_a, sup_b = _scenario(db)
    v = variety(db, framework)
    assert v.suppliers_per_lot == [("Desarrollo de software a la medida", 2), ("Nube pública", 2)]
    assert (v.admitted, v.sme_admitted, v.sme_admitted_percent) == (4, 3, Decimal("75.0"))
    assert v.calloffs == 2 and v.calloff_value == Decimal("100000.00")
    assert [(s.supplier.id, s.percent) for s in v.shares] == [
        (sup_b.id, Decimal("75.0")), (sup_a.id, Decimal("25.0"))
    ]  # fmt: skip
    assert v.hhi == 75**2 + 25**2  # 6,250: highly concentrated
    assert v.sme_value_percent == Decimal("25.0")
    assert v.new_entrants == {1: 1}


def test_the_framework_page_shows_the_metrics(client: FlaskClient, db: Session) -> None:
    framework, _a, sup_b = _scenario(db)
    english(client)
    html = client.get(f"/frameworks/{framework.id}").get_data(as_text=True)
    assert "Provider variety" in html
    assert "6,250" in html and "75.0 %" in html and sup_b.legal_name in html
    assert "New suppliers in refresh 1: 1" in html


def test_an_empty_framework_has_no_concentration(db: Session) -> None:
    framework, _buyer = make_framework(db)
    v = variety(db, framework)
    assert v.hhi is None and v.sme_admitted_percent is None and v.shares == []


def test_the_process_pages_of_a_framework_and_a_calloff_render(
    client: FlaskClient, db: Session
) -> None:
    from sqlalchemy import select

    from marketplace.frameworks.calloff_models import CallOff

    framework, _a, _b = _scenario(db)
    english(client)
    page = client.get(f"/processes/{framework.ocid}")
    assert page.status_code == 200 and framework.title in page.get_data(as_text=True)
    calloff = db.scalars(select(CallOff)).first()
    assert calloff is not None
    html = client.get(f"/processes/{calloff.tender.ocid}").get_data(as_text=True)
    assert calloff.tender.title in html
