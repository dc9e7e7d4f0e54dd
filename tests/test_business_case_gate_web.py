"""Through the pages: a buyer links a business case to an ICT plan line, cannot publish the
line's tender while the case is not approved, and publishes it once finance approves;
the public can then download the approved case that the releases link to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from business_cases.models import BusinessCase, CaseStatus, Criterion
from marketplace.accounts.models import OrgKind, Role
from marketplace.db import utcnow
from marketplace.plans.services import add_plan_line
from marketplace.publication.models import OcdsRelease
from marketplace.tenders.states import TenderState
from marketplace.tenders.workflow import plan_line_of
from tests.case_factories import english, gate_at_default
from tests.factories import login_as, make_org, make_user, post_form
from tests.tender_helpers import assert_valid, buyer, drafted_tender, plan_input
from tests.test_business_case_pages import case_form


@pytest.fixture(autouse=True)
def gate_on(app: Flask) -> Iterator[None]:
    """The installation default (MXN 500,000); the test app turns the gate off."""
    with gate_at_default(app):
        yield


def release_count(db: Session) -> int:
    return db.scalar(select(func.count(OcdsRelease.id))) or 0


def test_case_walked_to_approval_then_the_tender_is_published(
    client: FlaskClient, db: Session
) -> None:
    english(client)
    owner = buyer(db)
    reviewer = make_user(db, Role.FINANCE, make_org(db, OrgKind.FINANCE))
    tender = drafted_tender(db, owner, now=utcnow())
    line = plan_line_of(db, tender)
    assert line is not None
    other_line = add_plan_line(db, buyer(db), plan_input(title="Línea de otra unidad"))
    db.commit()
    login_as(client, owner)
    tender_page = f"/buyer/tenders/{tender.id}"

    # Without any case: refused, with the reason on the page, nothing published.
    before = release_count(db)
    response = post_form(client, f"{tender_page}/publish", {}, form_url=tender_page)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This ICT purchase of MXN 2,400,000 needs an approved business case" in page
    assert "no business case is linked to its plan line" in page
    db.expire_all()
    assert tender.state == TenderState.PLANNING and release_count(db) == before

    # The case form offers the unit's own ICT lines and refuses another unit's.
    form_page = client.get("/buyer/cases/new").get_data(as_text=True)
    assert f'<option value="{line.id}">' in form_page
    assert other_line.title not in form_page
    response = post_form(client, "/buyer/cases/new",
                         {**case_form(), "plan_line_id": str(other_line.id)})
    assert response.status_code == 400
    assert "must be an ICT plan line of your unit" in response.get_data(as_text=True)
    assert db.scalar(select(func.count(BusinessCase.id))) == 0

    response = post_form(client, "/buyer/cases/new",
                         {**case_form(), "plan_line_id": str(line.id)})
    assert response.status_code == 302
    case = db.scalars(select(BusinessCase)).one()
    assert case.plan_line_id == line.id
    detail = client.get(f"/buyer/cases/{case.id}").get_data(as_text=True)
    assert line.title in detail
    plan = client.get("/buyer/plan").get_data(as_text=True)
    assert f"business case: {case.title}" in plan and "Draft" in plan
    assert f'href="/buyer/cases/{case.id}"' in plan

    # A draft case: still refused, naming the case and its state.
    response = post_form(client, f"{tender_page}/publish", {}, form_url=tender_page)
    assert response.status_code == 422
    assert f"the case “{case.title}” is “draft”" in response.get_data(as_text=True)
    post_form(client, f"/buyer/cases/{case.id}/submit", {}, form_url=f"/buyer/cases/{case.id}")
    response = post_form(client, f"{tender_page}/publish", {}, form_url=tender_page)
    assert response.status_code == 422
    assert "is “submitted”" in response.get_data(as_text=True)
    db.expire_all()
    assert tender.state == TenderState.PLANNING and release_count(db) == before
    # Not approved, so not public.
    assert client.get(f"/cases/{case.id}.pdf").status_code == 404

    # Finance rates and approves.
    login_as(client, reviewer)
    url = f"/finance/cases/{case.id}"
    ratings = {f"rating_{c.value}": "fully" for c in Criterion}
    post_form(client, f"{url}/review", {**ratings, "save_review": "Save"}, form_url=url)
    response = post_form(client, f"{url}/decide", {"outcome": "approved", "decide": "x"},
                         form_url=url)
    assert response.status_code == 302
    db.expire_all()
    assert case.status == CaseStatus.APPROVED
    # The approval itself is published: a planningUpdate release carrying the case.
    assert release_count(db) == before + 1
    approval = db.scalars(select(OcdsRelease).where(OcdsRelease.ocid == tender.ocid)
                          .order_by(OcdsRelease.sequence.desc())).first()
    assert approval is not None and approval.tags == ["planningUpdate"]
    assert_valid(approval.data)
    assert approval.data["planning"]["documents"][-1]["documentType"] == "feasibilityStudy"

    # Now the tender is published, and its release carries the case.
    login_as(client, owner)
    response = post_form(client, f"{tender_page}/publish", {}, form_url=tender_page)
    assert response.status_code == 302
    db.expire_all()
    assert tender.state == TenderState.ENQUIRIES
    assert release_count(db) == before + 2
    release = db.scalars(select(OcdsRelease).where(OcdsRelease.ocid == tender.ocid)
                         .order_by(OcdsRelease.sequence.desc())).first()
    assert release is not None and release.tags == ["tender"]
    assert_valid(release.data)
    [doc] = release.data["planning"]["documents"]
    assert doc["documentType"] == "feasibilityStudy"
    assert doc["url"] == f"http://localhost/cases/{case.id}.pdf"
    assert release.data["planning"]["rationale"].startswith("Problema: ")

    # Anyone can download the approved case the release links to.
    client.get("/account/logout")
    pdf = client.get(f"/cases/{case.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert client.get("/cases/999999.pdf").status_code == 404
