"""Benchmark of the ICT asset register with 100,000 assets.

    .venv/bin/python bench/assets.py [--assets 100000] [--requests 200] [--seed 1]
        [--database-url URL]

Loads 40 purchasing units, 2,000 suppliers and ``--assets`` assets (every category;
end dates spread from two years ago to four years ahead, so a few thousand fall in the
90-day window; a tenth retired or disposed) into a fresh SQLite file (or
``--database-url``: a scratch database, its tables are dropped and migrated again) with
bulk INSERTs through the models' tables, then requests the public pages through the
Flask test client (routing, queries and templates: the whole request except the network)
and prints the median and p95 of each (wall time), and the p95 of the CPU time the
process spent (less sensitive to a busy machine; bench/common.py). Goal: p95 <= 100 ms.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.common import after_bulk_insert, main  # noqa: E402
from marketplace.accounts.models import Organisation, OrgKind  # noqa: E402
from marketplace.assets.models import Asset, AssetCategory, AssetSource, AssetStatus  # noqa: E402
from marketplace.db import make_engine, utcnow  # noqa: E402
from marketplace.suppliers.models import Supplier, SupplierSize, SupplierStatus  # noqa: E402

BATCH = 5000
UNITS = 40
SUPPLIERS = 2000
WORDS = {
    AssetCategory.HARDWARE: ("Computadoras portátiles", "Servidores", "Conmutadores", "Impresoras"),
    AssetCategory.SOFTWARE_LICENCE: ("Licencias de ofimática", "Antivirus", "Base de datos"),
    AssetCategory.SAAS: ("Correo en la nube", "Mesa de ayuda en línea", "Videoconferencia"),
    AssetCategory.SERVICE: ("Soporte de impresoras", "Mantenimiento de servidores"),
    AssetCategory.TELECOM: ("Enlace de datos 100 Mbps", "Telefonía IP", "Internet 1 Gbps"),
}


def load(url: str, count: int, seed: int) -> None:
    rng = random.Random(seed)
    engine = make_engine(url)
    now = utcnow()
    today = now.date()
    start = time.perf_counter()
    with engine.begin() as conn:
        units = [{"id": i, "kind": OrgKind.BUYER, "name": f"Unidad compradora {i}",
                  "code": f"U{i:03d}", "created_at": now} for i in range(1, UNITS + 1)]  # fmt: skip
        conn.execute(insert(Organisation), units)
        orgs, suppliers = [], []
        for n in range(SUPPLIERS):
            oid = UNITS + 1 + n
            legal = f"Proveedor TIC {n + 1}, S.A. de C.V."
            orgs.append({"id": oid, "kind": OrgKind.SUPPLIER, "name": legal, "created_at": now})
            suppliers.append({
                "id": n + 1, "organisation_id": oid, "legal_name": legal, "trade_name": None,
                "name_search": legal.lower(), "identifier_scheme": "MX-RFC",
                "tax_id": f"PTI{n:06d}AB{n % 10}", "country": "MX", "region": "CMX",
                "locality": "Cuauhtémoc", "street_address": "Av. Juárez 1",
                "postal_code": "06000", "size": SupplierSize.SMALL, "website": None,
                "contact_name": "Ventas", "contact_email": f"v{n}@proveedor.example",
                "contact_phone": None, "status": SupplierStatus.VERIFIED, "created_at": now,
                "updated_at": now, "submitted_at": now, "verified_at": now,
            })  # fmt: skip
        conn.execute(insert(Organisation), orgs)
        conn.execute(insert(Supplier), suppliers)
        categories = list(AssetCategory)
        for lo in range(0, count, BATCH):
            rows = []
            for _ in range(lo, min(count, lo + BATCH)):
                category = rng.choice(categories)
                end = today + dt.timedelta(days=rng.randint(-730, 1460))
                counted = category in (AssetCategory.SOFTWARE_LICENCE, AssetCategory.SAAS)
                licences = rng.randint(10, 2000) if counted else None
                gone = rng.random() < 0.1
                rows.append({
                    "owner_org_id": rng.randint(1, UNITS), "category": category,
                    "description": rng.choice(WORDS[category]),
                    "quantity": Decimal(rng.randint(1, 500)),
                    "unit_cost": Decimal(rng.randint(300, 250000)), "currency": "MXN",
                    "location": "", "supplier_id": rng.randint(1, SUPPLIERS),
                    "supplier_name": "", "contract_id": None, "local_id": None,
                    "item_local_id": "", "business_case_id": None,
                    "start_date": end - dt.timedelta(days=365 * rng.randint(1, 4)),
                    "end_date": end, "licence_count": licences,
                    "seats_used": rng.randint(0, licences) if licences else None,
                    "support_level": "8x5",
                    "status": rng.choice((AssetStatus.RETIRED, AssetStatus.DISPOSED)) if gone
                    else AssetStatus.RENEWAL_DUE if end <= today + dt.timedelta(days=30)
                    else AssetStatus.ACTIVE,
                    "source": AssetSource.IMPORT, "notes": "", "created_at": now,
                    "updated_at": now,
                })  # fmt: skip
            conn.execute(insert(Asset), rows)
        after_bulk_insert(conn, ("organisation", "supplier"))
    print(f"loaded {count} assets in {time.perf_counter() - start:.1f} s", flush=True)
    engine.dispose()


def pages(session: Session) -> dict[str, str]:
    busiest = session.scalar(
        select(Asset.supplier_id).group_by(Asset.supplier_id)
        .order_by(func.count(Asset.id).desc()).limit(1)
    )  # fmt: skip
    return {
        "expiring, across government (page 1)": "/assets/expiring",
        "expiring, across government (page 10)": "/assets/expiring?page=10",
        "expiring, one unit": "/assets/expiring?unit=7",
        "supplier page (busiest supplier)": f"/assets/suppliers/{busiest}",
        "feed of one unit": "/feeds/assets/U007.atom",
    }


if __name__ == "__main__":
    main(__doc__ or "", "assets", 100_000, "assets.db", load, pages)
