"""The asset register's services: assets from a signed contract (published with it),
renewal alerts from the tick (the clock moves, nothing sleeps), moves and edits by the
owner unit only, and bad input refused with nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import OrgKind, Role
from marketplace.assets.models import Asset, AssetAlert, AssetEvent, AssetStatus
from marketplace.assets.services import (
    AssetError,
    AssetInput,
    NotYourAsset,
    add_asset,
    apply_due,
    move_asset,
    update_asset,
)
from marketplace.inbox.models import Message
from marketplace.publication.models import OcdsRelease
from marketplace.ticks import run_due
from tests.contract_helpers import PERIOD_END, PERIOD_START, SIGNED_AT, signed_contract
from tests.factories import make_org, make_user

DAY = dt.timedelta(days=1)


def _latest_release(db: Session, ocid: str) -> dict:
    row = db.scalar(
        select(OcdsRelease).where(OcdsRelease.ocid == ocid).order_by(OcdsRelease.sequence.desc())
    )
    assert row is not None
    return row.data


def _alerts(db: Session, asset: Asset) -> list[int]:
    return list(
        db.scalars(
            select(AssetAlert.days_before)
            .where(AssetAlert.asset_id == asset.id)
            .order_by(AssetAlert.id)
        )
    )


def _messages(db: Session, user_id: int) -> list[str]:
    return list(
        db.scalars(
            select(Message.subject)
            .where(Message.user_id == user_id, Message.kind == "asset.renewal")
            .order_by(Message.id)
        )
    )


def test_signing_a_contract_registers_its_items_and_publishes_them(db: Session) -> None:
    contract, buyer, _supplier_user = signed_contract(db)
    assets = db.scalars(select(Asset).where(Asset.contract_id == contract.id)).all()
    assert len(assets) == 1
    asset = assets[0]
    assert asset.owner_org_id == buyer.organisation_id
    assert asset.supplier_id == contract.award.supplier_id
    assert asset.quantity == 300 and asset.unit_cost == Decimal("5000")
    assert asset.start_date == PERIOD_START.date() and asset.end_date == PERIOD_END.date()
    # Signed before the period starts: planned until the start.
    assert asset.status == AssetStatus.PLANNED
    release = _latest_release(db, contract.tender.ocid)
    assert release["tag"] == ["contract"]
    published = release["contracts"][0]["assets"]
    assert published == [
        {
            "id": "asset-1",
            "relatedItem": contract.tender.items[0].local_id,
            "category": asset.category.value,
            "description": asset.description,
            "quantity": 300,
            "status": "planned",
            "unitValue": {"amount": 5000, "currency": "MXN"},
            "period": {
                "startDate": f"{PERIOD_START.date()}T00:00:00Z",
                "endDate": f"{PERIOD_END.date()}T00:00:00Z",
            },
        }
    ]


def test_tick_starts_the_asset_then_alerts_30_15_and_7_days_before_once_each(
    db: Session,
) -> None:
    contract, buyer, _ = signed_contract(db)
    asset = db.scalars(select(Asset).where(Asset.contract_id == contract.id)).one()
    end = asset.end_date
    assert end is not None

    run_due(db, PERIOD_START + dt.timedelta(hours=1))
    assert asset.status == AssetStatus.ACTIVE
    assert _latest_release(db, contract.tender.ocid)["contracts"][0]["assets"][0]["status"] == (
        "active"
    )
    at = dt.datetime.combine(end, dt.time(9))
    run_due(db, at - 31 * DAY)
    assert _alerts(db, asset) == [] and asset.status == AssetStatus.ACTIVE
    run_due(db, at - 30 * DAY)
    assert _alerts(db, asset) == [30]
    assert asset.status == AssetStatus.RENEWAL_DUE
    assert _messages(db, buyer.id) == [f"Renewal due in 30 days: {asset.description}"]
    release = _latest_release(db, contract.tender.ocid)
    assert release["tag"] == ["implementation"]
    assert release["contracts"][0]["assets"][0]["status"] == "renewalDue"
    for days in (29, 16):  # later ticks before the next threshold send nothing
        run_due(db, at - days * DAY)
    run_due(db, at - 30 * DAY)  # nor does a tick run twice
    assert _alerts(db, asset) == [30]
    run_due(db, at - 15 * DAY)
    run_due(db, at - 15 * DAY + dt.timedelta(hours=3))
    assert _alerts(db, asset) == [30, 15]
    run_due(db, at - 7 * DAY)
    run_due(db, at - 2 * DAY)
    assert _alerts(db, asset) == [30, 15, 7]
    assert len(_messages(db, buyer.id)) == 3
    statuses = db.scalars(
        select(AssetEvent.to_status).where(AssetEvent.asset_id == asset.id).order_by(AssetEvent.id)
    ).all()
    assert statuses == ["planned", "active", "renewalDue"]


def test_a_missed_tick_sends_only_the_most_urgent_alert(db: Session) -> None:
    _contract, buyer, _ = signed_contract(db)
    link = AssetInput("telecom", "Enlace 100 Mbps", start_date="2029-01-01", end_date="2030-06-30")
    asset = add_asset(db, buyer, link)
    apply_due(db, dt.datetime(2030, 6, 20, 8))  # 10 days before: the 15-day alert only
    assert _alerts(db, asset) == [15]
    apply_due(db, dt.datetime(2030, 6, 21, 8))
    assert _alerts(db, asset) == [15]
    apply_due(db, dt.datetime(2030, 6, 25, 8))
    assert _alerts(db, asset) == [15, 7]
    apply_due(db, dt.datetime(2030, 7, 1, 8))  # past the end: no more alerts
    assert _alerts(db, asset) == [15, 7]


def test_renewal_gives_a_new_end_date_and_new_alerts(db: Session) -> None:
    _contract, buyer, _ = signed_contract(db)
    asset = add_asset(db, buyer, AssetInput("saasSubscription", "Correo en la nube",
                                            start_date="2029-07-01", end_date="2030-06-30",
                                            licence_count="500", seats_used="480"))  # fmt: skip
    apply_due(db, dt.datetime(2030, 5, 31, 8))
    assert asset.status == AssetStatus.RENEWAL_DUE and _alerts(db, asset) == [30]
    with pytest.raises(AssetError) as caught:
        move_asset(db, asset, buyer, "renewed", dt.date(2030, 6, 1))
    assert "end_date" in caught.value.errors
    move_asset(db, asset, buyer, "renewed", dt.date(2031, 6, 30), "Renovado un año")
    assert asset.status == AssetStatus.RENEWED and asset.end_date == dt.date(2031, 6, 30)
    apply_due(db, dt.datetime(2031, 5, 31, 8))
    assert _alerts(db, asset) == [30, 30]
    assert asset.status == AssetStatus.RENEWAL_DUE
    move_asset(db, asset, buyer, "retired")
    move_asset(db, asset, buyer, "disposed")
    with pytest.raises(AssetError):
        move_asset(db, asset, buyer, "active")
    history = db.scalars(
        select(AssetEvent.action).where(AssetEvent.asset_id == asset.id).order_by(AssetEvent.id)
    ).all()
    assert history == ["created", "status", "renewed", "status", "status", "status"]


def test_another_units_buyer_cannot_change_an_asset(db: Session) -> None:
    contract, buyer, supplier_user = signed_contract(db)
    asset = db.scalars(select(Asset).where(Asset.contract_id == contract.id)).one()
    other = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER, "Otra unidad"))
    before = db.scalar(select(func.count(AssetEvent.id)))
    with pytest.raises(NotYourAsset):
        move_asset(db, asset, other, "retired")
    with pytest.raises(NotYourAsset):
        update_asset(db, asset, other, AssetInput("hardware", "Cambiado"))
    with pytest.raises(NotYourAsset):
        add_asset(db, supplier_user, AssetInput("hardware", "Servidor"))
    assert db.scalar(select(func.count(AssetEvent.id))) == before
    assert asset.status == AssetStatus.PLANNED and asset.description != "Cambiado"


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (AssetInput("printer", "Impresoras"), "category"),
        (
            AssetInput("hardware", "Servidores", start_date="2026-05-01", end_date="2026-04-30"),
            "end_date",
        ),  # fmt: skip
        (
            AssetInput("softwareLicence", "Ofimática", licence_count="10", seats_used="-1"),
            "seats_used",
        ),  # fmt: skip
        (
            AssetInput("softwareLicence", "Ofimática", licence_count="10", seats_used="11"),
            "seats_used",
        ),  # fmt: skip
        (AssetInput("hardware", "Servidores", quantity="0"), "quantity"),
        (AssetInput("hardware", "Servidores", start_date="31/12/2026"), "start_date"),
        (AssetInput("service", ""), "description"),
        (AssetInput("hardware", "Laptops", licence_count="5"), "licence_count"),
    ],
)
def test_bad_asset_input_is_refused_and_nothing_is_saved(
    db: Session, data: AssetInput, path: str
) -> None:
    buyer = make_user(db, Role.BUYER)
    before = db.scalar(select(func.count(Asset.id)))
    with pytest.raises(AssetError) as caught:
        add_asset(db, buyer, data)
    assert path in caught.value.errors
    assert db.scalar(select(func.count(Asset.id))) == before


def test_editing_a_contract_asset_records_history_and_publishes(db: Session) -> None:
    contract, buyer, _ = signed_contract(db)
    asset = db.scalars(select(Asset).where(Asset.contract_id == contract.id)).one()
    data = AssetInput(asset.category.value, asset.description, quantity="300",
                      unit_cost="5000", start_date=asset.start_date, end_date=asset.end_date,
                      location="Edificio central, piso 3", support_level="8x5")  # fmt: skip
    update_asset(db, asset, buyer, data, now=SIGNED_AT + DAY)
    event = db.scalars(
        select(AssetEvent).where(AssetEvent.asset_id == asset.id).order_by(AssetEvent.id.desc())
    ).first()
    assert event is not None and event.action == "edited" and "Soporte" in event.details
    release = _latest_release(db, contract.tender.ocid)
    published = release["contracts"][0]["assets"][0]
    assert published["supportLevel"] == "8x5"
    assert "piso 3" not in str(release)  # the location is never published
    with pytest.raises(AssetError):
        update_asset(db, asset, buyer, data, now=SIGNED_AT + DAY)  # nothing changed
