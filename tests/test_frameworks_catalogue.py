"""The framework catalogue: admitted suppliers list priced services; anyone searches,
filters and compares them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.frameworks.catalogue import (
    CatalogueQuery,
    ListingInput,
    add_listing,
    change_price,
    compare,
    search,
)
from marketplace.frameworks.errors import FrameworkError, NotAllowed
from marketplace.frameworks.models import Listing
from tests.framework_helpers import END, NOW, admit, make_framework
from tests.supplier_helpers import english


def listing_input(**overrides: str) -> ListingInput:
    values = {
        "description": "Desarrollador senior Python, por hora",
        "category": "Desarrollo",
        "unit_price": "850.00",
        "unit": "hora",
        "delivery_terms": "Inicio en 5 días hábiles",
    }
    values.update(overrides)
    return ListingInput(**values)


def catalogue(db: Session):  # type: ignore[no-untyped-def]
    framework, buyer = make_framework(db)
    adm_a, sup_a, user_a = admit(db, framework, buyer, 0, size="small")
    adm_b, sup_b, user_b = admit(db, framework, buyer, 0, size="large")
    adm_c, _sup_c, user_c = admit(db, framework, buyer, 1, size="micro")
    a = add_listing(db, user_a, adm_a, listing_input(), NOW)
    b = add_listing(db, user_b, adm_b, listing_input(unit_price="790"), NOW)
    c = add_listing(
        db, user_c, adm_c, listing_input(description="Máquina virtual 4 vCPU",
                                         category="Nube", unit_price="2100", unit="mes"), NOW
    )  # fmt: skip
    return framework, buyer, (a, b, c), (user_a, user_b, user_c)


def test_search_filters_and_compares_listings(db: Session) -> None:
    framework, _buyer, (a, b, c), _users = catalogue(db)
    assert a.is_sme and not b.is_sme and c.is_sme
    assert search(db, framework, CatalogueQuery()) == [b, a, c]
    assert search(db, framework, CatalogueQuery(text="python")) == [b, a]
    assert search(db, framework, CatalogueQuery(lot_id=framework.lots[1].id)) == [c]
    assert search(db, framework, CatalogueQuery(category="Nube")) == [c]
    assert search(db, framework, CatalogueQuery(sme_only=True)) == [a, c]
    assert search(db, framework, CatalogueQuery(max_price=Decimal("800"))) == [b]
    assert compare(db, framework, [a.id, b.id]) == [a, b]
    with pytest.raises(FrameworkError, match="at least two"):
        compare(db, framework, [a.id])
    other, _ = make_framework(db)
    with pytest.raises(FrameworkError, match="not in this catalogue"):
        compare(db, other, [a.id, b.id])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"unit_price": "mil"}, "unit_price"),
        ({"unit_price": "-5"}, "unit_price"),
        ({"unit_price": "1.234"}, "unit_price"),
        ({"description": "corto"}, "description"),
        ({"unit": " "}, "unit"),
        ({"category": ""}, "category"),
    ],
)
def test_bad_listings_are_refused_and_not_saved(
    db: Session, overrides: dict[str, str], field: str
) -> None:
    framework, buyer = make_framework(db)
    admission, _s, user = admit(db, framework, buyer)
    with pytest.raises(FrameworkError) as refused:
        add_listing(db, user, admission, listing_input(**overrides), NOW)
    assert refused.value.field == field
    assert db.scalar(select(func.count()).select_from(Listing)) == 0


def test_only_the_admitted_supplier_lists_and_reprices_and_not_after_expiry(db: Session) -> None:
    framework, buyer = make_framework(db)
    admission, _s, user = admit(db, framework, buyer)
    _other_adm, _o, other_user = admit(db, framework, buyer)
    with pytest.raises(NotAllowed):
        add_listing(db, other_user, admission, listing_input(), NOW)
    with pytest.raises(NotAllowed):
        add_listing(db, buyer, admission, listing_input(), NOW)
    with pytest.raises(FrameworkError, match="expired"):
        add_listing(db, user, admission, listing_input(), END)
    listing = add_listing(db, user, admission, listing_input(), NOW)
    with pytest.raises(NotAllowed):
        change_price(db, other_user, listing, "1", NOW)
    change_price(db, user, listing, "900", NOW)
    assert listing.unit_price == Decimal("900.00")


def test_catalogue_and_compare_pages_show_public_prices(client: FlaskClient, db: Session) -> None:
    framework, _buyer, (a, b, _c), _users = catalogue(db)
    english(client)
    page = client.get(f"/frameworks/{framework.id}/catalogue?q=python&sme=1").get_data(as_text=True)
    assert "850.00" in page and "790.00" not in page
    assert client.get("/frameworks/").get_data(as_text=True).count(framework.title) == 1
    html = client.get(f"/frameworks/{framework.id}").get_data(as_text=True)
    assert a.admission.supplier.legal_name in html and "Nube pública" in html
    both = client.get(f"/frameworks/{framework.id}/compare?listing={a.id}&listing={b.id}")
    text = both.get_data(as_text=True)
    assert both.status_code == 200
    assert text.index("850.00") < text.index("790.00")
    assert a.admission.supplier.legal_name in text and b.admission.supplier.legal_name in text
    one = client.get(f"/frameworks/{framework.id}/compare?listing={a.id}")
    assert one.status_code == 400 and "Choose at least two listings" in one.get_data(as_text=True)
    assert client.get("/frameworks/999999").status_code == 404


def test_supplier_pages_apply_list_and_refuse_another_companys_listing(
    client: FlaskClient, db: Session
) -> None:
    from marketplace.frameworks.models import Application
    from tests.factories import login_as, post_form
    from tests.supplier_helpers import make_supplier

    framework, _buyer, (a, _b, _c), (user_a, user_b, _uc) = catalogue(db)
    db.commit()
    english(client)
    login_as(client, user_b)
    refused = post_form(client, f"/supplier/frameworks/listings/{a.id}/price",
                        {"unit_price": "1"}, form_url="/supplier/frameworks")  # fmt: skip
    assert refused.status_code == 403
    login_as(client, user_a)
    typed = {"description": "Arquitecto de software", "category": "Desarrollo",
             "unit_price": "mil", "unit": "hora"}  # fmt: skip
    url = f"/supplier/frameworks/admissions/{a.admission_id}/listings"
    bad = post_form(client, url, typed, form_url="/supplier/frameworks")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Enter the unit price as a number" in html
    assert "Arquitecto de software" in html and 'value="mil"' in html
    assert db.scalar(select(func.count()).select_from(Listing)) == 3
    _company, newcomer = make_supplier(db, verified=True)
    db.commit()
    login_as(client, newcomer)
    # The test clock is the real one: the framework (2030) is still taking applications.
    page = client.get("/supplier/frameworks").get_data(as_text=True)
    assert framework.title in page
    sent = post_form(client, f"/supplier/frameworks/lots/{framework.lots[1].id}/apply",
                     {"statement": "Operamos nube híbrida desde 2015 para gobierno."},
                     form_url="/supplier/frameworks")  # fmt: skip
    assert sent.status_code == 302
    assert db.scalar(select(func.count()).select_from(Application).where(
        Application.lot_id == framework.lots[1].id)) == 2  # fmt: skip
