"""The asset summaries of a tender's releases: ``contracts[].assets`` (our extension,
ocds/extensions/assets). Registered after the contracts part (this module's models import
the contracts models first), so every release of the process carries each signed
contract's assets as they are now. Location, notes and history are never published."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.assets.models import Asset
from marketplace.contracts.models import Contract
from marketplace.contracts.releases import IMPLEMENTATION_TAG, publish_contracts
from marketplace.publication.services import PublishedRelease
from marketplace.tenders.models import Tender
from marketplace.tenders.releases import money, number
from marketplace.tenders.workflow import release_part


def _day(day: dt.date | None) -> str | None:
    return f"{day.isoformat()}T00:00:00Z" if day else None


def asset_summary(asset: Asset) -> dict[str, Any]:
    """The public summary of one asset (the extension's Asset object)."""
    data: dict[str, Any] = {
        "id": asset.local_id or f"asset-{asset.id}",
        "category": asset.category.value,
        "description": asset.description,
        "quantity": number(asset.quantity),
        "status": asset.status.value,
    }
    if asset.item_local_id:
        data["relatedItem"] = asset.item_local_id
    if asset.unit_cost is not None:
        data["unitValue"] = money(asset.unit_cost, asset.currency)
    period = {k: v for k, v in (("startDate", _day(asset.start_date)),
                                 ("endDate", _day(asset.end_date))) if v}  # fmt: skip
    if period:
        data["period"] = period
    if asset.licence_count is not None:
        data["licenseCount"] = asset.licence_count
    if asset.seats_used is not None:
        data["seatsUsed"] = asset.seats_used
    if asset.support_level:
        data["supportLevel"] = asset.support_level
    return data


@release_part
def assets_part(session: Session, tender: Tender, release: dict[str, Any]) -> None:
    """Add each published contract's assets to its ``contracts[]`` entry."""
    sections = release.get("contracts")
    if not sections:
        return
    rows = session.execute(
        select(Contract.local_id, Asset)
        .join(Asset, Asset.contract_id == Contract.id)
        .where(Contract.tender_id == tender.id)
        .order_by(Asset.id)
    ).all()
    by_contract: dict[str, list[dict[str, Any]]] = {}
    for local_id, asset in rows:
        by_contract.setdefault(local_id, []).append(asset_summary(asset))
    for section in sections:
        assets = by_contract.get(section.get("id", ""))
        if assets:
            section["assets"] = assets


def publish_asset_change(session: Session, asset: Asset, now: dt.datetime) -> PublishedRelease:
    """Publish the contract's process as it is now (``implementation`` tag)."""
    assert asset.contract is not None
    return publish_contracts(session, asset.contract.tender, IMPLEMENTATION_TAG, now)
