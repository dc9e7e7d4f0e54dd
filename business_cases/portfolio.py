"""The finance office's view of every case: status, preferred option's figures, totals."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from business_cases.benefit_models import BenefitMeasure
from business_cases.benefits import light_of
from business_cases.models import BusinessCase, CaseOption, CaseStatus
from business_cases.services import ReviewPolicy, evaluate_case, major_reasons, reviewers_done


@dataclass(frozen=True)
class PortfolioRow:
    case: BusinessCase
    #: Undiscounted total cost and NPV of the preferred option (None without costs).
    total_cost: Decimal | None
    npv: Decimal | None
    bcr: Decimal | None
    vfm_band: str | None
    major: bool
    reviewers_done: int
    reviewers_needed: int
    #: Benefit traffic lights today: colour → how many benefits (approved cases only).
    lights: dict[str, int] = field(default_factory=dict)


@dataclass
class StatusTotals:
    count: int = 0
    #: Per currency: cases in different currencies are never added together.
    total_cost: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    npv: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))


def portfolio(session: Session, policy: ReviewPolicy | None = None,
              status: CaseStatus | None = None, day: dt.date | None = None,
              ) -> tuple[list[PortfolioRow], dict[CaseStatus, StatusTotals]]:
    """Every case (optionally of one status) and totals per status.

    Drafts are listed too: finance sees what is coming, not only what was submitted.
    """
    policy = policy or ReviewPolicy()
    query = (
        select(BusinessCase)
        .options(selectinload(BusinessCase.options).selectinload(CaseOption.lines),
                 selectinload(BusinessCase.risks), selectinload(BusinessCase.buyer))
        .order_by(BusinessCase.updated_at.desc(), BusinessCase.id.desc())
    )
    if status is not None:
        query = query.where(BusinessCase.status == status)
    rows = []
    totals: dict[CaseStatus, StatusTotals] = {s: StatusTotals() for s in CaseStatus}
    today = day or dt.date.today()
    measures: dict[int, list[BenefitMeasure]] = defaultdict(list)
    for m in session.scalars(select(BenefitMeasure).options(
            selectinload(BenefitMeasure.readings))):
        measures[m.case_id].append(m)
    for case in session.scalars(query):
        result = evaluate_case(case)
        cost = npv = ratio = None
        band = None
        if result is not None:
            head = result.headline
            cost, npv, ratio, band = head.total_cost, head.base.npv, head.base.bcr, \
                head.base.vfm_band
        major = bool(major_reasons(case, policy))
        rows.append(PortfolioRow(case, cost, npv, ratio, band, major,
                                 len(reviewers_done(session, case)),
                                 policy.reviewers_for_major if major else 1,
                                 dict(Counter(light_of(m, today).colour
                                              for m in measures.get(case.id, [])))))
        t = totals[case.status]
        t.count += 1
        if cost is not None and npv is not None:
            t.total_cost[case.currency] += cost
            t.npv[case.currency] += npv
    return rows, totals
