"""Generate N synthetic but realistic contracting processes into a Tianguis database.

    .venv/bin/python bench/generate.py --processes 100000 --seed 1 \\
        --database-url postgresql://postgres@127.0.0.1:55433/tianguis_c \\
        [--small-through-services 50] [--workers 2] [--index-dir DIR] [--no-search] \\
        [--no-analytics]

- The database may be fresh (migrated here) or hold data already: generated ocids are
  ``<OCID_PREFIX>-g<seed>-<n>``, so another seed adds more; the same seed twice stops
  with a one-line message.
- Buyers are ``organisation`` rows (kind buyer, code ``MX-BUYER-G<seed>-<n>``: their OCDS
  party id) and suppliers are verified ``supplier`` rows with their organisations, so
  /buyers/<id> and /suppliers/<id> have real pages.
- Processes come in a mix of states (bench/generate_mix.py: planning, tender open,
  evaluation, awarded, contracted, completed, cancelled, unsuccessful), each a release log
  of full snapshots shaped like ours. The first ``--small-through-services`` processes
  are published release by release through ``marketplace.publication.services.publish``
  (schema validation, record compile, outbox), as the domain services do; the others go
  in bulk, built in ``--workers`` forked processes (each process has its own seeded
  random generator, so the output does not depend on the split) and written by this one
  in transactions of 500 processes: the same ``compile_record`` (of the last release:
  every release is a full snapshot, checked against the merge of the whole log on every
  500th process, whose releases also go through the real validator) and the
  ``canonical_json`` digest (that canonical text is the stored JSON too), written with
  executemany on the raw SQLite connection or COPY on PostgreSQL, one search outbox row
  per process. No ORM, no per-row flush, no per-release validation in the bulk path.
- Then ``tianguis analytics refresh`` and ``tianguis search reindex`` run (the real
  commands, in a subprocess with this database) so the processes are searchable and the
  buyer and supplier figures are built.

Deterministic for a given seed and N (except publication timestamps). A progress bar on
stderr; the rate at the end.
"""

from __future__ import annotations

import argparse
import functools
import gc
import hashlib
import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import migrations  # noqa: E402
from bench.generate_mix import MixMaker  # noqa: E402
from marketplace.accounts.models import Organisation, OrgKind  # noqa: E402
from marketplace.db import make_engine, utcnow  # noqa: E402
from marketplace.publication import services  # noqa: E402
from marketplace.publication.models import OcdsRecord  # noqa: E402
from marketplace.suppliers.models import (  # noqa: E402
    RFC_SCHEME,
    Supplier,
    SupplierSize,
    SupplierStatus,
)
from marketplace.suppliers.services import _name_search  # noqa: E402
from ocds.merge import compile_record  # noqa: E402
from ocds.validate import validate_release  # noqa: E402

BATCH = 500  # processes per transaction (and per task of a worker)
CHECK_EVERY = 500  # every 500th bulk process is validated with the real validator
RELEASE_COLUMNS = ("id", "ocid", "sequence", "date", "tags", "data", "sha256", "created_at")
RECORD_COLUMNS = (
    "ocid",
    "compiled",
    "release_count",
    "updated_at",
    "first_release_date",
    "last_release_date",
    "year",
)
SIZES = list(SupplierSize)


class Progress:
    """A one-line progress bar on stderr, redrawn at most twice a second."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label = max(total, 1), label
        self.started = self.drawn = time.perf_counter()

    def update(self, done: int, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self.drawn < 0.5:
            return
        self.drawn = now
        rate = done / max(now - self.started, 1e-9)
        eta = (self.total - done) / rate if rate else 0
        filled = int(30 * done / self.total)
        sys.stderr.write(
            f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{self.total} "
            f"{rate:,.0f}/s ETA {eta:,.0f}s "
        )
        if force:
            sys.stderr.write("\n")
        sys.stderr.flush()


def parties(session: Session, seed: int, processes: int) -> tuple[list, list]:
    """Buyer and supplier organisations of this seed (created here), as (party id, name)."""
    buyer_count = max(5, min(300, processes // 400))
    supplier_count = max(100, min(5000, processes // 40))
    buyers = [
        (f"MX-BUYER-G{seed}-{b}", f"Unidad Compradora G{seed}-{b}") for b in range(buyer_count)
    ]
    for code, name in buyers:
        session.add(Organisation(kind=OrgKind.BUYER, name=name, code=code))
    suppliers = []
    now = utcnow()
    for n in range(supplier_count):
        tax_id = f"G{seed}S{n:05d}"
        name = f"Proveedor Tecnológico G{seed}-{n} S.A. de C.V."
        org = Organisation(kind=OrgKind.SUPPLIER, name=name)
        session.add(
            Supplier(
                organisation=org,
                legal_name=name,
                name_search=_name_search(name, None),
                identifier_scheme=RFC_SCHEME,
                tax_id=tax_id,
                country="MX",
                region="CMX",
                locality="Ciudad de México",
                street_address=f"Avenida Reforma {n + 1}",
                postal_code="06600",
                size=SIZES[n % len(SIZES)],
                contact_name="Ventas de gobierno",
                contact_email=f"ventas{n}@proveedor.example",
                status=SupplierStatus.VERIFIED,
                submitted_at=now,
                reviewed_at=now,
                verified_at=now,
            )
        )
        suppliers.append((f"{RFC_SCHEME}-{tax_id}", name))
    session.flush()
    return buyers, suppliers


def sql_time(value: str) -> str:
    """An OCDS date-time as the naive UTC text a DateTime column holds (SQLite's format,
    which PostgreSQL reads too)."""
    if len(value) == 20 and value[10] == "T" and value[19] == "Z":
        return f"{value[:10]} {value[11:19]}.000000"
    return f"{services.parse_ocds_datetime(value):%Y-%m-%d %H:%M:%S.%f}"


#: What a forked worker builds with: (maker, schema, dumps, check_every); set before forking.
_WORK: tuple[MixMaker, Any, Any, int] | None = None


def build_batch(span: tuple[int, int]) -> tuple[list[tuple], list[tuple]]:
    """The ocds_release and ocds_record rows of processes ``span``, as ``publish`` would
    write them (same compile and digest), with the JSON and dates already as text."""
    assert _WORK is not None
    maker, schema, dumps, check_every = _WORK
    releases: list[tuple] = []
    records: list[tuple] = []
    sha256, canonical = hashlib.sha256, services.canonical_json
    gc.disable()  # many small dicts, no cycles: the collector would only rescan them
    try:
        for n in range(*span):
            ocid, log = maker.process(n)
            if n % check_every == 0:
                check(log, schema)
            dates = []
            for s, r in enumerate(log, start=1):
                when = sql_time(r["date"])
                dates.append(when)
                # The stored JSON is the canonical text the digest covers (the same
                # object; keys sorted, as the API serves them): one encoding, not two.
                text = canonical(r)
                digest = sha256(text.encode()).hexdigest()
                # Published when dated, as a live platform publishes each release.
                releases.append((r["id"], ocid, s, when, dumps(r["tag"]), text, digest, when))
            first, last = min(dates), max(dates)
            # Every release is a full snapshot holding all of the one before (fields and
            # array entries are only added or changed, never dropped: generate_mix builds
            # them so), so merging the last alone gives the record: the same
            # compile_record, without re-merging every earlier snapshot. check() compares
            # it with the merge of the whole log on the sampled processes.
            compiled = dumps(compile_record(log[-1:], schema))
            # The record changed when its last release was published: spread over the
            # releases' dates, not all "now" (which would keep thousands of records inside
            # the analytics refresh's look-back window on every page view).
            records.append((ocid, compiled, len(log), last, first, last, int(first[:4])))
    finally:
        gc.enable()
    return releases, records


class BadSample(ValueError):
    """A sampled bulk process does not hold (an exception, not SystemExit: a pool worker
    that exits loses its task and the run would wait for it forever)."""


def check(log: list[dict[str, Any]], schema: Any) -> None:
    """The sampled process's releases validate (the bulk path skips the validator) and
    its record, the merge of its last release, is the merge of all of them."""
    if compile_record(log, schema) != compile_record(log[-1:], schema):
        raise BadSample(f"{log[0]['ocid']}: its last release is not a full snapshot")
    for release in log:
        errors = validate_release(release, schema).errors
        if errors:
            raise BadSample(
                f"{release['id']} does not validate: {errors[0].path} {errors[0].message}"
            )


def write_batch(engine: Engine, releases: list[tuple], records: list[tuple]) -> None:
    now = f"{utcnow():%Y-%m-%d %H:%M:%S.%f}"
    outbox = [(r[0], now) for r in records]
    tables = (
        ("ocds_release", RELEASE_COLUMNS, releases),
        ("ocds_record", RECORD_COLUMNS, records),
        ("search_outbox", ("ocid", "enqueued_at"), outbox),
    )
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        if engine.dialect.name == "postgresql":
            with raw.cursor() as cur:
                for table, columns, rows in tables:
                    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
                        for row in rows:
                            cp.write_row(row)
        else:
            cur = raw.cursor()
            for table, columns, rows in tables:
                marks = ", ".join("?" * len(columns))
                cur.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608 (our table names)
                    rows,
                )
            cur.close()


def through_services(engine: Engine, logs: Iterator[tuple[str, list[dict[str, Any]]]]) -> int:
    """Publish each release with the publication service (validated, compiled, enqueued)."""
    count = 0
    with Session(engine) as session:
        for _ocid, log in logs:
            for release in log:
                services.publish(session, {k: v for k, v in release.items() if k != "id"})
                count += 1
            session.commit()
    return count


def run_command(args: list[str], url: str, index_dir: str | None) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    if index_dir:
        env["SEARCH_INDEX_DIR"] = index_dir
    tianguis = Path(sys.executable).parent / "tianguis"
    began = time.perf_counter()
    done = subprocess.run([str(tianguis), *args], env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"tianguis {' '.join(args)} failed: {(done.stderr or done.stdout).strip()}")
    print(f"tianguis {' '.join(args)}: {done.stdout.strip()} ({time.perf_counter() - began:.0f} s)")


def generate(
    url: str,
    processes: int,
    seed: int,
    through: int = 0,
    prefix: str | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    """Write the processes; returns counts and timings (no search, no analytics)."""
    from app import create_app

    # The app configures the publication settings (schema, extensions, ocid prefix).
    app = create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False})
    ocid_prefix = f"{prefix or app.config['OCID_PREFIX']}-g{seed}"
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            migrations.upgrade(conn)
        with Session(engine) as session:
            taken = session.scalar(
                select(OcdsRecord.ocid).where(OcdsRecord.ocid.like(f"{ocid_prefix}-%")).limit(1)
            )
            if taken is not None:
                sys.exit(
                    f"processes of seed {seed} are already there ({taken}): use another --seed"
                )
            buyers, suppliers = parties(session, seed, processes)
            session.commit()
        maker = MixMaker(seed, ocid_prefix, buyers, suppliers)
        progress = Progress(processes, "processes")
        began = time.perf_counter()
        through = min(through, processes)
        released = through_services(engine, (maker.process(n) for n in range(through)))
        progress.update(through)
        global _WORK
        dumps = json.dumps
        if engine.dialect.name == "postgresql":
            dumps = functools.partial(json.dumps, ensure_ascii=False)
        _WORK = (maker, services.configured_schema(), dumps, CHECK_EVERY)
        spans = [(a, min(a + BATCH, processes)) for a in range(through, processes, BATCH)]
        engine.dispose()  # no connection crosses the fork
        pool = multiprocessing.get_context("fork").Pool(workers) if workers > 1 else None
        try:
            batches = pool.imap(build_batch, spans) if pool else map(build_batch, spans)
            for (_start, end), (releases, records) in zip(spans, batches, strict=True):
                write_batch(engine, releases, records)
                released += len(releases)
                progress.update(end)
        except BadSample as bad:
            sys.exit(f"\n{bad}")
        finally:
            if pool:
                pool.terminate()
        progress.update(processes, force=True)
        elapsed = time.perf_counter() - began
    finally:
        engine.dispose()
    return {
        "processes": processes,
        "releases": released,
        "seconds": elapsed,
        "buyers": len(buyers),
        "suppliers": len(suppliers),
        "ocid_prefix": ocid_prefix,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--small-through-services", type=int, default=0, metavar="K")
    parser.add_argument("--index-dir", help="search index directory (default: the app's)")
    parser.add_argument("--ocid-prefix", help="default: the app's OCID_PREFIX")
    parser.add_argument(
        "--workers",
        type=int,
        default=min(4, os.cpu_count() or 1),
        help="processes building the bulk rows (default: the CPUs, at most 4)",
    )
    parser.add_argument("--no-search", action="store_true")
    parser.add_argument("--no-analytics", action="store_true")
    args = parser.parse_args()
    if not args.database_url:
        sys.exit("--database-url (or DATABASE_URL) is needed")
    if args.processes < 1 or args.small_through_services < 0:
        sys.exit("--processes must be at least 1 and --small-through-services not negative")
    result = generate(
        args.database_url,
        args.processes,
        args.seed,
        args.small_through_services,
        args.ocid_prefix,
        max(1, args.workers),
    )
    print(
        f"generated {result['processes']} processes ({result['releases']} releases, "
        f"{result['buyers']} buyers, {result['suppliers']} suppliers, ocids "
        f"{result['ocid_prefix']}-*) in {result['seconds']:.0f} s: "
        f"{result['processes'] / result['seconds']:,.0f} processes/s, "
        f"{result['releases'] / result['seconds']:,.0f} releases/s "
        f"({args.database_url.split(':')[0]}, load average {os.getloadavg()[0]:.1f})"
    )
    if not args.no_analytics:
        run_command(["analytics", "refresh"], args.database_url, args.index_dir)
    if not args.no_search:
        run_command(["search", "reindex"], args.database_url, args.index_dir)


if __name__ == "__main__":
    main()
