"""Delivery monitoring: delivery plan, go-live, six-monthly progress reports, their
reminders, and the planning release published when a case is approved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from business_cases.benefit_models import BenefitReading
from business_cases.benefits import add_benefit
from business_cases.evaluator_input import EvaluationInputError
from business_cases.models import BusinessCase, Outcome
from business_cases.progress import ProgressError, progress_of
from business_cases.progress_actions import (
    acknowledge_report,
    record_delivery_plan,
    record_go_live,
    submit_report,
)
from business_cases.progress_models import ProgressReport, ReportStatus
from business_cases.progress_ticks import progress_reminders
from business_cases.services import ReviewPolicy, decide_case, submit_case
from marketplace.accounts.models import OrgKind, Role, User
from marketplace.audit.models import AuditEvent
from marketplace.inbox.models import Message
from marketplace.publication.models import OcdsRelease
from marketplace.tenders.workflow import plan_line_of
from marketplace.ticks import registered
from tests.case_factories import make_case, rate_all
from tests.factories import make_org, make_user
from tests.tender_helpers import NOW, assert_valid, buyer, drafted_tender

APPROVED = dt.datetime(2026, 1, 15, 10, 0)
GO_LIVE = dt.date(2027, 3, 1)


def approved(
    db: Session, author: User | None = None, **changes: object
) -> tuple[BusinessCase, User, User]:
    """A case_data case (not major at the default policy) approved on 15 January 2026."""
    author = author or make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER))
    fin = make_user(db, Role.FINANCE, make_org(db, OrgKind.FINANCE))
    case = make_case(db, author, **changes)
    submit_case(db, case, author)
    rate_all(db, case, fin)
    decide_case(db, case, fin, Outcome.APPROVED, "", now=APPROVED)
    return case, author, fin


def live(db: Session) -> tuple[BusinessCase, User, User]:
    case, unit, fin = approved(db)
    record_delivery_plan(
        db,
        case,
        unit,
        {"planned_go_live": dt.date(2027, 1, 1), "planned_completion": dt.date(2027, 12, 31)},
    )
    record_go_live(db, case, unit, GO_LIVE, today=dt.date(2027, 3, 2))
    return case, unit, fin


def report(end: str = "2027-09-01", **changes: object) -> dict[str, object]:
    return {
        "period_end": end,
        "actual_cost": D(400000),
        "forecast_cost": D(620000),
        "forecast_completion": "2027-12-31",
        "narrative": "Módulo de pagos en producción.",
        "risks": "Rotación del equipo.",
        **changes,
    }


def test_reports_fall_due_every_six_months_for_two_years_after_go_live(db: Session) -> None:
    case, unit, fin = live(db)
    p = progress_of(db, case, dt.date(2027, 9, 20))
    assert [s.period.end for s in p.periods] == [
        dt.date(2027, 9, 1),
        dt.date(2028, 3, 1),
        dt.date(2028, 9, 1),
        dt.date(2029, 3, 1),
    ]
    # Due 30 days after the period ends (1 Oct); within 14 days of it: due soon.
    assert [s.state for s in p.periods] == ["due_soon", "upcoming", "upcoming", "upcoming"]
    assert progress_of(db, case, dt.date(2027, 10, 2)).periods[0].state == "overdue"
    # Planned go-live 1 January, live 1 March: two months late, amber; no report: grey cost.
    assert (p.schedule, p.cost.colour) == ("amber", "grey")


def test_a_report_sets_the_lights_and_finance_acknowledges_it(db: Session) -> None:
    """Planned cost: the preferred SaaS option's 600,000. Forecast 620,000: 3.3 % over,
    amber. Completion forecast on plan, go-live two months late: amber."""
    case, unit, fin = live(db)
    benefit = add_benefit(
        db,
        case,
        unit,
        {
            "description": "Tiempo del trámite",
            "baseline": D(10),
            "target": D(4),
            "start_on": dt.date(2027, 1, 1),
            "due_on": dt.date(2028, 1, 1),
        },
    )
    r = submit_report(
        db, case, unit, report(benefits={str(benefit.id): D("7.5")}), today=dt.date(2027, 9, 10)
    )
    assert r.forecast_go_live == GO_LIVE  # once live, the actual date
    assert r.period_start == GO_LIVE and r.status == ReportStatus.SUBMITTED
    [reading] = db.scalars(select(BenefitReading).where(BenefitReading.measure_id == benefit.id))
    assert (reading.measured_on, reading.value) == (dt.date(2027, 9, 1), D("7.5"))
    p = progress_of(db, case, dt.date(2027, 9, 10))
    assert p.cost.colour == "amber" and p.cost.planned == D(600000)
    assert p.periods[0].state == "submitted" and p.schedule == "amber"
    assert (
        db.scalar(
            select(func.count(Message.id)).where(
                Message.user_id == fin.id, Message.kind == "business_case.progress_reported"
            )
        )
        == 1
    )
    with pytest.raises(ProgressError):
        acknowledge_report(db, r, unit)
    acknowledge_report(db, r, fin, "Visto; vigilar el costo.")
    assert r.status == ReportStatus.ACKNOWLEDGED and r.acknowledged_by_id == fin.id
    with pytest.raises(ProgressError, match="already been acknowledged"):
        acknowledge_report(db, r, fin)
    actions = list(
        db.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_id == str(case.id), AuditEvent.action.like("%progress%")
            )
        )
    )
    assert actions == ["business_case.progress_reported", "business_case.progress_acknowledged"]


def test_bad_reports_are_refused_and_nothing_is_saved(db: Session) -> None:
    case, unit, _fin = live(db)
    today = dt.date(2027, 9, 10)

    def paths(data: dict[str, object]) -> set[str]:
        with pytest.raises(EvaluationInputError) as info:
            submit_report(db, case, unit, data, today=today)
        return {e.path for e in info.value.errors}

    assert paths(report("2028-03-01")) == {"period_end"}  # not due yet
    assert paths(report("2027-08-15")) == {"period_end"}  # not a period
    assert paths(report(actual_cost=D(-1), forecast_cost=D("NaN"))) == {
        "actual_cost",
        "forecast_cost",
    }
    assert paths(report(forecast_completion="2027-01-01", narrative=" ")) == {
        "forecast_completion",
        "narrative",
    }  # completion before go-live: dates swapped
    assert paths(report(benefits={"999999": D(1)})) == {"benefits.999999"}
    assert db.scalar(select(func.count(ProgressReport.id))) == 0
    submit_report(db, case, unit, report(), today=today)
    assert paths(report()) == {"period_end"}  # already reported
    stranger = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER))
    with pytest.raises(ProgressError, match="Only buyers of the unit"):
        submit_report(db, case, stranger, report("2028-03-01"), today=dt.date(2028, 3, 5))


def test_reports_need_an_approved_case_and_a_delivery_plan(db: Session) -> None:
    unit = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER))
    draft = make_case(db, unit)
    with pytest.raises(ProgressError, match="once the case is approved"):
        submit_report(db, draft, unit, report())
    with pytest.raises(ProgressError, match="once the case is approved"):
        record_delivery_plan(
            db, draft, unit, {"planned_go_live": "2027-01-01", "planned_completion": "2027-06-01"}
        )
    case, unit, _fin = approved(db, unit)
    with pytest.raises(ProgressError, match="delivery plan first"):
        submit_report(db, case, unit, report())
    with pytest.raises(EvaluationInputError) as info:
        record_delivery_plan(
            db, case, unit, {"planned_go_live": "2027-06-01", "planned_completion": "2027-01-01"}
        )
    assert [e.path for e in info.value.errors] == ["planned_completion"]
    with pytest.raises(EvaluationInputError) as info:
        record_delivery_plan(
            db, case, unit, {"planned_go_live": "2025-12-31", "planned_completion": "x"}
        )
    assert {e.path for e in info.value.errors} == {"planned_go_live", "planned_completion"}
    record_delivery_plan(
        db, case, unit, {"planned_go_live": "2027-01-01", "planned_completion": "2027-06-01"}
    )
    # Not major and not live yet: nothing falls due.
    assert progress_of(db, case, dt.date(2027, 12, 1)).periods == []
    with pytest.raises(ProgressError, match="baseline"):
        record_delivery_plan(
            db, case, unit, {"planned_go_live": "2028-01-01", "planned_completion": "2028-06-01"}
        )
    with pytest.raises(EvaluationInputError):
        record_go_live(db, case, unit, dt.date(2027, 5, 1), today=dt.date(2027, 4, 1))
    record_go_live(db, case, unit, dt.date(2027, 3, 30), today=dt.date(2027, 4, 1))
    with pytest.raises(ProgressError, match="already been recorded"):
        record_go_live(db, case, unit, dt.date(2027, 3, 31), today=dt.date(2027, 4, 1))


def test_major_cases_are_monitored_from_approval(db: Session) -> None:
    """At a USD 10 threshold the 600,000 MXN case is major: reports every six months from
    15 January 2026 (15 July 2026, 15 January 2027), then after go-live on 1 March 2027."""
    case, unit, _fin = live(db)
    small = progress_of(db, case, dt.date(2026, 8, 1))
    assert not small.major and small.periods[0].period.end == dt.date(2027, 9, 1)
    major = progress_of(db, case, dt.date(2026, 8, 1), ReviewPolicy(major_threshold_usd=D(10)))
    assert major.major
    assert [s.period.end for s in major.periods][:3] == [
        dt.date(2026, 7, 15),
        dt.date(2027, 1, 15),
        dt.date(2027, 9, 1),
    ]
    assert major.periods[0].period.start == APPROVED.date()
    assert major.periods[2].period.start == dt.date(2027, 1, 15)


def test_reminders_once_each_to_the_unit_then_finance(db: Session) -> None:
    assert "business_cases.progress_ticks.progress_reminders" in registered()
    case, unit, fin = live(db)
    colleague = make_user(db, Role.BUYER, db.get(type(unit.organisation), unit.organisation_id))

    def kinds(user: User) -> list[str]:
        return list(
            db.scalars(
                select(Message.kind)
                .where(Message.user_id == user.id, Message.kind.like("business_case.progress_%"))
                .order_by(Message.id)
            )
        )

    def at(day: dt.date) -> None:
        progress_reminders(db, dt.datetime.combine(day, dt.time(9)))

    at(dt.date(2027, 9, 16))  # due 1 October: 15 days left, nothing yet
    assert kinds(unit) == []
    at(dt.date(2027, 9, 17))  # 14 days left
    at(dt.date(2027, 9, 20))  # already sent
    assert kinds(unit) == kinds(colleague) == ["business_case.progress_due"]
    assert kinds(fin) == []
    at(dt.date(2027, 10, 1))  # the due day: not overdue yet
    at(dt.date(2027, 10, 2))
    at(dt.date(2027, 10, 9))
    assert kinds(unit) == ["business_case.progress_due", "business_case.progress_overdue"]
    assert kinds(fin) == ["business_case.progress_overdue"]
    # A clock that jumps past the next due date (1 April 2028) sends only "overdue".
    at(dt.date(2028, 4, 5))
    assert kinds(unit)[2:] == ["business_case.progress_overdue"]
    submit_report(db, case, unit, report(), today=dt.date(2028, 4, 5))
    at(dt.date(2028, 4, 6))
    assert len(kinds(unit)) == 3


def test_approval_publishes_the_planning_release_with_the_case(db: Session) -> None:
    owner = buyer(db)
    tender = drafted_tender(db, owner, NOW)
    line = plan_line_of(db, tender)
    assert line is not None
    before = db.scalar(select(func.count(OcdsRelease.id)).where(OcdsRelease.ocid == tender.ocid))
    fin = make_user(db, Role.FINANCE, make_org(db, OrgKind.FINANCE))
    case = make_case(db, owner, plan_line_id=line.id)
    submit_case(db, case, owner)
    rate_all(db, case, fin)
    decide_case(db, case, fin, Outcome.APPROVED, "", now=NOW + dt.timedelta(hours=1))
    releases = db.scalars(
        select(OcdsRelease).where(OcdsRelease.ocid == tender.ocid).order_by(OcdsRelease.sequence)
    ).all()
    assert len(releases) == before + 1
    latest = releases[-1]
    assert latest.tags == ["planningUpdate"]
    data = latest.data
    assert_valid(data)
    planning = data["planning"]
    assert planning["rationale"].startswith("Problema: Texto de problem_identification.")
    assert planning["documents"][-1]["url"].endswith(f"/cases/{case.id}.pdf")
    assert data["date"] == "2030-03-02T17:00:00Z"
