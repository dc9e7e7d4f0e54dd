"""The finance office's view of every case: status, preferred option's figures, totals,
and for approved cases the benefit lights, the cost and schedule lights and overdue
progress reports (business_cases/progress.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from business_cases.benefit_models import BenefitMeasure
from business_cases.benefits import REGISTER_STATES, light_of
from business_cases.models import BusinessCase, CaseOption, CaseStatus
from business_cases.progress import CaseProgress, progress_of
from business_cases.progress_models import CaseDelivery, ProgressReport
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
    #: Delivery monitoring (approved cases only): cost and schedule lights, reports due.
    progress: CaseProgress | None = None


@dataclass
class StatusTotals:
    count: int = 0
    #: Per currency: cases in different currencies are never added together.
    total_cost: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    npv: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    #: Approved cases: how many have each cost / schedule light, and overdue reports.
    cost_lights: Counter[str] = field(default_factory=Counter)
    schedule_lights: Counter[str] = field(default_factory=Counter)
    overdue_reports: int = 0


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
                 selectinload(BusinessCase.risks), selectinload(BusinessCase.buyer),
                 selectinload(BusinessCase.decisions))
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
    deliveries = {d.case_id: d for d in session.scalars(select(CaseDelivery))}
    reports: dict[int, list[ProgressReport]] = defaultdict(list)
    for r in session.scalars(select(ProgressReport).order_by(ProgressReport.period_end)):
        reports[r.case_id].append(r)
    for case in session.scalars(query):
        result = evaluate_case(case)
        cost = npv = ratio = None
        band = None
        if result is not None:
            head = result.headline
            cost, npv, ratio, band = head.total_cost, head.base.npv, head.base.bcr, \
                head.base.vfm_band
        major = bool(major_reasons(case, policy))
        progress = None
        if case.status in REGISTER_STATES:
            progress = progress_of(session, case, today, policy, deliveries.get(case.id),
                                   reports.get(case.id, []))
        rows.append(PortfolioRow(case, cost, npv, ratio, band, major,
                                 len(reviewers_done(session, case)),
                                 policy.reviewers_for_major if major else 1,
                                 dict(Counter(light_of(m, today).colour
                                              for m in measures.get(case.id, []))),
                                 progress))
        t = totals[case.status]
        t.count += 1
        if progress is not None:
            t.cost_lights[progress.cost.colour] += 1
            t.schedule_lights[progress.schedule] += 1
            t.overdue_reports += len(progress.overdue)
        if cost is not None and npv is not None:
            t.total_cost[case.currency] += cost
            t.npv[case.currency] += npv
    return rows, totals
