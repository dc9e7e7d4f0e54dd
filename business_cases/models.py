"""ICT business cases: the case (five-case structure), its options with cost and benefit
lines, its risk register, the immutable snapshot of each submitted version, finance
reviewers' ratings, and the decision on each version.

The states and who may move a case between them are in business_cases/workflow.py.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Organisation, User
from marketplace.db import Base, string_enum, utcnow
from marketplace.plans.models import PlanLine


class CaseStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ITERATION_REQUESTED = "iteration_requested"
    APPROVED = "approved"
    APPROVED_WITH_OBSERVATIONS = "approved_with_observations"
    REJECTED = "rejected"


class Outcome(enum.StrEnum):
    """What finance decides on a submitted version (Chile's Ministry of Finance may approve,
    with or without observations, reject, or request an iteration)."""

    ITERATION_REQUESTED = "iteration_requested"
    APPROVED = "approved"
    APPROVED_WITH_OBSERVATIONS = "approved_with_observations"
    REJECTED = "rejected"


class DeliveryApproach(enum.StrEnum):
    """How the work will be commissioned and delivered."""

    TRADITIONAL = "traditional"  # requirements fixed up front, one delivery
    MODULAR = "modular"  # separately contracted modules, each usable on its own
    AGILE = "agile"  # iterative delivery with user testing between releases


class Rating(enum.StrEnum):
    FULLY_MET = "fully"
    PARTLY_MET = "partly"
    NOT_MET = "not_met"


class Criterion(enum.StrEnum):
    """What reviewers rate: Chile's ICT project evaluation criteria first, then the five
    the OECD review says risk being missed if not named (stakeholders, alignment,
    commissioning strategy, product iteration, risk management)."""

    PROBLEM_IDENTIFICATION = "problem_identification"
    PROPOSED_SOLUTION = "proposed_solution"
    ALTERNATIVES_CONSIDERED = "alternatives_considered"
    BEST_TECHNOLOGY_CHOICE = "best_technology_choice"
    BUDGET_ANALYSIS = "budget_analysis"
    BUDGET_VS_BENEFITS = "budget_vs_benefits"
    EXPECTED_BENEFITS = "expected_benefits"
    STAKEHOLDERS = "stakeholders"
    STRATEGIC_ALIGNMENT = "strategic_alignment"
    COMMISSIONING_STRATEGY = "commissioning_strategy"
    PRODUCT_ITERATION = "product_iteration"
    RISK_MANAGEMENT = "risk_management"


#: The narrative fields of a case, grouped by the five cases (strategic, economic,
#: commercial, financial, management). Options, lines and risks come on top.
SECTIONS: dict[str, tuple[str, ...]] = {
    "strategic": (
        "problem_identification",
        "proposed_solution",
        "stakeholders",
        "strategic_alignment",
        "expected_benefits",
    ),
    "economic": ("alternatives_considered", "best_technology_choice"),
    "commercial": ("commissioning_strategy",),
    "financial": ("budget_analysis", "budget_vs_benefits"),
    "management": ("product_iteration_plan",),
}
TEXT_FIELDS: tuple[str, ...] = tuple(f for fields in SECTIONS.values() for f in fields)


class BusinessCase(Base):
    __tablename__ = "business_case"
    __table_args__ = (
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("discount_rate > -1", name="rate_above_minus_one"),
        CheckConstraint("mitigation >= 0 AND mitigation <= 1", name="mitigation_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The purchasing unit that proposes the project.
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: The buyer user who wrote it; they may never decide on it.
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: The line of the unit's annual ICT plan this case justifies. Publishing the tender
    #: of a line over the gate threshold needs an approved case linked here
    #: (business_cases/gate.py).
    plan_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_line.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[CaseStatus] = mapped_column(
        string_enum(CaseStatus, 32), default=CaseStatus.DRAFT, index=True
    )
    #: The version being written (draft) or last submitted; starts at 1.
    version: Mapped[int] = mapped_column(Integer, default=1)

    # Economic settings. ISO 4217 currency of every line of the case.
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    #: Jurisdiction whose social discount rate is the default (MX, CL, UK).
    jurisdiction: Mapped[str] = mapped_column(String(2), default="MX")
    #: Discount rate as a fraction (0.10 = 10 %).
    discount_rate: Mapped[Decimal] = mapped_column(Numeric(8, 5))
    #: USD per unit of ``currency``, stored with the case for the homes comparison.
    usd_rate: Mapped[Decimal | None] = mapped_column(Numeric(18, 8))
    #: Cost of one rebuilt home in USD (Mexico City's yardstick).
    unit_home_cost: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal("25000"))
    #: Optimism-bias mitigation factor 0..1, set by finance reviewers from the evidence.
    mitigation: Mapped[Decimal] = mapped_column(Numeric(4, 3), default=Decimal(0))

    # Five-case narrative (see SECTIONS).
    problem_identification: Mapped[str] = mapped_column(Text, default="")
    proposed_solution: Mapped[str] = mapped_column(Text, default="")
    stakeholders: Mapped[str] = mapped_column(Text, default="")
    strategic_alignment: Mapped[str] = mapped_column(Text, default="")
    expected_benefits: Mapped[str] = mapped_column(Text, default="")
    alternatives_considered: Mapped[str] = mapped_column(Text, default="")
    best_technology_choice: Mapped[str] = mapped_column(Text, default="")
    #: Method chosen, allocation of risk and why; incl. modular/agile delivery.
    commissioning_strategy: Mapped[str] = mapped_column(Text, default="")
    delivery_approach: Mapped[DeliveryApproach] = mapped_column(
        string_enum(DeliveryApproach, 16), default=DeliveryApproach.AGILE
    )
    budget_analysis: Mapped[str] = mapped_column(Text, default="")
    budget_vs_benefits: Mapped[str] = mapped_column(Text, default="")
    #: Room for testing and iterating the product with users.
    product_iteration_plan: Mapped[str] = mapped_column(Text, default="")

    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    buyer: Mapped[Organisation] = relationship(foreign_keys=[buyer_org_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    plan_line: Mapped[PlanLine | None] = relationship()
    options: Mapped[list[CaseOption]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseOption.position"
    )
    risks: Mapped[list[CaseRisk]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseRisk.position"
    )
    versions: Mapped[list[CaseVersion]] = relationship(
        back_populates="case", order_by="CaseVersion.version"
    )
    reviews: Mapped[list[CaseReview]] = relationship(back_populates="case")
    decisions: Mapped[list[CaseDecision]] = relationship(
        back_populates="case", order_by="CaseDecision.id"
    )

    def __repr__(self) -> str:
        return f"<BusinessCase {self.id} v{self.version} {self.status}>"


class CaseOption(Base):
    """One way of meeting the need, e.g. "do minimum", "buy a SaaS", "build in-house"."""

    __tablename__ = "business_case_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("business_case.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: The baseline every other option is compared with; exactly one per case.
    is_do_minimum: Mapped[bool] = mapped_column(Boolean, default=False)

    case: Mapped[BusinessCase] = relationship(back_populates="options")
    lines: Mapped[list[CaseLine]] = relationship(
        back_populates="option", cascade="all, delete-orphan", order_by="CaseLine.position"
    )


class CaseLine(Base):
    """A cost or benefit of an option in one year, in the case's currency."""

    __tablename__ = "business_case_line"
    __table_args__ = (
        CheckConstraint("year >= 0 AND year <= 100", name="year_range"),
        CheckConstraint("amount >= 0", name="amount_nonneg"),
        CheckConstraint("kind IN ('cost', 'benefit')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int] = mapped_column(
        ForeignKey("business_case_option.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: "cost" or "benefit".
    kind: Mapped[str] = mapped_column(String(8))
    #: Cost: capex, opex, licences, support, staff, exit.
    #: Benefit: cash_releasing, non_cash, societal.
    category: Mapped[str] = mapped_column(String(20))
    #: 0 = the first year of the project.
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    description: Mapped[str] = mapped_column(String(300), default="")

    option: Mapped[CaseOption] = relationship(back_populates="lines")


class CaseRisk(Base):
    """A row of the risk register; score = likelihood × impact (each 1–5)."""

    __tablename__ = "business_case_risk"
    __table_args__ = (
        CheckConstraint("likelihood BETWEEN 1 AND 5", name="likelihood_range"),
        CheckConstraint("impact BETWEEN 1 AND 5", name="impact_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("business_case.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    mitigation: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")

    case: Mapped[BusinessCase] = relationship(back_populates="risks")

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class CaseVersion(Base):
    """The case exactly as submitted (JSON), never changed afterwards."""

    __tablename__ = "business_case_version"
    __table_args__ = (
        UniqueConstraint("case_id", "version", name="uq_business_case_version_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("business_case.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    #: Everything the reviewers saw: fields, options, lines, risks and the evaluation.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    case: Mapped[BusinessCase] = relationship(back_populates="versions")
    submitted_by: Mapped[User] = relationship()


@event.listens_for(CaseVersion, "before_update")
def _versions_are_immutable(_mapper: Any, _conn: Any, target: CaseVersion) -> None:
    # A snapshot is what finance reviewed; changing it would rewrite history.
    raise ValueError(f"business case version {target.id} is immutable")


class CaseReview(Base):
    """One reviewer's rating of one criterion on one submitted version."""

    __tablename__ = "business_case_review"
    __table_args__ = (
        UniqueConstraint(
            "case_id", "version", "reviewer_id", "criterion", name="uq_business_case_review_rating"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("business_case.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    criterion: Mapped[Criterion] = mapped_column(string_enum(Criterion, 32))
    rating: Mapped[Rating] = mapped_column(string_enum(Rating, 16))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    case: Mapped[BusinessCase] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()


class CaseDecision(Base):
    """Finance's decision on one submitted version; at most one per version."""

    __tablename__ = "business_case_decision"
    __table_args__ = (
        UniqueConstraint("case_id", "version", name="uq_business_case_decision_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("business_case.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[Outcome] = mapped_column(string_enum(Outcome, 32))
    #: Observations, reasons for rejection, or what the next iteration must address.
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    case: Mapped[BusinessCase] = relationship(back_populates="decisions")
    decided_by: Mapped[User] = relationship()


# Registers the approved case as a part of every tender release (planning section).
from business_cases import planning_release as _planning_release  # noqa: E402,F401
