"""Business-case pages: a buyer writes and submits, finance reviews and decides."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from business_cases.models import TEXT_FIELDS, BusinessCase, CaseStatus, Criterion
from marketplace.accounts.models import OrgKind, Role, User
from tests.case_factories import english
from tests.factories import login_as, make_org, make_user, post_form


def case_form(title: str = "Expediente clínico electrónico", saas_capex: str = "500000"
              ) -> dict[str, Any]:
    form: dict[str, Any] = {
        "title": title, "currency": "MXN", "jurisdiction": "MX", "delivery_approach": "agile",
        **{name: f"Texto de {name}." for name in TEXT_FIELDS},
        "options-0-name": "Seguir igual", "options-0-do_minimum": "y",
        "options-0-lines-0-kind": "cost", "options-0-lines-0-category": "opex",
        "options-0-lines-0-year": "0", "options-0-lines-0-amount": "100000",
        "options-1-name": "SaaS",
        "options-1-lines-0-kind": "cost", "options-1-lines-0-category": "capex",
        "options-1-lines-0-year": "0", "options-1-lines-0-amount": saas_capex,
        "options-1-lines-1-kind": "benefit", "options-1-lines-1-category": "cash_releasing",
        "options-1-lines-1-year": "1", "options-1-lines-1-amount": "800000",
        "options-2-name": "Desarrollo propio",
        "options-2-lines-0-kind": "cost", "options-2-lines-0-category": "staff",
        "options-2-lines-0-year": "0", "options-2-lines-0-amount": "900000",
        "options-2-lines-1-kind": "benefit", "options-2-lines-1-category": "societal",
        "options-2-lines-1-year": "2", "options-2-lines-1-amount": "700000",
        "risks-0-description": "Resistencia al cambio", "risks-0-likelihood": "3",
        "risks-0-impact": "2", "risks-0-mitigation": "Capacitación",
        "save": "Save",
    }
    return form


def setup(db: Session) -> tuple[User, User, User]:
    buyer_org = make_org(db, OrgKind.BUYER)
    fin_org = make_org(db, OrgKind.FINANCE)
    return (make_user(db, Role.BUYER, buyer_org), make_user(db, Role.FINANCE, fin_org),
            make_user(db, Role.FINANCE, fin_org))


def review_form(**overrides: str) -> dict[str, str]:
    data = {f"rating_{c.value}": "fully" for c in Criterion}
    data.update(save_review="Save", mitigation="0.5", **overrides)
    return data


def fresh(db: Session, case: BusinessCase) -> BusinessCase:
    """The case as the requests left it (they used their own session)."""
    db.refresh(case)
    return case


def case_count(db: Session) -> int:
    return db.scalar(select(func.count(BusinessCase.id))) or 0


def test_case_from_draft_through_iteration_to_approval(
    client: FlaskClient, db: Session
) -> None:
    english(client)
    buyer, fin, _fin2 = setup(db)
    login_as(client, buyer)
    assert client.get("/buyer/cases").status_code == 200
    page = client.get("/buyer/cases/new").get_data(as_text=True)
    assert 'name="options-2-lines-3-amount"' in page  # empty rows, no JS needed

    response = post_form(client, "/buyer/cases/new", case_form())
    assert response.status_code == 302
    case = db.scalars(select(BusinessCase).order_by(BusinessCase.id.desc())).first()
    assert case is not None and fresh(db, case).status == CaseStatus.DRAFT
    detail = client.get(f"/buyer/cases/{case.id}").get_data(as_text=True)
    assert "SaaS" in detail and "<svg" in detail and "preferred" in detail

    assert post_form(client, f"/buyer/cases/{case.id}/submit", {},
                     form_url=f"/buyer/cases/{case.id}").status_code == 302
    assert fresh(db, case).status == CaseStatus.SUBMITTED

    # Finance reviews and asks for another iteration.
    login_as(client, fin)
    assert "Expediente clínico" in client.get("/finance/").get_data(as_text=True)
    url = f"/finance/cases/{case.id}"
    assert post_form(client, f"{url}/review", review_form(), form_url=url).status_code == 302
    response = post_form(client, f"{url}/decide",
                         {"outcome": "iteration_requested", "comment": "Detalle el capex.",
                          "decide": "x"}, form_url=url)
    assert response.status_code == 302
    assert fresh(db, case).status == CaseStatus.ITERATION_REQUESTED

    # The buyer starts version 2, lowers the SaaS capex and submits again.
    login_as(client, buyer)
    response = post_form(client, f"/buyer/cases/{case.id}/revise", {},
                         form_url=f"/buyer/cases/{case.id}")
    assert response.status_code == 302 and response.location.endswith(f"/cases/{case.id}/edit")
    edit = client.get(f"/buyer/cases/{case.id}/edit").get_data(as_text=True)
    assert 'value="500000' in edit  # the previous version's content is kept
    assert post_form(client, f"/buyer/cases/{case.id}/edit",
                     case_form(saas_capex="450000")).status_code == 302
    post_form(client, f"/buyer/cases/{case.id}/submit", {}, form_url=f"/buyer/cases/{case.id}")
    assert fresh(db, case).status == CaseStatus.SUBMITTED and fresh(db, case).version == 2
    detail = client.get(f"/buyer/cases/{case.id}").get_data(as_text=True)
    assert "options[1].lines[0].amount" in detail  # the diff between versions

    login_as(client, fin)
    post_form(client, f"{url}/review", review_form(), form_url=url)
    response = post_form(client, f"{url}/decide", {"outcome": "approved", "decide": "x"},
                         form_url=url)
    assert response.status_code == 302
    assert fresh(db, case).status == CaseStatus.APPROVED
    dashboard = client.get("/finance/?status=approved").get_data(as_text=True)
    assert "Expediente clínico" in dashboard
    # A second decision on a closed case is refused.
    again = client.post(f"{url}/decide", data={"outcome": "rejected", "comment": "No"})
    assert again.status_code in (400, 409) and fresh(db, case).status == CaseStatus.APPROVED


def test_bad_lines_are_shown_on_their_fields_and_nothing_is_saved(
    client: FlaskClient, db: Session
) -> None:
    english(client)
    buyer, _fin, _ = setup(db)
    login_as(client, buyer)
    before = case_count(db)
    data = case_form()
    data["options-1-lines-1-year"] = "-2"
    data["options-2-lines-1-kind"] = ""
    response = post_form(client, "/buyer/cases/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="options-1-lines-1-year-error"' in page and "must not be negative" in page
    assert 'id="options-2-lines-1-kind-error"' in page
    assert 'value="Expediente clínico electrónico"' in page  # input kept
    assert case_count(db) == before


def test_add_rows_and_csrf(client: FlaskClient, db: Session) -> None:
    english(client)
    buyer, _fin, _ = setup(db)
    login_as(client, buyer)
    data = case_form()
    data.pop("save")
    data["add_rows"] = "Add"
    page = post_form(client, "/buyer/cases/new", data).get_data(as_text=True)
    assert 'name="options-3-name"' in page and 'name="options-0-lines-6-amount"' in page
    assert "SaaS" in page
    before = case_count(db)
    response = client.post("/buyer/cases/new", data=case_form())  # no token
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert case_count(db) == before


def test_review_errors_and_permissions(client: FlaskClient, db: Session) -> None:
    english(client)
    buyer, fin, _ = setup(db)
    login_as(client, buyer)
    post_form(client, "/buyer/cases/new", case_form())
    case = db.scalars(select(BusinessCase).order_by(BusinessCase.id.desc())).first()
    assert case is not None
    post_form(client, f"/buyer/cases/{case.id}/submit", {}, form_url=f"/buyer/cases/{case.id}")
    assert client.get("/finance/").status_code == 403
    assert client.get(f"/finance/cases/{case.id}").status_code == 403

    other = make_user(db, Role.BUYER)
    login_as(client, other)
    assert client.get(f"/buyer/cases/{case.id}").status_code == 404

    login_as(client, fin)
    url = f"/finance/cases/{case.id}"
    bad = review_form(rating_budget_analysis="partly", rating_risk_management="")
    page = post_form(client, f"{url}/review", bad, form_url=url)
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Explain a rating that is not fully met." in text and "Rate every criterion." in text
    response = post_form(client, f"{url}/decide", {"outcome": "approved", "decide": "x"},
                         form_url=url)
    assert response.status_code == 409
    assert re.search(r"needs complete ratings from 1", response.get_data(as_text=True))
    assert fresh(db, case).status == CaseStatus.SUBMITTED
