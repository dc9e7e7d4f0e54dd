"""Compiled releases for the search tests, built directly as dicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from marketplace.publication.models import OcdsRecord, SearchOutbox

PREFIX = "ocds-srch01"


def record(
    n: int,
    title: str,
    *,
    description: str = "",
    buyer: str = "Agencia Digital de Innovación Pública",
    supplier: str | None = "Cómputo del Valle, S.A. de C.V.",
    amount: float = 100_000,
    date: str = "2025-03-01T00:00:00Z",
    method: str = "open",
    category: str = "goods",
    status: str = "complete",
    item: str = "Computadora portátil",
    bids: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    compiled: dict[str, Any] = {
        "ocid": f"{PREFIX}-{n}",
        "id": f"{PREFIX}-{n}-1",
        "date": date,
        "tag": ["compiled"],
        "buyer": {"id": f"B-{buyer[:8]}", "name": buyer},
        "tender": {
            "id": f"T{n}",
            "title": title,
            "description": description,
            "status": status,
            "procurementMethod": method,
            "mainProcurementCategory": category,
            "datePublished": date,
            "tenderPeriod": {"startDate": date, "endDate": "2025-12-31T00:00:00Z"},
            "value": {"amount": amount * 1.1, "currency": "MXN"},
            "items": [
                {
                    "id": "1",
                    "description": item,
                    "classification": {
                        "scheme": "UNSPSC",
                        "id": "43211503",
                        "description": "Notebook computers",
                    },
                }
            ],
        },
    }
    if supplier:
        compiled["awards"] = [
            {
                "id": "A1",
                "status": "active",
                "suppliers": [{"id": f"S-{supplier[:6]}", "name": supplier}],
                "value": {"amount": amount, "currency": "MXN"},
            }
        ]
    if bids is not None:
        compiled["bids"] = {"details": bids}
    return compiled


def corpus() -> list[dict[str, Any]]:
    """Eight processes with known words, buyers, amounts and dates."""
    return [
        record(1, "Servicios de tecnología de la información", amount=50_000,
               date="2024-02-10T00:00:00Z"),
        record(2, "Licencias de software de oficina", amount=250_000, supplier="Soft, S.C.",
               date="2025-01-15T00:00:00Z", description="Licencia anual por usuario"),
        record(3, "Cloud hosting licenses", amount=2_500_000, buyer="Secretaría de Salud",
               supplier="Nube Segura", date="2025-06-01T00:00:00Z", category="services"),
        record(4, "Mantenimiento de impresoras", amount=80_000, method="selective",
               date="2023-11-20T00:00:00Z", item="Tóner para impresora"),
        record(5, "Red de datos y telecomunicaciones", amount=12_000_000,
               buyer="Secretaría de Salud", supplier=None, status="active",
               date="2025-09-09T00:00:00Z", category="works"),
        record(6, "Equipo de cómputo para escuelas", amount=900_000, date="2024-08-30T00:00:00Z",
               description="Tecnologia educativa <script>alert(1)</script>"),
        record(7, "Única oferta: licencia de antivirus", amount=30_000, supplier="Soft, S.C.",
               date="2025-04-04T00:00:00Z",
               bids=[{"id": "b1", "status": "valid", "date": "2025-04-10T00:00:00Z",
                      "tenderers": [{"id": "S-Soft, ", "name": "Soft, S.C."}],
                      "value": {"amount": 30_000, "currency": "MXN"}}]),
        record(8, "Mobiliario de oficina", amount=120_000, method="direct",
               date="2022-05-05T00:00:00Z", category="goods"),
    ]  # fmt: skip


def store(session: Session, compiled: dict[str, Any], *, enqueue: bool = True) -> None:
    """A record as publish() leaves it, written directly (the test controls the JSON)."""
    now = dt.datetime(2025, 1, 1)
    existing = session.get(OcdsRecord, compiled["ocid"])
    if existing is None:
        session.add(
            OcdsRecord(
                ocid=compiled["ocid"],
                compiled=compiled,
                release_count=1,
                updated_at=now,
                first_release_date=now,
                last_release_date=now,
                year=2025,
            )
        )
    else:
        existing.compiled = compiled
    if enqueue:
        session.add(SearchOutbox(ocid=compiled["ocid"]))
    session.flush()
