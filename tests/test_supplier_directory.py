"""The public directory's filters and pages, and the OCDS Organization of a supplier."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft4Validator, FormatChecker
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role
from marketplace.suppliers.categories import category_by_code
from marketplace.suppliers.directory import DirectoryQuery, search_directory
from marketplace.suppliers.models import SupplierSize
from marketplace.suppliers.ocds import supplier_party
from tests.factories import make_user
from tests.supplier_helpers import english, load_categories, make_supplier

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "ocds-schema" / "1.1.5"


def _ids(page_html: str) -> set[int]:
    return {int(m) for m in re.findall(r'href="/suppliers/(\d+)"', page_html)}


def test_filters_by_category_including_descendants(client: FlaskClient, db: Session) -> None:
    load_categories(db)
    laptops, _ = make_supplier(db, verified=True, codes=("43211503",))
    software, _ = make_supplier(db, verified=True, codes=("81111504",))
    family = category_by_code(db, "43210000")  # computer equipment: laptops' grandparent
    segment = category_by_code(db, "43000000")
    assert family is not None and segment is not None
    found = _ids(english(client).get(f"/suppliers?category={family.id}").get_data(as_text=True))
    assert laptops.id in found and software.id not in found
    found = _ids(client.get(f"/suppliers?category={segment.id}").get_data(as_text=True))
    assert laptops.id in found and software.id not in found


def test_filters_by_size_state_and_name(client: FlaskClient, db: Session) -> None:
    micro, _ = make_supplier(
        db, verified=True, size="micro", region="MEX", legal_name="Cómputo Ñandú, S.A."
    )
    large, _ = make_supplier(db, verified=True, size="large", region="CMX")
    english(client)
    found = _ids(client.get("/suppliers?size=micro").get_data(as_text=True))
    assert micro.id in found and large.id not in found
    found = _ids(client.get("/suppliers?state=CMX").get_data(as_text=True))
    assert large.id in found and micro.id not in found
    # Accent- and case-insensitive name search.
    found = _ids(client.get("/suppliers?q=COMPUTO+nandu").get_data(as_text=True))
    assert found == {micro.id}
    # SQL wildcards in the search box are plain characters.
    assert _ids(client.get("/suppliers?q=%25").get_data(as_text=True)) == set()


def test_only_verified_suppliers_are_public(client: FlaskClient, db: Session) -> None:
    pending, _ = make_supplier(db)
    verified, _ = make_supplier(db, verified=True)
    found = _ids(english(client).get("/suppliers").get_data(as_text=True))
    assert verified.id in found and pending.id not in found
    assert client.get(f"/suppliers/{pending.id}").status_code == 404
    assert client.get(f"/suppliers/{pending.id}.json").status_code == 404
    assert client.get(f"/suppliers/{verified.id}").status_code == 200


def test_keyset_pages_cover_everyone_once(db: Session) -> None:
    admin = make_user(db, Role.ADMIN)
    # Equal names too: the keyset orders by (name, id), so ties never skip or repeat.
    made = {
        make_supplier(db, verified=True, admin=admin, region="YUC", legal_name=name)[0].id
        for name in ["Beta", "Alfa", "Alfa", "Gamma", "Alfa", "Delta", "Beta"]
    }
    first = search_directory(db, DirectoryQuery(region="YUC"), page_size=2)
    assert first.total == 7 and first.next_after is not None
    seen = [s.id for s in first.suppliers]
    after = first.next_after
    while after is not None:
        page = search_directory(db, DirectoryQuery(region="YUC", after=after), page_size=2)
        seen += [s.id for s in page.suppliers]
        after = page.next_after
    assert len(seen) == len(set(seen)) == 7 and set(seen) == made


def test_directory_page_links_the_next_page(
    app: Flask, client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "DIRECTORY_PAGE_SIZE", 3)
    admin = make_user(db, Role.ADMIN)
    for _ in range(4):
        make_supplier(db, verified=True, admin=admin, region="ZAC")
    page = english(client).get("/suppliers?state=ZAC").get_data(as_text=True)
    assert "4 suppliers" in page
    assert len(_ids(page)) == 3
    match = re.search(r'href="(/suppliers\?[^"]*after=\d+[^"]*)"', page)
    assert match is not None
    second = client.get(match.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert len(_ids(second)) == 1


def test_ocds_party_validates_against_the_organization_schema(db: Session) -> None:
    schema = json.loads((SCHEMA / "release-schema.json").read_text())
    validator = Draft4Validator(
        {"$ref": "#/definitions/Organization", "definitions": schema["definitions"]},
        format_checker=FormatChecker(),
    )
    for size, scale in [
        ("micro", "micro"),
        ("small", "sme"),
        ("medium", "sme"),
        ("large", "large"),
    ]:
        supplier, user = make_supplier(db, verified=True, size=size)
        party = supplier_party(supplier, ["supplier", "tenderer"])
        errors = [e.message for e in validator.iter_errors(party)]
        assert errors == []
        assert party["id"] == f"MX-RFC-{supplier.tax_id}"
        assert party["identifier"] == {
            "scheme": "MX-RFC",
            "id": supplier.tax_id,
            "legalName": supplier.legal_name,
        }
        assert party["details"] == {"scale": scale}
        assert party["address"]["region"] == "Ciudad de México"
        assert party["address"]["countryName"] == "México"
        assert party["roles"] == ["supplier", "tenderer"]
        assert user.email not in json.dumps(party)  # only the public contact point
    assert {s.value for s in SupplierSize} == {"micro", "small", "medium", "large"}


def test_ocds_party_of_a_foreign_supplier_without_optional_fields(db: Session) -> None:
    supplier, _ = make_supplier(
        db,
        country="US",
        tax_id="12-3456789",
        region="",
        postal_code="10001",
        website="",
        contact_phone="",
    )
    party = supplier_party(supplier, ["tenderer"])
    assert party["id"] == "US-TAXID-123456789"
    assert "region" not in party["address"] and "url" not in party["contactPoint"]
    assert party["address"]["countryName"] == "Estados Unidos"
