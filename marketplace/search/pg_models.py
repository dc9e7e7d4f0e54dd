"""The PostgreSQL search backend's tables (``SEARCH_BACKEND = "postgres"``).

``search_document`` holds one narrow row per process, read for every match: the facet
values (arrays for the multi-valued ones), the sort keys and ``words``, a ``tsvector``
of the Spanish and English stems of the unaccented text, under a GIN index.
``search_shown`` holds the fields the explorer shows (JSONB, about 1.6 KB a process),
read only for the rows of a page. On SQLite the
table exists with plain columns and stays empty (the whoosh backend is used there).
``search_state`` keeps the red-flag context of the last rebuild, as a whoosh index
generation keeps its ``redflags-context.json``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Index, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import Base, utcnow

#: A list of strings: a PostgreSQL array (unnest, &&), JSON elsewhere.
STRINGS = ARRAY(Text).with_variant(JSON(), "sqlite")
WORDS = TSVECTOR().with_variant(Text(), "sqlite")
STORED = JSONB().with_variant(JSON(), "sqlite")


class SearchDocument(Base):
    __tablename__ = "search_document"
    __table_args__ = (
        Index("ix_search_document_words", "words", postgresql_using="gin"),
        # Each sort order is a plain index walked forwards (SQLite cannot say NULLS LAST
        # in an index): newest or largest first through the negated keys.
        Index("ix_search_document_date", "date", "ocid"),
        Index("ix_search_document_date_rank", "date_rank", "ocid"),
        Index("ix_search_document_amount", "amount", "ocid"),
        Index("ix_search_document_amount_rank", "amount_rank", "ocid"),
        Index("ix_search_document_buyer_id", "buyer_id"),
        Index("ix_search_document_buyer", "buyer"),
        Index("ix_search_document_supplier", "supplier", postgresql_using="gin"),
        Index("ix_search_document_flag", "flag", postgresql_using="gin"),
        Index("ix_search_document_supplier_ids", "supplier_ids", postgresql_using="gin"),
        # A one-valued filter, newest first, walks its own index.
        *(
            Index(f"ix_search_document_{column}_newest", column, "date_rank", "ocid")
            for column in ("status", "method", "category", "year", "amount_band", "publisher")
        ),
    )

    ocid: Mapped[str] = mapped_column(String(300), primary_key=True)
    words: Mapped[str | None] = mapped_column(WORDS)
    buyer: Mapped[str | None] = mapped_column(Text)
    buyer_id: Mapped[str | None] = mapped_column(Text)
    supplier: Mapped[list[str]] = mapped_column(STRINGS)
    supplier_ids: Mapped[list[str]] = mapped_column(STRINGS)
    status: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(Text)
    year: Mapped[str | None] = mapped_column(Text)
    amount_band: Mapped[str | None] = mapped_column(Text)
    flag: Mapped[list[str]] = mapped_column(STRINGS)
    publisher: Mapped[str | None] = mapped_column(Text)
    date: Mapped[dt.datetime | None] = mapped_column(DateTime)
    amount: Mapped[float | None] = mapped_column(Float)
    #: -date (in seconds) and -amount: ascending order on them is newest or largest first.
    date_rank: Mapped[float | None] = mapped_column(Float)
    amount_rank: Mapped[float | None] = mapped_column(Float)
    #: The record's ``updated_at`` when indexed: an older copy never replaces a newer one.
    record_updated: Mapped[dt.datetime | None] = mapped_column(DateTime)


class SearchShown(Base):
    """What a hit shows of one process (written with its ``search_document`` row)."""

    __tablename__ = "search_shown"

    ocid: Mapped[str] = mapped_column(String(300), primary_key=True)
    #: Everything ``Hit`` shows (title, description, items, amounts, dates as ISO text).
    stored: Mapped[dict[str, Any]] = mapped_column(STORED)
    record_updated: Mapped[dt.datetime | None] = mapped_column(DateTime)


class SearchState(Base):
    """Named values of the PostgreSQL search backend (the red-flag context)."""

    __tablename__ = "search_state"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
