"""Benefit realisation: registering expected benefits of an approved case, recording
measurements, and the traffic light of each benefit.

Traffic light (``traffic_light``), for a benefit going from baseline B (on the start
date s) to target T (on the due date d), on a given day t with latest reading v:

    expected E(t) = B + (T − B) · clamp((t − s) / (d − s), 0, 1)   (a straight line)
    progress  p   = (v − B) / (E(t) − B)     (direction-aware: works when T < B)
    green   p ≥ 1 (on or ahead of the line), or the target itself is reached
    amber   tolerance ≤ p < 1 (default tolerance 0.8: up to 20 % behind the line)
    red     p < tolerance, including moving away from the target
    grey    no reading yet
When nothing is expected yet (E(t) = B, i.e. t ≤ s) any reading not moving away from the
target is green.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from business_cases.benefit_models import BenefitMeasure, BenefitReading
from business_cases.evaluator_input import Checker, EvaluationInputError, FieldError
from business_cases.models import BusinessCase, CaseStatus
from business_cases.services import CaseError
from marketplace.accounts.models import Role, User
from marketplace.audit.services import record

#: States in which the benefit register is kept (after approval).
REGISTER_STATES = frozenset({CaseStatus.APPROVED, CaseStatus.APPROVED_WITH_OBSERVATIONS})
DEFAULT_TOLERANCE = Decimal("0.8")


class BenefitError(CaseError):
    """A rule was broken (wrong case state, wrong person)."""


@dataclass(frozen=True)
class Light:
    colour: str  # "green", "amber", "red" or "grey"
    expected: Decimal
    latest: Decimal | None
    latest_on: dt.date | None
    progress: Decimal | None


def expected_value(baseline: Decimal, target: Decimal, start: dt.date, due: dt.date,
                   day: dt.date) -> Decimal:
    """E(t) = B + (T − B) · clamp((t − s) / (d − s), 0, 1)."""
    share = Decimal((day - start).days) / Decimal((due - start).days)
    share = min(Decimal(1), max(Decimal(0), share))
    return baseline + (target - baseline) * share


def traffic_light(baseline: Decimal, target: Decimal, start: dt.date, due: dt.date,
                  readings: Sequence[tuple[dt.date, Decimal]], day: dt.date,
                  tolerance: Decimal = DEFAULT_TOLERANCE) -> Light:
    """The light of one benefit on ``day`` from its readings (see the module docstring)."""
    expected = expected_value(baseline, target, start, due, day)
    past = sorted((r for r in readings if r[0] <= day), key=lambda r: r[0])
    if not past:
        return Light("grey", expected, None, None, None)
    latest_on, latest = past[-1]
    direction = Decimal(1) if target > baseline else Decimal(-1)
    moved = (latest - baseline) * direction  # > 0 means towards the target
    if (latest - target) * direction >= 0:
        return Light("green", expected, latest, latest_on, None)
    if expected == baseline:
        return Light("green" if moved >= 0 else "red", expected, latest, latest_on, None)
    progress = (latest - baseline) / (expected - baseline)
    colour = "green" if progress >= 1 else "amber" if progress >= tolerance else "red"
    return Light(colour, expected, latest, latest_on, progress)


def light_of(measure: BenefitMeasure, day: dt.date,
             tolerance: Decimal = DEFAULT_TOLERANCE) -> Light:
    return traffic_light(
        Decimal(measure.baseline), Decimal(measure.target), measure.start_on, measure.due_on,
        [(r.measured_on, Decimal(r.value)) for r in measure.readings], day, tolerance,
    )


def _require_owner(case: BusinessCase, user: User) -> None:
    if user.role != Role.BUYER or user.organisation_id != case.buyer_org_id:
        raise BenefitError("Only buyers of the unit that owns this case can report benefits.")
    if case.status not in REGISTER_STATES:
        raise BenefitError("Benefits are registered once the case is approved.")


def _date(value: Any, path: str, c: Checker) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    c.fail(path, "must be a date (YYYY-MM-DD)")
    return None


def add_benefit(session: Session, case: BusinessCase, user: User,
                data: Mapping[str, Any]) -> BenefitMeasure:
    _require_owner(case, user)
    c = Checker()
    description = str(data.get("description") or "").strip()
    if not description:
        c.fail("description", "is required")
    baseline = c.number(data.get("baseline"), "baseline")
    target = c.number(data.get("target"), "target")
    if baseline is not None and target is not None and baseline == target:
        c.fail("target", "must differ from the baseline")
    start = _date(data.get("start_on"), "start_on", c)
    due = _date(data.get("due_on"), "due_on", c)
    if start and due and due <= start:
        c.fail("due_on", "must be after the start date")
    if c.errors:
        raise EvaluationInputError(c.errors)
    assert baseline is not None and target is not None and start and due
    measure = BenefitMeasure(
        case_id=case.id, description=description[:300],
        indicator=str(data.get("indicator") or "").strip(),
        unit=str(data.get("unit") or "").strip()[:40], baseline=baseline, target=target,
        start_on=start, due_on=due, owner=str(data.get("owner") or "").strip()[:200],
        created_by_id=user.id,
    )
    session.add(measure)
    session.flush()
    record(session, "business_case.benefit_added", "business_case", case.id,
           actor_user_id=user.id, actor_org_id=user.organisation_id,
           details={"benefit": measure.id, "description": measure.description})
    return measure


def record_reading(session: Session, measure: BenefitMeasure, user: User, measured_on: Any,
                   value: Any, note: str = "", today: dt.date | None = None) -> BenefitReading:
    _require_owner(measure.case, user)
    c = Checker()
    day = _date(measured_on, "measured_on", c)
    number = c.number(value, "value")
    today = today or dt.date.today()
    if day is not None and day > today:
        c.fail("measured_on", "must not be in the future")
    if day is not None and day < measure.start_on:
        c.fail("measured_on", "must not be before the benefit's start date")
    if c.errors:
        raise EvaluationInputError(c.errors)
    assert day is not None and number is not None
    reading = BenefitReading(measure=measure, measured_on=day, value=number,
                             note=note.strip(), recorded_by_id=user.id)
    session.add(reading)
    session.flush()
    record(session, "business_case.benefit_measured", "business_case", measure.case_id,
           actor_user_id=user.id, actor_org_id=user.organisation_id,
           details={"benefit": measure.id, "measured_on": day.isoformat(),
                    "value": format(number, "f")})
    return reading


__all__ = ["FieldError", "Light", "add_benefit", "light_of", "record_reading", "traffic_light"]
