"""Benchmark of the analytics page and a buyer page on generated compiled records.

    .venv/bin/python bench/analytics.py [--records 100000] [--seed 1] [--repeat 5]
        [--database-url URL]

1. Generates ``--records`` processes with ``ocds/synthetic.py`` (tender, maybe an update,
   award, contract), compiles each with ``ocds.merge.compile_record`` and writes the
   records as ``publish()`` leaves them, each ``updated_at`` at its last release (a
   publication that grew over two years).
2. Builds the facts of every record, as ``tianguis analytics refresh`` does (one-off).
3. Times the first request to /analytics (computes the figures over all facts) and the
   requests that follow (figures cached under the facts' state token).
4. Times a buyer page (about a fifth of all processes) and a supplier's figures.
5. Publishes one more record and times the next /analytics: at this size the figures
   of up to two minutes ago are served (marked "as of"); then the recomputation, from
   the running sums the refresh updated with the new record alone.

The database is a fresh SQLite file unless ``--database-url`` names one (its schema is
dropped and created again: use a scratch database).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

import migrations  # noqa: E402
from app import create_app  # noqa: E402
from app.db import get_database  # noqa: E402
from marketplace.analytics import services  # noqa: E402
from marketplace.analytics.services import facts, refresh  # noqa: E402
from marketplace.db import Base, make_engine  # noqa: E402
from marketplace.publication.models import OcdsRecord  # noqa: E402
from ocds.analytics import supplier_summary  # noqa: E402
from ocds.merge import compile_record  # noqa: E402
from ocds.schema import load_schema  # noqa: E402
from ocds.synthetic import process_releases  # noqa: E402

PREFIX = "ocds-bnch01"
BUYER = "MX-RFC-B001"  # one of the five synthetic buyers
SUPPLIER = "MX-RFC-S007"


def _reset(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        if url.startswith("postgresql"):
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        migrations.upgrade(conn)
    engine.dispose()


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


def _row(releases: list[dict[str, Any]], schema: Any) -> dict[str, Any]:
    compiled = compile_record(releases, schema)
    first, last = _parse(releases[0]["date"]), _parse(releases[-1]["date"])
    return {
        "ocid": compiled["ocid"],
        "compiled": compiled,
        "release_count": len(releases),
        "updated_at": last,
        "first_release_date": first,
        "last_release_date": last,
        "year": first.year,
    }


def load(url: str, count: int, seed: int) -> float:
    schema = load_schema(None, None)
    rng = random.Random(seed)
    engine = make_engine(url)
    table = Base.metadata.tables[OcdsRecord.__tablename__]
    started = time.perf_counter()
    batch: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for number in range(1, count + 1):
            batch.append(_row(process_releases(rng, PREFIX, number), schema))
            if len(batch) == 1000:
                conn.execute(insert(table), batch)
                batch = []
        if batch:
            conn.execute(insert(table), batch)
    engine.dispose()
    return time.perf_counter() - started


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        _reset(url)
        seconds = load(url, args.records, args.seed)
        print(f"generated and stored {args.records:,} compiled records in {seconds:.1f} s")

        app = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": "bench", "SEARCH_INDEX_DIR": f"{tmp}/index"}
        )
        client = app.test_client()
        client.get("/lang/en?next=/")

        def get(path: str) -> tuple[float, int]:
            seconds, response = timed(lambda: client.get(path))
            assert response.status_code == 200, (path, response.status_code)
            return seconds, len(response.data)

        with app.app_context():
            session = get_database(app).sessionmaker()
            seconds, result = timed(lambda: refresh(session))
            session.commit()
            session.close()
        print(f"built the facts of {result.read:,} records (analytics refresh): {seconds:.1f} s")

        first, size = get("/analytics")
        print(f"/analytics, first request (computes the figures): {first:.2f} s")
        again = [get("/analytics")[0] for _ in range(args.repeat)]
        print(
            f"/analytics, next requests: median {statistics.median(again) * 1000:.0f} ms "
            f"({size / 1024:.1f} KB)"
        )
        one_year, _ = get("/analytics?year=2024")
        print(f"/analytics?year=2024, first request: {one_year * 1000:.0f} ms")

        buyer = f"/buyers/{BUYER}"
        first_buyer, buyer_size = get(buyer)
        cached = [get(buyer)[0] for _ in range(args.repeat)]
        print(
            f"buyer page ({BUYER}): first {first_buyer * 1000:.0f} ms, then median "
            f"{statistics.median(cached) * 1000:.0f} ms ({buyer_size / 1024:.1f} KB)"
        )
        with app.app_context():
            session = get_database(app).sessionmaker()
            seconds, summary = timed(
                lambda: supplier_summary(facts(session, party_id=SUPPLIER), SUPPLIER)
            )
            session.close()
        print(
            f"supplier figures ({SUPPLIER}, {summary.processes:,} processes): "
            f"{seconds * 1000:.0f} ms"
        )

        # One more process is published: its facts are read, the figures recomputed once.
        schema = load_schema(None, None)
        rng = random.Random(args.seed + 1)
        row = _row(process_releases(rng, PREFIX + "x", 1), schema)
        row["updated_at"] = dt.datetime(2030, 1, 1)
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(insert(Base.metadata.tables[OcdsRecord.__tablename__]), [row])
        engine.dispose()
        changed, _ = get("/analytics")
        print(f"/analytics after one more record (figures as of before): {changed * 1000:.0f} ms")
        services.STALE_FOR = dt.timedelta(0)
        changed, _ = get("/analytics")
        print(f"/analytics after one more record, recomputed from the sums: {changed:.2f} s")
        changed_buyer, _ = get(buyer)
        print(f"buyer page after one more record, recomputed: {changed_buyer * 1000:.0f} ms")
        get_database(app).engine.dispose()


if __name__ == "__main__":
    main()
