"""Feeding the index from the database: the outbox, full rebuilds, publish() end to end."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.publication.models import OcdsRecord, SearchOutbox
from marketplace.publication.services import configured_schema, publish
from marketplace.search.backend import SearchBackend, WhooshBackend
from marketplace.search.index import CONTEXT_FILE, current_dir, load_context
from marketplace.search.request import parse_request
from marketplace.search.sync import reindex, sync
from tests.publication.helpers import award_release, tender_release
from tests.search.conftest import backend_for
from tests.search.records import corpus, record, store


@pytest.fixture
def backend(db: Session, tmp_path: Path, backend_kind: str) -> SearchBackend:
    """Nothing built yet: whoosh files under tmp_path, or PostgreSQL's empty table."""
    return backend_for(backend_kind, db, tmp_path)


def titles(backend: SearchBackend | Path, q: str = "") -> list[str]:
    if isinstance(backend, Path):
        backend = WhooshBackend(backend)
    request, problems = parse_request({"q": [q]} if q else {})
    return sorted(hit.title for hit in backend.search(request, problems).hits)


def pending(session: Session) -> int:
    rows = session.scalars(select(SearchOutbox).where(SearchOutbox.processed_at.is_(None)))
    return len(list(rows))


def test_sync_drains_the_outbox_reading_current_records(
    db: Session, backend: SearchBackend
) -> None:
    for compiled in corpus()[:3]:
        store(db, compiled)
    first = backend.sync(db)
    # No index yet: the first sync builds one from the records.
    assert first.rebuilt and first.records == 3 and pending(db) == 0
    assert len(titles(backend)) == 3

    changed = record(1, "Servicios de nube")
    store(db, changed)
    store(db, changed)  # two rows, one ocid: indexed once, both marked
    store(db, record(9, "Sillas ergonómicas"))
    result = backend.sync(db)
    assert (result.outbox_rows, result.records, result.rebuilt) == (3, 2, False)
    assert pending(db) == 0
    assert titles(backend, "servicios nube") == ["Servicios de nube"]
    assert titles(backend, "ergonomicas") == ["Sillas ergonómicas"]
    assert backend.sync(db).outbox_rows == 0


def test_sync_removes_a_process_whose_record_is_gone(db: Session, backend: SearchBackend) -> None:
    store(db, record(1, "Impresoras láser"))
    backend.sync(db)
    db.delete(db.get(OcdsRecord, record(1, "x")["ocid"]))
    db.add(SearchOutbox(ocid=record(1, "x")["ocid"]))
    db.flush()
    backend.sync(db)
    assert titles(backend) == []


def test_reindex_after_deleting_the_index_dir(db: Session, tmp_path: Path) -> None:
    for compiled in corpus():
        store(db, compiled, enqueue=False)
    index_dir = tmp_path / "index"
    reindex(db, index_dir)
    assert len(titles(index_dir)) == 8
    shutil.rmtree(index_dir)
    result = reindex(db, index_dir)
    assert result.records == 8 and result.rebuilt
    assert titles(index_dir, "impresoras") == ["Mantenimiento de impresoras"]
    live = current_dir(index_dir)
    assert live is not None and (live / CONTEXT_FILE).exists()
    assert load_context(live).records == 8  # type: ignore[union-attr]
    # Only the new generation is left on disk.
    assert [p.name for p in index_dir.iterdir() if p.is_dir()] == [live.name]


def test_reindex_covers_rows_enqueued_before_it(db: Session, backend: SearchBackend) -> None:
    store(db, record(1, "Escáneres"))
    result = backend.reindex(db)
    assert result.outbox_rows == 1 and pending(db) == 0


def test_sync_repairs_a_corrupt_index(db: Session, tmp_path: Path) -> None:
    store(db, record(1, "Discos duros"))
    sync(db, tmp_path)
    live = current_dir(tmp_path)
    assert live is not None
    for toc in live.glob("*.toc"):
        toc.write_bytes(b"\x00broken")
    store(db, record(2, "Memorias USB"))
    assert sync(db, tmp_path).rebuilt
    assert titles(tmp_path) == ["Discos duros", "Memorias USB"]


def test_publish_then_sync_end_to_end(db: Session, backend: SearchBackend) -> None:
    schema = configured_schema()
    ocid = "ocds-tgs001-search-e2e"
    publish(
        db,
        tender_release(ocid, "2025-02-01T10:00:00Z", title="Computadoras portátiles"),
        schema=schema,
    )
    publish(db, award_release(ocid, "2025-03-01T10:00:00Z"), schema=schema)
    result = backend.sync(db, publishers={"ocds-tgs001": "Tianguis CDMX"})
    assert result.records == 1
    request, problems = parse_request({"q": ["computadora portatil"]})
    found = backend.search(request, problems)
    assert [hit.ocid for hit in found.hits] == [ocid]
    hit = found.hits[0]
    assert hit.publisher == "Tianguis CDMX"
    assert hit.suppliers and hit.award_amount is not None
    assert "R018" in hit.flags  # one valid bid in an open procedure


def test_facet_counts_after_syncs_equal_a_rebuild(db: Session, backend: SearchBackend) -> None:
    # PostgreSQL keeps the counts of every process and adjusts them at each sync.
    for compiled in corpus():
        store(db, compiled)
    backend.sync(db)
    store(db, record(2, "Licencias", supplier="Otro, S.A.", method="direct", amount=5))
    store(db, record(30, "Escritorios", buyer="Secretaría de Salud", method="limited"))
    db.delete(db.get(OcdsRecord, record(5, "x")["ocid"]))
    db.add(SearchOutbox(ocid=record(5, "x")["ocid"]))
    db.flush()
    backend.sync(db)
    request, _ = parse_request({})
    synced = backend.search(request)
    backend.reindex(db)
    rebuilt = backend.search(parse_request({})[0])
    assert synced.total == rebuilt.total == 8
    assert synced.facets == rebuilt.facets
    assert {v.value: v.count for v in synced.facets["method"]}["limited"] == 1
