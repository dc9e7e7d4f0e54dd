"""Contracts: what is signed after an active award, and its life until completion.

OCDS ``contracts[]`` is built from these rows (``awardID`` is the award's local id).
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.awards.models import Award
from marketplace.db import Base, string_enum, utcnow
from marketplace.tenders.models import Tender


class ContractStatus(enum.StrEnum):
    """Values are the OCDS contractStatus codelist codes."""

    PENDING = "pending"  # drafted from an active award, not yet signed
    ACTIVE = "active"  # signed and being implemented
    TERMINATED = "terminated"  # completed or terminated early (see ``outcome``)
    CANCELLED = "cancelled"  # never signed


class Contract(Base):
    """A contract with one supplier, from one award."""

    __tablename__ = "contract"
    __table_args__ = (UniqueConstraint("tender_id", "local_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("award.id"), index=True)
    #: Identifier within the process (OCDS ``contracts[].id``), e.g. ``contract-1``.
    local_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[ContractStatus] = mapped_column(
        string_enum(ContractStatus, 16), default=ContractStatus.PENDING, index=True
    )
    title: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    #: Current value (after amendments) in ``currency``.
    value_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    #: Contract period (current, after amendments), naive UTC.
    period_start: Mapped[dt.datetime | None] = mapped_column(DateTime)
    period_end: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    date_signed: Mapped[dt.datetime | None] = mapped_column(DateTime)
    signed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: ``completed`` or ``terminated`` once status is terminated; empty before.
    outcome: Mapped[str] = mapped_column(String(16), default="")
    #: Public reason for an early termination or a cancellation.
    status_reason: Mapped[str] = mapped_column(Text, default="")
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    tender: Mapped[Tender] = relationship()
    award: Mapped[Award] = relationship()

    def __repr__(self) -> str:
        return f"<Contract {self.id} {self.local_id} {self.status}>"


# Registers the contracts section with every tender release, and the step closing awards
# and unsigned contracts when their tender is cancelled (models are always imported).
from marketplace.contracts import cancellation as _cancellation  # noqa: E402,F401
from marketplace.contracts import releases as _releases  # noqa: E402,F401
