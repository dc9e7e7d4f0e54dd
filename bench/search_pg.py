"""The PostgreSQL mode of bench/search.py (``--backend postgres --database-url URL``).

Loads the same generated compiled releases through the same document code the app
uses (``fields_for`` then ``pg_sync.row``), bulk-inserts them into ``search_document``
and ``search_shown`` (after migrating the database if needed), then runs the same
mixed queries through the backend's ``search`` (facet counts and highlights included),
each in its own transaction as a request would. With ``--existing`` it builds nothing
and queries the documents already in the database (e.g. 1,000,000 processes from
bench/generate.py made searchable by ``tianguis search reindex``), with words and
filter values drawn from those documents (``existing_queries``). Prints the build
rate and wall-time percentiles (PostgreSQL's time is in another process: there is no
thread CPU figure here) and how many results had estimated counts.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

import migrations
from marketplace.db import make_engine
from marketplace.search import pg_facets, pg_query, pg_sync
from marketplace.search.backend import PostgresBackend
from marketplace.search.request import parse_request
from marketplace.search.sync import fields_for
from ocds.redflags import build_context

BATCH = 2000
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def run(
    args: argparse.Namespace,
    rng: random.Random,
    compiled_release: Callable[[random.Random, int], dict[str, Any]],
    queries: Callable[[random.Random, int], list[dict[str, list[str]]]],
) -> None:
    engine = make_engine(args.database_url)
    with engine.begin() as conn:
        migrations.upgrade(conn)
    with Session(engine) as session:
        count = session.scalar(text("SELECT count(*) FROM search_document")) or 0
        if args.existing:
            print(f"querying the {count:,} documents already in the database")
        elif args.reuse and count == args.records:
            for n in range(1, args.records + 1):
                compiled_release(rng, n)
            print(f"reusing the {count:,} documents in the database")
            if pg_facets.stored(session) is None:  # built before the counts were kept
                pg_facets.recount(session)
                session.commit()
        else:
            build(session, args, rng, compiled_release)
    if args.existing:
        with Session(engine) as session:
            mixed = existing_queries(session, rng, args.queries)

        def queries(_rng: random.Random, _count: int) -> list[dict[str, list[str]]]:
            return mixed

    run_queries(engine, args, rng, queries)
    engine.dispose()


def existing_queries(session: Session, rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Queries in bench/search.py's mix over what is in the database: half the words
    as often as they occur in 2,000 sampled processes (popular searches), half any word
    seen there once or more (the long tail); filter values among each facet's ten most
    common."""
    seen: Counter[str] = Counter()
    rows = session.scalars(
        text("SELECT stored FROM search_shown TABLESAMPLE SYSTEM (1) REPEATABLE (1) LIMIT 2000")
    )
    for stored in rows:
        for name in ("title", "description", "items", "buyer", "supplier"):
            seen.update(w.lower() for w in _WORD.findall(stored.get(name) or ""))
    popular = list(seen.elements())
    distinct = sorted(seen)
    kept = pg_facets.stored(session)
    assert kept is not None, "reindex the database first"
    values = {
        facet: [v for v, _n in kept[1][facet].most_common(10)]
        for facet in ("buyer", "method", "year", "flag", "amount_band")
        if kept[1][facet]
    }

    def words(n: int) -> str:
        return " ".join(rng.choice(popular if rng.random() < 0.5 else distinct) for _ in range(n))

    def a_filter() -> tuple[str, str]:
        facet = rng.choice(sorted(values))
        return facet, rng.choice(values[facet])

    from bench.search import mix  # (bench/search.py imports this module when it runs)

    return mix(rng, count, words, a_filter)


def build(
    session: Session,
    args: argparse.Namespace,
    rng: random.Random,
    compiled_release: Callable[[random.Random, int], dict[str, Any]],
) -> None:
    started = time.perf_counter()
    records = [compiled_release(rng, n) for n in range(1, args.records + 1)]
    context = build_context(records)
    prepared = time.perf_counter()
    session.execute(text("TRUNCATE search_document, search_shown"))

    def rows() -> Iterator[dict[str, Any]]:
        for compiled in records:
            yield pg_sync.row(fields_for(compiled, context))

    batch: list[dict[str, Any]] = []
    for row in rows():
        batch.append(row)
        if len(batch) >= BATCH:
            pg_sync.write(session, batch)
            batch = []
    pg_sync.write(session, batch)
    pg_sync.save_context(session, context)
    session.commit()
    session.execute(text("ANALYZE search_document"))
    session.execute(text("ANALYZE search_shown"))
    pg_facets.recount(session)  # as reindex does: the kept counts of every process
    session.commit()
    built = time.perf_counter()
    print(f"generated {args.records:,} compiled releases + red-flag context "
          f"in {prepared - started:.1f}s")  # fmt: skip
    rate = args.records / (built - prepared)
    print(f"PostgreSQL build (documents, tsvector, GIN, counts): {rate:,.0f} records/s "
          f"({built - prepared:.1f}s)")  # fmt: skip


def run_queries(
    engine: Any,
    args: argparse.Namespace,
    rng: random.Random,
    queries: Callable[[random.Random, int], list[dict[str, list[str]]]],
) -> None:
    with Session(engine) as session:
        backend = PostgresBackend(lambda: session)
        begin = time.perf_counter()
        backend.search(parse_request({})[0])
        session.rollback()
        print(f"first query (everything, facet counts over all): "
              f"{(time.perf_counter() - begin) * 1000:.0f} ms")  # fmt: skip
        timings = []
        totals = []
        estimated = 0
        slowest: list[tuple[float, dict[str, list[str]]]] = []
        for query in queries(rng, args.queries):
            request, problems = parse_request(query)
            begin = time.perf_counter()
            result = backend.search(request, problems)
            session.rollback()  # each request its own transaction
            timings.append((time.perf_counter() - begin) * 1000)
            totals.append(result.total)
            estimated += result.estimated
            slowest = sorted([*slowest, (timings[-1], query)], key=lambda t: -t[0])[:5]
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"{len(timings)} queries on PostgreSQL (words, facets, ranges, sorts, pages; facet "
          f"counts and highlights): p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
          f"max {timings[-1]:.1f} ms; median {statistics.median(totals):,.0f} matches; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{estimated} of {len(timings)} with estimated counts (more than "
          f"{pg_query.EXACT_LIMIT:,} matches)")  # fmt: skip
    for took, query in slowest:
        print(f"  slowest: {took:.0f} ms {query}")
    print(f"goal p95 <= 200 ms: {'met' if p95 <= 200 else 'NOT met'}")
