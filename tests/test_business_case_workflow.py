"""Business cases: drafting, submission snapshots, iterations, reviews and decisions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from business_cases.models import (
    CaseStatus,
    CaseVersion,
    Criterion,
    Outcome,
    Rating,
)
from business_cases.services import (
    CaseError,
    CaseInputError,
    ReviewPolicy,
    decide_case,
    evaluate_case,
    major_reasons,
    rate_case,
    start_revision,
    submit_case,
    update_case,
)
from business_cases.snapshots import case_content, diff_snapshots
from marketplace.accounts.models import OrgKind, Role, User
from marketplace.audit.models import AuditEvent
from marketplace.inbox.models import Message
from tests.case_factories import all_ratings, case_data, line, make_case, rate_all
from tests.factories import make_org, make_user


@pytest.fixture
def people(db: Session) -> dict[str, User]:
    buyer_org = make_org(db, OrgKind.BUYER)
    fin_org = make_org(db, OrgKind.FINANCE)
    return {
        "author": make_user(db, Role.BUYER, buyer_org),
        "colleague": make_user(db, Role.BUYER, buyer_org),
        "outsider": make_user(db, Role.BUYER),
        "fin1": make_user(db, Role.FINANCE, fin_org),
        "fin2": make_user(db, Role.FINANCE, fin_org),
        "supplier": make_user(db, Role.SUPPLIER),
    }


def actions(db: Session, case_id: int) -> list[str]:
    return list(db.scalars(
        select(AuditEvent.action).where(
            AuditEvent.object_type == "business_case", AuditEvent.object_id == str(case_id)
        ).order_by(AuditEvent.seq)
    ))


def test_draft_iteration_approval_with_snapshots_and_diff(db: Session, people: dict) -> None:
    case = make_case(db, people["author"])
    assert case.status == CaseStatus.DRAFT and case.version == 1
    v1 = submit_case(db, case, people["author"])
    assert case.status == CaseStatus.SUBMITTED
    assert v1.snapshot["content"]["title"] == "Ventanilla única digital"
    assert v1.snapshot["evaluation"]["preferred_option"] == "Plataforma SaaS"
    # Finance reviewers are told.
    assert db.scalar(select(Message).where(Message.user_id == people["fin1"].id)) is not None

    rate_all(db, case, people["fin1"])
    decide_case(db, case, people["fin1"], Outcome.ITERATION_REQUESTED, "Detallar costos.")
    assert case.status == CaseStatus.ITERATION_REQUESTED
    with pytest.raises(CaseError):
        update_case(db, case, people["author"], case_data())  # not a draft any more

    start_revision(db, case, people["colleague"])
    assert case.status == CaseStatus.DRAFT and case.version == 2
    data = case_data()
    data["options"][1]["lines"][0] = line("cost", "capex", 0, "450000")
    update_case(db, case, people["colleague"], data)
    v2 = submit_case(db, case, people["author"])
    assert v2.version == 2
    changes = diff_snapshots(v1.snapshot, v2.snapshot)
    assert changes == [
        {"path": "options[1].lines[0].amount", "old": "500000.00", "new": "450000.00"}
    ]
    # The first snapshot is unchanged (and cannot be changed).
    assert v1.snapshot["content"]["options"][1]["lines"][0]["amount"] == "500000.00"
    v1.snapshot = {"tampered": True}
    with pytest.raises(ValueError, match="immutable"):
        db.flush()
    db.rollback()


def test_every_transition_is_audited(db: Session, people: dict) -> None:
    case = make_case(db, people["author"])
    submit_case(db, case, people["author"])
    rate_all(db, case, people["fin1"])
    decide_case(db, case, people["fin2"], Outcome.ITERATION_REQUESTED, "Más alternativas.")
    start_revision(db, case, people["author"])
    submit_case(db, case, people["author"])
    rate_all(db, case, people["fin1"])
    decide_case(db, case, people["fin1"], Outcome.APPROVED_WITH_OBSERVATIONS, "Vigilar plazos.")
    assert actions(db, case.id) == [
        "business_case.created",
        "business_case.submitted",
        "business_case.rated",
        "business_case.iteration_requested",
        "business_case.revision_started",
        "business_case.submitted",
        "business_case.rated",
        "business_case.approved_with_observations",
    ]
    assert [d.outcome for d in case.decisions] == [
        Outcome.ITERATION_REQUESTED, Outcome.APPROVED_WITH_OBSERVATIONS
    ]
    # The author hears about each decision.
    inbox = db.scalars(select(Message.kind).where(Message.user_id == people["author"].id))
    assert list(inbox).count("business_case.decided") == 2


def test_decision_refusals(db: Session, people: dict) -> None:
    case = make_case(db, people["author"])
    submit_case(db, case, people["author"])
    with pytest.raises(CaseError, match="ratings from 1"):
        decide_case(db, case, people["fin1"], Outcome.APPROVED, "")
    rate_all(db, case, people["fin1"])
    for who in ("author", "colleague", "supplier"):
        with pytest.raises(CaseError):
            decide_case(db, case, people[who], Outcome.APPROVED, "")
    with pytest.raises(CaseInputError) as info:
        decide_case(db, case, people["fin1"], Outcome.REJECTED, "  ")
    assert info.value.errors[0].path == "comment"
    decide_case(db, case, people["fin1"], Outcome.REJECTED, "No se justifica.")
    with pytest.raises(CaseError, match="already been decided"):
        decide_case(db, case, people["fin2"], Outcome.APPROVED, "")
    assert case.status == CaseStatus.REJECTED


def test_a_finance_author_cannot_decide(db: Session, people: dict) -> None:
    """Even if the author later acts as a finance reviewer, they may not decide."""
    case = make_case(db, people["author"])
    submit_case(db, case, people["author"])
    rate_all(db, case, people["fin1"])
    case.author_id = people["fin2"].id  # e.g. an account moved to the finance office
    with pytest.raises(CaseError, match="author"):
        decide_case(db, case, people["fin2"], Outcome.APPROVED, "")
    with pytest.raises(CaseError, match="author"):
        rate_case(db, case, people["fin2"], all_ratings())


def test_major_project_needs_two_reviewers(db: Session, people: dict) -> None:
    policy = ReviewPolicy(major_threshold_usd=Decimal("50000"))
    case = make_case(db, people["author"])  # costliest option 1,100,000 MXN = 60,500 USD
    assert major_reasons(case, policy) == ["total cost over USD 50,000"]
    submit_case(db, case, people["author"])
    rate_all(db, case, people["fin1"])
    rate_all(db, case, people["fin1"])  # the same reviewer twice is still one
    with pytest.raises(CaseError, match="2 different reviewer"):
        decide_case(db, case, people["fin1"], Outcome.APPROVED, "", policy)
    rate_all(db, case, people["fin2"])
    decide_case(db, case, people["fin1"], Outcome.APPROVED, "", policy)
    assert case.status == CaseStatus.APPROVED


def test_high_risk_makes_a_case_major(db: Session, people: dict) -> None:
    risky = case_data(risks=[{"description": "Proveedor único", "likelihood": 4, "impact": 4}])
    case = make_case(db, people["author"], **{k: v for k, v in risky.items() if k == "risks"})
    assert major_reasons(case, ReviewPolicy()) == ["a risk scores 15 or more"]


def test_ratings_need_every_criterion_and_reasons(db: Session, people: dict) -> None:
    case = make_case(db, people["author"])
    with pytest.raises(CaseError, match="submitted"):
        rate_case(db, case, people["fin1"], all_ratings())
    submit_case(db, case, people["author"])
    partial = {Criterion.PROBLEM_IDENTIFICATION: (Rating.PARTLY_MET, "")}
    with pytest.raises(CaseInputError) as info:
        rate_case(db, case, people["fin1"], partial)
    paths = {e.path for e in info.value.errors}
    assert "ratings.problem_identification" in paths and "ratings.risk_management" in paths
    with pytest.raises(CaseError):
        rate_case(db, case, people["colleague"], all_ratings())
    rows = rate_case(db, case, people["fin1"], all_ratings(Rating.NOT_MET), Decimal("0.5"))
    assert len(rows) == len(Criterion) and case.mitigation == Decimal("0.5")


def test_permissions_and_states_for_buyers(db: Session, people: dict) -> None:
    case = make_case(db, people["author"])
    with pytest.raises(CaseError):
        update_case(db, case, people["outsider"], case_data())
    with pytest.raises(CaseError):
        submit_case(db, case, people["outsider"])
    with pytest.raises(CaseError):
        start_revision(db, case, people["author"])  # nothing was requested
    submit_case(db, case, people["author"])
    with pytest.raises(CaseError):
        submit_case(db, case, people["author"])


def test_incomplete_case_cannot_be_submitted(db: Session, people: dict) -> None:
    case = make_case(db, people["author"], problem_identification="", risks=[],
                     options=case_data()["options"][:2])
    with pytest.raises(CaseInputError) as info:
        submit_case(db, case, people["author"])
    paths = {e.path for e in info.value.errors}
    assert {"problem_identification", "options", "risks"} <= paths
    assert case.status == CaseStatus.DRAFT
    assert db.scalar(select(CaseVersion).where(CaseVersion.case_id == case.id)) is None


def test_bad_content_names_fields_and_saves_nothing(db: Session, people: dict) -> None:
    data = case_data(title="", currency="XXX", discount_rate=Decimal(-1))
    data["options"][1]["lines"][2]["year"] = -1
    data["risks"][0]["impact"] = 9
    case = make_case(db, people["author"])
    before = case_content(case)
    with pytest.raises(CaseInputError) as info:
        update_case(db, case, people["author"], data)
    assert {e.path for e in info.value.errors} == {
        "title", "currency", "discount_rate", "options[1].lines[2].year", "risks[0].impact"
    }
    assert case_content(case) == before


def test_evaluation_of_a_case(db: Session, people: dict) -> None:
    """SaaS at r = 10 %: PV(C) = 500000 + 100000/1.1 = 590909.09;
    PV(B) = 400000/1.1 + 400000/1.21 = 363636.36 + 330578.51 = 694214.88; NPV = 103305.79.
    Own build: PV(C) = 900000 + 181818.18 = 1081818.18; PV(B) = 495867.77 → BCR < 1.
    Do minimum: no benefits → BCR 0. Preferred: SaaS."""
    case = make_case(db, people["author"])
    result = evaluate_case(case)
    assert result is not None and result.preferred == 1
    saas = result.options[1][1].base
    assert saas.npv.quantize(Decimal("0.01")) == Decimal("103305.79")
    empty = make_case(db, people["author"], options=[])
    assert evaluate_case(empty) is None
