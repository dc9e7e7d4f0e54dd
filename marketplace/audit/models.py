"""Audit events. Rows are only ever inserted; each carries the hash of the chain so far."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.db import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"

    #: Position in the chain, 1-based, gap-free.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: Who acted; null for the system (ticks, imports) or anonymous actions.
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: Dotted verb, e.g. "supplier.registered", "tender.published".
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(80))
    #: Non-personal details safe to show the public when ``public`` is true.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Procurement actions are listed on the public audit page; account actions are not.
    public: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """Single row holding the chain's tip; updating it first serialises appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))
