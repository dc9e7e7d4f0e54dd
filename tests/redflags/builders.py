"""Compiled releases built by hand for the red-flag tests: small and explicit."""

from __future__ import annotations

from typing import Any

BUYER = {"id": "MX-BUYER-1", "name": "Agencia Digital"}


def org(org_id: str) -> dict[str, str]:
    return {"id": org_id, "name": f"Empresa {org_id}"}


def bid(
    tenderer: str | list[str],
    amount: float | None,
    status: str = "valid",
    date: str = "2026-03-10T10:00:00Z",
    currency: str = "MXN",
) -> dict[str, Any]:
    tenderers = [tenderer] if isinstance(tenderer, str) else tenderer
    detail: dict[str, Any] = {
        "id": f"bid-{'-'.join(tenderers)}-{amount}",
        "status": status,
        "date": date,
        "tenderers": [org(t) for t in tenderers],
    }
    if amount is not None:
        detail["value"] = {"amount": amount, "currency": currency}
    return detail


def item(
    code: str = "43211503",
    unit_price: float | None = None,
    description: str = "Laptop",
    currency: str = "MXN",
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": f"item-{code}",
        "description": description,
        "quantity": 1,
        "classification": {"scheme": "UNSPSC", "id": code},
    }
    if unit_price is not None:
        data["unit"] = {"name": "unit", "value": {"amount": unit_price, "currency": currency}}
    return data


def award(supplier: str | list[str], status: str = "active", items: list[Any] | None = None):
    suppliers = [supplier] if isinstance(supplier, str) else supplier
    return {
        "id": f"award-{'-'.join(suppliers)}",
        "status": status,
        "suppliers": [org(s) for s in suppliers],
        "items": items or [],
    }


def compiled(
    ocid: str = "ocds-test-1",
    *,
    method: str = "open",
    start: str = "2026-03-01T00:00:00Z",
    end: str = "2026-03-31T00:00:00Z",
    bids: list[dict[str, Any]] | None = None,
    awards: list[dict[str, Any]] | None = None,
    buyer: dict[str, str] | None = None,
    number_of_tenderers: int | None = None,
) -> dict[str, Any]:
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-1",
        "date": "2026-04-01T00:00:00Z",
        "tag": ["compiled"],
        "buyer": buyer or BUYER,
        "tender": {
            "id": "t1",
            "title": "Laptops",
            "procurementMethod": method,
            "tenderPeriod": {"startDate": start, "endDate": end},
        },
    }
    if number_of_tenderers is not None:
        release["tender"]["numberOfTenderers"] = number_of_tenderers
    if bids is not None:
        release["bids"] = {"details": bids}
    if awards is not None:
        release["awards"] = awards
    return release


def competitive(ocid: str, winner_amount: float, runner_up_amount: float) -> dict[str, Any]:
    """A process won by A at ``winner_amount`` with B second at ``runner_up_amount``."""
    return compiled(
        ocid,
        bids=[
            bid("A", winner_amount),
            bid("B", runner_up_amount),
            bid("C", runner_up_amount * 1.3),
        ],
        awards=[award("A")],
    )
