"""Contracts through the pages: the buyer signs from the overview, records a payment,
amends and closes; bad input re-shows the form with the problem named; the supplier sees
its contracts and inbox messages; another unit's buyer and another company are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from marketplace.accounts.models import OrgKind, Role
from marketplace.awards.models import AwardStatus
from marketplace.contracts.life_models import ContractPayment
from marketplace.contracts.models import Contract, ContractStatus
from marketplace.contracts.services import MilestoneInput, add_milestone
from marketplace.db import utcnow
from marketplace.inbox.models import Message
from marketplace.publication.models import OcdsRelease
from marketplace.tenders.states import TenderState
from tests.contract_helpers import (
    active_award,
    make_award,
    opened_tender,
    past_start,
    signed_contract,
)
from tests.factories import csrf_token, login_as, make_org, make_user, post_form
from tests.supplier_helpers import make_supplier


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.set_cookie("lang", "en")


def releases(db: Session) -> int:
    return db.scalar(select(func.count(OcdsRelease.id))) or 0


def sign_data(**overrides: object) -> dict[str, object]:
    today = utcnow().date()
    data: dict[str, object] = {
        "title": "Suministro de portátiles",
        "value": "1500000",
        "period_start": (today + dt.timedelta(days=3)).isoformat(),
        "period_end": (today + dt.timedelta(days=200)).isoformat(),
        "date_signed": "",
        "documents-0-document_type": "contractSigned",
        "documents-0-title": "Contrato firmado",
        "documents-0-url": "https://example.org/contrato.pdf",
        "documents-1-document_type": "contractAnnexe",
        "documents-1-title": "",
        "documents-1-url": "",
    }
    data.update(overrides)
    return data


def post_prefixed(
    client: FlaskClient, url: str, prefix: str, data: dict[str, object], form_url: str
) -> TestResponse:
    """Post one of the contract page's forms (each has its prefix, its CSRF field too)."""
    payload = {f"{prefix}-{k}": v for k, v in data.items()}
    payload[f"{prefix}-csrf_token"] = csrf_token(client, form_url)
    return client.post(url, data=payload)


def test_buyer_signs_from_the_overview(client: FlaskClient, db: Session) -> None:
    award, owner, supplier_user = active_award(db, past_start())
    db.commit()
    login_as(client, owner)
    overview = client.get("/buyer/contracts").get_data(as_text=True)
    url = f"/buyer/awards/{award.id}/contract"
    assert url in overview and "Awards waiting for a signed contract" in overview
    resp = post_form(client, url, sign_data())
    assert resp.status_code == 302, resp.get_data(as_text=True)
    db.expire_all()
    contract = db.scalar(select(Contract).where(Contract.award_id == award.id))
    assert contract is not None and contract.status == ContractStatus.ACTIVE
    assert award.tender.state == TenderState.COMPLETE
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Suministro de portátiles" in page and "1,500,000.00 MXN" in page
    # The public process page shows the contract from the published record.
    public = client.get(f"/processes/{award.tender.ocid}")
    assert public.status_code == 200 and "Suministro de portátiles" in public.get_data(as_text=True)
    # Signing again leads to the contract, not to a second one.
    assert client.get(url).status_code == 302
    # The supplier sees it in its contracts and its inbox.
    login_as(client, supplier_user)
    mine = client.get("/supplier/contracts").get_data(as_text=True)
    assert "Suministro de portátiles" in mine
    assert client.get(f"/supplier/contracts/{contract.id}").status_code == 200
    kinds = db.scalars(select(Message.kind).where(Message.user_id == supplier_user.id)).all()
    assert "contract.signed" in kinds


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"period_end": "2020-01-01"}, "The end date must be after the start date."),
        ({"value": "-3"}, "The amount must be more than zero."),
        ({"value": "0"}, "The amount must be more than zero."),
        ({"documents-0-title": "", "documents-0-url": ""}, "Publish the signed contract"),
        ({"documents-0-url": "contrato.pdf"}, "web address (https://…)"),
    ],
)
def test_bad_signing_reshows_the_form(
    client: FlaskClient, db: Session, overrides: dict[str, object], message: str
) -> None:
    award, owner, _user = active_award(db, past_start())
    db.commit()
    login_as(client, owner)
    before = releases(db)
    resp = post_form(client, f"/buyer/awards/{award.id}/contract", sign_data(**overrides))
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert message in text and "Suministro de portátiles" in text
    assert db.scalar(select(Contract).where(Contract.award_id == award.id)) is None
    assert releases(db) == before


def test_payment_amendment_and_termination_through_the_page(
    client: FlaskClient, db: Session
) -> None:
    contract, owner, supplier_user = signed_contract(db, past_start())
    db.commit()
    login_as(client, owner)
    url = f"/buyer/contracts/{contract.id}"
    today = utcnow().date().isoformat()
    pay = {"amount": "2000000", "date": today, "milestone_id": "", "reference": "F-9"}
    resp = post_prefixed(client, f"{url}/payments", "pay", pay, url)
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert "Payments would total 2,000,000.00 MXN, more than the contract value" in text
    assert 'value="2000000"' in text and db.scalar(select(ContractPayment.id)) is None
    resp = post_prefixed(client, f"{url}/payments", "pay", {**pay, "amount": "500000"}, url)
    assert resp.status_code == 302
    assert db.scalar(select(ContractPayment.reference)) == "F-9"
    amend = {"rationale": "", "value": "1600000"}
    resp = post_prefixed(client, f"{url}/amend", "amend", amend, url)
    assert resp.status_code == 422
    assert "Explain why the contract changes" in resp.get_data(as_text=True)
    amend["rationale"] = "Se suman 20 equipos"
    assert post_prefixed(client, f"{url}/amend", "amend", amend, url).status_code == 302
    end = {"outcome": "terminated", "reason": ""}
    resp = post_prefixed(client, f"{url}/end", "end", end, url)
    assert resp.status_code == 422 and "Give the reason" in resp.get_data(as_text=True)
    db.refresh(contract)
    assert contract.status == ContractStatus.ACTIVE
    end["reason"] = "Entregas incumplidas"
    assert post_prefixed(client, f"{url}/end", "end", end, url).status_code == 302
    db.refresh(contract)
    assert contract.outcome == "terminated" and contract.value_amount == 1600000
    kinds = set(db.scalars(select(Message.kind).where(Message.user_id == supplier_user.id)))
    assert {"contract.payment", "contract.amended", "contract.terminated"} <= kinds
    # The supplier sees the payment reference on its page; the public record does not.
    login_as(client, supplier_user)
    assert "F-9" in client.get(f"/supplier/contracts/{contract.id}").get_data(as_text=True)
    record = client.get(f"/api/records/{contract.tender.ocid}").get_data(as_text=True)
    assert "Entregas incumplidas" in record and "F-9" not in record


def test_milestones_due_show_on_the_overview_and_can_be_met(
    client: FlaskClient, db: Session
) -> None:
    contract, owner, _user = signed_contract(db, past_start())
    now = utcnow().replace(microsecond=0)
    milestone = add_milestone(db, contract, owner,
                              MilestoneInput("Entrega del primer lote", now + dt.timedelta(days=5),
                                             note="NOTA-INTERNA"), now=now)  # fmt: skip
    db.commit()
    login_as(client, owner)
    overview = client.get("/buyer/contracts").get_data(as_text=True)
    assert "Entrega del primer lote" in overview
    page = client.get(f"/buyer/contracts/{contract.id}").get_data(as_text=True)
    assert "NOTA-INTERNA" in page
    resp = post_prefixed(client, f"/buyer/contract-milestones/{milestone.id}",
                         f"m{milestone.id}", {"status": "met", "date_met": ""},
                         f"/buyer/contracts/{contract.id}")  # fmt: skip
    assert resp.status_code == 302
    db.refresh(milestone)
    assert milestone.status.value == "met" and milestone.date_met is not None
    assert "Entrega del primer lote" not in client.get("/buyer/contracts").get_data(as_text=True)


def test_another_unit_and_another_company_are_refused(client: FlaskClient, db: Session) -> None:
    contract, owner, supplier_user = signed_contract(db, past_start())
    now = utcnow().replace(microsecond=0)
    milestone = add_milestone(db, contract, owner,
                              MilestoneInput("Entrega", now + dt.timedelta(days=5),
                                             note="NOTA-INTERNA"), now=now)  # fmt: skip
    pending_award, _o, _u = active_award(db, past_start())
    intruder = make_user(db, Role.BUYER, make_org(db, OrgKind.BUYER, "Unidad ajena"))
    other_company = make_supplier(db, verified=True)[1]
    db.commit()
    before = releases(db)
    c = contract.id
    login_as(client, intruder)
    assert "Entrega" not in client.get("/buyer/contracts").get_data(as_text=True)
    for method, url in [
        ("GET", f"/buyer/contracts/{c}"),
        ("POST", f"/buyer/contracts/{c}/amend"),
        ("POST", f"/buyer/contracts/{c}/payments"),
        ("POST", f"/buyer/contracts/{c}/milestones"),
        ("POST", f"/buyer/contracts/{c}/end"),
        ("POST", f"/buyer/contract-milestones/{milestone.id}"),
        ("GET", f"/buyer/awards/{pending_award.id}/contract"),
        ("POST", f"/buyer/awards/{pending_award.id}/contract"),
    ]:
        resp = client.get(url) if method == "GET" else client.post(url, data={})
        assert resp.status_code == 403, (method, url)
    login_as(client, other_company)
    page = client.get(f"/supplier/contracts/{c}")
    assert page.status_code == 403
    assert "Suministro" not in client.get("/supplier/contracts").get_data(as_text=True)
    # The contract's own supplier never sees the buyer's internal note.
    login_as(client, supplier_user)
    mine = client.get(f"/supplier/contracts/{c}").get_data(as_text=True)
    assert "Entrega" in mine and "NOTA-INTERNA" not in mine
    assert releases(db) == before
    db.refresh(contract)
    assert contract.status == ContractStatus.ACTIVE


def test_overview_lists_an_award_whose_standstill_just_ended(
    client: FlaskClient, db: Session
) -> None:
    tender, owner, bidders = opened_tender(db, past_start())
    award = make_award(db, tender, bidders[0][2], status=AwardStatus.PENDING)
    db.commit()
    login_as(client, owner)
    overview = client.get("/buyer/contracts").get_data(as_text=True)
    assert f"/buyer/awards/{award.id}/contract" in overview
    db.refresh(award)
    assert award.status == AwardStatus.ACTIVE


def test_signing_during_the_standstill_is_refused_on_the_page(
    client: FlaskClient, db: Session
) -> None:
    tender, owner, bidders = opened_tender(db, past_start())
    award = make_award(db, tender, bidders[0][2], status=AwardStatus.PENDING)
    award.standstill_end = utcnow() + dt.timedelta(days=5)
    db.commit()
    login_as(client, owner)
    url = f"/buyer/awards/{award.id}/contract"
    assert "cannot be signed yet" in client.get(url).get_data(as_text=True)
    resp = post_form(client, url, sign_data())
    assert resp.status_code == 422
    assert "still in its standstill period" in resp.get_data(as_text=True)
    assert db.scalar(select(Contract).where(Contract.award_id == award.id)) is None
