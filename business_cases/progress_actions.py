"""The delivery-monitoring actions on an approved case: record the delivery plan and the
go-live, submit a six-monthly progress report (the unit), acknowledge it (finance). When
reports fall due and the case's lights are in business_cases/progress.py.

Each public function is one user action in the caller's transaction, with its audit
event; bad input raises EvaluationInputError (field paths), a broken rule ProgressError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from business_cases.benefit_models import BenefitMeasure
from business_cases.benefits import REGISTER_STATES, record_reading
from business_cases.evaluator_input import Checker, EvaluationInputError
from business_cases.models import BusinessCase
from business_cases.progress import (
    ProgressError,
    approved_on,
    delivery_of,
    progress_of,
)
from business_cases.progress_models import CaseDelivery, ProgressReport, ReportStatus
from business_cases.services import (
    finance_users,
)
from marketplace.accounts.models import Role, User
from marketplace.audit.services import record
from marketplace.db import utcnow
from marketplace.inbox.services import notify


def _require_unit(case: BusinessCase, user: User) -> None:
    if user.role != Role.BUYER or user.organisation_id != case.buyer_org_id:
        raise ProgressError("Only buyers of the unit that owns this case can report progress.")
    if case.status not in REGISTER_STATES:
        raise ProgressError("Progress is reported once the case is approved.")


def _date(value: Any, path: str, c: Checker, *, required: bool = True) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    elif value in (None, "") and not required:
        return None
    c.fail(path, "must be a date (YYYY-MM-DD)")
    return None


def _audit(
    session: Session, case: BusinessCase, user: User, action: str, details: dict[str, Any]
) -> None:
    record(
        session,
        action,
        "business_case",
        case.id,
        actor_user_id=user.id,
        actor_org_id=user.organisation_id,
        details=details,
    )


def _iso(day: dt.date) -> str:
    return day.isoformat()


def record_delivery_plan(
    session: Session, case: BusinessCase, user: User, data: Mapping[str, Any]
) -> CaseDelivery:
    """The planned go-live and completion: the schedule baseline, set once."""
    _require_unit(case, user)
    if delivery_of(session, case) is not None:
        raise ProgressError(
            "The delivery plan is the baseline and is not changed; report "
            "new forecasts in the progress reports."
        )
    c = Checker()
    go_live = _date(data.get("planned_go_live"), "planned_go_live", c)
    completion = _date(data.get("planned_completion"), "planned_completion", c)
    approved = approved_on(case)
    if go_live and approved and go_live < approved:
        c.fail(
            "planned_go_live", "must not be before the case's approval (%(d)s)", d=_iso(approved)
        )
    if go_live and completion and completion < go_live:
        c.fail("planned_completion", "must not be before the go-live date")
    if c.errors:
        raise EvaluationInputError(c.errors)
    assert go_live and completion
    delivery = CaseDelivery(
        case_id=case.id,
        planned_go_live=go_live,
        planned_completion=completion,
        planned_by_id=user.id,
        planned_at=utcnow(),
    )
    session.add(delivery)
    session.flush()
    _audit(
        session,
        case,
        user,
        "business_case.delivery_planned",
        {"planned_go_live": _iso(go_live), "planned_completion": _iso(completion)},
    )
    return delivery


def record_go_live(
    session: Session, case: BusinessCase, user: User, day: Any, today: dt.date | None = None
) -> CaseDelivery:
    """The day the service went live; reports fall due every six months after it."""
    _require_unit(case, user)
    delivery = delivery_of(session, case)
    if delivery is None:
        raise ProgressError("Record the delivery plan first.")
    if delivery.go_live_on is not None:
        raise ProgressError("Go-live has already been recorded.")
    today = today or utcnow().date()
    c = Checker()
    live = _date(day, "go_live_on", c)
    approved = approved_on(case)
    if live and live > today:
        c.fail("go_live_on", "must not be in the future")
    elif live and approved and live < approved:
        c.fail("go_live_on", "must not be before the case's approval (%(d)s)", d=_iso(approved))
    if c.errors:
        raise EvaluationInputError(c.errors)
    assert live
    delivery.go_live_on, delivery.go_live_by_id, delivery.go_live_at = live, user.id, utcnow()
    session.flush()
    _audit(session, case, user, "business_case.went_live", {"go_live_on": _iso(live)})
    return delivery


def submit_report(
    session: Session,
    case: BusinessCase,
    user: User,
    data: Mapping[str, Any],
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ProgressReport:
    """The unit's report on one period that has ended (see the module docstring).

    ``data``: period_end, actual_cost, forecast_cost, forecast_go_live (ignored once
    live: the actual date is used), forecast_completion, narrative, risks and
    ``benefits`` {benefit id: measured value} for some of the case's benefits.
    """
    _require_unit(case, user)
    today = today or utcnow().date()
    progress = progress_of(session, case, today)
    if progress.delivery is None:
        raise ProgressError("Record the delivery plan first.")
    c = Checker()
    end = _date(data.get("period_end"), "period_end", c)
    status = next((s for s in progress.periods if s.period.end == end), None)
    if end is not None:
        if status is None:
            c.fail("period_end", "is not a reporting period of this case")
        elif status.report is not None:
            c.fail("period_end", "has already been reported")
        elif status.state == "upcoming":
            c.fail("period_end", "is not due yet: the period ends on %(d)s", d=_iso(end))
    actual = c.number(data.get("actual_cost"), "actual_cost", minimum=Decimal(0))
    forecast = c.number(data.get("forecast_cost"), "forecast_cost", minimum=Decimal(0))
    live = progress.delivery.go_live_on
    go_live = live or _date(data.get("forecast_go_live"), "forecast_go_live", c)
    completion = _date(data.get("forecast_completion"), "forecast_completion", c)
    if go_live and completion and completion < go_live:
        c.fail("forecast_completion", "must not be before the go-live date")
    narrative = str(data.get("narrative") or "").strip()
    if not narrative:
        c.fail("narrative", "is required")
    measures = {
        m.id: m
        for m in session.scalars(select(BenefitMeasure).where(BenefitMeasure.case_id == case.id))
    }
    measured_on = min(end, today) if end else today
    values: dict[int, Decimal] = {}
    for key, raw in (data.get("benefits") or {}).items():
        if raw is None or raw == "":
            continue
        path = f"benefits.{key}"
        measure = measures.get(int(key)) if str(key).isdigit() else None
        if measure is None:
            c.fail(path, "is not a benefit of this case")
            continue
        value = c.number(raw, path)
        if value is not None and measured_on < measure.start_on:
            c.fail(path, "must not be before the benefit's start date")
        elif value is not None:
            values[measure.id] = value
    if c.errors:
        raise EvaluationInputError(c.errors)
    assert status is not None and end and go_live and completion
    assert actual is not None and forecast is not None
    report = ProgressReport(
        case_id=case.id,
        period_start=status.period.start,
        period_end=end,
        actual_cost=actual,
        forecast_cost=forecast,
        forecast_go_live=go_live,
        forecast_completion=completion,
        narrative=narrative,
        risks=str(data.get("risks") or "").strip(),
        status=ReportStatus.SUBMITTED,
        submitted_by_id=user.id,
        submitted_at=now or utcnow(),
        benefits=[
            {
                "benefit": m_id,
                "description": measures[m_id].description,
                "unit": measures[m_id].unit,
                "value": format(v, "f"),
                "measured_on": _iso(measured_on),
            }
            for m_id, v in values.items()
        ],
    )
    session.add(report)
    session.flush()
    for m_id, value in values.items():
        record_reading(
            session,
            measures[m_id],
            user,
            measured_on,
            value,
            f"Informe de avance al {_iso(end)}",
            today=today,
        )
    _audit(
        session,
        case,
        user,
        "business_case.progress_reported",
        {
            "period_end": _iso(end),
            "actual_cost": format(actual, "f"),
            "forecast_cost": format(forecast, "f"),
        },
    )
    for reviewer in finance_users(session):
        notify(
            session,
            reviewer,
            "business_case.progress_reported",
            f"Progress report: {case.title}",
            f"{case.buyer.name} reported on the period ending {_iso(end)}.",
            link=f"/finance/cases/{case.id}#progress",
        )
    return report


def acknowledge_report(
    session: Session,
    report: ProgressReport,
    user: User,
    comment: str = "",
    now: dt.datetime | None = None,
) -> ProgressReport:
    """Finance has read the report (with an optional comment); the unit is told."""
    if user.role != Role.FINANCE:
        raise ProgressError("Only finance reviewers acknowledge progress reports.")
    session.refresh(report, with_for_update=True)
    if report.status != ReportStatus.SUBMITTED:
        raise ProgressError("This report has already been acknowledged.")
    report.status = ReportStatus.ACKNOWLEDGED
    report.acknowledged_by_id, report.acknowledged_at = user.id, now or utcnow()
    report.finance_comment = comment.strip()
    session.flush()
    _audit(
        session,
        report.case,
        user,
        "business_case.progress_acknowledged",
        {"period_end": _iso(report.period_end)},
    )
    submitter = session.get(User, report.submitted_by_id)
    if submitter is not None:
        notify(
            session,
            submitter,
            "business_case.progress_acknowledged",
            f"Progress report acknowledged: {report.case.title}",
            report.finance_comment or "Finance has reviewed the report.",
            link=f"/buyer/cases/{report.case_id}/progress",
        )
    return report


__all__ = [
    "acknowledge_report",
    "record_delivery_plan",
    "record_go_live",
    "submit_report",
]
