"""One process from plan line to completed contract, through the web pages only.

The buyer logs in with password and TOTP code, two suppliers with their passwords, each
in their own browser (test client); every action is a form posted with its CSRF token.
After each step the test reads the releases the process published: their tags, the
statuses they show, and that every one validates (OCDS 1.1.5 + our extensions).
Periods that would take days (questions, bids, standstill) are ended by moving their end
to the present, as the clock would; the next page read applies the transition.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from marketplace.accounts.models import Role, User
from marketplace.awards.models import Award, AwardStatus
from marketplace.bids.models import Bid
from marketplace.contracts.models import Contract, ContractStatus
from marketplace.db import utcnow
from marketplace.plans.models import PlanLine
from marketplace.publication.models import OcdsRelease
from marketplace.tenders.models import Tender
from marketplace.tenders.states import TenderState
from tests.auth_steps import CHALLENGE, LOGIN, current_code
from tests.factories import PASSWORD, csrf_token, make_user, post_form
from tests.supplier_helpers import PDF, make_supplier
from tests.tender_helpers import assert_valid

ZONE = ZoneInfo("America/Mexico_City")


def local(delta: dt.timedelta) -> str:
    """A form date-time (Mexico City) ``delta`` from now."""
    return (dt.datetime.now(ZONE) + delta).strftime("%Y-%m-%dT%H:%M")


def browser(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


def log_in(client: FlaskClient, user: User) -> None:
    answer = post_form(client, LOGIN, {"email": user.email, "password": PASSWORD})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    if user.totp_secret:
        assert answer.headers["Location"].startswith(CHALLENGE)
        answer = post_form(client, CHALLENGE, {"code": current_code(user.totp_secret)})
        assert answer.status_code == 302
    assert client.get("/account/").status_code == 200


def post_prefixed(
    client: FlaskClient, url: str, prefix: str, data: dict[str, object], form_url: str
) -> TestResponse:
    """Post one of a page's several forms: its fields and its CSRF field carry a prefix."""
    payload: dict[str, object] = {f"{prefix}{k}": v for k, v in data.items()}
    payload[f"{prefix}csrf_token"] = csrf_token(client, form_url)
    return client.post(url, data=payload)


class Releases:
    """The process's releases as published, each checked against the schema once."""

    def __init__(self, db: Session, ocid: str) -> None:
        self.db, self.ocid, self.seen = db, ocid, 0

    def new(self) -> list[dict[str, Any]]:
        """The releases published since the last call, in order, all valid."""
        self.db.expire_all()
        rows = self.db.scalars(
            select(OcdsRelease)
            .where(OcdsRelease.ocid == self.ocid, OcdsRelease.sequence > self.seen)
            .order_by(OcdsRelease.sequence)
        ).all()
        for row in rows:
            assert_valid(row.data)
        self.seen += len(rows)
        return [row.data for row in rows]

    def tags(self) -> list[str]:
        return [tag for release in self.new() for tag in release["tag"]]


def test_one_process_from_plan_line_to_completed_contract(app: Flask, db: Session) -> None:
    owner = make_user(db, Role.BUYER)
    companies = [make_supplier(db, verified=True) for _ in range(2)]
    db.commit()
    buyer = browser(app)
    log_in(buyer, owner)
    bidders = []
    for _supplier, user in companies:
        bidders.append(browser(app))
        log_in(bidders[-1], user)

    # Plan line, then "start process": the planning release.
    plan: dict[str, object] = {
        "year": str(utcnow().year), "title": "Portátiles para docentes",
        "rationale": "Sustituir equipos con más de siete años.", "category_code": "43211500",
        "main_category": "goods", "amount": "480000", "currency": "MXN", "quarter": "2",
        "budget_source": "Recursos fiscales, partida 5151", "is_ict": "y",
    }  # fmt: skip
    assert post_form(buyer, "/buyer/plan/new", plan).status_code == 302
    line = db.scalar(select(PlanLine).where(PlanLine.buyer_org_id == owner.organisation_id))
    assert line is not None
    started = post_form(buyer, f"/buyer/plan/{line.id}/start", {}, form_url="/buyer/plan")
    assert started.status_code == 302
    db.expire_all()
    tender = db.get(Tender, line.tender_id)
    assert tender is not None and tender.ocid
    releases = Releases(db, tender.ocid)
    [planning] = releases.new()
    assert planning["tag"] == ["planning"] and planning["tender"]["status"] == "planned"
    assert planning["planning"]["budget"]["amount"]["amount"] == 480000
    page = f"/buyer/tenders/{tender.id}"

    # The call for bids: written (private), then published.
    form: dict[str, object] = {
        "title": "Adquisición de portátiles para docentes",
        "description": "Portátiles de 14 pulgadas con garantía en sitio.",
        "main_category": "goods", "value_amount": "450000", "currency": "MXN",
        "procurement_method": "open", "method_details": "",
        "weight_price": "60", "weight_quality": "20", "weight_technical": "20",
        "eligibility_criteria": "Registro vigente en el padrón de proveedores.",
        "enquiry_end": local(dt.timedelta(minutes=30)),
        "tender_end": local(dt.timedelta(hours=2)),
        "bid_validity_days": "90", "variant_policy": "notAllowed",
        "items-0-description": "Computadora portátil 14 pulgadas, 16 GB",
        "items-0-classification_id": "43211503", "items-0-quantity": "20",
        "items-0-unit_name": "equipo", "items-0-unit_code": "H87", "items-0-lot": "",
        "documents-0-document_type": "biddingDocuments", "documents-0-title": "Bases",
        "documents-0-url": "https://example.org/bases.pdf", "save": "1",
    }  # fmt: skip
    saved = post_form(buyer, f"{page}/edit", form)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert releases.new() == []  # the draft is private
    assert post_form(buyer, f"{page}/publish", {}, form_url=page).status_code == 302
    [published] = releases.new()
    assert published["tag"] == ["tender"] and published["tender"]["status"] == "active"
    assert published["tender"]["awardCriteria"] == "ratedCriteria"

    # The question period ends: the next read opens the bids.
    db.expire_all()
    tender.enquiry_end = tender.tender_start = tender.next_check_at = utcnow().replace(
        microsecond=0
    )
    db.commit()
    assert buyer.get(page).status_code == 200
    assert releases.tags() == ["tenderUpdate"]
    db.expire_all()
    assert tender.state == TenderState.TENDERING

    # Each supplier seals a bid on the form and gets its receipt.
    bid_url = f"/supplier/tenders/{tender.id}/bid"
    for client, price in zip(bidders, ("398000.00", "425500.00"), strict=True):
        sealed = post_form(
            client, bid_url,
            {"prices-0": price, "technical_note": "Entrega en 20 días.", "declarations": "y",
             "documents": (io.BytesIO(PDF), "ficha.pdf")},
        )  # fmt: skip
        assert sealed.status_code == 302, sealed.get_data(as_text=True)
        receipt = client.get(sealed.headers["Location"]).get_data(as_text=True)
        db.expire_all()
        bid = db.scalar(select(Bid).order_by(Bid.id.desc()))
        assert bid is not None and bid.commitment in receipt and bid.receipt_number in receipt
        [update] = releases.new()
        assert update["tag"] == ["tenderUpdate"]
        last = update["bids"]["details"][-1]
        assert last["status"] == "pending" and "value" not in last and "tenderers" not in last
        assert price.split(".")[0] not in str(update)  # sealed: no price anywhere
    bids = db.scalars(select(Bid).where(Bid.tender_id == tender.id).order_by(Bid.id)).all()

    # The deadline passes; the buyer opens the bids: tenderers and values are published.
    tender.tender_end = tender.next_check_at = utcnow().replace(microsecond=0)
    db.commit()
    assert buyer.get(f"{page}/bids").status_code == 200
    assert releases.tags() == ["tenderUpdate"]
    opened = post_form(buyer, f"{page}/bids/open", {}, form_url=f"{page}/bids")
    assert opened.status_code == 302
    [disclosure] = releases.new()
    assert {d["value"]["amount"] for d in disclosure["bids"]["details"]} == {398000, 425500}
    assert disclosure["tender"]["numberOfTenderers"] == 2

    # Scores for quality and technical merit, then the award to the best-ranked bid.
    evaluation = f"{page}/evaluation"
    for bid, (quality, technical) in zip(bids, ((90, 85), (70, 75)), strict=True):
        scored = post_prefixed(
            buyer, f"/buyer/bids/{bid.id}/lots/tender/score", f"s{bid.id}-tender-",
            {"quality": str(quality), "technical": str(technical)}, evaluation,
        )  # fmt: skip
        assert scored.status_code == 302, scored.get_data(as_text=True)
    assert [d["status"] for r in releases.new() for d in r["bids"]["details"]][-2:] == [
        "valid",
        "valid",
    ]
    winner = bids[0]
    awarded = post_prefixed(
        buyer, f"/buyer/bids/{winner.id}/lots/tender/award", "a-tender-", {}, evaluation
    )
    assert awarded.status_code == 302, awarded.get_data(as_text=True)
    [award_release] = releases.new()
    assert award_release["tag"] == ["award"]
    [award_data] = award_release["awards"]
    assert award_data["status"] == "pending" and award_data["value"]["amount"] == 398000
    assert award_data["suppliers"][0]["name"] == companies[0][0].legal_name

    # The standstill ends without complaints: the award becomes active.
    award = db.scalar(select(Award).where(Award.tender_id == tender.id))
    assert award is not None
    award.standstill_end = utcnow().replace(microsecond=0)
    db.commit()
    assert buyer.get(evaluation).status_code == 200
    [activated] = releases.new()
    assert activated["tag"] == ["awardUpdate"] and activated["awards"][0]["status"] == "active"
    db.expire_all()
    assert award.status == AwardStatus.ACTIVE

    # The contract is signed: the tender is complete.
    today = utcnow().date()
    signing = f"/buyer/awards/{award.id}/contract"
    signed = post_form(
        buyer, signing,
        {"title": "Suministro de portátiles", "value": "398000",
         "period_start": today.isoformat(),
         "period_end": (today + dt.timedelta(days=90)).isoformat(), "date_signed": "",
         "documents-0-document_type": "contractSigned", "documents-0-title": "Contrato firmado",
         "documents-0-url": "https://example.org/contrato.pdf",
         "documents-1-document_type": "contractAnnexe", "documents-1-title": "",
         "documents-1-url": ""},
    )  # fmt: skip
    assert signed.status_code == 302, signed.get_data(as_text=True)
    [contract_release] = releases.new()
    assert contract_release["tag"] == ["contract"]
    assert contract_release["tender"]["status"] == "complete"
    assert contract_release["contracts"][0]["status"] == "active"
    contract = db.scalar(select(Contract).where(Contract.award_id == award.id))
    assert contract is not None
    # The supplier finds it among its contracts.
    assert "Suministro de portátiles" in bidders[0].get("/supplier/contracts").get_data(
        as_text=True
    )

    # Paid in full, then completed.
    url = f"/buyer/contracts/{contract.id}"
    payment: dict[str, object] = {"amount": "398000", "date": today.isoformat(), "milestone_id": "",
               "reference": "OP-1"}  # fmt: skip
    assert post_prefixed(buyer, f"{url}/payments", "pay-", payment, url).status_code == 302
    [paid] = releases.new()
    assert paid["tag"] == ["implementation"]
    [transaction] = paid["contracts"][0]["implementation"]["transactions"]
    assert transaction["value"]["amount"] == 398000
    done: dict[str, object] = {"outcome": "completed", "reason": "Equipos entregados y pagados."}
    assert post_prefixed(buyer, f"{url}/end", "end-", done, url).status_code == 302
    [closed] = releases.new()
    assert closed["tag"] == ["contractTermination"]
    assert closed["contracts"][0]["status"] == "terminated"
    db.expire_all()
    assert contract.status == ContractStatus.TERMINATED and contract.outcome == "completed"

    # The public record sums it up.
    record = buyer.get(f"/api/records/{tender.ocid}").get_json()["records"][0]
    compiled = record["compiledRelease"]
    assert compiled["tender"]["status"] == "complete"
    assert compiled["awards"][0]["status"] == "active"
    assert compiled["contracts"][0]["status"] == "terminated"
    assert len(record["releases"]) == releases.seen
