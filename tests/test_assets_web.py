"""The asset register through the pages: adding by hand (bad input re-shown), the CSV
import (per-line problems, nothing saved; then everything imported), lifecycle moves,
the expiring views and feed with public fields only, and another unit refused."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import OrgKind, Role
from marketplace.assets.models import Asset, AssetStatus
from marketplace.assets.services import AssetInput, add_asset, apply_due
from marketplace.db import utcnow
from tests.contract_helpers import past_start, signed_contract
from tests.factories import csrf_token, login_as, make_org, make_user, post_form


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.set_cookie("lang", "en")


def _count(db: Session) -> int:
    return db.scalar(select(func.count(Asset.id))) or 0


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "category": "softwareLicence", "description": "Licencias de diseño gráfico",
        "quantity": "20", "unit_cost": "8500", "currency": "MXN",
        "supplier_name": "Distribuidora Andina", "start_date": "2025-01-01",
        "end_date": "2026-12-31", "licence_count": "20", "seats_used": "18",
        "support_level": "8x5", "location": "Edificio central, piso 2", "status": "active",
        "notes": "Renovar con descuento por volumen",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_buyer_adds_an_asset_and_bad_input_is_reshown(db: Session, client: FlaskClient) -> None:
    buyer = make_user(db, Role.BUYER)
    db.commit()
    login_as(client, buyer)
    before = _count(db)
    bad = post_form(client, "/buyer/assets/new", _form(seats_used="25"))
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "Seats used (25) cannot exceed the licences bought (20)." in page
    assert 'value="Licencias de diseño gráfico"' in page  # what the user typed stays
    assert _count(db) == before
    good = post_form(client, "/buyer/assets/new", _form())
    assert good.status_code == 302
    asset = db.scalars(select(Asset).order_by(Asset.id.desc())).first()
    assert asset is not None and asset.owner_org_id == buyer.organisation_id
    assert asset.seats_used == 18 and asset.supplier_name == "Distribuidora Andina"
    detail = client.get(good.headers["Location"]).get_data(as_text=True)
    assert "Edificio central, piso 2" in detail and "Licencias de diseño gráfico" in detail
    register = client.get("/buyer/assets/").get_data(as_text=True)
    assert "Licencias de diseño gráfico" in register


GOOD_CSV = (
    "category,description,quantity,unit_cost,supplier,start_date,end_date,licence_count,"
    "seats_used,location\n"
    "hardware,Servidores de archivos,4,85000,Cómputo Azteca,2021-03-01,2026-02-28,,,"
    "Centro de datos\n"
    "saasSubscription,Correo electrónico en la nube,1,540000,Nube MX,2025-01-01,"
    "2025-12-31,600,512,\n"
)


def _upload(client: FlaskClient, text: str) -> str:
    token = csrf_token(client, "/buyer/assets/import")
    response = client.post(
        "/buyer/assets/import",
        data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "activos.csv")},
        content_type="multipart/form-data",
    )
    return f"{response.status_code}\n{response.get_data(as_text=True)}"


def test_csv_import_reports_each_bad_line_and_saves_nothing(
    db: Session, client: FlaskClient
) -> None:
    buyer = make_user(db, Role.BUYER)
    db.commit()
    login_as(client, buyer)
    before = _count(db)
    bad_rows = GOOD_CSV + (
        "printer,Impresoras,3,,,,,,,\n"
        "hardware,Conmutadores,2,,,2026-05-01,2026-04-01,,,\n"
        "softwareLicence,Ofimática,1,,,,,10,-2,\n"
        "softwareLicence,Antivirus,1,,,,,10,12,\n"
    )
    page = _upload(client, bad_rows)
    assert page.startswith("422")
    assert "4 problems: nothing was imported" in page
    assert "Line 4 · category: Unknown category &#39;printer&#39;" in page
    assert "Line 5 · end_date: The end date cannot be before the start date." in page
    assert "Line 6 · seats_used: The number cannot be negative." in page
    assert "Line 7 · seats_used: Seats used (12) cannot exceed the licences bought (10)." in page
    assert _count(db) == before  # the two good rows were not imported either
    wrong = _upload(client, "categoria,descripcion\nhardware,Servidores\n")
    assert wrong.startswith("422") and "Wrong columns (unknown: categoria, descripcion" in wrong
    assert _count(db) == before
    ok = _upload(client, GOOD_CSV)
    assert ok.startswith("302")
    assert _count(db) == before + 2
    mail = db.scalars(
        select(Asset).where(Asset.description == "Correo electrónico en la nube")
    ).one()
    assert mail.licence_count == 600 and mail.seats_used == 512 and mail.source.value == "import"


def test_csv_import_names_a_line_the_csv_reader_refuses(db: Session, client: FlaskClient) -> None:
    # Found by the fuzzer (tests/fuzz): a cell over the csv module's size limit was a 500.
    buyer = make_user(db, Role.BUYER)
    db.commit()
    login_as(client, buyer)
    before = _count(db)
    page = _upload(client, GOOD_CSV + "hardware," + "x" * 200_000 + "\n")
    assert page.startswith("422")
    assert "Line 4" in page and "field larger than field limit" in page
    assert _count(db) == before


def test_renewal_through_the_page_and_another_unit_refused(
    db: Session, client: FlaskClient
) -> None:
    buyer = make_user(db, Role.BUYER)
    today = utcnow().date()
    asset = add_asset(db, buyer, AssetInput("telecom", "Enlace de datos 200 Mbps",
                                            start_date=today - dt.timedelta(days=300),
                                            end_date=today + dt.timedelta(days=10),
                                            location="Sótano, rack 3"))  # fmt: skip
    other = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER, "Otra unidad"))
    db.commit()
    login_as(client, other)
    assert client.get(f"/buyer/assets/{asset.id}").status_code == 403
    assert client.get(f"/buyer/assets/{asset.id}/edit").status_code == 403
    token = csrf_token(client, "/buyer/assets/new")
    refused = client.post(f"/buyer/assets/{asset.id}/move",
                          data={"csrf_token": token, "status": "retired"})  # fmt: skip
    assert refused.status_code == 403
    db.refresh(asset)
    assert asset.status == AssetStatus.ACTIVE

    login_as(client, buyer)
    url = f"/buyer/assets/{asset.id}"
    early = post_form(client, f"{url}/move", {"status": "renewed", "end_date": "", "note": ""},
                      form_url=url)  # fmt: skip
    assert early.status_code == 422
    assert "Give the new end date of the renewal." in early.get_data(as_text=True)
    new_end = today + dt.timedelta(days=375)
    renewal = {"status": "renewed", "end_date": new_end.isoformat(), "note": "Renovado 12 meses"}
    done = post_form(client, f"{url}/move", renewal, form_url=url)
    assert done.status_code == 302
    db.refresh(asset)
    assert asset.status == AssetStatus.RENEWED and asset.end_date == new_end
    history = client.get(url).get_data(as_text=True)
    assert "Renovado 12 meses" in history


def test_expiring_views_and_feed_show_public_fields_only(db: Session, client: FlaskClient) -> None:
    buyer = make_user(db, Role.BUYER)
    today = utcnow().date()
    soon = add_asset(db, buyer, AssetInput("saasSubscription", "Mesa de ayuda en la nube",
                                           start_date=today - dt.timedelta(days=200),
                                           end_date=today + dt.timedelta(days=12),
                                           location="Oficina de Juan Pérez",
                                           notes="Juan Pérez administra"))  # fmt: skip
    later = add_asset(db, buyer, AssetInput("hardware", "Impresoras de red",
                                            end_date=today + dt.timedelta(days=400)))  # fmt: skip
    apply_due(db, utcnow())
    db.commit()
    assert soon.status == AssetStatus.RENEWAL_DUE
    public = client.get(f"/assets/expiring?unit={buyer.organisation_id}").get_data(as_text=True)
    assert "Mesa de ayuda en la nube" in public and later.description not in public
    assert "Juan Pérez" not in public
    org = buyer.organisation
    feed = client.get(f"/feeds/assets/{org.code}.atom")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    body = feed.get_data(as_text=True)
    assert "Mesa de ayuda en la nube ends in 15 days" in body and "Juan Pérez" not in body
    assert client.get("/feeds/assets/no-such-unit.atom").status_code == 404
    login_as(client, buyer)
    mine = client.get("/buyer/assets/expiring").get_data(as_text=True)
    assert "Mesa de ayuda en la nube" in mine and "in 12 days" in mine


def test_supplier_page_lists_what_government_holds_from_it(
    db: Session, client: FlaskClient
) -> None:
    contract, _buyer, _ = signed_contract(db, past_start())
    db.commit()
    supplier = contract.award.supplier
    assert supplier is not None
    page = client.get(f"/assets/suppliers/{supplier.id}").get_data(as_text=True)
    assert contract.tender.items[0].description in page
    assert "The government holds 1 asset in use from this supplier." in page


def test_our_extension_files_are_served(client: FlaskClient) -> None:
    with client.get("/ocds/extensions/assets/extension.json") as meta:
        assert meta.status_code == 200
        assert meta.json["codelists"] == ["assetCategory.csv", "assetStatus.csv"]
    with client.get("/ocds/extensions/assets/codelists/assetStatus.csv") as codes:
        assert codes.status_code == 200 and "renewalDue" in codes.get_data(as_text=True)
    assert client.get("/ocds/extensions/assets/../../schema.py").status_code == 404
    assert client.get("/ocds/extensions/nope/extension.json").status_code == 404


def test_editing_a_contract_asset_keeps_its_contract_fields(
    db: Session, client: FlaskClient
) -> None:
    contract, buyer, _ = signed_contract(db, past_start())
    asset = db.scalars(select(Asset).where(Asset.contract_id == contract.id)).one()
    db.commit()
    login_as(client, buyer)
    url = f"/buyer/assets/{asset.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'value="300"' in form and 'value="5000"' in form  # typed as a person would
    data = {
        "category": "service", "description": asset.description, "quantity": "300",
        "unit_cost": "5000", "currency": "USD", "start_date": str(asset.start_date),
        "end_date": str(asset.end_date), "licence_count": "", "seats_used": "",
        "support_level": "Garantía 3 años en sitio", "location": "Almacén central",
        "notes": "",
    }  # fmt: skip
    assert post_form(client, url, data).status_code == 302
    db.refresh(asset)
    assert asset.support_level == "Garantía 3 años en sitio"
    assert asset.category.value == "hardware" and asset.currency == "MXN"  # as signed
