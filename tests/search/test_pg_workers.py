"""Several app processes over one PostgreSQL: two workers draining the search outbox at
once index every change exactly once (rows claimed with FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from marketplace.db import make_engine
from marketplace.publication.models import OcdsRecord, SearchOutbox
from marketplace.search import pg_sync, sync
from marketplace.search.pg_models import SearchDocument, SearchShown, SearchState
from tests.search.conftest import ON_POSTGRES
from tests.search.records import PREFIX, record, store

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="TEST_DATABASE_URL is not PostgreSQL")

#: Numbers no other search test uses: these rows are committed (and removed after).
FIRST, COUNT = 9000, 60


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    with Session(engine) as session:
        like = f"{PREFIX}-9%"
        session.execute(delete(SearchOutbox).where(SearchOutbox.ocid.like(like)))
        session.execute(delete(SearchDocument).where(SearchDocument.ocid.like(like)))
        session.execute(delete(SearchShown).where(SearchShown.ocid.like(like)))
        session.execute(delete(OcdsRecord).where(OcdsRecord.ocid.like(like)))
        session.execute(delete(SearchState))
        session.commit()
    engine.dispose()


def test_two_workers_drain_the_outbox_exactly_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(engine) as session:
        pg_sync.reindex(session)  # built (empty): sync drains instead of rebuilding
        for n in range(FIRST, FIRST + COUNT):
            store(session, record(n, f"Proceso concurrente {n}"))
        session.commit()
    # Small batches, so each worker claims many times while the other holds rows.
    monkeypatch.setattr(sync, "BATCH", 4)
    start = threading.Barrier(2)
    done: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with Session(engine) as session:
                start.wait()
                result = pg_sync.sync(session)
                session.commit()
                done.append(result.outbox_rows)
        except BaseException as error:  # reported below, with the assertion
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # Every row claimed by exactly one worker: none twice, none lost.
    assert sum(done) == COUNT
    with Session(engine) as session:
        waiting = session.scalar(select(func.count()).where(SearchOutbox.processed_at.is_(None)))
        documents = session.scalar(
            select(func.count()).where(SearchDocument.ocid.like(f"{PREFIX}-9%"))
        )
        assert session.get(SearchState, pg_sync.CONTEXT) is not None
    assert (waiting, documents) == (0, COUNT)


def test_sync_does_not_wait_for_a_running_rebuild(engine: Engine) -> None:
    with Session(engine) as session:
        pg_sync.reindex(session)
        store(session, record(FIRST, "Proceso durante una reconstrucción"))
        session.commit()
    with Session(engine) as rebuild, Session(engine) as worker:
        # What reindex holds while it rebuilds.
        rebuild.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": pg_sync.LOCK_KEY})
        assert pg_sync.sync(worker).outbox_rows == 0  # answers at once, leaves the row
        worker.rollback()
        rebuild.rollback()
        assert pg_sync.sync(worker).outbox_rows == 1
        worker.commit()
