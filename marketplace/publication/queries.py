"""Reading the release log and records: keyset pages (never OFFSET) and lookups.

Records imported from other publishers (``publisher_name`` set) share ``ocds_record``
with ours; the API and bulk queries here serve only our own (``OWN``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, cast, func, select, tuple_
from sqlalchemy.orm import Session

from marketplace.publication.models import OcdsRecord, OcdsRelease

#: Our own records, not those imported from other publishers.
OWN = OcdsRecord.publisher_name.is_(None)


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    #: Keyset of the last row when more rows follow, else None.
    next_key: tuple[dt.datetime, str] | None


def _after(columns: tuple[Any, Any], key: tuple[Any, str]) -> Any:
    # A row-value comparison (PostgreSQL, SQLite ≥ 3.15) uses the two-column index.
    return tuple_(*columns) > tuple_(*key)


def release_page(
    session: Session,
    *,
    since: dt.datetime | None,
    after: tuple[dt.datetime, str] | None,
    limit: int,
) -> Page:
    """Releases ordered by (date, id); ``after`` is the keyset of the previous page's last row."""
    query = select(OcdsRelease)
    if since is not None:
        query = query.where(OcdsRelease.date >= since)
    if after is not None:
        query = query.where(_after((OcdsRelease.date, OcdsRelease.id), after))
    rows = list(session.scalars(query.order_by(OcdsRelease.date, OcdsRelease.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, (rows[-1].date, rows[-1].id) if more else None)


def record_page(
    session: Session,
    *,
    since: dt.datetime | None,
    after: tuple[dt.datetime, str] | None,
    limit: int,
) -> Page:
    """Our records ordered by (updated_at, ocid): one changed during a walk shows up again."""
    query = select(OcdsRecord).where(OWN)
    if since is not None:
        query = query.where(OcdsRecord.updated_at >= since)
    if after is not None:
        query = query.where(_after((OcdsRecord.updated_at, OcdsRecord.ocid), after))
    rows = list(
        session.scalars(query.order_by(OcdsRecord.updated_at, OcdsRecord.ocid).limit(limit + 1))
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, (rows[-1].updated_at, rows[-1].ocid) if more else None)


@dataclass(frozen=True)
class ReleaseStub:
    """What a linked release needs, without loading the release JSON."""

    id: str
    ocid: str
    date: str
    tags: list[str]


def release_stubs(session: Session, ocids: Sequence[str]) -> dict[str, list[ReleaseStub]]:
    """Linked-release data of many records in one query, each list in sequence order."""
    result: dict[str, list[ReleaseStub]] = {ocid: [] for ocid in ocids}
    if not ocids:
        return result
    rows = session.execute(
        select(
            OcdsRelease.id,
            OcdsRelease.ocid,
            OcdsRelease.data["date"].as_string(),
            OcdsRelease.tags,
        )
        .where(OcdsRelease.ocid.in_(list(ocids)))
        .order_by(OcdsRelease.ocid, OcdsRelease.sequence)
    )
    for release_id, ocid, date, tags in rows:
        result[ocid].append(ReleaseStub(release_id, ocid, date, list(tags or [])))
    return result


def releases_by_ocid(session: Session, ocids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Full releases of many records in one query, each list in sequence order."""
    return _by_ocid(session, ocids, OcdsRelease.data)


def release_texts_by_ocid(session: Session, ocids: Sequence[str]) -> dict[str, list[str]]:
    """Like ``releases_by_ocid``, as stored JSON text (no parsing, for bulk files)."""
    return _by_ocid(session, ocids, cast(OcdsRelease.data, Text))


def _by_ocid(session: Session, ocids: Sequence[str], column: Any) -> dict[str, list[Any]]:
    result: dict[str, list[Any]] = {ocid: [] for ocid in ocids}
    if not ocids:
        return result
    rows = session.execute(
        select(OcdsRelease.ocid, column)
        .where(OcdsRelease.ocid.in_(list(ocids)))
        .order_by(OcdsRelease.ocid, OcdsRelease.sequence)
    )
    for ocid, value in rows:
        result[ocid].append(value)
    return result


def get_release(session: Session, release_id: str) -> OcdsRelease | None:
    return session.get(OcdsRelease, release_id)


def get_record(session: Session, ocid: str) -> OcdsRecord | None:
    return session.get(OcdsRecord, ocid)


def imported_publishers(session: Session) -> set[str]:
    """Names of the publishers whose processes were imported (``tianguis ocds import``)."""
    query = select(OcdsRecord.publisher_name).where(~OWN).distinct()
    return {name for name in session.scalars(query) if name}


def last_publication(session: Session) -> dt.datetime | None:
    """When anything was last published: the Last-Modified of an empty page."""
    return session.scalar(select(func.max(OcdsRecord.updated_at)).where(OWN))


@dataclass(frozen=True)
class RecordRow:
    ocid: str
    #: The compiled release as stored JSON text: bulk files copy it without parsing it.
    compiled_json: str
    updated_at: dt.datetime
    year: int


def iter_records(
    session: Session,
    *,
    year: int | None = None,
    since: dt.datetime | None = None,
    batch: int = 500,
) -> Iterator[list[RecordRow]]:
    """Our matching records in (year, ocid) batches: memory stays flat however many there are.

    Plain column rows (not ORM objects) keep the session's identity map empty.
    """
    last: tuple[int, str] | None = None
    columns = (
        OcdsRecord.ocid,
        cast(OcdsRecord.compiled, Text),
        OcdsRecord.updated_at,
        OcdsRecord.year,
    )
    while True:
        query = select(*columns).where(OWN)
        if year is not None:
            query = query.where(OcdsRecord.year == year)
        if since is not None:
            query = query.where(OcdsRecord.updated_at >= since)
        if last is not None:
            query = query.where(_after((OcdsRecord.year, OcdsRecord.ocid), last))
        rows = session.execute(query.order_by(OcdsRecord.year, OcdsRecord.ocid).limit(batch)).all()
        if not rows:
            return
        yield [RecordRow(*row) for row in rows]
        last = (rows[-1].year, rows[-1].ocid)


@dataclass(frozen=True)
class YearState:
    year: int
    count: int
    last_updated: dt.datetime


def year_states(session: Session) -> list[YearState]:
    """Per bulk year: how many records and when one last changed (drives incremental export)."""
    rows = session.execute(
        select(OcdsRecord.year, func.count(), func.max(OcdsRecord.updated_at))
        .where(OWN)
        .group_by(OcdsRecord.year)
        .order_by(OcdsRecord.year)
    )
    return [YearState(year, count, last) for year, count, last in rows]
