"""Feeding the index: ``sync`` drains the search outbox, ``reindex`` rebuilds from records.

Red flags are computed while indexing. The cross-process ones (R024, R025, R038, R048,
R058) compare with a context computed from all records at the last ``reindex`` and
kept with that index generation; ``sync`` reuses it, so those fences move only when
the index is rebuilt (run ``tianguis search reindex`` nightly to refresh them).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.writing import IndexWriter

from marketplace.db import utcnow
from marketplace.publication.models import OcdsRecord, SearchOutbox
from marketplace.search.documents import document, ocid_prefix
from marketplace.search.index import (
    IndexUnavailable,
    current_dir,
    load_context,
    locked,
    new_generation,
    open_index,
    publish_generation,
    save_context,
)
from ocds.redflags import Context, Thresholds, build_context, evaluate

BATCH = 500


@dataclass(frozen=True)
class SyncResult:
    outbox_rows: int
    records: int
    rebuilt: bool = False


def fields_for(
    compiled: dict[str, Any],
    context: Context,
    thresholds: Thresholds | None = None,
    publishers: Mapping[str, str] | None = None,
    publisher: str | None = None,
) -> dict[str, Any]:
    """The document of one compiled release, red flags included.

    ``publisher`` names who published an imported record; our own records are named
    through ``publishers`` (ocid prefix -> name).
    """
    flags = [flag.code for flag in evaluate(compiled, context, thresholds)]
    prefix = ocid_prefix(str(compiled.get("ocid") or ""))
    fields = document(compiled, flags, publisher or (publishers or {}).get(prefix))
    fields["supplier_values"] = fields.get("supplier", "").encode()
    fields["flag_values"] = fields.get("flag", "").encode()
    return fields


def index_record(
    index_dir: str | os.PathLike[str],
    compiled: dict[str, Any],
    *,
    context: Context | None = None,
    publishers: Mapping[str, str] | None = None,
) -> None:
    """Add or replace one process in the index (creating an empty index if none)."""
    with locked(index_dir):
        path = current_dir(index_dir)
        if path is None:
            path, _ = new_generation(index_dir)
            save_context(path, context or Context())
            publish_generation(index_dir, path)
        if context is None:
            context = load_context(path) or Context()
        ix = whoosh_index.open_dir(str(path))
        with ix.writer() as writer:
            _put(writer, compiled, context, publishers)


def _put(
    writer: IndexWriter,
    compiled: dict[str, Any],
    context: Context,
    publishers: Mapping[str, str] | None,
    publisher: str | None = None,
) -> None:
    writer.update_document(
        **fields_for(compiled, context, publishers=publishers, publisher=publisher)
    )


def _compiled_records(session: Session) -> Iterator[dict[str, Any]]:
    """Our own compiled records: the red-flag fences compare our processes with ours."""
    query = (
        select(OcdsRecord.compiled)
        .where(OcdsRecord.publisher_name.is_(None))
        .order_by(OcdsRecord.ocid)
    )
    yield from session.scalars(query.execution_options(yield_per=BATCH))


def _all_records(session: Session) -> Iterator[tuple[dict[str, Any], str | None]]:
    """Every record to index, ours and imported, with the publisher of imported ones."""
    query = select(OcdsRecord.compiled, OcdsRecord.publisher_name).order_by(OcdsRecord.ocid)
    for row in session.execute(query.execution_options(yield_per=BATCH)):
        yield row.compiled, row.publisher_name


def claim_outbox(session: Session) -> list[tuple[int, str]]:
    """The next unprocessed outbox rows (id, ocid) no other worker holds: on PostgreSQL
    they stay locked until the caller commits (``SKIP LOCKED``), so two workers
    draining at once take different rows; SQLite has one writer at a time anyway."""
    rows = session.execute(
        select(SearchOutbox.id, SearchOutbox.ocid)
        .where(SearchOutbox.processed_at.is_(None))
        .order_by(SearchOutbox.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    return [(row_id, ocid) for row_id, ocid in rows]


def sync(
    session: Session,
    index_dir: str | os.PathLike[str],
    *,
    publishers: Mapping[str, str] | None = None,
) -> SyncResult:
    """Index the records named by unprocessed outbox rows and mark the rows processed.

    Each ocid's *current* compiled release is read, so ten rows for one ocid cost one
    document. A missing or unreadable index is rebuilt instead. The caller commits.
    """
    with locked(index_dir):
        try:
            ix = open_index(index_dir)
        except IndexUnavailable:
            result = _rebuild(session, index_dir, publishers)
            return SyncResult(result.outbox_rows, result.records, rebuilt=True)
        path = current_dir(index_dir)
        assert path is not None
        context = load_context(path)
        if context is None:
            context = build_context(_compiled_records(session))
            save_context(path, context)
        rows_done = records_done = 0
        while True:
            rows = claim_outbox(session)
            if not rows:
                break
            ocids = sorted({ocid for _, ocid in rows})
            found = session.execute(
                select(OcdsRecord.ocid, OcdsRecord.compiled, OcdsRecord.publisher_name).where(
                    OcdsRecord.ocid.in_(ocids)
                )
            )
            compiled = {ocid: (data, publisher) for ocid, data, publisher in found}
            with ix.writer() as writer:
                for ocid in ocids:
                    if ocid in compiled:
                        data, publisher = compiled[ocid]
                        _put(writer, data, context, publishers, publisher)
                    else:
                        writer.delete_by_term("ocid", ocid)
            session.execute(
                update(SearchOutbox)
                .where(SearchOutbox.id.in_([row_id for row_id, _ in rows]))
                .values(processed_at=utcnow())
            )
            session.flush()
            rows_done += len(rows)
            records_done += len(ocids)
        return SyncResult(rows_done, records_done)


def reindex(
    session: Session,
    index_dir: str | os.PathLike[str],
    *,
    publishers: Mapping[str, str] | None = None,
    thresholds: Thresholds | None = None,
) -> SyncResult:
    """Rebuild the whole index from the records into a new generation and swap it in.

    Outbox rows present before the records are read are covered by the rebuild and
    marked processed; later ones stay for the next ``sync``. The caller commits.
    """
    with locked(index_dir):
        return _rebuild(session, index_dir, publishers, thresholds)


def mark_rebuilt(session: Session, last_row: int | None) -> int:
    """Mark the outbox rows up to ``last_row`` (those a rebuild covered) processed; how
    many there were."""
    if last_row is None:
        return 0
    done = session.execute(
        update(SearchOutbox)
        .where(SearchOutbox.id <= last_row, SearchOutbox.processed_at.is_(None))
        .values(processed_at=utcnow())
    )
    session.flush()
    return int(getattr(done, "rowcount", 0))


def _rebuild(
    session: Session,
    index_dir: str | os.PathLike[str],
    publishers: Mapping[str, str] | None,
    thresholds: Thresholds | None = None,
) -> SyncResult:
    last_row = session.scalar(
        select(func.max(SearchOutbox.id)).where(SearchOutbox.processed_at.is_(None))
    )
    context = build_context(_compiled_records(session), thresholds)
    path, ix = new_generation(index_dir)
    count = 0
    try:
        writer = ix.writer(limitmb=128)
        try:
            for compiled, publisher in _all_records(session):
                writer.add_document(
                    **fields_for(compiled, context, thresholds, publishers, publisher)
                )
                count += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        save_context(path, context)
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    publish_generation(index_dir, Path(path))
    return SyncResult(mark_rebuilt(session, last_row), count, rebuilt=True)
