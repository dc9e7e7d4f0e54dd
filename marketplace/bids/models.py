"""Sealed bids: the bid (encrypted content, public commitment), its encrypted documents,
and the one opening of a tender's bids."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from marketplace.db import Base, string_enum, utcnow
from marketplace.suppliers.models import Supplier
from marketplace.tenders.models import Tender


class BidStatus(enum.StrEnum):
    """Where a bid is. Only ``submitted`` bids are opened (they "count")."""

    SUBMITTED = "submitted"  # sealed, counts at opening
    WITHDRAWN = "withdrawn"  # withdrawn or replaced by a resubmission before the deadline
    NEEDS_RECONFIRMATION = "needs_reconfirmation"  # a material amendment came after it
    OPENED = "opened"  # decrypted and disclosed at the opening, not yet evaluated
    DISQUALIFIED = "disqualified"  # rejected by the buyer after opening, with a reason
    VALID = "valid"  # passed the buyer's qualification check (evaluation hook)


#: Statuses of a supplier's live bid in a tender: at most one at a time.
LIVE_STATUSES = (
    BidStatus.SUBMITTED,
    BidStatus.NEEDS_RECONFIRMATION,
    BidStatus.OPENED,
    BidStatus.DISQUALIFIED,
    BidStatus.VALID,
)
_LIVE_SQL = "status IN (" + ", ".join(f"'{s.value}'" for s in LIVE_STATUSES) + ")"


class Bid(Base):
    """One sealed bid of a supplier in a tender.

    Before opening nothing here says what was offered: prices, the technical note,
    the lots chosen and the documents' names live only in ``ciphertext`` (AES-GCM of the
    canonical bid JSON). ``commitment`` is public from submission.
    """

    __tablename__ = "bid"
    __table_args__ = (
        # One live bid per supplier and tender; withdrawn ones stay as history.
        Index(
            "uq_bid_live_supplier",
            "tender_id",
            "supplier_id",
            unique=True,
            sqlite_where=text(_LIVE_SQL),
            postgresql_where=text(_LIVE_SQL),
        ),
        CheckConstraint(
            "status <> 'disqualified' OR disqualification_reason <> ''",
            name="disqualified_has_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random public identifier (OCDS ``bids.details[].id``): says nothing about who or when.
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    status: Mapped[BidStatus] = mapped_column(
        string_enum(BidStatus, 24), default=BidStatus.SUBMITTED
    )
    #: Receipt number shown to the supplier (and quoted in complaints).
    receipt_number: Mapped[str] = mapped_column(String(40), unique=True)
    #: Hex SHA-256 of the canonical bid JSON; published at submission.
    commitment: Mapped[str] = mapped_column(String(64))
    #: AES-GCM nonce and ciphertext (with tag) of the canonical bid JSON.
    nonce: Mapped[bytes] = mapped_column(LargeBinary(16))
    ciphertext: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    #: When the bid was sealed, and when its supplier last confirmed it (re-confirmation
    #: after a material amendment); both server time, naive UTC.
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    confirmed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    submitted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: The bid that replaced this one when the supplier resubmitted.
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("bid.id"))

    # Filled at the opening and after (public from then on).
    opened_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: The canonical bid JSON as disclosed (hashes to ``commitment``).
    disclosed: Mapped[str | None] = deferred(mapped_column(Text))
    #: Sum of the lot prices, in ``currency`` (the tender's).
    total_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    #: Why the buyer disqualified the bid (public).
    disqualification_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    tender: Mapped[Tender] = relationship()
    supplier: Mapped[Supplier] = relationship()
    documents: Mapped[list[BidDocument]] = relationship(
        back_populates="bid", cascade="all, delete-orphan", order_by="BidDocument.position"
    )

    @property
    def counts(self) -> bool:
        """Whether the bid is opened (a re-confirmation pending or a withdrawal: no)."""
        return self.status == BidStatus.SUBMITTED

    def __repr__(self) -> str:
        return f"<Bid {self.id} {self.public_id} {self.status}>"


class BidDocument(Base):
    """A file attached to a bid, encrypted like the bid. Its name, type and SHA-256 are
    inside the bid's canonical JSON, so the commitment covers them too."""

    __tablename__ = "bid_document"
    __table_args__ = (CheckConstraint("position >= 1", name="position_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    #: 1-based number of the document within the bid (``documents[position-1]`` in the JSON).
    position: Mapped[int] = mapped_column(Integer)
    nonce: Mapped[bytes] = mapped_column(LargeBinary(16))
    ciphertext: Mapped[bytes] = deferred(mapped_column(LargeBinary))

    bid: Mapped[Bid] = relationship(back_populates="documents")


class BidOpening(Base):
    """The opening of a tender's bids: happens once (the unique tender id says so)."""

    __tablename__ = "bid_opening"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), unique=True)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    opened_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: How many bids were opened (counted bids at the deadline).
    bid_count: Mapped[int] = mapped_column(Integer, default=0)
    #: The release that disclosed the bids.
    release_id: Mapped[str | None] = mapped_column(String(120))


# Registers the bids section with every tender release (models are always imported).
from marketplace.bids import releases as _releases  # noqa: E402,F401
