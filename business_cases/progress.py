"""Delivery monitoring of approved cases: the delivery plan, go-live, six-monthly progress
reports (submitted by the unit, acknowledged by finance) and the case's lights.

When reports fall due (``report_periods``): every six months after go-live until two years
after it (four reports). A *major* case (services.major_reasons) is also monitored while
it is delivered: a report every six months from its approval until go-live. A period's
report may be sent from the day the period ends and is due ``DUE_AFTER_DAYS`` later;
after that it is overdue. Each report gives the actual cost to date, the forecast cost at
completion, the forecast (or actual) go-live and completion dates, benefit measurements,
a narrative and a risks update. The cost and schedule lights are in lights.py.

The user actions (delivery plan, go-live, reports and their acknowledgement) are in
progress_actions.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from business_cases.benefits import REGISTER_STATES
from business_cases.evaluator_input import FieldError
from business_cases.lights import (
    CostLight,
    MilestoneLight,
    add_months,
    cost_light,
    milestone_light,
    worst,
)
from business_cases.models import BusinessCase
from business_cases.progress_models import CaseDelivery, ProgressReport
from business_cases.services import (
    CaseError,
    ReviewPolicy,
    current_review_policy,
    evaluate_case,
    major_reasons,
)

REPORT_EVERY_MONTHS = 6
#: Reporting goes on until this many months after go-live.
MONTHS_AFTER_GO_LIVE = 24
#: A period's report is due this many days after the period ends.
DUE_AFTER_DAYS = 30
#: The unit is reminded this many days before a report is due.
REMINDER_DAYS = 14
#: A major case not live yet lists at most this many periods (ten years).
MAX_PERIODS = 20

class ProgressError(CaseError):
    """A rule was broken (wrong person, wrong state, already done)."""


@dataclass(frozen=True)
class Period:
    number: int
    start: dt.date
    end: dt.date

    @property
    def due_on(self) -> dt.date:
        return self.end + dt.timedelta(days=DUE_AFTER_DAYS)


def report_periods(
    approved_on: dt.date,
    go_live_on: dt.date | None,
    major: bool,
    today: dt.date,
    reported: frozenset[dt.date] = frozenset(),
) -> list[Period]:
    """The reporting periods of a case, in order.

    Approved 15 January 2026, live on 1 March 2027; not major: four periods after go-live.

    >>> ps = report_periods(dt.date(2026, 1, 15), dt.date(2027, 3, 1), False,
    ...                     dt.date(2027, 4, 1))
    >>> [(p.start.isoformat(), p.end.isoformat()) for p in ps]  # doctest: +NORMALIZE_WHITESPACE
    [('2027-03-01', '2027-09-01'), ('2027-09-01', '2028-03-01'),
     ('2028-03-01', '2028-09-01'), ('2028-09-01', '2029-03-01')]
    >>> ps[0].due_on.isoformat()
    '2027-10-01'

    Major: also every six months from approval until go-live (15 Jul 2026, 15 Jan 2027);
    before go-live is recorded, up to the first period still running on ``today``.

    >>> [p.end.isoformat() for p in report_periods(dt.date(2026, 1, 15),
    ...  dt.date(2027, 3, 1), True, dt.date(2027, 4, 1))]  # doctest: +NORMALIZE_WHITESPACE
    ['2026-07-15', '2027-01-15', '2027-09-01', '2028-03-01', '2028-09-01', '2029-03-01']
    >>> [p.end.isoformat() for p in report_periods(dt.date(2026, 1, 15), None, True,
    ...  dt.date(2026, 9, 1))]
    ['2026-07-15', '2027-01-15']

    ``reported``: period ends already reported are kept even if go-live came before them.
    """
    ends: list[dt.date] = []
    if major:
        for k in range(1, MAX_PERIODS + 1):
            end = add_months(approved_on, REPORT_EVERY_MONTHS * k)
            if go_live_on is not None and end >= go_live_on and end not in reported:
                break
            ends.append(end)
            if go_live_on is None and end > today:
                break
    if go_live_on is not None:
        for k in range(1, MONTHS_AFTER_GO_LIVE // REPORT_EVERY_MONTHS + 1):
            end = add_months(go_live_on, REPORT_EVERY_MONTHS * k)
            if not ends or end > ends[-1]:
                ends.append(end)
    if not ends:
        return []  # not major and not live yet: nothing to report on
    starts = [approved_on if major else (go_live_on or approved_on), *ends[:-1]]
    return [Period(i + 1, s, e) for i, (s, e) in enumerate(zip(starts, ends, strict=True))]


@dataclass(frozen=True)
class PeriodStatus:
    period: Period
    report: ProgressReport | None
    #: "upcoming", "open", "due_soon", "overdue", "submitted" or "acknowledged".
    state: str


def period_state(period: Period, report: ProgressReport | None, today: dt.date) -> str:
    if report is not None:
        return report.status.value
    if today < period.end:
        return "upcoming"
    if today > period.due_on:
        return "overdue"
    if (period.due_on - today).days <= REMINDER_DAYS:
        return "due_soon"
    return "open"


@dataclass(frozen=True)
class CaseProgress:
    """Everything the pages show about a case's delivery on one day."""

    delivery: CaseDelivery | None
    approved_on: dt.date | None
    major: bool
    periods: list[PeriodStatus] = field(default_factory=list)
    cost: CostLight = CostLight("grey", None, None, None)
    schedule: str = "grey"
    milestones: dict[str, MilestoneLight] = field(default_factory=dict)

    @property
    def overdue(self) -> list[PeriodStatus]:
        return [p for p in self.periods if p.state == "overdue"]

    @property
    def latest(self) -> ProgressReport | None:
        reports = [p.report for p in self.periods if p.report is not None]
        return reports[-1] if reports else None

    @property
    def reports(self) -> list[ProgressReport]:
        return [p.report for p in self.periods if p.report is not None]


def approved_on(case: BusinessCase) -> dt.date | None:
    if case.status not in REGISTER_STATES or not case.decisions:
        return None
    return case.decisions[-1].decided_at.date()


def delivery_of(session: Session, case: BusinessCase) -> CaseDelivery | None:
    return session.scalar(select(CaseDelivery).where(CaseDelivery.case_id == case.id))


def reports_of(session: Session, case: BusinessCase) -> list[ProgressReport]:
    return list(
        session.scalars(
            select(ProgressReport)
            .where(ProgressReport.case_id == case.id)
            .order_by(ProgressReport.period_end)
        )
    )


def planned_cost(case: BusinessCase) -> Decimal | None:
    """The preferred option's undiscounted total cost (see lights.py)."""
    result = evaluate_case(case)
    return None if result is None else result.headline.total_cost


def progress_of(
    session: Session,
    case: BusinessCase,
    today: dt.date,
    review_policy: ReviewPolicy | None = None,
    delivery: CaseDelivery | None = None,
    reports: list[ProgressReport] | None = None,
) -> CaseProgress:
    """The case's periods, reports and lights on ``today`` (``delivery``/``reports`` may
    be passed in when already loaded)."""
    approved = approved_on(case)
    major = bool(major_reasons(case, review_policy or current_review_policy()))
    if approved is None:
        return CaseProgress(None, None, major)
    delivery = delivery if delivery is not None else delivery_of(session, case)
    reports = reports if reports is not None else reports_of(session, case)
    by_end = {r.period_end: r for r in reports}
    go_live = delivery.go_live_on if delivery else None
    periods = (
        []
        if delivery is None and not major
        else report_periods(approved, go_live, major, today, frozenset(by_end))
    )
    statuses = [
        PeriodStatus(p, by_end.get(p.end), period_state(p, by_end.get(p.end), today))
        for p in periods
    ]
    latest = reports[-1] if reports else None
    cost = cost_light(
        planned_cost(case),
        latest.actual_cost if latest else None,
        latest.forecast_cost if latest else None,
    )
    milestones: dict[str, MilestoneLight] = {}
    if delivery is not None:
        milestones["go_live"] = milestone_light(
            delivery.planned_go_live,
            latest.forecast_go_live if latest else None,
            delivery.go_live_on,
            today,
            happens_by_today=True,
        )
        milestones["completion"] = milestone_light(
            delivery.planned_completion, latest.forecast_completion if latest else None, None, today
        )
    schedule = worst(*(m.colour for m in milestones.values()))
    return CaseProgress(delivery, approved, major, statuses, cost, schedule, milestones)


__all__ = [
    "FieldError",
    "Period",
    "ProgressError",
    "progress_of",
    "report_periods",
]
