"""The site the fuzzers attack: the app on the demo data, one rolled-back savepoint per
generated request, and what every answer must satisfy (no 5xx, no traceback, no input
reflected unescaped).

Shared by the fuzz tests (bounded by ``FUZZ_EXAMPLES``) and ``bench/fuzz.py`` (unbounded).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from hypothesis import HealthCheck, settings
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from app.db import get_database
from app.extensions import limiter
from marketplace.db import Base

#: Strings the fuzzers slip into text fields; none may come back as live markup.
INJECTIONS = (
    "<script>alert('fz')</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
)
#: What an unescaped reflection of one of ``INJECTIONS`` looks like in a page.
LIVE_MARKUP = (b"<script>alert('fz')", b"<img src=x onerror", b"<svg onload")
TRACEBACK_MARKERS = (b"Traceback (most recent call last)", b'File "/')

#: Tables that a refused request may legitimately write to: the audit trail records
#: failed logins, refused permissions and the like.
WRITTEN_ON_REFUSAL = frozenset({"audit_event", "audit_head"})

DEFAULT_EXAMPLES = 6


def examples(default: int = DEFAULT_EXAMPLES) -> int:
    """Examples per form / API operation: ``FUZZ_EXAMPLES`` in the environment, else
    ``default`` (small enough for CI's time budget)."""
    return int(os.environ.get("FUZZ_EXAMPLES") or default)


def fuzz_settings(max_examples: int | None = None) -> settings:
    """Deterministic (derandomized, no example database), no deadline (the machine is
    shared; timings are the bench's business), and quiet about slow data generation."""
    return settings(
        max_examples=max_examples or examples(),
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
    )


@dataclass
class Tally:
    """What the fuzzers saw: the bench prints it, the tests assert on ``problems``."""

    requests: int = 0
    server_errors: int = 0
    tracebacks: int = 0
    problems: list[str] = field(default_factory=list)

    def note(self, problem: str) -> None:
        if len(self.problems) < 50:
            self.problems.append(problem)


def check_response(
    response: TestResponse, label: str, tally: Tally | None = None, *, sent_markup: bool = False
) -> list[str]:
    """What is wrong with one answer: a 5xx, a traceback shown, live reflected markup."""
    problems: list[str] = []
    body = response.get_data()
    if response.status_code >= 500:
        problems.append(f"{label}: HTTP {response.status_code}")
        if tally:
            tally.server_errors += 1
    if any(marker in body for marker in TRACEBACK_MARKERS):
        problems.append(f"{label}: traceback in the body")
        if tally:
            tally.tracebacks += 1
    if sent_markup and response.mimetype == "text/html":
        live = [m.decode() for m in LIVE_MARKUP if m in body]
        if live:
            problems.append(f"{label}: input reflected unescaped: {live}")
    if tally:
        tally.requests += 1
        for problem in problems:
            tally.note(problem)
    return problems


def crash(label: str, exc: BaseException, tally: Tally | None = None) -> str:
    """An exception out of the app (the test app propagates them): a 500 in production."""
    problem = f"{label}: {type(exc).__name__}: {str(exc)[:300]}"
    if tally:
        tally.requests += 1
        tally.server_errors += 1
        tally.note(problem)
    return problem


class Site:
    """The app bound to one connection holding the demo data in an open transaction."""

    def __init__(self, app: Flask, connection: Connection) -> None:
        self.app = app
        self.connection = connection

    def session(self) -> Session:
        return get_database(self.app).sessionmaker()

    @contextmanager
    def scratch(self) -> Iterator[None]:
        """Whatever the requests inside write is rolled back afterwards."""
        savepoint = self.connection.begin_nested()
        try:
            yield
        finally:
            if savepoint.is_active:
                savepoint.rollback()

    def row_counts(self) -> dict[str, int]:
        tables = [t for t in Base.metadata.sorted_tables if t.name not in WRITTEN_ON_REFUSAL]
        query = " UNION ALL ".join(
            f"SELECT '{t.name}', COUNT(*) FROM {t.name}"  # noqa: S608 (our own table names)
            for t in tables
        )
        return {name: count for name, count in self.connection.execute(text(query))}


@contextmanager
def demo_site(app: Flask, index_dir: Path, processes: int = 6, seed: int = 3) -> Iterator[Site]:
    """The demo loaded into a transaction that is rolled back at the end, searchable in
    its own index at ``index_dir`` (rate limits off: fuzzers send more than people do)."""
    from app.buyer.opening import bid_secret
    from app.search_support import drain_outbox
    from marketplace.demo import load_demo

    database = get_database(app)
    connection = database.engine.connect()
    outer = connection.begin()
    original = database.sessionmaker
    database.sessionmaker = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    was_enabled, old_index = limiter.enabled, app.config["SEARCH_INDEX_DIR"]
    limiter.enabled = False
    app.config["SEARCH_INDEX_DIR"] = str(index_dir)
    try:
        with app.app_context():
            session = database.sessionmaker()
            load_demo(session, processes=processes, seed=seed, bid_secret=bid_secret())
            session.close()
        with app.test_request_context():
            drain_outbox()  # once, so that rolled-back requests find the index up to date
        yield Site(app, connection)
    finally:
        limiter.enabled = was_enabled
        app.config["SEARCH_INDEX_DIR"] = old_index
        database.sessionmaker = original
        outer.rollback()
        connection.close()
