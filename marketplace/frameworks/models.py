"""Framework agreements: a buyer admits several suppliers per lot for a period; admitted
suppliers publish priced listings in their lots (the catalogue).

A framework is its own OCDS process (ocid ``<OCID_PREFIX>-fa-<id>``, so it never
collides with a tender's): the call for applications is its ``tender``, each admission
is an ``award`` to one supplier for one lot.
"""

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
from marketplace.suppliers.models import Supplier


class Framework(Base):
    """One framework agreement of a purchasing unit."""

    __tablename__ = "framework"
    __table_args__ = (CheckConstraint("end_date > start_date", name="period_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``<OCID_PREFIX>-fa-<id>``; set right after the first flush.
    ocid: Mapped[str | None] = mapped_column(String(80), unique=True)
    #: The purchasing unit that runs the framework; only its buyers change it.
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    #: The agreement runs from start to end (naive UTC); call-offs only inside it.
    start_date: Mapped[dt.datetime] = mapped_column(DateTime)
    end_date: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    #: The framework reopens for new suppliers every this many months.
    refresh_months: Mapped[int] = mapped_column(Integer, default=6)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: The phase last published: ``window-<n>`` (applications open), ``running``, ``expired``.
    phase: Mapped[str] = mapped_column(String(20), default="window-0")
    #: When the phase next changes (a window opens or closes, the agreement ends).
    next_check_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)

    buyer: Mapped[Organisation] = relationship()
    lots: Mapped[list[FrameworkLot]] = relationship(
        back_populates="framework", cascade="all, delete-orphan", order_by="FrameworkLot.position"
    )
    admissions: Mapped[list[Admission]] = relationship(
        back_populates="framework", cascade="all, delete-orphan", order_by="Admission.id"
    )

    def is_running(self, now: dt.datetime) -> bool:
        return self.start_date <= now < self.end_date

    def __repr__(self) -> str:
        return f"<Framework {self.id} {self.title!r}>"


class FrameworkLot(Base):
    """A part of the framework (e.g. "cloud hosting"), with its own admitted suppliers."""

    __tablename__ = "framework_lot"
    __table_args__ = (UniqueConstraint("framework_id", "local_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    #: Identifier within the process (``lot-1``), used in OCDS ``relatedLots``.
    local_id: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    framework: Mapped[Framework] = relationship(back_populates="lots")


class ApplicationStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the buyer's evaluation
    ADMITTED = "admitted"  # the supplier joined the lot (an Admission exists)
    REJECTED = "rejected"  # refused with a public reason


class Application(Base):
    """A supplier's request to join one lot, evaluated by the buyer."""

    __tablename__ = "framework_application"
    __table_args__ = (
        CheckConstraint("status <> 'rejected' OR reason <> ''", name="rejection_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("framework_lot.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    #: What the supplier offers for the lot (capabilities, experience).
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[ApplicationStatus] = mapped_column(
        string_enum(ApplicationStatus, 16), default=ApplicationStatus.PENDING, index=True
    )
    #: The buyer's reason (required for a rejection).
    reason: Mapped[str] = mapped_column(Text, default="")
    #: 0: the original call; n: the n-th refresh window.
    window: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    lot: Mapped[FrameworkLot] = relationship()
    supplier: Mapped[Supplier] = relationship()


class Admission(Base):
    """An admitted supplier in a lot: OCDS ``awards[]`` of the framework process."""

    __tablename__ = "framework_admission"
    __table_args__ = (
        UniqueConstraint("framework_id", "local_id"),
        UniqueConstraint("lot_id", "supplier_id", name="one_admission_per_lot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("framework_lot.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    #: ``award-<n>`` within the framework.
    local_id: Mapped[str] = mapped_column(String(40))
    admitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: 0: admitted in the original call; n: in the n-th refresh (a new entrant).
    window: Mapped[int] = mapped_column(Integer, default=0)

    framework: Mapped[Framework] = relationship(back_populates="admissions")
    lot: Mapped[FrameworkLot] = relationship()
    supplier: Mapped[Supplier] = relationship()


class Listing(Base):
    """A priced service an admitted supplier offers in a lot; prices are public."""

    __tablename__ = "framework_listing"
    __table_args__ = (CheckConstraint("unit_price > 0", name="price_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    admission_id: Mapped[int] = mapped_column(ForeignKey("framework_admission.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    #: UNSPSC code or free category name buyers filter on.
    category: Mapped[str] = mapped_column(String(120), index=True)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    #: Unit the price is for ("mes", "hora", "licencia").
    unit: Mapped[str] = mapped_column(String(60))
    delivery_terms: Mapped[str] = mapped_column(Text, default="")
    #: Offered by a micro, small or medium enterprise (from the supplier's size).
    is_sme: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    admission: Mapped[Admission] = relationship()
