"""Five hand-built compiled releases whose analytics are worked out by hand in
tests/test_analytics.py, and a helper storing records as publish() leaves them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.publication.models import OcdsRecord

PREFIX = "ocds-anlt01"
BUYER_A = {"id": "MX-UC-A01", "name": "Agencia Digital de Innovación"}
BUYER_B = {"id": "MX-UC-B02", "name": "Secretaría de Salud <Norte>"}
LAPTOP = "43211503"  # family 43210000
CLOUD = "81112003"  # family 81110000


def party(pid: str, roles: list[str], scale: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"id": pid, "name": f"Empresa {pid}", "roles": roles}
    if scale:
        data["details"] = {"scale": scale}
    return data


def bid(pid: str, amount: float, status: str = "valid") -> dict[str, Any]:
    return {
        "id": f"bid-{pid}",
        "status": status,
        "tenderers": [{"id": pid, "name": f"Empresa {pid}"}],
        "value": {"amount": amount, "currency": "MXN"},
    }


def process(
    n: int,
    *,
    buyer: dict[str, str],
    method: str,
    code: str,
    start: str | None,
    published: str | None = None,
    estimate: float | None = None,
    bids: list[dict[str, Any]] | None = None,
    award: tuple[list[str], float, str, str] | None = None,
    contract: bool = False,
    parties: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A compiled release; ``award`` is (supplier ids, amount, date, status)."""
    ocid = f"{PREFIX}-{n}"
    tender: dict[str, Any] = {
        "id": f"T{n}",
        "title": f"Proceso {n}",
        "procurementMethod": method,
        "items": [{"id": "1", "classification": {"scheme": "UNSPSC", "id": code}}],
    }
    if start:
        tender["tenderPeriod"] = {"startDate": start, "endDate": "2027-12-31T00:00:00Z"}
    if published:
        tender["datePublished"] = published
    if estimate is not None:
        tender["value"] = {"amount": estimate, "currency": "MXN"}
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-1",
        "date": "2026-01-02T00:00:00Z",
        "tag": ["compiled"],
        "initiationType": "tender",
        "buyer": buyer,
        "parties": [dict(buyer, roles=["buyer"]), *(parties or [])],
        "tender": tender,
    }
    if bids is not None:
        release["bids"] = {"details": bids}
    if award is not None:
        suppliers, amount, date, status = award
        release["awards"] = [
            {
                "id": f"A{n}",
                "status": status,
                "date": date,
                "value": {"amount": amount, "currency": "MXN"},
                "suppliers": [{"id": s, "name": f"Empresa {s}"} for s in suppliers],
            }
        ]
        if contract:
            release["contracts"] = [
                {
                    "id": f"C{n}",
                    "awardID": f"A{n}",
                    "status": "active",
                    "value": {"amount": amount, "currency": "MXN"},
                }
            ]
    return release


def known_set() -> list[dict[str, Any]]:
    """S1 is an SME, S2 large, S3 micro in P5 but of unpublished size in P4."""
    s1, s2 = party("S1", ["tenderer", "supplier"], "sme"), party("S2", ["tenderer"], "large")
    return [
        process(1, buyer=BUYER_A, method="open", code=LAPTOP, start="2024-03-01T00:00:00Z",
                estimate=100, bids=[bid("S1", 90), bid("S2", 95)],
                award=(["S1"], 90, "2024-03-11T00:00:00Z", "active"), contract=True,
                parties=[s1, s2]),
        process(2, buyer=BUYER_A, method="open", code=LAPTOP, start="2024-06-01T00:00:00Z",
                estimate=200, bids=[bid("S1", 150), bid("S2", 140, "withdrawn")],
                award=(["S1"], 150, "2024-06-21T00:00:00Z", "active"), parties=[s1, s2]),
        process(3, buyer=BUYER_B, method="selective", code=CLOUD, start="2025-02-01T00:00:00Z",
                estimate=1000, bids=[bid("S2", 1100), bid("S3", 1200), bid("S1", 1300)],
                award=(["S2"], 1100, "2025-03-03T00:00:00Z", "active"),
                parties=[s1, party("S2", ["tenderer", "supplier"], "large")]),
        process(4, buyer=BUYER_B, method="direct", code=LAPTOP, start=None,
                published="2025-05-01T00:00:00Z",
                award=(["S3"], 50, "2025-05-06T00:00:00Z", "active"),
                parties=[party("S3", ["supplier"])]),
        process(5, buyer=BUYER_A, method="limited", code=CLOUD, start="2025-09-01T00:00:00Z",
                bids=[bid("S3", 70)], award=(["S3"], 70, "2025-09-20T00:00:00Z", "pending"),
                parties=[party("S3", ["tenderer"], "micro")]),
    ]  # fmt: skip


def store(session: Session, compiled: dict[str, Any]) -> None:
    """A record as publish() leaves it (a new ``updated_at`` on every write)."""
    now = utcnow()
    record = session.get(OcdsRecord, compiled["ocid"])
    if record is None:
        session.add(
            OcdsRecord(
                ocid=compiled["ocid"],
                compiled=compiled,
                release_count=1,
                updated_at=now,
                first_release_date=now,
                last_release_date=now,
                year=now.year,
            )
        )
    else:
        record.compiled = compiled
        record.updated_at = max(now, record.updated_at + dt.timedelta(microseconds=1))
    session.flush()


def store_all(session: Session, records: list[dict[str, Any]]) -> None:
    for compiled in records:
        store(session, compiled)
