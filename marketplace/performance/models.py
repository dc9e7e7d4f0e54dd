"""Supplier performance ratings and late-payment complaints.

Public (once a rating is final; published with the contract in OCDS through
ocds/extensions/performance, shown on the supplier page, in the bulk CSV): the five area
scores, the narrative, the buyer *organisation*, the milestone or contract end rated, the
dates, the supplier's reply. Never published: which person rated or replied (user ids are
kept for the audit log only).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Organisation
from marketplace.contracts.life_models import ContractMilestone
from marketplace.contracts.models import Contract
from marketplace.db import Base, string_enum, utcnow
from marketplace.suppliers.models import Supplier

#: The five areas rated, in display order (column names and OCDS field names).
AREAS: tuple[tuple[str, str], ...] = (
    ("quality", "quality"),
    ("schedule", "schedule"),
    ("cost_control", "costControl"),
    ("management", "management"),
    ("compliance", "regulatoryCompliance"),
)
#: Score -> OCDS code of the performanceLevel codelist (4 best, 0 worst).
LEVELS: dict[int, str] = {
    4: "exceptional",
    3: "veryGood",
    2: "satisfactory",
    1: "marginal",
    0: "unsatisfactory",
}
#: Days the supplier has to reply before the rating becomes final.
REPLY_DAYS = 14
#: A score at or below this is "marginal or worse".
MARGINAL = 1


class RatingStatus(enum.StrEnum):
    #: Rated by the buyer; the supplier may reply until ``reply_due``; not public yet.
    DRAFT = "draft"
    #: Final and public (the supplier replied, or the reply period ended).
    FINAL = "final"


class SupplierRating(Base):
    """A buyer's rating of a supplier for one met milestone or for a contract's end."""

    __tablename__ = "supplier_rating"
    __table_args__ = (
        # One rating per milestone; one end-of-contract rating (milestone NULL) per
        # contract is enforced by the service (NULLs are distinct in unique constraints).
        Index("uq_rating_contract_milestone", "contract_id", "milestone_id", unique=True),
        # Covers the supplier page's aggregates (by area, per year, latest): they read
        # this index alone, not the table rows scattered among other suppliers' ratings.
        Index(
            "ix_rating_supplier_status",
            "supplier_id",
            "status",
            "final_at",
            "total",
            "low",
            *(column for column, _code in AREAS),
        ),  # fmt: skip
        Index("ix_rating_status_due", "status", "reply_due"),
        *(
            CheckConstraint(f"{column} BETWEEN 0 AND 4", name=f"{column}_on_scale")
            for column, _code in AREAS
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    #: The met milestone rated; None for the rating at the contract's end.
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("contract_milestone.id"))
    #: Denormalised from the contract, so aggregates read one table.
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"))
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: Identifier within the contract, published as ``performanceRatings[].id``.
    local_id: Mapped[str] = mapped_column(String(40))
    quality: Mapped[int] = mapped_column(Integer)
    schedule: Mapped[int] = mapped_column(Integer)
    cost_control: Mapped[int] = mapped_column(Integer)
    management: Mapped[int] = mapped_column(Integer)
    compliance: Mapped[int] = mapped_column(Integer)
    #: The buyer's justification (required; public once final).
    narrative: Mapped[str] = mapped_column(Text)
    status: Mapped[RatingStatus] = mapped_column(
        string_enum(RatingStatus, 12), default=RatingStatus.DRAFT
    )
    rated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: Private: who rated (audit only, never published).
    rated_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: The end of the supplier's reply period (rated_at + 14 days).
    reply_due: Mapped[dt.datetime] = mapped_column(DateTime)
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    replied_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    final_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: The sum of the five scores, 0..20 (kept so aggregates stay in SQL).
    total: Mapped[int] = mapped_column(Integer)
    #: 1 when any area is marginal or worse.
    low: Mapped[int] = mapped_column(Integer, default=0)

    contract: Mapped[Contract] = relationship()
    milestone: Mapped[ContractMilestone | None] = relationship()
    supplier: Mapped[Supplier] = relationship()
    buyer: Mapped[Organisation] = relationship()

    def scores(self) -> dict[str, int]:
        return {column: getattr(self, column) for column, _code in AREAS}

    def __repr__(self) -> str:
        return f"<SupplierRating {self.id} {self.local_id} {self.status}>"


class LatePaymentComplaint(Base):
    """A supplier's complaint that the buyer paid late under one of its contracts.
    Counted per buyer on the buyer's public page; published with the contract."""

    __tablename__ = "late_payment_complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    local_id: Mapped[str] = mapped_column(String(40))
    #: The invoice or payment concerned and how late it is, in the supplier's words.
    description: Mapped[str] = mapped_column(Text)
    #: When the payment was due.
    due_date: Mapped[dt.datetime] = mapped_column(DateTime)
    filed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: Private: who filed it (audit only).
    filed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    contract: Mapped[Contract] = relationship()


# Registers the performance section with every tender release (models are always imported).
from marketplace.performance import releases as _releases  # noqa: E402,F401
