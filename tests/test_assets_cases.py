"""Assets added by hand or imported, linked to a business case: only the unit's own
cases (another unit's, or a number that is not one, refused by field or by CSV line with
nothing saved), the link recorded in the history, and the asset page comparing the
case's planned cost with what its contracts have paid (variance and light)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from business_cases.models import BusinessCase
from marketplace.accounts.models import OrgKind, Role, User
from marketplace.assets.csv_import import import_assets
from marketplace.assets.models import Asset, AssetEvent
from marketplace.assets.services import AssetError, AssetInput, add_asset, update_asset
from marketplace.contracts.services import PaymentInput, record_payment
from tests.case_factories import make_case
from tests.contract_helpers import past_start, signed_contract
from tests.factories import csrf_token, login_as, make_org, make_user, post_form


def _count(db: Session) -> int:
    return db.scalar(select(func.count(Asset.id))) or 0


def _two_units(db: Session) -> tuple[User, BusinessCase, BusinessCase]:
    """A buyer with a case of its unit, and a case of another unit."""
    mine = make_user(db, Role.BUYER)
    other = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER))
    return mine, make_case(db, mine), make_case(db, other, title="Expediente clínico")


def _input(case: object = "") -> AssetInput:
    return AssetInput(category="hardware", description="Servidores del archivo histórico",
                      quantity="2", unit_cost="90000", business_case=case)  # fmt: skip


def test_a_hand_added_asset_links_to_one_of_its_units_cases_only(db: Session) -> None:
    buyer, own, foreign = _two_units(db)
    before = _count(db)
    for bad, message in (
        (foreign.id, f"Your unit has no business case number {foreign.id}."),
        ("caso 3", "Write the business case's number"),
        (999999, "Your unit has no business case number 999999."),
    ):
        with pytest.raises(AssetError) as refused:
            add_asset(db, buyer, _input(bad))
        assert str(refused.value.errors["business_case"]).startswith(message)
    assert _count(db) == before
    asset = add_asset(db, buyer, _input(f"#{own.id}"))
    assert asset.business_case_id == own.id
    # Edited: the link changes like any field, with its history; another unit's refused.
    with pytest.raises(AssetError):
        update_asset(db, asset, buyer, _input(foreign.id))
    update_asset(db, asset, buyer, _input(""))
    assert asset.business_case_id is None
    last = db.scalars(select(AssetEvent).where(AssetEvent.asset_id == asset.id)
                      .order_by(AssetEvent.id.desc())).first()  # fmt: skip
    assert last is not None and f"Caso de negocio: {own.id} → —" in last.details


def test_csv_business_case_column_is_checked_per_line_all_or_nothing(db: Session) -> None:
    buyer, own, foreign = _two_units(db)
    before = _count(db)
    head = "category,description,quantity,business_case\n"
    bad = head + f"hardware,Escáneres,3,{own.id}\nservice,Mesa de ayuda,1,{foreign.id}\n"
    result = import_assets(db, buyer, bad)
    assert [(p.line, p.column) for p in result.problems] == [(3, "business_case")]
    assert _count(db) == before
    good = head + f"hardware,Escáneres,3,{own.id}\nservice,Mesa de ayuda,1,\n"
    result = import_assets(db, buyer, good)
    assert result.ok
    assert [a.business_case_id for a in result.imported] == [own.id, None]


def test_the_form_offers_the_units_cases_and_the_page_shows_the_cost_light(
    db: Session, client: FlaskClient
) -> None:
    client.set_cookie("lang", "en")
    contract, buyer, _supplier = signed_contract(db, past_start())
    own = make_case(db, buyer)
    foreign = make_case(db, make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER)),
                        title="Expediente clínico")  # fmt: skip
    # The contract's asset serves the case (as through the tender's plan line); paid
    # 700,000 against the case's planned 600,000: more than 10 % over.
    for asset in db.scalars(select(Asset).where(Asset.contract_id == contract.id)):
        asset.business_case_id = own.id
    paid_at = contract.period_start + dt.timedelta(days=1)  # type: ignore[operator]
    record_payment(db, contract, buyer, PaymentInput(Decimal("700000"), paid_at), now=paid_at)
    db.commit()
    login_as(client, buyer)
    form = client.get("/buyer/assets/new").get_data(as_text=True)
    assert f'value="{own.id}"' in form and own.title in form
    assert "Expediente clínico" not in form
    data = {"category": "hardware", "description": "Escáneres de la ventanilla",
            "quantity": "3", "currency": "MXN", "status": "active"}  # fmt: skip
    before = _count(db)
    refused = post_form(client, "/buyer/assets/new", {**data, "business_case": str(foreign.id)})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert f"Your unit has no business case number {foreign.id}." in text
    assert 'value="Escáneres de la ventanilla"' in text and _count(db) == before
    done = post_form(client, "/buyer/assets/new", {**data, "business_case": str(own.id)})
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    start = page.index('<section id="tco"')
    tco = page[start : page.index("</section>", start)]
    assert "Red: more than 10% over budget" in tco
    assert "700,000" in tco and "600,000" in tco and "100,000" in tco
    # The edit form shows the link, and the import page names the column.
    asset_id = done.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    edit = client.get(f"/buyer/assets/{asset_id}/edit").get_data(as_text=True)
    assert f'<option selected value="{own.id}">' in edit
    token = csrf_token(client, "/buyer/assets/import")
    upload = client.post(
        "/buyer/assets/import",
        data={"csrf_token": token, "file": (io.BytesIO(
            f"category,description,business_case\nservice,Soporte,{foreign.id}\n".encode()
        ), "activos.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert upload.status_code == 422
    assert f"Line 2 · business_case: Your unit has no business case number {foreign.id}." in (
        upload.get_data(as_text=True)
    )
