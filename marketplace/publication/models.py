"""Tables of the OCDS publication (DESIGN.md §1: release log → record → outbox).

Releases are only ever inserted. A record is derived from its releases and rewritten
when one is appended; the outbox row tells the search index to re-read that record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import Base, utcnow

#: Longest ocid we accept: prefix (≤ 40) + "-" + a process id of reasonable length.
OCID_LENGTH = 160


class OcdsRelease(Base):
    """One published OCDS release, exactly as served (append-only)."""

    __tablename__ = "ocds_release"
    __table_args__ = (
        UniqueConstraint("ocid", "sequence", name="uq_ocds_release_ocid_sequence"),
        # Keyset pagination of /api/releases walks (date, id).
        Index("ix_ocds_release_date_id", "date", "id"),
    )

    #: ``<ocid>-<sequence>``: unique across the whole publication.
    id: Mapped[str] = mapped_column(String(OCID_LENGTH + 12), primary_key=True)
    ocid: Mapped[str] = mapped_column(String(OCID_LENGTH), index=True)
    #: 1, 2, 3… per ocid, in publication order.
    sequence: Mapped[int] = mapped_column(Integer)
    #: The release's ``date`` as naive UTC (the JSON keeps the original string).
    date: Mapped[dt.datetime] = mapped_column(DateTime)
    tags: Mapped[list[str]] = mapped_column(JSON)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: sha256 of the canonical JSON (sorted keys, no spaces): lets anyone check a copy.
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class OcdsRecord(Base):
    """The record of one contracting process: its compiled release, kept current."""

    __tablename__ = "ocds_record"
    __table_args__ = (
        # Keyset pagination of /api/records walks (updated_at, ocid).
        Index("ix_ocds_record_updated_at_ocid", "updated_at", "ocid"),
        # Bulk export reads one year at a time in ocid order.
        Index("ix_ocds_record_year_ocid", "year", "ocid"),
        # The few records waiting for their pending releases to be merged.
        Index(
            "ix_ocds_record_pending",
            "ocid",
            postgresql_where=text("pending_releases > 0"),
            sqlite_where=text("pending_releases > 0"),
        ),
    )

    ocid: Mapped[str] = mapped_column(String(OCID_LENGTH), primary_key=True)
    compiled: Mapped[dict[str, Any]] = mapped_column(JSON)
    release_count: Mapped[int] = mapped_column(Integer)
    #: The last releases not merged into ``compiled`` yet (sealed bids published with a
    #: deferred compile; see marketplace/publication/catch_up.py). 0 almost always.
    pending_releases: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: When the record last changed (publication time, not a release date).
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    first_release_date: Mapped[dt.datetime] = mapped_column(DateTime)
    last_release_date: Mapped[dt.datetime] = mapped_column(DateTime)
    #: Year of the first release: the bulk file the record belongs to (it never moves).
    year: Mapped[int] = mapped_column(Integer)
    #: None for our own processes; the publisher's name for a process imported from
    #: another publisher (``tianguis ocds import``), which is read-only here and never
    #: part of our API, bulk files or red-flag summaries. Its releases are in
    #: ``ocds_imported_release``, not in our release log.
    publisher_name: Mapped[str | None] = mapped_column(String(300), default=None)


class SearchOutbox(Base):
    """One row per record change, written with the release; ``tianguis search sync`` drains it."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ocid: Mapped[str] = mapped_column(String(OCID_LENGTH))
    enqueued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: Null until the search index has taken the change in.
    processed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
