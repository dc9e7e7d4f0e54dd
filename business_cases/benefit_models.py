"""Benefit realisation register: what an approved case promised, and what was measured.

Like Denmark's large ICT projects, a unit reports on each expected benefit after
approval; the traffic light rule is in business_cases/benefits.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from business_cases.models import BusinessCase
from marketplace.accounts.models import User
from marketplace.db import Base, utcnow


class BenefitMeasure(Base):
    """One expected benefit with a measurable indicator, a baseline and a target."""

    __tablename__ = "business_case_benefit"
    __table_args__ = (
        CheckConstraint("due_on > start_on", name="due_after_start"),
        CheckConstraint("target <> baseline", name="target_differs"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("business_case.id"), index=True)
    #: What gets better, e.g. "Tiempo promedio del trámite".
    description: Mapped[str] = mapped_column(String(300))
    #: How it is measured and where the figure comes from.
    indicator: Mapped[str] = mapped_column(Text, default="")
    #: Unit of the values, e.g. "días", "%", "MXN".
    unit: Mapped[str] = mapped_column(String(40), default="")
    #: Value on ``start_on``; the target may be below it (e.g. fewer days).
    baseline: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    target: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    start_on: Mapped[dt.date] = mapped_column(Date)
    #: When the target should be reached.
    due_on: Mapped[dt.date] = mapped_column(Date)
    owner: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    case: Mapped[BusinessCase] = relationship()
    readings: Mapped[list[BenefitReading]] = relationship(
        back_populates="measure", order_by="(BenefitReading.measured_on, BenefitReading.id)",
        cascade="all, delete-orphan",
    )


class BenefitReading(Base):
    """A measured value of a benefit's indicator on a date."""

    __tablename__ = "business_case_benefit_reading"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("business_case_benefit.id", ondelete="CASCADE"), index=True
    )
    measured_on: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    measure: Mapped[BenefitMeasure] = relationship(back_populates="readings")
    recorded_by: Mapped[User] = relationship()
