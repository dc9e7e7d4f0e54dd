"""Awards: a decision to award (part of) a tender to a supplier, per lot.

An award starts ``pending`` while its standstill period runs (losing bidders may
complain), becomes ``active`` when the standstill ends without an upheld complaint, and
may be ``cancelled`` (e.g. a complaint upheld) or ``unsuccessful`` (a lot with no
acceptable bid). OCDS ``awards[]`` is built from these rows.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.bids.models import Bid
from marketplace.db import Base, string_enum, utcnow
from marketplace.suppliers.models import Supplier
from marketplace.tenders.models import Tender


class AwardStatus(enum.StrEnum):
    """Values are the OCDS awardStatus codelist codes."""

    PENDING = "pending"  # decided, standstill running (or paused by a complaint)
    ACTIVE = "active"  # standstill over: the contract may be signed
    CANCELLED = "cancelled"  # withdrawn by the buyer (e.g. after an upheld complaint)
    UNSUCCESSFUL = "unsuccessful"  # the lot could not be awarded


class Award(Base):
    """One award of a tender (for one lot, or the whole tender when it has no lots)."""

    __tablename__ = "award"
    __table_args__ = (UniqueConstraint("tender_id", "local_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    #: Identifier within the process (OCDS ``awards[].id``), e.g. ``award-1``.
    local_id: Mapped[str] = mapped_column(String(40))
    #: local_id of the lot awarded; empty when the tender has no lots.
    related_lot: Mapped[str] = mapped_column(String(40), default="")
    #: The winning bid (None for an unsuccessful award or a direct award without bids).
    bid_id: Mapped[int | None] = mapped_column(ForeignKey("bid.id"), index=True)
    #: The awarded supplier (None when unsuccessful).
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"), index=True)
    status: Mapped[AwardStatus] = mapped_column(
        string_enum(AwardStatus, 16), default=AwardStatus.PENDING, index=True
    )
    title: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    #: Awarded value in ``currency`` (the tender's).
    value_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    #: When the award was decided (OCDS ``awards[].date``), naive UTC.
    date: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: End of the standstill period: complaints are accepted until then.
    standstill_end: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    #: Public reason when cancelled or unsuccessful.
    status_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    tender: Mapped[Tender] = relationship()
    supplier: Mapped[Supplier | None] = relationship()
    bid: Mapped[Bid | None] = relationship()

    def __repr__(self) -> str:
        return f"<Award {self.id} {self.local_id} {self.status}>"


class EvaluationScore(Base):
    """One evaluator's scores of one bid for one lot (quality and technical, 0–100).

    The price score is computed from the prices, never typed. A criterion whose weight is
    0 is not scored (None). Private until an award of the lot publishes the evaluation.
    """

    __tablename__ = "evaluation_score"
    __table_args__ = (
        UniqueConstraint("bid_id", "related_lot", "evaluator_user_id"),
        CheckConstraint("quality IS NULL OR (quality >= 0 AND quality <= 100)",
                        name="quality_on_scale"),
        CheckConstraint("technical IS NULL OR (technical >= 0 AND technical <= 100)",
                        name="technical_on_scale"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"), index=True)
    #: local_id of the lot scored; empty when the tender has no lots.
    related_lot: Mapped[str] = mapped_column(String(40), default="")
    #: The buyer (of the tender's purchasing unit) who scored.
    evaluator_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    quality: Mapped[int | None] = mapped_column(Integer)
    technical: Mapped[int | None] = mapped_column(Integer)
    #: The evaluator's justification (published with the evaluation after the award).
    comment: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    bid: Mapped[Bid] = relationship()


class ComplaintStatus(enum.StrEnum):
    PENDING = "pending"  # filed, pauses the award until the buyer resolves it
    UPHELD = "upheld"  # the buyer agreed: the award is cancelled
    REJECTED = "rejected"  # the buyer disagreed, with reasons: the award goes on


class Complaint(Base):
    """A losing bidder's complaint against an award, filed during its standstill.

    Public from filing (OCDS ``awards[].documents`` of type ``complaints``), with the
    buyer's resolution once given.
    """

    __tablename__ = "award_complaint"
    __table_args__ = (
        UniqueConstraint("tender_id", "local_id"),
        CheckConstraint("status = 'pending' OR resolution <> ''", name="resolved_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("award.id"), index=True)
    #: Identifier within the process (the OCDS document id), e.g. ``complaint-1``.
    local_id: Mapped[str] = mapped_column(String(40))
    #: The complainant's bid in the same tender and lot.
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    filed_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    filed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: What the supplier claims (public).
    grounds: Mapped[str] = mapped_column(Text)
    status: Mapped[ComplaintStatus] = mapped_column(
        string_enum(ComplaintStatus, 16), default=ComplaintStatus.PENDING, index=True
    )
    #: The buyer's reasoned answer (public).
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    award: Mapped[Award] = relationship()
    supplier: Mapped[Supplier] = relationship()
    bid: Mapped[Bid] = relationship()

    def __repr__(self) -> str:
        return f"<Complaint {self.id} {self.local_id} {self.status}>"


# Registers the awards section with every tender release (models are always imported).
from marketplace.awards import releases as _releases  # noqa: E402,F401
