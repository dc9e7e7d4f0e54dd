"""Direct call-offs: a buyer buys a listing under the ceiling; the call-off is its own
process pointing to the framework, and its contract feeds the asset register."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role
from marketplace.assets.models import Asset
from marketplace.frameworks.calloff_models import CallOff
from marketplace.frameworks.calloffs import DirectInput, contract_of, direct_calloff
from marketplace.frameworks.catalogue import ListingInput, add_listing
from marketplace.frameworks.errors import FrameworkError, NotAllowed
from marketplace.frameworks.models import Listing
from marketplace.publication.models import OcdsRecord, OcdsRelease
from marketplace.tenders.models import Tender
from tests.factories import make_user
from tests.framework_helpers import END, NOW, RUNNING, admit, make_framework
from tests.tender_helpers import assert_valid

CEILING = Decimal("300000")
WHY = "Soporte urgente al sistema de nómina durante el cierre anual."


def _listing(db: Session) -> tuple[Listing, object]:
    framework, buyer = make_framework(db)
    admission, _s, user = admit(db, framework, buyer)
    listing = add_listing(
        db, user, admission,
        ListingInput("Desarrollador senior Python", "81111500", "850.00", "hora"), NOW,
    )  # fmt: skip
    return listing, buyer


def _input(quantity: str = "100", **overrides: object) -> DirectInput:
    values: dict[str, object] = {
        "quantity": quantity, "justification": WHY,
        "contract_url": "https://cdmx.example.mx/pedidos/1.pdf",
    }  # fmt: skip
    values.update(overrides)
    return DirectInput(**values)  # type: ignore[arg-type]


def test_direct_calloff_is_a_valid_process_related_to_the_framework(db: Session) -> None:
    listing, _owner = _listing(db)
    framework = listing.admission.framework
    other_unit_buyer = make_user(db, Role.BUYER)  # any unit may buy from the framework
    calloff = direct_calloff(db, other_unit_buyer, listing, _input(), ceiling=CEILING, now=RUNNING)
    tender = db.get(Tender, calloff.tender_id)
    assert tender is not None and tender.state.value == "complete"
    rows = db.scalars(
        select(OcdsRelease).where(OcdsRelease.ocid == tender.ocid).order_by(OcdsRelease.sequence)
    ).all()
    assert [r.tags[0] for r in rows] == ["planning", "tender", "tenderUpdate", "award", "contract"]
    for row in rows:
        assert_valid(row.data)
        assert row.data["relatedProcesses"][0]["identifier"] == framework.ocid
    compiled = db.get(OcdsRecord, tender.ocid).compiled  # type: ignore[union-attr]
    related = compiled["relatedProcesses"][0]
    assert related["relationship"] == ["framework"] and related["scheme"] == "ocid"
    # relatedProcesses resolve: the framework's record exists under that ocid.
    assert db.get(OcdsRecord, related["identifier"]) is not None
    assert compiled["tender"]["procurementMethod"] == "direct"
    assert compiled["awards"][0]["value"]["amount"] == 85000
    assert compiled["awards"][0]["suppliers"][0]["name"] == listing.admission.supplier.legal_name
    contract = contract_of(db, calloff)
    assert contract is not None and contract.value_amount == Decimal("85000.00")
    asset = db.scalars(select(Asset).where(Asset.contract_id == contract.id)).one()
    assert asset.owner_org_id == other_unit_buyer.organisation_id
    assert asset.supplier_id == listing.admission.supplier_id


@pytest.mark.parametrize(
    ("quantity", "overrides", "when", "field", "message"),
    [
        ("400", {}, RUNNING, "quantity", "above the direct call-off ceiling"),
        ("0", {}, RUNNING, "quantity", "positive"),
        ("diez", {}, RUNNING, "quantity", "number"),
        ("10", {"justification": "urgente"}, RUNNING, "justification", "Justify"),
        ("10", {"contract_url": ""}, RUNNING, "contract_url", "web address"),
        ("10", {}, END, "", "expired"),
        ("10", {}, NOW, "", "not started"),
    ],
)
def test_refused_direct_calloffs_save_nothing(
    db: Session, quantity: str, overrides: dict[str, object], when: dt.datetime,
    field: str, message: str,
) -> None:  # fmt: skip
    listing, owner = _listing(db)
    tenders = db.scalar(select(func.count()).select_from(Tender))
    with pytest.raises(FrameworkError, match=message) as refused:
        direct_calloff(db, owner, listing, _input(quantity, **overrides), ceiling=CEILING, now=when)
    assert refused.value.field == field
    assert db.scalar(select(func.count()).select_from(Tender)) == tenders
    assert db.scalar(select(func.count()).select_from(CallOff)) == 0


def test_a_supplier_cannot_call_off_and_a_withdrawn_listing_cannot_be_bought(db: Session) -> None:
    listing, owner = _listing(db)
    supplier_user = make_user(db, Role.SUPPLIER)
    with pytest.raises(NotAllowed):
        direct_calloff(db, supplier_user, listing, _input(), ceiling=CEILING, now=RUNNING)
    listing.active = False
    with pytest.raises(FrameworkError, match="withdrawn"):
        direct_calloff(db, owner, listing, _input(), ceiling=CEILING, now=RUNNING)


def test_buyer_pages_open_a_framework_admit_and_buy_directly(
    client: FlaskClient, db: Session
) -> None:
    from marketplace.frameworks.models import Framework
    from marketplace.frameworks.services import apply_to_lot
    from tests.factories import login_as, post_form
    from tests.supplier_helpers import english, make_supplier

    owner = make_user(db, Role.BUYER)
    db.commit()
    english(client)
    login_as(client, owner)
    form = {"title": "Nube", "start_date": "2030-02-01", "end_date": "2032-02-01",
            "refresh_months": "6", "lots-0-title": "Cómputo",
            "lots-1-title": "Almacenamiento"}  # fmt: skip
    bad = post_form(client, "/buyer/frameworks", form)
    assert bad.status_code == 400 and "at least 5 characters" in bad.get_data(as_text=True)
    assert 'value="Almacenamiento"' in bad.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Framework)) == 0
    made = post_form(client, "/buyer/frameworks", {**form, "title": "Servicios de nube"})
    assert made.status_code == 302
    framework = db.scalars(select(Framework)).one()
    assert [lot.title for lot in framework.lots] == ["Cómputo", "Almacenamiento"]
    _company, supplier_user = make_supplier(db, verified=True)
    application = apply_to_lot(
        db, supplier_user, framework.lots[0], "Nube certificada ISO 27001.", NOW
    )
    db.commit()
    intruder = make_user(db, Role.BUYER)
    db.commit()
    login_as(client, intruder)
    assert client.get(f"/buyer/frameworks/{framework.id}").status_code == 403
    login_as(client, owner)
    url = f"/buyer/frameworks/applications/{application.id}"
    post_form(
        client,
        url,
        {"decision": "admit", "reason": ""},
        form_url=f"/buyer/frameworks/{framework.id}",
    )
    db.expire_all()
    assert application.status.value == "admitted"
    # Buying directly needs a running framework; this one starts in 2030 (real clock now).
    admission = framework.admissions[0]
    vm = ListingInput("Máquina virtual 4 vCPU", "Nube", "2100", "mes")
    listing = add_listing(db, supplier_user, admission, vm, NOW)
    db.commit()
    refused = post_form(client, f"/buyer/frameworks/listings/{listing.id}/direct",
                        {"quantity": "12", "justification": WHY,
                         "contract_url": "https://x.example/p.pdf"})  # fmt: skip
    assert refused.status_code == 400
    assert "not started" in refused.get_data(as_text=True)
    assert 'value="12"' in refused.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(CallOff)) == 0
