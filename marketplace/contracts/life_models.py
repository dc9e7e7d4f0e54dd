"""A contract's life after signing: its documents, amendments, milestones and payments.

Every row is public once written (published in ``contracts[]`` of the tender's releases)
except a milestone's ``note`` (only the buyer's unit sees it) and a payment's
``reference`` (the buyer and the supplier see it).
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Numeric, String, Text
from sqlalchemy import UniqueConstraint as Unique
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.db import Base, string_enum, utcnow

if TYPE_CHECKING:
    # Not imported at run time: models.py imports this module (through releases.py).
    from marketplace.contracts.models import Contract


class ContractDocument(Base):
    """Metadata of a contract document (the signed contract, an annex); files live
    elsewhere, like tender documents. OCDS ``contracts[].documents``."""

    __tablename__ = "contract_document"
    __table_args__ = (Unique("contract_id", "local_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    #: Identifier within the contract (``doc-1``).
    local_id: Mapped[str] = mapped_column(String(40))
    #: documentType codelist code: contractSigned, contractAnnexe, ...
    document_type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(1000))
    date_published: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    added_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    contract: Mapped[Contract] = relationship("Contract")


class ContractAmendment(Base):
    """A formal change of a signed contract's value or period, with its public rationale.
    OCDS ``contracts[].amendments[]`` (``contractAmendment`` release). The values before
    and after are kept so the history reads without the release log."""

    __tablename__ = "contract_amendment"
    __table_args__ = (
        Unique("contract_id", "local_id"),
        CheckConstraint("rationale <> ''", name="rationale_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    #: Identifier within the contract (``amendment-1``).
    local_id: Mapped[str] = mapped_column(String(40))
    date: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: Why the contract changes (public, required).
    rationale: Mapped[str] = mapped_column(Text)
    #: What changed, written by the service from the values ("Valor: a → b; ...").
    description: Mapped[str] = mapped_column(Text, default="")
    old_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    new_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    old_period_end: Mapped[dt.datetime | None] = mapped_column(DateTime)
    new_period_end: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: The release that was current before (amendsReleaseID) and the one this made.
    amends_release_id: Mapped[str | None] = mapped_column(String(120))
    release_id: Mapped[str | None] = mapped_column(String(120))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    contract: Mapped[Contract] = relationship("Contract")


class MilestoneStatus(enum.StrEnum):
    """Values are the OCDS milestoneStatus codelist codes."""

    SCHEDULED = "scheduled"
    MET = "met"
    NOT_MET = "notMet"
    PARTIALLY_MET = "partiallyMet"


class ContractMilestone(Base):
    """A delivery, payment or reporting milestone of a contract's implementation.
    OCDS ``contracts[].implementation.milestones[]``."""

    __tablename__ = "contract_milestone"
    __table_args__ = (Unique("contract_id", "local_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    #: Identifier within the contract (``milestone-1``).
    local_id: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    #: milestoneType codelist: delivery, payment or reporting.
    type: Mapped[str] = mapped_column(String(16), default="delivery")
    due_date: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    status: Mapped[MilestoneStatus] = mapped_column(
        string_enum(MilestoneStatus, 16), default=MilestoneStatus.SCHEDULED, index=True
    )
    date_met: Mapped[dt.datetime | None] = mapped_column(DateTime)
    date_modified: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: The buyer's own note on the milestone (never published, never shown to suppliers).
    note: Mapped[str] = mapped_column(Text, default="")
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    contract: Mapped[Contract] = relationship("Contract")


class ContractPayment(Base):
    """A payment made by the buyer to the supplier under the contract.
    OCDS ``contracts[].implementation.transactions[]`` (payer: the buyer, payee: the
    supplier)."""

    __tablename__ = "contract_payment"
    __table_args__ = (
        Unique("contract_id", "local_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    #: Identifier within the contract (``payment-1``).
    local_id: Mapped[str] = mapped_column(String(40))
    #: When the payment was made (naive UTC).
    date: Mapped[dt.datetime] = mapped_column(DateTime)
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    #: The milestone paid for, if any.
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("contract_milestone.id"))
    #: Invoice or payment order number: shown to the buyer and the supplier, not published.
    reference: Mapped[str] = mapped_column(String(120), default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    contract: Mapped[Contract] = relationship("Contract")
    milestone: Mapped[ContractMilestone | None] = relationship()
