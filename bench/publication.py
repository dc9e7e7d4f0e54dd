"""Benchmark of OCDS publication: append latency at scale, and bulk export memory.

    .venv/bin/python bench/publication.py [--releases 100000] [--records 100000]
        [--database-url URL] [--keep DIR]

1. Publishes ``--releases`` generated releases (whole processes, 3-4 releases each) with
   ``marketplace.publication.services.publish`` — validate, append, recompile the record,
   outbox — committing every 500, and prints the per-append latency (median, p95) of the
   first and the last 5,000 appends.
2. Tops the records up to ``--records`` by copying published processes under new ocids
   (rows written directly: only the export is measured here), then runs the bulk export
   of all three formats in a child process and prints its peak RSS (VmHWM) and time.

``--export-only`` skips 1 and 2 and exports the database as it is (with ``--keep``).

The database is a fresh SQLite file unless ``--database-url`` names one (its tables are
dropped and created again: use a scratch database).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.common import fresh_database  # noqa: E402
from marketplace.db import make_engine, utcnow  # noqa: E402
from marketplace.publication.models import OcdsRecord, OcdsRelease  # noqa: E402
from marketplace.publication.services import publish  # noqa: E402
from ocds.schema import load_schema  # noqa: E402
from ocds.synthetic import generate_releases  # noqa: E402

BATCH = 500


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95)]
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def publish_all(url: str, count: int) -> None:
    schema = load_schema()
    engine = make_engine(url)
    timings: list[float] = []
    started = time.perf_counter()
    with Session(engine) as session:
        for n, release in enumerate(generate_releases(count), 1):
            release.pop("id", None)
            t0 = time.perf_counter()
            publish(session, release, schema=schema)
            timings.append(time.perf_counter() - t0)
            if n % BATCH == 0:
                session.commit()
                session.expunge_all()
            if n % 20_000 == 0:
                print(f"  {n:>7} releases published", flush=True)
        session.commit()
        records = session.scalar(select(func.count()).select_from(OcdsRecord))
    elapsed = time.perf_counter() - started
    print(f"published {len(timings)} releases ({records} records) in {elapsed:.1f} s")
    window = min(5000, len(timings) // 2)
    print(f"  append, first {window}: {percentiles(timings[:window])}")
    print(f"  append, last {window}:  {percentiles(timings[-window:])}")
    print(f"  append, all: mean {statistics.fmean(timings) * 1000:.2f} ms")
    engine.dispose()


def top_up_records(url: str, target: int) -> None:
    """Copy whole processes under new ocids until there are ``target`` records."""
    engine = make_engine(url)
    with Session(engine) as session:
        have = session.scalar(select(func.count()).select_from(OcdsRecord)) or 0
        sources = list(session.scalars(select(OcdsRecord.ocid).order_by(OcdsRecord.ocid)))
        copy_no = 0
        while have < target:
            copy_no += 1
            for start in range(0, len(sources), BATCH):
                chunk = sources[start : start + BATCH][: target - have]
                if not chunk:
                    break
                _copy_chunk(session, chunk, f"c{copy_no}")
                session.commit()
                have += len(chunk)
    engine.dispose()
    print(f"records topped up to {target}")


def _copy_chunk(session: Session, ocids: list[str], suffix: str) -> None:
    records = session.scalars(select(OcdsRecord).where(OcdsRecord.ocid.in_(ocids))).all()
    releases = session.scalars(select(OcdsRelease).where(OcdsRelease.ocid.in_(ocids))).all()

    def renamed(data: dict, old: str, new: str) -> dict:
        return json.loads(json.dumps(data).replace(f'"{old}', f'"{new}'))

    session.execute(
        insert(OcdsRecord),
        [
            {
                "ocid": f"{r.ocid}{suffix}",
                "compiled": renamed(r.compiled, r.ocid, f"{r.ocid}{suffix}"),
                "release_count": r.release_count,
                "updated_at": utcnow(),
                "first_release_date": r.first_release_date,
                "last_release_date": r.last_release_date,
                "year": r.year,
            }
            for r in records
        ],
    )
    session.execute(
        insert(OcdsRelease),
        [
            {
                "id": f"{r.ocid}{suffix}-{r.sequence}",
                "ocid": f"{r.ocid}{suffix}",
                "sequence": r.sequence,
                "date": r.date,
                "tags": r.tags,
                "data": renamed(r.data, r.ocid, f"{r.ocid}{suffix}"),
                "sha256": r.sha256,
                "created_at": r.created_at,
            }
            for r in releases
        ],
    )
    session.expunge_all()


def export_child(url: str, out: str) -> None:
    """Runs in a child process, so its peak RSS is the export's alone."""
    from marketplace.publication.bulk import export_set
    from ocds.packages import PackageMetadata

    def meta(name: str, published: object) -> PackageMetadata:
        return PackageMetadata(
            uri=f"http://127.0.0.1:5000/bulk/{name}",
            published_date=utcnow().isoformat() + "Z",
            publisher_name="bench",
            publisher_uri="http://127.0.0.1:5000/",
            publication_policy="http://127.0.0.1:5000/data/publication-policy",
            extensions=load_schema().extension_urls,
        )

    engine = make_engine(url)
    with Session(engine) as session:
        report = export_set(session, Path(out), meta)
    # VmHWM is this process's own peak: ru_maxrss of a child also counts the parent's
    # pages it had between fork and exec.
    status = Path("/proc/self/status").read_text()
    peak_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    print(f"  {len(report.written)} files written, peak RSS {peak_kb / 1024:.0f} MB")


def run_export(url: str, out: Path) -> None:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--export-child", url, str(out)],
        check=True,
    )
    elapsed = time.perf_counter() - started
    sizes = sum(p.stat().st_size for p in out.iterdir())
    print(f"export of all formats: {elapsed:.1f} s, {sizes / 1e6:.0f} MB written")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--export-child":
        export_child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--keep", type=Path, help="keep the database and files here")
    parser.add_argument("--export-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tianguis-bench-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
        if not args.export_only:
            fresh_database(url)
            publish_all(url, args.releases)
            top_up_records(url, args.records)
        shutil.rmtree(workdir / "bulk", ignore_errors=True)
        run_export(url, workdir / "bulk")


if __name__ == "__main__":
    main()
