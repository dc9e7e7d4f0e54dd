"""Benchmark of the public supplier directory with a large registry.

    .venv/bin/python bench/registry.py [--suppliers 10000] [--requests 200] [--seed 1]
        [--database-url URL]

Loads ``--suppliers`` suppliers (90 % verified, 1-3 categories and 3 products each) into a
fresh SQLite file (or ``--database-url``: a scratch database, its tables are dropped and
migrated again) with bulk INSERTs through the models' tables, then requests the directory
pages through the Flask test client (routing, queries and templates: the whole request
except the network) and prints the median and p95 wall time and the p95 CPU time of each
page (bench/common.py). Goal: p95 <= 100 ms on SQLite. Supplier users are not created:
the directory never reads them, and hashing 10,000 passwords would measure argon2, not
the registry.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.common import after_bulk_insert, main  # noqa: E402
from marketplace.accounts.models import Organisation, OrgKind  # noqa: E402
from marketplace.db import make_engine, utcnow  # noqa: E402
from marketplace.demo.suppliers import COMPANIES, SPECIALTIES, demo_rfc  # noqa: E402
from marketplace.suppliers.categories import CURATED_CSV, load_categories_csv  # noqa: E402
from marketplace.suppliers.models import (  # noqa: E402
    Category,
    Product,
    Supplier,
    SupplierSize,
    SupplierStatus,
    supplier_category,
)
from marketplace.suppliers.reference import fold  # noqa: E402
from marketplace.suppliers.rfc import rfc_check_digit  # noqa: E402

BATCH = 2000
HOMOCLAVE = "123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
# Where suppliers are: mostly Mexico City and the State of Mexico, like the real registry.
REGION_WEIGHTS = {"CMX": 55, "MEX": 25, "NLE": 4, "JAL": 4, "PUE": 3, "QUE": 3, "GUA": 3}


def load(url: str, count: int, seed: int) -> None:
    rng = random.Random(seed)
    engine = make_engine(url)
    with Session(engine) as session:
        load_categories_csv(session, CURATED_CSV)
        session.commit()
        leaves = list(session.scalars(select(Category.id).where(Category.level >= 3)))
        first_org = (
            session.scalar(select(Organisation.id).order_by(Organisation.id.desc())) or 0
        ) + 1
    regions = list(REGION_WEIGHTS)
    weights = list(REGION_WEIGHTS.values())
    sizes = list(SupplierSize)
    products = [p for _, catalogue in SPECIALTIES.values() for p in catalogue]
    now = utcnow()
    start = time.perf_counter()
    with engine.begin() as conn:
        for lo in range(0, count, BATCH):
            orgs, suppliers, links, items = [], [], [], []
            for i in range(lo, min(count, lo + BATCH)):
                base, _, _ = COMPANIES[i % len(COMPANIES)]
                name = f"{base} {i // len(COMPANIES) + 1}"
                legal = f"{name}, S.A. de C.V."
                org_id = sid = first_org + i
                orgs.append(
                    {"id": org_id, "kind": OrgKind.SUPPLIER, "name": legal, "created_at": now}
                )
                status = SupplierStatus.VERIFIED if rng.random() < 0.9 else SupplierStatus.PENDING
                suppliers.append(
                    {
                        "id": sid,
                        "organisation_id": org_id,
                        "legal_name": legal,
                        "trade_name": None,
                        "name_search": fold(legal),
                        "identifier_scheme": "MX-RFC",
                        # Unique per supplier: the running number is folded into the date.
                        "tax_id": _unique_rfc(name, i, rng),
                        "country": "MX",
                        "region": rng.choices(regions, weights)[0],
                        "locality": "Cuauhtémoc",
                        "street_address": f"Av. Juárez {rng.randint(1, 999)}",
                        "postal_code": f"{rng.randint(1000, 16999):05d}",
                        "size": rng.choice(sizes),
                        "website": None,
                        "contact_name": "Ventas gobierno",
                        "contact_email": f"ventas{i}@proveedor.example",
                        "contact_phone": None,
                        "status": status,
                        "created_at": now,
                        "updated_at": now,
                        "submitted_at": now,
                        "verified_at": now if status == SupplierStatus.VERIFIED else None,
                    }
                )
                for category_id in rng.sample(leaves, rng.randint(1, 3)):
                    links.append({"supplier_id": sid, "category_id": category_id})
                for product_name, unit, price in rng.sample(products, 3):
                    items.append(
                        {
                            "supplier_id": sid,
                            "name": product_name,
                            "unit": unit,
                            "unit_price": Decimal(price),
                            "currency": "MXN",
                            "active": True,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
            conn.execute(insert(Organisation), orgs)
            conn.execute(insert(Supplier), suppliers)
            conn.execute(insert(supplier_category), links)
            conn.execute(insert(Product), items)
        after_bulk_insert(conn, ("organisation", "supplier"))
    print(f"loaded {count} suppliers in {time.perf_counter() - start:.1f} s", flush=True)
    engine.dispose()


def _unique_rfc(name: str, i: int, rng: random.Random) -> str:
    """The demo RFC's initials with a date derived from ``i``, so all 10,000 differ."""
    day = dt.date(1950, 1, 1) + dt.timedelta(days=i % 36500)
    homoclave = f"{rng.choice('123456789ABCDEFGHIJKLMNPQRSTUV')}{HOMOCLAVE[i // 36500 % 34]}"
    body = f"{demo_rfc(name, rng)[:3]}{day:%y%m%d}{homoclave}"
    return body + rfc_check_digit(body)


def pages(session: Session) -> dict[str, str]:
    family = session.scalar(select(Category.id).where(Category.code == "43210000"))
    rare = session.scalar(select(Category.id).where(Category.code == "86101700"))
    return {
        "directory (first page)": "/suppliers",
        "directory, category family 43210000": f"/suppliers?category={family}",
        "directory, rare category + state + size": (
            f"/suppliers?category={rare}&state=CMX&size=micro"
        ),
        "directory, name search": "/suppliers?q=redes+chapultepec",
        "supplier page": "/suppliers/1",
    }


if __name__ == "__main__":
    main(__doc__ or "", "suppliers", 10_000, "registry.db", load, pages)
