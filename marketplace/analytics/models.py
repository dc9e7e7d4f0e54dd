"""Derived tables of the analytics pages: rebuilt from ``ocds_record`` alone, like the
search index (losing them loses nothing; the next page view refills them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import Base
from marketplace.publication.models import OCID_LENGTH

#: Longest party id kept (buyer codes, ``MX-RFC-…``, imported identifiers).
PARTY_ID_LENGTH = 200


class AnalyticsFact(Base):
    """The facts of one published record (``ocds.analytics.ProcessFacts`` as JSON)."""

    __tablename__ = "analytics_fact"

    ocid: Mapped[str] = mapped_column(String(OCID_LENGTH), primary_key=True)
    #: ``ocds_record.updated_at`` of the record these facts were read from.
    record_updated_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    buyer_id: Mapped[str | None] = mapped_column(String(PARTY_ID_LENGTH), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class AnalyticsParty(Base):
    """A supplier that bid in or won a process: finds a supplier's facts by its party id."""

    __tablename__ = "analytics_party"

    party_id: Mapped[str] = mapped_column(String(PARTY_ID_LENGTH), primary_key=True)
    ocid: Mapped[str] = mapped_column(String(OCID_LENGTH), primary_key=True, index=True)


class AnalyticsState(Base):
    """One row: a token that changes whenever any fact changes (keys computed results)."""

    __tablename__ = "analytics_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
    refreshed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    #: How many facts are stored (decides whether figures may be served a little stale).
    facts: Mapped[int] = mapped_column(Integer, default=0)


class AnalyticsYear(Base):
    """The running sums of one year (0: processes without a date), and a token that
    changes with them."""

    __tablename__ = "analytics_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))
    #: The year's running sums (``ocds.analytics.Totals.to_json``), updated fact by fact.
    totals: Mapped[dict[str, Any]] = mapped_column(JSON)
