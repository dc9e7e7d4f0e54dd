"""Annual procurement plan lines (Programa Anual de Adquisiciones)."""

from __future__ import annotations

import datetime as dt
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Organisation
from marketplace.db import Base, utcnow


class PlanLine(Base):
    """One thing a purchasing unit plans to buy in a year; it may become a process."""

    __tablename__ = "plan_line"
    __table_args__ = (
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_range"),
        CheckConstraint("amount >= 0", name="amount_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The purchasing unit whose plan this is; only its buyers may edit it.
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: Fiscal year of the plan.
    year: Mapped[int] = mapped_column(Integer)
    #: What will be bought, in a few words ("Licencias de ofimática").
    title: Mapped[str] = mapped_column(String(300))
    #: Why it is needed; published as ``planning.rationale``.
    rationale: Mapped[str] = mapped_column(Text, default="")
    #: UNSPSC classification code (the scheme of supplier categories), e.g. 43230000.
    category_code: Mapped[str] = mapped_column(String(40))
    #: OCDS mainProcurementCategory: goods, services or works.
    main_category: Mapped[str] = mapped_column(String(16), default="goods")
    #: Estimated amount and its ISO 4217 currency.
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    #: Quarter (1-4) in which the process is expected to start.
    quarter: Mapped[int] = mapped_column(Integer)
    #: Budget source, e.g. "Recursos fiscales 2026, partida 3271"; published as budget.description.
    budget_source: Mapped[str] = mapped_column(String(300))
    #: True for information and communication technology purchases (OECD ICT reviews).
    is_ict: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The process started from this line (None until "start process").
    tender_id: Mapped[int | None] = mapped_column(ForeignKey("tender.id"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    buyer: Mapped[Organisation] = relationship()

    @property
    def started(self) -> bool:
        return self.tender_id is not None

    def __repr__(self) -> str:
        return f"<PlanLine {self.id} {self.title!r}>"
