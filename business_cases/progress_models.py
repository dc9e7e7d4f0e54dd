"""Delivery monitoring of an approved case: its delivery plan and go-live, the six-monthly
progress reports, and the reminders sent about them.

When reports fall due, and the cost and schedule lights, are in business_cases/progress.py
and business_cases/lights.py.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from business_cases.models import BusinessCase
from marketplace.accounts.models import User
from marketplace.db import Base, string_enum, utcnow


class CaseDelivery(Base):
    """The unit's delivery plan (the schedule baseline) and, once it happens, go-live."""

    __tablename__ = "business_case_delivery"
    __table_args__ = (
        CheckConstraint("planned_completion >= planned_go_live", name="completion_after_go_live"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("business_case.id", ondelete="CASCADE"), unique=True
    )
    #: When the service is planned to go live (the baseline; never changed afterwards:
    #: new forecasts go in the progress reports).
    planned_go_live: Mapped[dt.date] = mapped_column(Date)
    #: When the project is planned to be complete (last delivery, contract closed).
    planned_completion: Mapped[dt.date] = mapped_column(Date)
    planned_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    planned_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: The day the service actually went live (None until the unit records it). Progress
    #: reports are due every six months after it, until two years after it.
    go_live_on: Mapped[dt.date | None] = mapped_column(Date)
    go_live_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    go_live_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    case: Mapped[BusinessCase] = relationship()


class ReportStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # by the unit, waiting for finance
    ACKNOWLEDGED = "acknowledged"  # finance has reviewed it


class ProgressReport(Base):
    """The unit's report on one six-month period of an approved case's delivery."""

    __tablename__ = "business_case_progress_report"
    __table_args__ = (
        UniqueConstraint("case_id", "period_end", name="uq_business_case_progress_period"),
        CheckConstraint("period_end > period_start", name="period_positive"),
        CheckConstraint("actual_cost >= 0", name="actual_cost_nonneg"),
        CheckConstraint("forecast_cost >= 0", name="forecast_cost_nonneg"),
        CheckConstraint("forecast_completion >= forecast_go_live", name="forecast_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("business_case.id"), index=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    #: The period reported on ends here; the report is due some days later (progress.py).
    period_end: Mapped[dt.date] = mapped_column(Date)
    #: Spent on the project from approval to the end of the period, in the case's currency.
    actual_cost: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    #: What the whole project is now expected to cost (estimate at completion).
    forecast_cost: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    #: Forecast go-live (the actual date once live) and completion.
    forecast_go_live: Mapped[dt.date] = mapped_column(Date)
    forecast_completion: Mapped[dt.date] = mapped_column(Date)
    #: What was delivered, what changed, what comes next.
    narrative: Mapped[str] = mapped_column(Text)
    #: Risks update: new risks, changes, mitigations.
    risks: Mapped[str] = mapped_column(Text, default="")
    #: Benefit measurements reported with it: [{"benefit", "description", "unit",
    #: "value", "measured_on"}] (each is also a reading of the benefit register).
    benefits: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[ReportStatus] = mapped_column(
        string_enum(ReportStatus, 16), default=ReportStatus.SUBMITTED
    )
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Finance's comment on acknowledging the report.
    finance_comment: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[BusinessCase] = relationship()
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])


class ProgressReminder(Base):
    """A reminder sent about one period's report, so `tianguis tick` sends it once."""

    __tablename__ = "business_case_progress_reminder"
    __table_args__ = (
        UniqueConstraint(
            "case_id", "period_end", "kind", name="uq_business_case_progress_reminder"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("business_case.id", ondelete="CASCADE"), index=True
    )
    period_end: Mapped[dt.date] = mapped_column(Date)
    #: "due_soon" (to the unit) or "overdue" (to the unit and to finance).
    kind: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime)
