"""Feeding the PostgreSQL search documents: ``sync`` drains the outbox, ``reindex``
rebuilds every document; both safe with many workers over one database.

``sync`` claims outbox rows with ``FOR UPDATE SKIP LOCKED``: two workers draining at
once take different rows, and a row is marked processed in the same transaction as
its document is written, so no change is indexed twice or lost. Each document keeps
its record's ``updated_at``, and an older copy never replaces a newer one (two
workers may hold rows of the same ocid). A ``reindex`` takes an exclusive advisory
lock that ``sync`` shares, so a rebuild never interleaves with a drain.
"""

# ruff: noqa: S608 (SQL text from our own column names; every visitor value is bound)

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from marketplace.db import utcnow
from marketplace.publication.models import OcdsRecord, SearchOutbox
from marketplace.search import pg_facets
from marketplace.search.pg_models import SearchState
from marketplace.search.sync import (
    BATCH,
    SyncResult,
    _compiled_records,
    claim_outbox,
    fields_for,
    mark_rebuilt,
)
from ocds.redflags import Context, Thresholds, build_context

#: pg_advisory_xact_lock key of the search documents ("tgsearch" in ASCII, truncated).
LOCK_KEY = 0x7467736561726368
CONTEXT = "context"
_MULTI = {"supplier": "supplier", "supplier_ids": "supplier_ids", "flag": "flag"}
_SINGLE = ("buyer", "buyer_id", "status", "method", "category", "year", "amount_band")
_ONE_LANGUAGE = (
    "setweight(to_tsvector('{c}'::regconfig, unaccent(:title)), 'A')"
    " || to_tsvector('{c}'::regconfig, unaccent(:body))"
)
WORDS_SQL = " || ".join(_ONE_LANGUAGE.format(c=c) for c in ("spanish", "english"))
_SORT = ("date", "date_rank", "amount", "amount_rank")
COLUMNS = ("words", *_SINGLE, *_MULTI, "publisher", *_SORT, "record_updated")
UPSERT = text(
    "INSERT INTO search_document (ocid, "
    + ", ".join(COLUMNS)
    + ") VALUES (:ocid, "
    + WORDS_SQL
    + ", "
    + ", ".join(f":{c}" for c in _SINGLE)
    + ", "
    + ", ".join(f"CAST(:{c} AS text[])" for c in _MULTI)
    + ", :publisher, "
    + ", ".join(f":{c}" for c in _SORT)
    + ", :record_updated) ON CONFLICT (ocid) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS)
    + " WHERE search_document.record_updated IS NULL OR EXCLUDED.record_updated IS NULL"
    " OR search_document.record_updated <= EXCLUDED.record_updated"
)
UPSERT_SHOWN = text(
    "INSERT INTO search_shown (ocid, stored, record_updated) "
    "VALUES (:ocid, CAST(:stored AS jsonb), :record_updated) ON CONFLICT (ocid) DO UPDATE "
    "SET stored = EXCLUDED.stored, record_updated = EXCLUDED.record_updated"
    " WHERE search_shown.record_updated IS NULL OR EXCLUDED.record_updated IS NULL"
    " OR search_shown.record_updated <= EXCLUDED.record_updated"
)

EPOCH = dt.datetime(1970, 1, 1)
_NOT_STORED = frozenset({"text", "supplier_values", "flag_values"})


def _lines(value: Any) -> list[str]:
    return [v for v in str(value or "").split("\n") if v]


def date_rank(date: dt.datetime) -> float:
    """The key that sorts newest first in ascending order (-seconds since 1970)."""
    return -(date - EPOCH).total_seconds()


def row(fields: Mapping[str, Any], record_updated: dt.datetime | None = None) -> dict[str, Any]:
    """The ``search_document`` parameters of one document (``fields_for``'s output)."""
    stored = {
        k: (v.isoformat() if isinstance(v, dt.datetime) else v)
        for k, v in fields.items()
        if k not in _NOT_STORED
    }
    date, amount = fields.get("date"), fields.get("amount")
    body = [fields.get(k, "") for k in ("description", "items", "buyer", "supplier", "ocid")]
    values: dict[str, Any] = {
        "ocid": fields["ocid"],
        "stored": json.dumps(stored),
        "title": fields.get("title", ""),
        "body": "\n".join(b for b in body if b),
        "publisher": fields.get("publisher"),
        "date": date,
        "date_rank": date_rank(date) if date is not None else None,
        "amount": amount,
        "amount_rank": -amount if amount is not None else None,
        "record_updated": record_updated,
    }
    values.update({name: fields.get(name) for name in _SINGLE})
    values.update({name: _lines(fields.get(name)) for name in _MULTI})
    return values


def write(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(UPSERT, rows)
        session.execute(UPSERT_SHOWN, rows)


def delete(session: Session, ocids: list[str] | None = None) -> None:
    """Forget these documents (None: every one)."""
    for table in ("search_document", "search_shown"):
        if ocids is None:
            session.execute(text(f"DELETE FROM {table}"))
        else:
            session.execute(text(f"DELETE FROM {table} WHERE ocid = ANY(:gone)"), {"gone": ocids})


#: The last context read, per database, with the ``updated_at`` it was saved with: a
#: process page reads one timestamp instead of the whole context (0.1 MB of JSON at a
#: million processes, 10 ms to decode) while no reindex has replaced it.
_loaded: dict[str, tuple[dt.datetime, Context]] = {}


def load_context(session: Session) -> Context | None:
    stamp = session.scalar(select(SearchState.updated_at).where(SearchState.name == CONTEXT))
    if stamp is None:
        return None
    database = session.connection().engine.url.render_as_string(hide_password=True)
    cached = _loaded.get(database)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    value = session.scalar(select(SearchState.value).where(SearchState.name == CONTEXT))
    if value is None:
        return None
    try:
        context = Context.from_json(value)
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    _loaded[database] = (stamp, context)
    return context


def save_context(session: Session, context: Context) -> None:
    state = session.get(SearchState, CONTEXT)
    if state is None:
        session.add(SearchState(name=CONTEXT, value=context.to_json(), updated_at=utcnow()))
    else:
        state.value = context.to_json()
        state.updated_at = utcnow()
    session.flush()


def sync(session: Session, *, publishers: Mapping[str, str] | None = None) -> SyncResult:
    """Index the records named by the outbox rows this worker can claim; the caller
    commits (which releases the rows' locks)."""
    context = load_context(session)
    if context is None:
        # Never built: the first worker here builds everything; the others wait for it.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        context = load_context(session)
        if context is None:
            return _rebuild(session, publishers, None, exclusive=False)
    elif not session.scalar(
        text("SELECT pg_try_advisory_xact_lock_shared(:key)"), {"key": LOCK_KEY}
    ):
        # A rebuild is running: it covers the rows enqueued before it, and the next sync
        # the rest; a search request must not wait minutes for it.
        return SyncResult(0, 0)
    rows_done = records_done = 0
    facets = None
    while True:
        rows = claim_outbox(session)
        if not rows:
            break
        if facets is None:
            # Taken once there is work: concurrent drains adjust the counts in turn.
            facets = pg_facets.lock(session) or (0, {})
        before = pg_facets.values_of(session, [ocid for _, ocid in rows])
        ocids = sorted({ocid for _, ocid in rows})
        found = session.execute(
            select(
                OcdsRecord.ocid,
                OcdsRecord.compiled,
                OcdsRecord.publisher_name,
                OcdsRecord.updated_at,
            ).where(OcdsRecord.ocid.in_(ocids))
        )
        documents = [
            row(fields_for(data, context, publishers=publishers, publisher=publisher), updated)
            for _ocid, data, publisher, updated in found
        ]
        write(session, documents)
        gone = sorted(set(ocids) - {d["ocid"] for d in documents})
        if gone:
            delete(session, gone)
        if facets[1]:
            after = pg_facets.values_of(session, ocids)
            facets = (pg_facets.adjust(*facets, before, after), facets[1])
        session.execute(
            update(SearchOutbox)
            .where(SearchOutbox.id.in_([row_id for row_id, _ in rows]))
            .values(processed_at=utcnow())
        )
        session.flush()
        rows_done += len(rows)
        records_done += len(ocids)
    if facets is not None:
        if facets[1]:
            pg_facets.save(session, *facets)
        else:
            pg_facets.recount(session)  # built before the counts were kept
    return SyncResult(rows_done, records_done)


def reindex(
    session: Session,
    *,
    publishers: Mapping[str, str] | None = None,
    thresholds: Thresholds | None = None,
) -> SyncResult:
    """Rebuild every document from the records (one transaction: searches see the old
    documents until the caller commits)."""
    return _rebuild(session, publishers, thresholds, exclusive=True)


def _records(session: Session) -> Iterable[tuple[dict[str, Any], str | None, dt.datetime]]:
    query = select(OcdsRecord.compiled, OcdsRecord.publisher_name, OcdsRecord.updated_at)
    query = query.order_by(OcdsRecord.ocid).execution_options(yield_per=BATCH)
    for record in session.execute(query):
        yield record.compiled, record.publisher_name, record.updated_at


def _rebuild(
    session: Session,
    publishers: Mapping[str, str] | None,
    thresholds: Thresholds | None,
    *,
    exclusive: bool,
) -> SyncResult:
    if exclusive:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    last_row = session.scalar(
        select(func.max(SearchOutbox.id)).where(SearchOutbox.processed_at.is_(None))
    )
    context = build_context(_compiled_records(session), thresholds)
    delete(session)
    count = 0
    batch: list[dict[str, Any]] = []
    for compiled, publisher, updated in _records(session):
        batch.append(row(fields_for(compiled, context, thresholds, publishers, publisher), updated))
        count += 1
        if len(batch) >= BATCH:
            write(session, batch)
            batch = []
    write(session, batch)
    save_context(session, context)
    pg_facets.recount(session)
    return SyncResult(mark_rebuilt(session, last_row), count, rebuilt=True)
