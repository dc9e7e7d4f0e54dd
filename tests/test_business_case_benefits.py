"""Benefit realisation register and its traffic lights."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from business_cases.benefit_models import BenefitMeasure
from business_cases.benefits import (
    BenefitError,
    add_benefit,
    expected_value,
    light_of,
    record_reading,
    traffic_light,
)
from business_cases.evaluator_input import EvaluationInputError
from business_cases.models import Outcome
from business_cases.services import decide_case, submit_case
from marketplace.accounts.models import OrgKind, Role
from marketplace.audit.models import AuditEvent
from tests.case_factories import english, make_case, rate_all
from tests.factories import csrf_token, login_as, make_org, make_user, post_form

START, DUE = dt.date(2026, 1, 1), dt.date(2027, 1, 1)  # 365 days apart
MID = dt.date(2026, 7, 2)  # day 182: share 182/365 = 0.4986


def test_expected_value_is_a_straight_line() -> None:
    """B = 10 days, T = 4 days. At day 182: 10 + (4 − 10) · 182/365 = 10 − 2.9918 = 7.0082.
    Before the start: 10 (the baseline); after the due date: 4 (the target)."""
    assert expected_value(D(10), D(4), START, DUE, MID).quantize(D("0.0001")) == D("7.0082")
    assert expected_value(D(10), D(4), START, DUE, dt.date(2025, 6, 1)) == D(10)
    assert expected_value(D(10), D(4), START, DUE, dt.date(2028, 1, 1)) == D(4)


def test_lights_on_a_falling_target() -> None:
    """B = 10, T = 4, at day 182 E = 7.0082 (E − B = −2.9918).
    v = 7.0 → p = −3 / −2.9918 = 1.0027 → green;
    v = 7.5 → p = −2.5 / −2.9918 = 0.8356 → amber (≥ 0.8);
    v = 8.0 → p = −2 / −2.9918 = 0.6685 → red;
    v = 11 (worse than the baseline) → p < 0 → red; v = 3.9 (target passed) → green;
    no readings → grey."""
    def colour(value: str | None) -> str:
        readings = [] if value is None else [(dt.date(2026, 6, 30), D(value))]
        return traffic_light(D(10), D(4), START, DUE, readings, MID).colour

    assert colour("7.0") == "green"
    assert colour("7.5") == "amber"
    assert colour("8.0") == "red"
    assert colour("11") == "red"
    assert colour("3.9") == "green"
    assert colour(None) == "grey"


def test_lights_on_a_rising_target_use_the_latest_reading_up_to_the_day() -> None:
    """B = 0 %, T = 80 % of trámites online; at day 182 E = 39.89 %.
    Readings 10 % (March) then 35 % (June): latest 35 → p = 35/39.89 = 0.877 → amber.
    A reading dated after the day looked at is ignored. Before the start nothing is
    expected: any reading not below the baseline is green."""
    readings = [(dt.date(2026, 3, 1), D(10)), (dt.date(2026, 6, 1), D(35)),
                (dt.date(2026, 12, 1), D(90))]
    light = traffic_light(D(0), D(80), START, DUE, readings, MID)
    assert light.colour == "amber" and light.latest == D(35)
    assert light.progress is not None and light.progress.quantize(D("0.001")) == D("0.877")
    early = traffic_light(D(0), D(80), START, DUE, [(dt.date(2025, 12, 1), D(1))],
                          dt.date(2025, 12, 15))
    assert early.colour == "green"


def _approved_case(db: Session):  # type: ignore[no-untyped-def]
    buyer = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER))
    fin = make_user(db, Role.FINANCE, make_org(db, OrgKind.FINANCE))
    case = make_case(db, buyer)
    submit_case(db, case, buyer)
    rate_all(db, case, fin)
    decide_case(db, case, fin, Outcome.APPROVED, "")
    return case, buyer, fin


BENEFIT = {"description": "Tiempo del trámite", "unit": "días", "baseline": D(10),
           "target": D(4), "start_on": START, "due_on": DUE}


def test_register_and_measure_benefits(db: Session) -> None:
    case, buyer, fin = _approved_case(db)
    measure = add_benefit(db, case, buyer, BENEFIT)
    record_reading(db, measure, buyer, "2026-06-30", D("7.5"), "Primer semestre",
                   today=dt.date(2026, 7, 1))
    assert light_of(measure, MID).colour == "amber"
    actions = db.scalars(select(AuditEvent.action).where(
        AuditEvent.object_id == str(case.id), AuditEvent.action.like("%benefit%")))
    assert list(actions) == ["business_case.benefit_added", "business_case.benefit_measured"]
    with pytest.raises(BenefitError):
        add_benefit(db, case, fin, BENEFIT)


def test_benefit_input_errors_and_states(db: Session) -> None:
    case, buyer, _fin = _approved_case(db)
    with pytest.raises(EvaluationInputError) as info:
        add_benefit(db, case, buyer, {**BENEFIT, "description": "", "target": D(10),
                                      "due_on": "2025-01-01", "baseline": D(10)})
    assert {e.path for e in info.value.errors} == {"description", "target", "due_on"}
    measure = add_benefit(db, case, buyer, BENEFIT)
    with pytest.raises(EvaluationInputError) as info:
        record_reading(db, measure, buyer, "2030-01-01", "x", today=dt.date(2026, 7, 1))
    assert {e.path for e in info.value.errors} == {"measured_on", "value"}
    draft = make_case(db, buyer)
    with pytest.raises(BenefitError, match="approved"):
        add_benefit(db, draft, buyer, BENEFIT)


def test_benefit_register_pages(client: FlaskClient, db: Session) -> None:
    english(client)
    case, buyer, fin = _approved_case(db)
    login_as(client, buyer)
    url = f"/buyer/cases/{case.id}/benefits"
    assert "No benefits registered yet." in client.get(url).get_data(as_text=True)
    bad = post_form(client, url, {"description": "", "baseline": "10", "target": "10",
                                  "start_on": "2026-01-01", "due_on": "2027-01-01"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert 'id="description-error"' in page and 'id="target-error"' in page
    ok = post_form(client, url, {"description": "Tiempo del trámite", "unit": "días",
                                 "baseline": "10", "target": "4", "start_on": "2026-01-01",
                                 "due_on": "2027-01-01", "add_benefit": "x"})
    assert ok.status_code == 302
    measure = db.scalars(select(BenefitMeasure).where(BenefitMeasure.case_id == case.id)).one()
    reading_url = f"{url}/{measure.id}/readings"
    # Each measurement form has its own prefix, its token included.
    token = {f"m{measure.id}-csrf_token": csrf_token(client, url)}
    bad = post_form(client, reading_url, {f"m{measure.id}-measured_on": "2026-02-01", **token},
                    form_url=url)
    assert bad.status_code == 400 and f'id="m{measure.id}-value-error"' in bad.get_data(
        as_text=True)
    ok = post_form(client, reading_url, {f"m{measure.id}-measured_on": "2026-02-01",
                                         f"m{measure.id}-value": "3.5", **token}, form_url=url)
    assert ok.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "On track" in page and "3.50 días" in page
    login_as(client, fin)
    assert "Tiempo del trámite" in client.get(f"/finance/cases/{case.id}").get_data(
        as_text=True)


def test_benefits_of_a_draft_are_refused(client: FlaskClient, db: Session) -> None:
    english(client)
    buyer = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER))
    case = make_case(db, buyer)
    login_as(client, buyer)
    url = f"/buyer/cases/{case.id}/benefits"
    assert "once the case is approved" in client.get(url).get_data(as_text=True)
    refused = post_form(client, url, {**{k: str(v) for k, v in BENEFIT.items()},
                                      "add_benefit": "x"}, form_url=url)
    assert refused.status_code == 409
    assert db.scalar(select(BenefitMeasure).where(BenefitMeasure.case_id == case.id)) is None
