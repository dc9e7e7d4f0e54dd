"""Merging the releases that were published with a deferred compile into their records.

A sealed bid published inside :func:`~marketplace.publication.services.deferred_compile`
leaves its record's ``compiled`` release as it was and counts the release in
``pending_releases``. :func:`catch_up` merges the pending releases of some records (all of
those that piled up while it waited, in one rewrite); the web app calls it at the end of
each request that deferred, ``search sync`` before it reads records, bulk exports before
they write them. :func:`current_compiled` is for pages and the API: the compiled release
with the pending ones merged on the fly, without writing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from marketplace.publication.models import OcdsRecord, SearchOutbox
from marketplace.publication.services import configured_schema, merged, pending_releases
from ocds.schema import OcdsSchema


def catch_up(
    session: Session,
    ocids: Iterable[str] | None = None,
    *,
    wait: bool = True,
    schema: OcdsSchema | None = None,
) -> int:
    """Merge the pending releases of ``ocids`` (default: every record with some) into
    their records, in the caller's transaction; returns how many records changed.

    With ``wait=False`` (PostgreSQL) a record locked by another transaction is left
    alone (``SKIP LOCKED``): that transaction is publishing to it, and whoever deferred
    will catch up after it commits; the request never queues behind a bid.
    """
    query = select(
        OcdsRecord.ocid, OcdsRecord.compiled, OcdsRecord.release_count, OcdsRecord.pending_releases
    ).where(OcdsRecord.pending_releases > 0)
    if ocids is not None:
        wanted = sorted(set(ocids))
        if not wanted:
            return 0
        query = query.where(OcdsRecord.ocid.in_(wanted))
    query = query.order_by(OcdsRecord.ocid).with_for_update(skip_locked=not wait)
    schema = schema or configured_schema()
    changed = 0
    for row in session.execute(query).all():
        releases = pending_releases(session, row.ocid, row.release_count, row.pending_releases)
        compiled = merged(session, row.ocid, row.compiled, releases, schema)
        session.execute(
            update(OcdsRecord)
            .where(OcdsRecord.ocid == row.ocid)
            .values(compiled=compiled, pending_releases=0)
            .execution_options(synchronize_session=False)
        )
        # A search sync may have read the record before this: it reads it again (the
        # record's latest outbox row goes back in the queue; still one row per release).
        latest = (
            select(func.max(SearchOutbox.id)).where(SearchOutbox.ocid == row.ocid).scalar_subquery()
        )
        session.execute(
            update(SearchOutbox)
            .where(SearchOutbox.id == latest, SearchOutbox.processed_at.is_not(None))
            .values(processed_at=None)
            .execution_options(synchronize_session=False)
        )
        changed += 1
    # The statements bypass the identity map: expire the loaded records.
    for record in list(session.identity_map.values()):
        if isinstance(record, OcdsRecord):
            session.expire(record)
    return changed


def current_compiled(
    session: Session, ocid: str, compiled: dict[str, Any], release_count: int, pending: int
) -> dict[str, Any]:
    """A record's compiled release with its pending releases merged (nothing written)."""
    if not pending:
        return compiled
    releases = pending_releases(session, ocid, release_count, pending)
    return merged(session, ocid, compiled, releases, configured_schema())


def record_compiled(session: Session, record: OcdsRecord) -> dict[str, Any]:
    """:func:`current_compiled` of a loaded record."""
    return current_compiled(
        session, record.ocid, record.compiled, record.release_count, record.pending_releases
    )
