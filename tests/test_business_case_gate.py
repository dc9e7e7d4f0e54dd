"""Link to procurement: a case belongs to an ICT plan line, a large ICT tender is published
only with an approved case, and the process's releases carry the approved case."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from business_cases.evaluator_input import EvaluationInputError
from business_cases.gate import GatePolicy, require_approved_case
from business_cases.models import BusinessCase, Outcome
from business_cases.planning_release import preferred_tco
from business_cases.services import decide_case, submit_case, update_case
from marketplace.accounts.models import OrgKind, Role, User
from marketplace.plans.models import PlanLine
from marketplace.plans.services import add_plan_line
from marketplace.publication.models import OcdsRelease
from marketplace.tenders.errors import TenderError
from marketplace.tenders.services import publish_tender
from marketplace.tenders.states import TenderState
from marketplace.tenders.workflow import plan_line_of, tender_release
from tests.case_factories import case_data, gate_at_default, make_case, rate_all
from tests.factories import make_org, make_user
from tests.tender_helpers import NOW, assert_valid, buyer, drafted_tender, plan_input

POLICY = GatePolicy(threshold=Decimal("500000"), currency="MXN")


@pytest.fixture
def gate_on(app: Flask) -> Iterator[None]:
    """The installation default (MXN 500,000); the test app turns the gate off."""
    with gate_at_default(app):
        yield


def finance(db: Session) -> User:
    return make_user(db, Role.FINANCE, make_org(db, OrgKind.FINANCE))


def decided(db: Session, author: User, line: PlanLine, outcome: Outcome | None,
            **changes: object) -> BusinessCase:
    """A case linked to ``line``: submitted and, unless ``outcome`` is None, decided."""
    case = make_case(db, author, plan_line_id=line.id, **changes)
    submit_case(db, case, author)
    if outcome is not None:
        reviewer = finance(db)
        rate_all(db, case, reviewer)
        decide_case(db, case, reviewer, outcome, "" if outcome == Outcome.APPROVED else "Ok.")
    return case


def refusal(db: Session, line: PlanLine | None, amount: str | None,
            currency: str | None = "MXN") -> str | None:
    try:
        require_approved_case(db, line, None if amount is None else Decimal(amount), currency,
                              POLICY)
    except TenderError as exc:
        return str(exc.message)
    return None


# --- the gate -------------------------------------------------------------------------


def test_threshold_edge_and_what_is_not_gated(db: Session) -> None:
    owner = buyer(db)
    line = add_plan_line(db, owner, plan_input())
    assert refusal(db, line, "500000") is None  # not over the threshold
    message = refusal(db, line, "500000.01")
    assert message is not None and "MXN 500,000.01" in message
    assert "no business case is linked" in message and line.title in message
    # No tender value: the plan line's amount (MXN 2,500,000) is the estimate.
    message = refusal(db, line, None)
    assert message is not None and "MXN 2,500,000" in message
    non_ict = add_plan_line(db, owner, plan_input(is_ict=False, title="Papelería"))
    assert refusal(db, non_ict, "9000000") is None
    assert refusal(db, None, "9000000") is None
    # Other currencies are compared through the stored USD rates (MXN 0.055).
    assert refusal(db, line, "27000", "USD") is None
    assert refusal(db, line, "28000", "USD") is not None
    assert refusal(db, line, "1", "XYZ") is not None  # cannot compare: gated


def test_approved_and_approved_with_observations_pass(db: Session) -> None:
    owner = buyer(db)
    line = add_plan_line(db, owner, plan_input())
    decided(db, owner, line, Outcome.APPROVED_WITH_OBSERVATIONS)
    assert refusal(db, line, "2400000") is None
    other = add_plan_line(db, owner, plan_input(title="Servidores"))
    decided(db, owner, other, Outcome.APPROVED)
    assert refusal(db, other, "2400000") is None


def test_rejected_or_pending_cases_fail_and_say_why(db: Session) -> None:
    owner = buyer(db)
    line = add_plan_line(db, owner, plan_input())
    decided(db, owner, line, Outcome.REJECTED, title="Caso rechazado")
    message = refusal(db, line, "2400000")
    assert message == (
        "This ICT purchase of MXN 2,400,000 needs an approved business case (the limit is "
        "MXN 500,000); the case “Caso rechazado” is “rejected”. Publish once finance "
        "approves it."
    )
    pending = add_plan_line(db, owner, plan_input(title="Nube"))
    decided(db, owner, pending, None, title="Caso en revisión")
    message = refusal(db, pending, "2400000")
    assert message is not None and "“Caso en revisión” is “submitted”" in message


def test_publish_tender_is_refused_without_writing_anything(db: Session, gate_on: None) -> None:
    owner = buyer(db)
    tender = drafted_tender(db, owner, NOW)
    releases = db.scalar(select(func.count(OcdsRelease.id)))
    with pytest.raises(TenderError, match="no business case is linked"):
        publish_tender(db, tender, owner, now=NOW)
    assert tender.state == TenderState.PLANNING and tender.published_at is None
    assert db.scalar(select(func.count(OcdsRelease.id))) == releases
    line = plan_line_of(db, tender)
    assert line is not None
    decided(db, owner, line, Outcome.APPROVED)
    publish_tender(db, tender, owner, now=NOW)
    assert tender.state == TenderState.ENQUIRIES


# --- the link ---------------------------------------------------------------------------


def test_a_case_links_only_to_its_own_units_ict_lines(db: Session) -> None:
    owner = buyer(db)
    own = add_plan_line(db, owner, plan_input())
    non_ict = add_plan_line(db, owner, plan_input(is_ict=False, title="Papelería"))
    stranger = buyer(db)
    theirs = add_plan_line(db, stranger, plan_input(title="De otra unidad"))
    for line_id in (non_ict.id, theirs.id, 999999, "abc"):
        with pytest.raises(EvaluationInputError) as err:
            make_case(db, owner, plan_line_id=line_id)
        assert [(e.path, e.message) for e in err.value.errors] == [
            ("plan_line_id", "must be an ICT plan line of your unit")]
    case = make_case(db, owner, plan_line_id=own.id)
    assert case.plan_line is own
    with pytest.raises(EvaluationInputError):
        update_case(db, case, owner, case_data(plan_line_id=theirs.id))
    assert case.plan_line_id == own.id


# --- the releases -----------------------------------------------------------------------


def test_releases_carry_the_approved_case(db: Session) -> None:
    owner = buyer(db)
    tender = drafted_tender(db, owner, NOW)
    line = plan_line_of(db, tender)
    assert line is not None
    case = decided(db, owner, line, None)
    # Not approved yet: the planning section is the plan line's.
    release = tender_release(db, tender, "planningUpdate")
    assert "documents" not in release["planning"]
    assert release["planning"]["rationale"] == line.rationale
    rate_all(db, case, finance_user := finance(db))
    decide_case(db, case, finance_user, Outcome.APPROVED, "")
    release = tender_release(db, tender, "planningUpdate")
    release.update(id=f"{tender.ocid}-99", date="2030-03-02T16:00:00Z")
    assert_valid(release)
    planning = release["planning"]
    assert planning["rationale"] == (
        "Problema: Texto de problem_identification.\n\n"
        "Solución propuesta: Texto de proposed_solution."
    )
    tco = preferred_tco(case)
    assert tco is not None
    assert Decimal(str(planning["budget"]["amount"]["amount"])) == tco
    assert planning["budget"]["id"] == f"plan-{line.year}-{line.id}"
    [doc] = planning["documents"]
    assert doc["documentType"] == "feasibilityStudy"
    assert doc["url"] == f"http://localhost/cases/{case.id}.pdf"
    assert doc["format"] == "application/pdf"
