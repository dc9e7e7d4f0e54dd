"""Benchmark of `tianguis ocds import` on generated data (no Flask app needed).

    .venv/bin/python bench/ocds_import.py [--releases 20000] [--database-url URL]

Writes one release package of N releases of another publisher (about 3.3 per process;
over 32 MB it is streamed, not loaded), imports it into a fresh database, then imports it
again (every item "unchanged"), and prints the rates and the peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import migrations  # noqa: E402
from marketplace.db import import_all_models, make_engine  # noqa: E402
from marketplace.publication.importer import import_files  # noqa: E402
from ocds.schema import load_schema  # noqa: E402
from ocds.synthetic import generate_releases  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=20_000)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tianguis-import-"))
    path = work / "package.json"
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '{"uri":"https://example.org/p","version":"1.1",'
            '"publishedDate":"2024-01-01T00:00:00Z","releases":['
        )
        for n, release in enumerate(generate_releases(args.releases, prefix="ocds-zzz999")):
            out.write(("," if n else "") + json.dumps(release, ensure_ascii=False))
        out.write('],"publisher":{"name":"Portal de prueba"}}')  # after the releases, on purpose
    print(f"{args.releases} releases, {path.stat().st_size / 1e6:.0f} MB")

    url = args.database_url or f"sqlite:///{work / 'bench.db'}"
    engine = make_engine(url)
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    import_all_models()
    with engine.begin() as conn:
        migrations.upgrade(conn)
    schema = load_schema()
    for label in ("first import", "re-import"):
        with Session(engine) as session:
            start = time.perf_counter()
            summary = import_files(session, [path], schema, own_prefix="ocds-tgs001")
            elapsed = time.perf_counter() - start
        print(
            f"{label}: {summary.imported} imported, {summary.unchanged} unchanged, "
            f"{summary.invalid} invalid in {elapsed:.1f} s "
            f"({args.releases / elapsed:,.0f} releases/s)"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
