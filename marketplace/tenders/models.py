"""The tender (procurement process) and its parts: lots, items, documents, invitations,
and the history of its state transitions."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import (
    Boolean,
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

from marketplace.accounts.models import Organisation
from marketplace.db import Base, string_enum, utcnow
from marketplace.tenders.states import TenderState


class ProcurementMethod(enum.StrEnum):
    """Our methods; each maps to an OCDS ``procurementMethod`` in the release builder."""

    OPEN = "open"  # licitación pública
    SELECTIVE = "selective"  # only pre-qualified suppliers
    LIMITED = "limited"  # invitación restringida
    DIRECT = "direct"  # adjudicación directa: needs a justification
    QUICK = "quick"  # compra rápida: at least three invited quotes


class Tender(Base):
    """A procurement process: one ocid, from planning to (later) award and contract."""

    __tablename__ = "tender"
    __table_args__ = (
        CheckConstraint(
            "weight_price + weight_quality + weight_technical IN (0, 100)", name="weights_sum"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Open Contracting ID, ``<OCID_PREFIX>-<id>``; set right after the first flush.
    ocid: Mapped[str | None] = mapped_column(String(80), unique=True)
    #: The purchasing unit running the process; only its buyers may change it.
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    state: Mapped[TenderState] = mapped_column(string_enum(TenderState, 24), index=True)
    #: When and by whom the state last changed (None user: the clock).
    state_changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    state_changed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: When the next timed transition is due (enquiry/comment/tender period end); None: none.
    next_check_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)

    #: Public title (tender.title and the release title); starts as the plan line's.
    title: Mapped[str] = mapped_column(String(300))
    #: What is bought and why, in a paragraph or two (tender.description).
    description: Mapped[str] = mapped_column(Text, default="")
    #: OCDS mainProcurementCategory: goods, services or works.
    main_category: Mapped[str] = mapped_column(String(16), default="goods")
    #: Information and communication technology purchase (from the plan line).
    is_ict: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Estimated value of the whole tender and its ISO 4217 currency.
    value_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="MXN")

    procurement_method: Mapped[ProcurementMethod] = mapped_column(
        string_enum(ProcurementMethod, 16), default=ProcurementMethod.OPEN
    )
    #: Free-text details of the method (e.g. the legal article applied).
    method_details: Mapped[str] = mapped_column(Text, default="")
    #: Why this method; required for direct awards (procurementMethodRationale).
    method_rationale: Mapped[str] = mapped_column(Text, default="")

    #: Award criteria weights in percent; they sum to 100 once set (0 while a blank draft).
    weight_price: Mapped[int] = mapped_column(Integer, default=0)
    weight_quality: Mapped[int] = mapped_column(Integer, default=0)
    weight_technical: Mapped[int] = mapped_column(Integer, default=0)
    #: Who may bid (tender.eligibilityCriteria).
    eligibility_criteria: Mapped[str] = mapped_column(Text, default="")

    #: Questions are accepted between these instants (naive UTC).
    enquiry_start: Mapped[dt.datetime | None] = mapped_column(DateTime)
    enquiry_end: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Bids are accepted between these instants; tender_end is the deadline.
    tender_start: Mapped[dt.datetime | None] = mapped_column(DateTime)
    tender_end: Mapped[dt.datetime | None] = mapped_column(DateTime)

    # Submission terms (submissionTerms extension). Submission is always electronic here.
    #: Days a bid must remain valid after the deadline.
    bid_validity_days: Mapped[int | None] = mapped_column(Integer)
    #: Deposits or guarantees required from tenderers.
    deposits_guarantees: Mapped[str] = mapped_column(Text, default="")
    #: Variant bids: required, allowed or notAllowed (permission codelist).
    variant_policy: Mapped[str] = mapped_column(String(16), default="notAllowed")
    multiple_bids_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Space-separated ISO 639-1 codes of the languages bids may be written in.
    languages: Mapped[str] = mapped_column(String(40), default="es")

    #: When the call for bids was published (None: still a draft).
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: When the buyer cancelled the process.
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Public reason for the cancellation.
    cancellation_reason: Mapped[str] = mapped_column(Text, default="")
    #: Row bookkeeping: when the process was started and last changed.
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    buyer: Mapped[Organisation] = relationship()
    lots: Mapped[list[Lot]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="Lot.position"
    )
    items: Mapped[list[Item]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="Item.position"
    )
    documents: Mapped[list[TenderDocument]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="TenderDocument.position"
    )
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="Invitation.id"
    )
    transitions: Mapped[list[TenderTransition]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="TenderTransition.id"
    )

    def __repr__(self) -> str:
        return f"<Tender {self.id} {self.state} {self.title!r}>"


class Lot(Base):
    """A part of the tender that can be bid for and awarded separately (lots extension)."""

    __tablename__ = "tender_lot"
    __table_args__ = (UniqueConstraint("tender_id", "local_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    #: Identifier within the process, used in OCDS (``lot-1``) and by items' relatedLot.
    local_id: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Estimated value of the lot, in the tender's currency.
    value_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    #: Display order.
    position: Mapped[int] = mapped_column(Integer, default=0)

    tender: Mapped[Tender] = relationship(back_populates="lots")


class Item(Base):
    """A good or service to be bought, with its classification and quantity."""

    __tablename__ = "tender_item"
    __table_args__ = (
        UniqueConstraint("tender_id", "local_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    #: Identifier within the process (``item-1``).
    local_id: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    #: Classification scheme (itemClassificationScheme codelist) and code, e.g. UNSPSC
    #: 43211503 (notebook computers): the scheme supplier categories use, so they match.
    classification_scheme: Mapped[str] = mapped_column(String(16), default="UNSPSC")
    classification_id: Mapped[str] = mapped_column(String(40))
    classification_description: Mapped[str] = mapped_column(String(300), default="")
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 3))
    #: Unit name shown to people ("licencia", "mes") and its UN/CEFACT code (H87, MON).
    unit_name: Mapped[str] = mapped_column(String(60))
    unit_code: Mapped[str] = mapped_column(String(12), default="")
    #: local_id of the lot the item belongs to; empty when the tender has no lots.
    related_lot: Mapped[str] = mapped_column(String(40), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    tender: Mapped[Tender] = relationship(back_populates="items")


class TenderDocument(Base):
    """Metadata of a tender document (bases, technical annex); files live elsewhere."""

    __tablename__ = "tender_document"
    __table_args__ = (UniqueConstraint("tender_id", "local_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    #: Identifier within the process (``doc-1``); OCDS merges document revisions by it.
    local_id: Mapped[str] = mapped_column(String(40))
    #: documentType codelist code (biddingDocuments, technicalSpecifications, ...).
    document_type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(1000), default="")
    #: IANA media type (application/pdf).
    format: Mapped[str] = mapped_column(String(100), default="")
    related_lot: Mapped[str] = mapped_column(String(40), default="")
    date_published: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    date_modified: Mapped[dt.datetime | None] = mapped_column(DateTime)
    position: Mapped[int] = mapped_column(Integer, default=0)

    tender: Mapped[Tender] = relationship(back_populates="documents")


class Invitation(Base):
    """A supplier invited to quote (quick purchase, limited or selective methods)."""

    __tablename__ = "tender_invitation"
    __table_args__ = (UniqueConstraint("tender_id", "supplier_org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    supplier_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    tender: Mapped[Tender] = relationship(back_populates="invitations")
    supplier: Mapped[Organisation] = relationship()


class TenderTransition(Base):
    """One state change: what, from/to, who (None: the clock), when, and the release it made."""

    __tablename__ = "tender_transition"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    #: The OCDS release tag emitted with the move.
    tag: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    #: Public reason (cancellations) or a note.
    reason: Mapped[str] = mapped_column(Text, default="")
    #: id of the release published with the move.
    release_id: Mapped[str | None] = mapped_column(String(120))

    tender: Mapped[Tender] = relationship(back_populates="transitions")
