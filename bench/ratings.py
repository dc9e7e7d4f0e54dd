"""Benchmark of the public supplier page with many performance ratings.

    .venv/bin/python bench/ratings.py [--ratings 100000] [--requests 100] [--seed 1]

Runs ``tianguis demo`` into a fresh SQLite file, then adds ``--ratings`` final ratings
with bulk INSERTs (copies of the demo's contracts and buyers, spread over the demo's
suppliers, a tenth of them on the busiest supplier, finalisation dates over five years),
and requests that supplier's public page through the Flask test client (routing,
queries, templates). Prints the median and p95 wall time and the p95 CPU time. The
ratings section costs three aggregate queries (by area, per year, latest ten) whatever
the number of ratings. Goal: p95 <= 100 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from marketplace.contracts.models import Contract  # noqa: E402
from marketplace.db import make_engine, utcnow  # noqa: E402
from marketplace.performance.models import AREAS, RatingStatus, SupplierRating  # noqa: E402
from marketplace.suppliers.models import Supplier, SupplierStatus  # noqa: E402

BATCH = 5000


def add_ratings(url: str, count: int, seed: int) -> int:
    """Bulk-insert ``count`` final ratings; returns the busiest supplier's id."""
    rng = random.Random(seed)
    engine = make_engine(url)
    now = utcnow().replace(microsecond=0)
    with Session(engine) as session:
        contracts = [(c.id, c.tender.buyer_org_id) for c in session.scalars(select(Contract))]
        suppliers = list(session.scalars(
            select(Supplier.id).where(Supplier.status == SupplierStatus.VERIFIED)
            .order_by(Supplier.id)
        ))  # fmt: skip
    busiest = suppliers[0]
    start = time.perf_counter()
    with engine.begin() as conn:
        rows = []
        for n in range(count):
            contract_id, buyer_org_id = rng.choice(contracts)
            scores = {column: rng.randint(0, 4) for column, _code in AREAS}
            at = now - dt.timedelta(days=rng.randint(15, 5 * 365))
            rows.append({
                "contract_id": contract_id, "milestone_id": None,
                "supplier_id": busiest if n % 10 == 0 else rng.choice(suppliers),
                "buyer_org_id": buyer_org_id, "local_id": f"bench-{n}", **scores,
                "narrative": "Calificación de prueba de carga.", "status": RatingStatus.FINAL,
                "rated_at": at, "rated_by_user_id": None, "reply_due": at + dt.timedelta(14),
                "reply": "", "replied_at": None, "replied_by_user_id": None,
                "final_at": at + dt.timedelta(14), "total": sum(scores.values()),
                "low": int(min(scores.values()) <= 1),
            })  # fmt: skip
            if len(rows) == BATCH:
                conn.execute(insert(SupplierRating), rows)
                rows = []
        if rows:
            conn.execute(insert(SupplierRating), rows)
        conn.execute(text("ANALYZE"))
    print(f"added {count} ratings in {time.perf_counter() - start:.1f} s", flush=True)
    engine.dispose()
    return busiest


def _time_queries(url: str, supplier_id: int) -> float:
    """Median milliseconds of the page's ratings queries (aggregates, the latest ten)."""
    from marketplace.performance.aggregates import recent_final_ratings, supplier_performance

    times = []
    with Session(make_engine(url)) as session:
        for _ in range(21):  # the first run opens the connection: not counted
            t0 = time.perf_counter()
            supplier_performance(session, supplier_id)
            recent_final_ratings(session, supplier_id)
            times.append((time.perf_counter() - t0) * 1000)
            session.rollback()
    return statistics.median(times[1:])


def measure(url: str, supplier_id: int, requests: int, label: str) -> None:
    from app import create_app

    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True, "RATELIMIT_ENABLED": False}
    )
    client = app.test_client()
    path = f"/suppliers/{supplier_id}"
    for _ in range(5):  # warm-up: caches, template compile
        page = client.get(path)
        assert page.status_code == 200, page.status_code
        assert 'id="performance"' in page.get_data(as_text=True)
    queries = _time_queries(url, supplier_id)
    times, cpu = [], []
    for _ in range(requests):
        t0, c0 = time.perf_counter(), time.process_time()
        assert client.get(path).status_code == 200
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    times.sort()
    cpu.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    median = statistics.median(times)
    print(f"{label}: supplier page {path}: median {median:.1f} ms, p95 {p95:.1f} ms, "
          f"p95 CPU {cpu[int(len(cpu) * 0.95) - 1]:.1f} ms ({requests} requests); "
          f"ratings queries alone (median) {queries:.1f} ms")  # fmt: skip
    app.extensions["tianguis_db"].engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/ratings.db"
        os.environ["TIANGUIS_INSTANCE_PATH"] = tmp
        os.environ["DATABASE_URL"] = url
        import migrations
        from app import create_app
        from app.buyer.opening import bid_secret
        from app.db import db_session
        from marketplace.demo import load_demo

        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        with app.app_context():
            engine = app.extensions["tianguis_db"].engine
            with engine.begin() as conn:
                migrations.upgrade(conn)
            print(load_demo(db_session(), bid_secret=bid_secret()), flush=True)
            engine.dispose()
        with Session(make_engine(url)) as session:
            first = session.scalar(select(Supplier.id).where(
                Supplier.status == SupplierStatus.VERIFIED).order_by(Supplier.id))  # fmt: skip
        assert first is not None
        measure(url, first, args.requests, "demo ratings only")
        busiest = add_ratings(url, args.ratings, args.seed)
        measure(url, busiest, args.requests, f"+{args.ratings} ratings")


if __name__ == "__main__":
    main()
