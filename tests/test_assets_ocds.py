"""The asset summaries as open data (our extension, validated like the official ones;
the bulk CSV's assets table), actual against planned cost, and the demo step."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from business_cases.progress import planned_cost
from marketplace.accounts.models import Organisation, OrgKind
from marketplace.assets.models import Asset, AssetAlert, AssetSource, AssetStatus
from marketplace.assets.queries import actual_cost, expiring, project_cost
from marketplace.contracts.services import PaymentInput, record_payment
from marketplace.demo import assets as demo_assets
from marketplace.publication.csv_tables import TABLES
from marketplace.publication.models import OcdsRecord, OcdsRelease
from marketplace.publication.services import configured_schema
from ocds.validate import validate_release
from tests.case_factories import make_case
from tests.contract_helpers import PERIOD_START, past_start, signed_contract
from tests.tender_helpers import assert_valid


def test_published_assets_validate_and_a_wrong_category_does_not(db: Session) -> None:
    contract, _buyer, _ = signed_contract(db)
    rows = db.scalars(select(OcdsRelease).where(OcdsRelease.ocid == contract.tender.ocid)).all()
    for row in rows:
        assert_valid(row.data)
    signed = next(r.data for r in rows if r.data["tag"] == ["contract"])
    assert signed["contracts"][0]["assets"][0]["category"] == "hardware"
    signed["contracts"][0]["assets"][0]["category"] = "printer"
    signed["contracts"][0]["assets"][0]["seatsUsed"] = -1
    paths = {f.path for f in validate_release(signed, configured_schema()).errors}
    assert {"contracts/0/assets/0/category", "contracts/0/assets/0/seatsUsed"} <= paths
    assert any(url.endswith("/ocds/extensions/assets/extension.json")
               for url in configured_schema().extension_urls)  # fmt: skip


def test_bulk_csv_has_an_assets_table_from_the_compiled_record(db: Session) -> None:
    contract, _buyer, _ = signed_contract(db)
    record = db.get(OcdsRecord, contract.tender.ocid)
    assert record is not None
    headers, rows_of = TABLES["assets"]
    rows = [dict(zip(headers, row, strict=True)) for row in rows_of(record.compiled)]
    assert len(rows) == 1
    row = rows[0]
    assert row["OCID"] == contract.tender.ocid and row["Contract ID"] == contract.local_id
    assert (row["Asset ID"], row["Category"], row["Quantity"]) == ("asset-1", "hardware", 300)
    assert row["Unit cost"] == 5000 and row["Status"] == "planned"
    assert row["End"] == f"{contract.period_end:%Y-%m-%d}T00:00:00Z"


def test_payments_roll_up_into_actual_cost_against_the_cases_planned_cost(db: Session) -> None:
    contract, buyer, _ = signed_contract(db)
    asset = db.scalars(select(Asset).where(Asset.contract_id == contract.id)).one()
    case = make_case(db, buyer)
    asset.business_case_id = case.id
    db.flush()
    planned = planned_cost(case)
    assert planned is not None and planned > 0
    start = project_cost(db, case.id)
    assert start is not None and start.actual == 0 and start.light.colour == "green"
    assert actual_cost(db, asset) == 0
    paid_at = PERIOD_START + dt.timedelta(days=20)
    record_payment(db, contract, buyer, PaymentInput(Decimal("600000"), paid_at), now=paid_at)
    assert actual_cost(db, asset) == Decimal("600000.00")
    now = project_cost(db, case.id)
    assert now is not None
    assert now.actual == Decimal("600000") and now.variance == Decimal("600000") - planned
    assert planned == Decimal("600000") and now.light.colour == "green"  # on budget
    # The case progress thresholds: up to 10 % over is amber, more is red.
    for amount, colour in (("50000", "amber"), ("100000", "red")):
        record_payment(db, contract, buyer, PaymentInput(Decimal(amount), paid_at), now=paid_at)
        later = project_cost(db, case.id)
        assert later is not None and later.light.colour == colour
    assert actual_cost(db, asset) == Decimal("750000.00")


def test_demo_step_fills_the_register_with_pre_platform_and_expiring_assets(db: Session) -> None:
    contract, _buyer, _ = signed_contract(db, past_start())
    summary = demo_assets.load(db, random.Random(1), {})
    units = db.scalar(select(func.count(Organisation.id)).where(Organisation.kind == OrgKind.BUYER))
    manual = db.scalar(select(func.count(Asset.id)).where(Asset.source == AssetSource.MANUAL))
    assert units and manual and manual >= 8
    assert summary.startswith(f"{manual} pre-platform assets")
    assert db.scalar(select(func.count(Asset.id)).where(Asset.contract_id == contract.id)) == 1
    today = dt.datetime.now(dt.UTC).date()
    soon = expiring(db, today, org_id=contract.tender.buyer_org_id, days=30)
    assert {a.description for a in soon.rows} >= {
        "Licencias de ofimática", "Correo electrónico en la nube", "Mesa de ayuda en línea",
    }  # fmt: skip
    assert db.scalar(select(func.count(AssetAlert.id))) >= 3
    assert db.scalar(select(func.count(Asset.id)).where(Asset.status == AssetStatus.RENEWAL_DUE))
    again = demo_assets.load(db, random.Random(1), {})
    assert again.startswith("0 pre-platform assets") and "0 alerts" in again
    assert (
        db.scalar(select(func.count(Asset.id)).where(Asset.source == AssetSource.MANUAL)) == manual
    )
