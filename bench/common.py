"""What the page benches share: a scratch database made afresh, ids moved past bulk
inserts, and the timing of public pages through the Flask test client.

    main(__doc__, "suppliers", 10_000, "registry.db", load, pages)

gives a bench its command line (``--<count> N --requests N --seed N --database-url URL``),
loads its data with ``load(url, count, seed)`` and times the pages ``pages(session)``
names: the median and p95 wall time and the p95 CPU time of each (ms).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Connection, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import migrations  # noqa: E402
from marketplace.db import Base, import_all_models, make_engine  # noqa: E402

SETVAL = "SELECT setval(pg_get_serial_sequence('%(table)s', 'id'), MAX(id)) FROM %(table)s"
WARM_UP = 5

#: A label -> path of every page to time, given a session on the loaded database.
Pages = Callable[[Session], dict[str, str]]
Load = Callable[[str, int, int], None]


def fresh_database(url: str) -> None:
    """Drop everything in the scratch database ``url`` and migrate it again."""
    engine = make_engine(url)
    import_all_models()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        migrations.upgrade(conn)
    engine.dispose()


def after_bulk_insert(conn: Connection, tables: Iterable[str]) -> None:
    """Ids were given explicitly: on PostgreSQL move ``tables``' sequences past them; then
    refresh the planner's statistics."""
    if conn.dialect.name == "postgresql":
        for table in tables:
            conn.execute(text(SETVAL % {"table": table}))
    conn.execute(text("ANALYZE"))


def _p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1]


def time_pages(url: str, pages: Pages, requests: int) -> None:
    """Request each page ``requests`` times (after a warm-up) and print its figures."""
    from app import create_app

    with tempfile.TemporaryDirectory() as instance:
        os.environ["TIANGUIS_INSTANCE_PATH"] = instance
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
        client = app.test_client()
        engine = make_engine(url)
        with Session(engine) as session:
            paths = pages(session)
        engine.dispose()
        width = max(len(label) for label in paths) + 2
        print(f"{'page':<{width}} {'median':>7} {'p95':>7} {'p95 CPU':>8}   "
              f"(ms, {requests} requests)")  # fmt: skip
        for label, path in paths.items():
            for _ in range(WARM_UP):  # caches, prepared statements, template compile
                assert client.get(path).status_code == 200, path
            times, cpu = [], []
            for _ in range(requests):
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                assert response.status_code == 200, path
            median = statistics.median(times)
            print(f"{label:<{width}} {median:7.1f} {_p95(times):7.1f} {_p95(cpu):8.1f}", flush=True)
        app.extensions["tianguis_db"].engine.dispose()


def main(doc: str, count_name: str, count: int, filename: str, load: Load, pages: Pages) -> None:
    """A page bench's command line: load ``--<count_name>`` rows into a fresh database,
    then time the pages."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(f"--{count_name}", type=int, default=count, dest="count")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/{filename}"
        print(f"database: {url.split('@')[-1]}")
        fresh_database(url)
        load(url, args.count, args.seed)
        time_pages(url, pages, args.requests)
