"""The tender workflow through the web pages: plan line -> prebases -> tender published
-> enquiry answered -> amendment, each step emitting a valid release with the right tag;
and the refusals, with errors on their fields and nothing changed."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.accounts.models import OrgKind, Role
from marketplace.db import utcnow
from marketplace.plans.models import PlanLine
from marketplace.publication.models import OcdsRelease
from marketplace.tenders.models import Tender
from marketplace.tenders.qa_models import DraftComment, DraftSpecification, Enquiry
from marketplace.tenders.states import TenderState
from tests.factories import login_as, make_org, make_user
from tests.factories import post_form as _post_form
from tests.tender_helpers import assert_valid, buyer, drafted_tender

ZONE = ZoneInfo("America/Mexico_City")


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    """The pages in English (the default is Spanish), so messages read as in the code."""
    client.set_cookie("lang", "en")


def local(delta: dt.timedelta) -> str:
    """A form datetime (Mexico City time) ``delta`` from now."""
    return (dt.datetime.now(ZONE) + delta).strftime("%Y-%m-%dT%H:%M")


def tags(db: Session, ocid: str) -> list[str]:
    rows = db.scalars(
        select(OcdsRelease).where(OcdsRelease.ocid == ocid).order_by(OcdsRelease.sequence)
    ).all()
    for row in rows:
        assert_valid(row.data)
    return [row.tags[0] for row in rows]


def post_form(
    db: Session, client: FlaskClient, url: str, data: dict[str, Any], **kwargs: Any
) -> Any:
    """Post like a browser; then reload objects, since the request used its own session."""
    resp = _post_form(client, url, data, **kwargs)
    db.expire_all()
    return resp


def tender_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Servicio de mesa de ayuda",
        "description": "Mesa de ayuda de primer y segundo nivel.",
        "main_category": "services",
        "value_amount": "3600000.00",
        "currency": "MXN",
        "procurement_method": "open",
        "method_details": "Artículo 30 de la Ley de Adquisiciones",
        "weight_price": "50",
        "weight_quality": "30",
        "weight_technical": "20",
        "eligibility_criteria": "Registro vigente en el padrón de proveedores.",
        "enquiry_end": local(dt.timedelta(days=5)),
        "tender_end": local(dt.timedelta(days=15)),
        "bid_validity_days": "90",
        "variant_policy": "notAllowed",
        "lots-0-title": "Primer nivel",
        "lots-1-title": "Segundo nivel",
        "items-0-description": "Agentes de mesa de ayuda",
        "items-0-classification_id": "81112200",
        "items-0-quantity": "12",
        "items-0-unit_name": "mes",
        "items-0-unit_code": "MON",
        "items-0-lot": "1",
        "items-1-description": "Soporte en sitio",
        "items-1-classification_id": "81111800",
        "items-1-quantity": "12",
        "items-1-unit_name": "mes",
        "items-1-lot": "2",
        "documents-0-document_type": "biddingDocuments",
        "documents-0-title": "Bases",
        "documents-0-url": "https://example.org/bases.pdf",
        "save": "1",
    }
    data.update(overrides)
    return data


def test_plan_line_to_amended_tender(client: FlaskClient, db: Session) -> None:
    owner = buyer(db)
    supplier = make_user(db, Role.SUPPLIER)
    login_as(client, owner)

    # Plan line, then "start process": a planning release.
    resp = post_form(
        db, client,
        "/buyer/plan/new",
        {
            "year": "2026", "title": "Mesa de ayuda", "rationale": "Atender a 3,000 usuarios.",
            "category_code": "81112200", "main_category": "services", "amount": "3800000",
            "currency": "MXN", "quarter": "3", "budget_source": "Partida 3391", "is_ict": "y",
        },
    )  # fmt: skip
    assert resp.status_code == 302
    line = db.scalar(select(PlanLine).where(PlanLine.buyer_org_id == owner.organisation_id))
    assert line is not None
    resp = post_form(db, client, f"/buyer/plan/{line.id}/start", {}, form_url="/buyer/plan")
    assert resp.status_code == 302
    tender = db.get(Tender, line.tender_id)
    assert tender is not None and tender.ocid
    ocid = tender.ocid
    assert tags(db, ocid) == ["planning"]
    page = f"/buyer/tenders/{tender.id}"

    # The long form: "add rows" saves nothing and gives blank rows.
    resp = post_form(db, client, f"{page}/edit", {**tender_form(), "save": "", "add_rows": "1"})
    assert resp.status_code == 200
    assert 'name="items-4-description"' in resp.get_data(as_text=True)
    assert db.get(Tender, tender.id).tender_end is None
    resp = post_form(db, client, f"{page}/edit", tender_form())
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert len(tender.items) == 2 and tender.items[1].related_lot == "lot-2"
    assert tags(db, ocid) == ["planning"]  # the draft is private

    # Prebases: published for comment, a supplier comments, the buyer answers.
    resp = post_form(
        db, client, f"{page}/prebases",
        {"summary": "Borrador de requisitos del servicio", "url": "",
         "comment_end": local(dt.timedelta(hours=2))},
        form_url=page,
    )  # fmt: skip
    assert resp.status_code == 302
    login_as(client, supplier)
    resp = post_form(
        db, client, f"/processes/{ocid}/comments", {"body": "¿El horario incluye fines de semana?"},
        form_url=f"/processes/{ocid}",
    )  # fmt: skip
    assert resp.status_code == 302
    comment = db.scalar(select(DraftComment))
    assert comment is not None
    login_as(client, owner)
    resp = post_form(
        db, client, f"{page}/comments/{comment.id}/answer",
        {"answer": "Sí, de lunes a domingo."}, form_url=page,
    )  # fmt: skip
    assert resp.status_code == 302
    assert tags(db, ocid) == ["planning", "planningUpdate", "planningUpdate"]
    # Publishing while comments are open is refused with a clear message.
    resp = post_form(db, client, f"{page}/publish", {}, form_url=page)
    assert resp.status_code == 422
    assert "still open for comments" in resp.get_data(as_text=True)

    # The comment period ends (its deadline moved into the past): the next read closes it.
    draft = db.scalar(select(DraftSpecification).where(DraftSpecification.tender_id == tender.id))
    assert draft is not None
    draft.comment_end = tender.next_check_at = utcnow() - dt.timedelta(minutes=1)
    db.flush()
    assert client.get(page).status_code == 200
    db.expire_all()
    assert tender.state == TenderState.PLANNING
    resp = post_form(db, client, f"{page}/publish", {}, form_url=page)
    assert resp.status_code == 302
    assert tender.state == TenderState.ENQUIRIES
    assert tags(db, ocid)[-2:] == ["planningUpdate", "tender"]

    # Enquiry asked by a supplier on the public page, answered by the buyer.
    login_as(client, supplier)
    resp = post_form(
        db, client, f"/processes/{ocid}/enquiries",
        {"question": "¿Cuántos usuarios atiende el segundo nivel?", "related_lot": "lot-2"},
        form_url=f"/processes/{ocid}",
    )  # fmt: skip
    assert resp.status_code == 302
    enquiry = db.scalar(select(Enquiry).where(Enquiry.tender_id == tender.id))
    assert enquiry is not None
    login_as(client, owner)
    resp = post_form(
        db, client, f"{page}/enquiries/{enquiry.id}/answer",
        {"answer": "Alrededor de 400 usuarios."}, form_url=page,
    )  # fmt: skip
    assert resp.status_code == 302
    assert tags(db, ocid)[-1] == "tenderUpdate"

    # Amendment: a later deadline, material.
    resp = post_form(
        db, client, f"{page}/amend",
        {"rationale": "Ampliar el plazo por las preguntas recibidas",
         "tender_end": local(dt.timedelta(days=20)), "material": "y",
         "document_type": "biddingDocuments"},
    )  # fmt: skip
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert tags(db, ocid)[-1] == "tenderAmendment"
    release = db.scalars(
        select(OcdsRelease).where(OcdsRelease.ocid == ocid).order_by(OcdsRelease.sequence.desc())
    ).first()
    assert release is not None
    assert release.data["tender"]["amendments"][0]["rationale"].startswith("Ampliar")

    # The public page shows it all, with the server time, to anyone.
    client.post("/auth/logout")
    with client.session_transaction() as sess:
        sess.clear()
    html = client.get(f"/processes/{ocid}").get_data(as_text=True)
    for text in (
        "Servicio de mesa de ayuda", "Alrededor de 400 usuarios", "Sí, de lunes a domingo",
        "Ampliar el plazo", "Primer nivel", "81112200", "Server time",
    ):  # fmt: skip
        assert text in html, text
    assert "¿Cuántos usuarios" in html
    listing = client.get("/processes?state=open").get_data(as_text=True)
    assert ocid in listing


def test_tender_form_errors_stay_on_their_fields(client: FlaskClient, db: Session) -> None:
    owner = buyer(db)
    login_as(client, owner)
    _started = drafted_tender(db, owner, now=utcnow())
    tender = _started
    before = (tender.title, len(tender.items), tender.weight_price)
    page = f"/buyer/tenders/{tender.id}"
    cases = {
        "weights": (
            {"weight_price": "50", "weight_quality": "30", "weight_technical": "10"},
            "must add up to 100",
        ),
        "order": (
            {"enquiry_end": local(dt.timedelta(days=9)), "tender_end": local(dt.timedelta(days=8))},
            "must come after the enquiry period",
        ),
        "past": ({"enquiry_end": local(dt.timedelta(days=-1))}, "must end in the future"),
        "direct": (
            {"procurement_method": "direct", "method_rationale": "", "enquiry_end": ""},
            "needs a justification",
        ),
        "quick": ({"procurement_method": "quick", "enquiry_end": ""}, "at least 3 invited"),
    }
    for name, (overrides, message) in cases.items():
        data = tender_form(title=f"Cambio {name}", **overrides)
        resp = post_form(db, client, f"{page}/edit", data)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422, name
        assert message in html, name
        assert f'value="Cambio {name}"' in html, name  # the input is kept
        assert "field-error" in html
    db.refresh(tender)
    assert (tender.title, len(tender.items), tender.weight_price) == before


def test_quick_purchase_with_three_invited_is_accepted(client: FlaskClient, db: Session) -> None:
    owner = buyer(db)
    login_as(client, owner)
    tender = drafted_tender(db, owner, now=utcnow())
    invited = [make_org(db, OrgKind.SUPPLIER).id for _ in range(3)]
    data = tender_form(procurement_method="quick", enquiry_end="")
    resp = client.post(
        f"/buyer/tenders/{tender.id}/edit",
        data={**data, "invited": invited, "csrf_token": _token(client, tender.id)},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    db.expire_all()
    assert sorted(i.supplier_org_id for i in tender.invitations) == sorted(invited)


def _token(client: FlaskClient, tender_id: int) -> str:
    import re

    html = client.get(f"/buyer/tenders/{tender_id}/edit").get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_other_unit_gets_403_and_nothing_changes(client: FlaskClient, db: Session) -> None:
    owner = buyer(db)
    tender = drafted_tender(db, owner, now=utcnow())
    intruder = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER))
    login_as(client, intruder)
    page = f"/buyer/tenders/{tender.id}"
    assert client.get(page).status_code == 403
    assert client.get(f"{page}/edit").status_code == 403
    own_line_page = "/buyer/plan"
    for url, data in (
        (f"{page}/edit", tender_form(title="Hijacked")),
        (f"{page}/publish", {}),
        (f"{page}/cancel", {"reason": "Cancelada por otra unidad"}),
    ):
        resp = post_form(db, client, url, data, form_url=own_line_page)
        assert resp.status_code == 403, url
    line = db.scalar(select(PlanLine).where(PlanLine.tender_id == tender.id))
    assert line is not None
    assert client.get(f"/buyer/plan/{line.id}/edit").status_code == 403
    resp = post_form(db, client, f"/buyer/plan/{line.id}/start", {}, form_url=own_line_page)
    assert resp.status_code == 403
    assert tender.title != "Hijacked" and tender.state == TenderState.PLANNING
    count = db.scalar(
        select(func.count()).select_from(OcdsRelease).where(OcdsRelease.ocid == tender.ocid)
    )
    assert count == 1


def test_publish_twice_and_amend_cancelled(client: FlaskClient, db: Session) -> None:
    owner = buyer(db)
    login_as(client, owner)
    tender = drafted_tender(db, owner, now=utcnow())
    page = f"/buyer/tenders/{tender.id}"
    assert post_form(db, client, f"{page}/publish", {}, form_url=page).status_code == 302
    resp = post_form(db, client, f"{page}/publish", {}, form_url=page)
    assert resp.status_code == 422
    assert "already been published" in resp.get_data(as_text=True)
    resp = post_form(db, client, f"{page}/cancel", {"reason": "corto"}, form_url=page)
    assert resp.status_code == 422 and "at least 10 characters" in resp.get_data(as_text=True)
    resp = post_form(
        db, client, f"{page}/cancel", {"reason": "La necesidad fue atendida por otro contrato."},
        form_url=page,
    )  # fmt: skip
    assert resp.status_code == 302
    assert tags(db, tender.ocid)[-1] == "tenderCancellation"
    count = len(tags(db, tender.ocid))
    resp = post_form(
        db, client, f"{page}/amend",
        {"rationale": "Cambiar la fecha", "tender_end": local(dt.timedelta(days=30)),
         "document_type": "biddingDocuments"},
        form_url=page,
    )  # fmt: skip
    assert resp.status_code == 422
    assert "Only a tender open for enquiries or bids can be amended" in resp.get_data(as_text=True)
    assert len(tags(db, tender.ocid)) == count
    html = client.get(f"/processes/{tender.ocid}").get_data(as_text=True)
    assert "La necesidad fue atendida" in html


def test_supplier_opportunities_list_invited_tenders(client: FlaskClient, db: Session) -> None:
    owner = buyer(db)
    supplier = make_user(db, Role.SUPPLIER)
    now = utcnow()
    tender = drafted_tender(db, owner, now=now)
    from marketplace.tenders.models import Invitation
    from marketplace.tenders.services import publish_tender

    tender.invitations.append(Invitation(supplier_org_id=supplier.organisation_id))
    publish_tender(db, tender, owner, now=now)
    login_as(client, supplier)
    html = client.get("/opportunities").get_data(as_text=True)
    assert tender.title in html
    login_as(client, owner)
    assert client.get("/opportunities").status_code == 403
    dashboard = client.get("/buyer/").get_data(as_text=True)
    assert tender.title in dashboard


def test_plan_line_errors_keep_input_and_save_nothing(client: FlaskClient, db: Session) -> None:
    owner = buyer(db)
    login_as(client, owner)
    data = {
        "year": "2026", "title": "Licencias de diseño", "rationale": "", "category_code": "4323",
        "main_category": "goods", "amount": "0", "currency": "MXN", "quarter": "2",
        "budget_source": "Partida 3271",
    }  # fmt: skip
    resp = post_form(db, client, "/buyer/plan/new", data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Use an 8-digit UNSPSC code" in html
    assert "must be more than zero" in html
    assert 'value="Licencias de diseño"' in html
    assert (
        db.scalar(
            select(func.count(PlanLine.id)).where(PlanLine.buyer_org_id == owner.organisation_id)
        )
        == 0
    )


def test_public_page_applies_the_due_transition(client: FlaskClient, db: Session) -> None:
    owner = buyer(db)
    now = utcnow()
    published = now - dt.timedelta(hours=1)
    tender = drafted_tender(db, owner, now=published)
    from marketplace.tenders.services import publish_tender

    publish_tender(db, tender, owner, now=published)
    # The enquiry period ends (its end moved into the past): the next read moves the tender on.
    tender.enquiry_end = tender.tender_start = tender.next_check_at = now - dt.timedelta(minutes=1)
    db.flush()
    html = client.get(f"/processes/{tender.ocid}").get_data(as_text=True)
    db.expire_all()
    assert tender.state == TenderState.TENDERING
    assert "Open: receiving bids" in html
    assert tags(db, tender.ocid)[-1] == "tenderUpdate"


def test_amendment_errors_are_on_their_fields(client: FlaskClient, db: Session) -> None:
    owner = buyer(db)
    login_as(client, owner)
    now = utcnow()
    tender = drafted_tender(db, owner, now=now)
    from marketplace.tenders.services import publish_tender

    publish_tender(db, tender, owner, now=now)
    page = f"/buyer/tenders/{tender.id}/amend"
    resp = post_form(
        db, client, page,
        {"rationale": "Ajustar la fecha", "tender_end": local(dt.timedelta(days=-2)),
         "document_type": "biddingDocuments"},
    )  # fmt: skip
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "The deadline for bids must be in the future." in html
    assert 'value="Ajustar la fecha"' in html or "Ajustar la fecha</textarea>" in html
    resp = post_form(db, client, page, {"rationale": "Nada", "document_type": "biddingDocuments"})
    assert "Nothing to amend" in resp.get_data(as_text=True)
    assert tags(db, tender.ocid)[-1] == "tender"
