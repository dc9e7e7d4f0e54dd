"""Merging the releases that were published with a deferred compile into their records.

A sealed bid published inside :func:`~marketplace.publication.services.deferred_compile`
leaves its record's ``compiled`` release as it was and counts the release in
``pending_releases``. :func:`catch_up` merges the pending releases of some records in one
rewrite each; the web app calls it at the end of a request that leaves
:data:`CATCH_UP_EVERY` releases pending, ``search sync`` before it reads records, bulk
exports before they write them (and any publication without deferral merges them first).
:func:`current_compiled` is for pages and the API: the compiled release with the pending
ones merged on the fly, without writing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from marketplace.publication.models import OcdsRecord, SearchOutbox
from marketplace.publication.services import configured_schema, merged, pending_releases
from ocds.schema import OcdsSchema

#: A web request catches a record up when it leaves this many releases pending: one
#: rewrite of the compiled release (300 KB at 1,000 bids) for that many sealed bids, and
#: never more than that many small releases for a reader to merge on the fly.
CATCH_UP_EVERY = 20

#: Catching up one record at a time (two-key advisory locks: apart from search's).
_CATCH_UP_LOCK = text(
    "SELECT true FROM (SELECT pg_advisory_xact_lock(7467, hashtext(:ocid))) AS taken"
)
_TRY_CATCH_UP_LOCK = text("SELECT pg_try_advisory_xact_lock(7467, hashtext(:ocid))")


def catch_up(
    session: Session,
    ocids: Iterable[str] | None = None,
    *,
    wait: bool = True,
    schema: OcdsSchema | None = None,
) -> int:
    """Merge the pending releases of ``ocids`` (default: every record with some) into
    their records, in the caller's transaction; returns how many records changed.

    On PostgreSQL one transaction at a time catches a record up (an advisory lock on its
    ocid). It merges before it locks the record row, so bids publishing meanwhile do not
    queue behind the merge, then locks the row (after any bid holding it commits), merges
    what came in since and writes. With ``wait=False`` (the web requests) a record that
    another transaction is catching up is left to it: that one locks the row after this
    request's commit, so it merges this request's releases too. Many bids in a burst
    thus cost one rewrite, and no request reads the record only to find the work done.
    """
    query = select(OcdsRecord.ocid).where(OcdsRecord.pending_releases > 0)
    if ocids is not None:
        wanted = sorted(set(ocids))
        if not wanted:
            return 0
        query = query.where(OcdsRecord.ocid.in_(wanted))
    schema = schema or configured_schema()
    changed = 0
    postgres = session.get_bind().dialect.name == "postgresql"
    for ocid in session.scalars(query.order_by(OcdsRecord.ocid)).all():
        if postgres and not session.scalar(
            _CATCH_UP_LOCK if wait else _TRY_CATCH_UP_LOCK, {"ocid": ocid}
        ):
            continue  # another transaction is catching it up, and will merge ours too
        row = session.execute(
            select(
                OcdsRecord.ocid,
                OcdsRecord.compiled,
                OcdsRecord.release_count,
                OcdsRecord.pending_releases,
            ).where(OcdsRecord.ocid == ocid)
        ).one()
        if not row.pending_releases:
            continue
        compiled = current_compiled(
            session, row.ocid, row.compiled, row.release_count, row.pending_releases, schema
        )
        locked = session.execute(
            select(OcdsRecord.release_count, OcdsRecord.pending_releases)
            .where(OcdsRecord.ocid == row.ocid)
            .with_for_update()
        ).one()
        if not locked.pending_releases:
            continue  # caught up meanwhile (by a publication, which merges them first)
        if locked.release_count != row.release_count:  # published to meanwhile
            more = locked.release_count - row.release_count
            compiled = current_compiled(
                session, row.ocid, compiled, locked.release_count, more, schema
            )
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
    session: Session,
    ocid: str,
    compiled: dict[str, Any],
    release_count: int,
    pending: int,
    schema: OcdsSchema | None = None,
) -> dict[str, Any]:
    """A record's compiled release with its pending releases merged (nothing written)."""
    if not pending:
        return compiled
    releases = pending_releases(session, ocid, release_count, pending)
    return merged(session, ocid, compiled, releases, schema or configured_schema())


def record_compiled(session: Session, record: OcdsRecord) -> dict[str, Any]:
    """:func:`current_compiled` of a loaded record."""
    return current_compiled(
        session, record.ocid, record.compiled, record.release_count, record.pending_releases
    )
