"""Contracts: signing from an active award (and completing the tender), amendments,
milestones, payments, completion and early termination; the release each emits, and
every refusal leaving nothing changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.awards.models import AwardStatus
from marketplace.contracts.errors import ContractError, NotYourProcess
from marketplace.contracts.life_models import ContractAmendment, ContractPayment
from marketplace.contracts.models import Contract, ContractStatus
from marketplace.contracts.releases import contract_lines
from marketplace.contracts.services import (
    AmendmentInput,
    DocumentInput,
    MilestoneInput,
    PaymentInput,
    add_milestone,
    amend_contract,
    end_contract,
    record_payment,
    sign_contract,
    update_milestone,
)
from marketplace.inbox.models import Message
from marketplace.publication.models import OcdsRecord, OcdsRelease
from marketplace.tenders.states import TenderState
from tests.contract_helpers import (
    LOT1_PRICE,
    LOT2_PRICE,
    PERIOD_END,
    PERIOD_START,
    SIGNED_AT,
    active_award,
    make_award,
    opened_tender,
    sign_input,
    signed_contract,
)
from tests.published import releases
from tests.tender_helpers import assert_valid, buyer

DAY = dt.timedelta(days=1)
LATER = SIGNED_AT + 30 * DAY


def last_release(db: Session, ocid: str) -> dict[str, Any]:
    data = releases(db, ocid)[-1]
    assert_valid(data)
    _check_references(data)
    return data


def _check_references(release: dict[str, Any]) -> None:
    """Party ids and award ids used by the contracts resolve within the release."""
    parties = {p["id"]: p for p in release.get("parties", [])}  # none in a bid release
    awards = {a["id"] for a in release.get("awards", [])}
    for contract in release.get("contracts", []):
        assert contract["awardID"] in awards
        for t in contract.get("implementation", {}).get("transactions", []):
            assert "payer" in parties[t["payer"]["id"]]["roles"]
            assert "payee" in parties[t["payee"]["id"]]["roles"]


def count(db: Session, model: Any) -> int:
    return db.scalar(select(func.count(model.id))) or 0


# --- signing ------------------------------------------------------------------------


def test_signing_publishes_the_contract_and_completes_the_tender(db: Session) -> None:
    contract, owner, supplier_user = signed_contract(db)
    tender = contract.tender
    assert contract.status == ContractStatus.ACTIVE and contract.local_id == "contract-1"
    assert contract.value_amount == LOT1_PRICE and contract.date_signed == SIGNED_AT
    # The only active award now has its contract: the tender completes in one release.
    assert tender.state == TenderState.COMPLETE
    release = last_release(db, tender.ocid)
    assert release["tag"] == ["contract"]
    assert release["tender"]["status"] == "complete"
    [section] = release["contracts"]
    assert section["awardID"] == contract.award.local_id
    assert section["status"] == "active"
    assert section["value"] == {"amount": 1500000, "currency": "MXN"}
    assert section["period"]["endDate"] == PERIOD_END.isoformat() + "Z"
    assert section["documents"][0]["documentType"] == "contractSigned"
    [item] = section["items"]
    assert item["quantity"] == 300 and item["unit"]["value"]["amount"] == 5000
    supplier = contract.award.supplier
    party = next(p for p in release["parties"] if p["id"] == supplier.party_id)
    assert "supplier" in party["roles"]
    # The compiled record shows it too; the supplier is told in the inbox.
    record = db.get(OcdsRecord, tender.ocid)
    assert record is not None and record.compiled["contracts"][0]["id"] == "contract-1"
    inbox = db.scalars(select(Message).where(Message.user_id == supplier_user.id)).all()
    assert any(m.kind == "contract.signed" for m in inbox)


def test_contract_lines_give_items_quantities_and_prices(db: Session) -> None:
    contract, _owner, _user = signed_contract(db)
    [line] = contract_lines(db, contract)
    assert line.item.related_lot == "lot-1" and line.quantity == 300
    assert line.lot_price == LOT1_PRICE and line.unit_price == Decimal("5000.00")


def test_tender_completes_only_when_every_active_award_is_signed(db: Session) -> None:
    tender, owner, bidders = opened_tender(db)
    first = make_award(db, tender, bidders[0][2])
    second = make_award(db, tender, bidders[0][2], lot="lot-2", value=LOT2_PRICE)
    sign_contract(db, first, owner, sign_input(), now=SIGNED_AT)
    assert tender.state == TenderState.EVALUATION
    assert last_release(db, tender.ocid)["tag"] == ["contract"]
    sign_contract(db, second, owner, sign_input(), now=SIGNED_AT + DAY)
    assert tender.state == TenderState.COMPLETE
    release = last_release(db, tender.ocid)
    assert [c["id"] for c in release["contracts"]] == ["contract-1", "contract-2"]
    # The lot-2 contract lists the monitors only (420,000.50 / 100 = 4,200.005 each).
    [monitors] = release["contracts"][1]["items"]
    assert monitors["id"] == "item-2" and monitors["unit"]["value"]["amount"] == 4200.005


def test_a_pending_award_keeps_the_tender_open(db: Session) -> None:
    tender, owner, bidders = opened_tender(db)
    first = make_award(db, tender, bidders[0][2])
    second = make_award(db, tender, bidders[0][2], lot="lot-2", value=LOT2_PRICE,
                        status=AwardStatus.PENDING)  # fmt: skip
    second.standstill_end = SIGNED_AT + 5 * DAY  # a complaint extended it, say
    sign_contract(db, first, owner, sign_input(), now=SIGNED_AT)
    assert tender.state == TenderState.EVALUATION and second.status == AwardStatus.PENDING


@pytest.mark.parametrize(
    ("status", "message"),
    [(AwardStatus.PENDING, "standstill"), (AwardStatus.CANCELLED, "not active")],
)
def test_signing_an_award_that_is_not_active_is_refused(
    db: Session, status: AwardStatus, message: str
) -> None:
    tender, owner, bidders = opened_tender(db)
    award = make_award(db, tender, bidders[0][2], status=status)
    assert award.standstill_end is not None
    during_standstill = award.standstill_end - DAY
    before = count(db, OcdsRelease)
    with pytest.raises(ContractError, match=message):
        sign_contract(db, award, owner, sign_input(date_signed=during_standstill - DAY),
                      now=during_standstill)  # fmt: skip
    assert count(db, Contract) == 0 and count(db, OcdsRelease) == before


def test_an_award_whose_standstill_ended_can_be_signed_before_the_tick(db: Session) -> None:
    tender, owner, bidders = opened_tender(db)
    award = make_award(db, tender, bidders[0][2], status=AwardStatus.PENDING)
    assert award.standstill_end is not None and award.standstill_end < SIGNED_AT
    contract = sign_contract(db, award, owner, sign_input(), now=SIGNED_AT)
    assert award.status == AwardStatus.ACTIVE and contract.status == ContractStatus.ACTIVE
    tags = [r["tag"] for r in releases(db, tender.ocid)[-2:]]
    assert tags == [["awardUpdate"], ["contract"]]


def test_signing_twice_is_refused(db: Session) -> None:
    contract, owner, _user = signed_contract(db)
    with pytest.raises(ContractError, match="already been signed"):
        sign_contract(db, contract.award, owner, sign_input(), now=SIGNED_AT + DAY)
    assert count(db, Contract) == 1


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"period_end": PERIOD_START - DAY}, "period_end"),
        ({"period_end": PERIOD_START}, "period_end"),
        ({"period_start": None}, "period_start"),
        ({"value": "0"}, "value"),
        ({"value": "-5"}, "value"),
        ({"value": "abc"}, "value"),
        ({"value": "1500000.01"}, "value"),
        ({"date_signed": SIGNED_AT + DAY}, "date_signed"),
        ({"documents": []}, "documents-0-url"),
        ({"documents": [DocumentInput("Contrato", "ftp://x")]}, "documents-0-url"),
    ],
)
def test_bad_signing_input_is_refused_by_field(
    db: Session, overrides: dict[str, Any], path: str
) -> None:
    award, owner, _user = active_award(db)
    before = count(db, OcdsRelease)
    with pytest.raises(ContractError) as err:
        sign_contract(db, award, owner, sign_input(**overrides), now=SIGNED_AT)
    assert path in err.value.errors
    assert count(db, Contract) == 0 and count(db, OcdsRelease) == before
    assert award.tender.state == TenderState.EVALUATION


def test_buyer_of_another_unit_cannot_sign(db: Session) -> None:
    award, _owner, _user = active_award(db)
    with pytest.raises(NotYourProcess):
        sign_contract(db, award, buyer(db), sign_input(), now=SIGNED_AT)
    assert count(db, Contract) == 0


# --- amendments ---------------------------------------------------------------------


def test_amendment_changes_value_and_period_with_its_rationale(db: Session) -> None:
    contract, owner, user = signed_contract(db)
    signed_release = releases(db, contract.tender.ocid)[-1]
    new_end = PERIOD_END + 60 * DAY
    amendment = amend_contract(
        db, contract, owner,
        AmendmentInput("Ampliación por 20 equipos adicionales", "1650000", new_end), now=LATER,
    )  # fmt: skip
    assert contract.value_amount == Decimal("1650000.00") and contract.period_end == new_end
    release = last_release(db, contract.tender.ocid)
    assert release["tag"] == ["contractAmendment"]
    [section] = release["contracts"]
    assert section["value"]["amount"] == 1650000
    [entry] = section["amendments"]
    assert entry["rationale"] == "Ampliación por 20 equipos adicionales"
    assert entry["amendsReleaseID"] == signed_release["id"]
    assert "1,500,000.00 MXN → 1,650,000.00 MXN" in entry["description"]
    assert amendment.release_id == release["id"]
    kinds = db.scalars(select(Message.kind).where(Message.user_id == user.id)).all()
    assert "contract.amended" in kinds


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (AmendmentInput("", "1600000"), "rationale"),
        (AmendmentInput("corto", "1600000"), "rationale"),
        (AmendmentInput("Ampliación necesaria del alcance", "0"), "value"),
        (AmendmentInput("Ampliación necesaria del alcance", "1800000.01"), "value"),
        (AmendmentInput("Ampliación necesaria del alcance"), "value"),
        (AmendmentInput("Ampliación necesaria del alcance", None, PERIOD_START - DAY),
         "period_end"),
    ],
)  # fmt: skip
def test_bad_amendments_are_refused(db: Session, data: AmendmentInput, path: str) -> None:
    contract, owner, _user = signed_contract(db)
    before = count(db, OcdsRelease)
    with pytest.raises(ContractError) as err:
        amend_contract(db, contract, owner, data, now=LATER)
    assert path in err.value.errors
    db.refresh(contract)
    assert contract.value_amount == LOT1_PRICE and contract.period_end == PERIOD_END
    assert count(db, ContractAmendment) == 0 and count(db, OcdsRelease) == before


def test_buyer_of_another_unit_cannot_amend(db: Session) -> None:
    contract, _owner, _user = signed_contract(db)
    with pytest.raises(NotYourProcess):
        amend_contract(db, contract, buyer(db), AmendmentInput("Ampliación del alcance",
                       "1600000"), now=LATER)  # fmt: skip
    assert count(db, ContractAmendment) == 0


# --- implementation -----------------------------------------------------------------


def test_milestones_and_payments_publish_implementation(db: Session) -> None:
    contract, owner, user = signed_contract(db)
    milestone = add_milestone(
        db, contract, owner,
        MilestoneInput("Entrega de 300 equipos", PERIOD_START + 30 * DAY, "delivery",
                       note="Revisar con almacén"), now=LATER,
    )  # fmt: skip
    release = last_release(db, contract.tender.ocid)
    assert release["tag"] == ["implementation"]
    [m] = release["contracts"][0]["implementation"]["milestones"]
    assert m["status"] == "scheduled" and "almacén" not in str(release)
    at = PERIOD_START + 31 * DAY
    update_milestone(db, milestone, owner, "met", at, now=at + DAY)
    payment = record_payment(
        db, contract, owner, PaymentInput("750000", at + DAY, milestone.id, "F-001"),
        now=at + DAY,
    )  # fmt: skip
    release = last_release(db, contract.tender.ocid)
    implementation = release["contracts"][0]["implementation"]
    assert implementation["milestones"][0]["status"] == "met"
    [t] = implementation["transactions"]
    buyer_id = release["buyer"]["id"]
    assert t["payer"]["id"] == buyer_id
    assert t["payee"]["id"] == contract.award.supplier.party_id
    assert t["value"] == {"amount": 750000, "currency": "MXN"}
    assert payment.local_id == "payment-1"
    kinds = db.scalars(select(Message.kind).where(Message.user_id == user.id)).all()
    assert "contract.payment" in kinds


def test_payments_beyond_the_contract_value_are_refused(db: Session) -> None:
    contract, owner, _user = signed_contract(db)
    record_payment(db, contract, owner, PaymentInput("1500000", LATER), now=LATER)
    before = count(db, OcdsRelease)
    with pytest.raises(ContractError, match="more than the contract value") as err:
        record_payment(db, contract, owner, PaymentInput("0.01", LATER), now=LATER)
    assert "amount" in err.value.errors
    assert count(db, ContractPayment) == 1 and count(db, OcdsRelease) == before


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (PaymentInput("0", LATER), "amount"),
        (PaymentInput("-10", LATER), "amount"),
        (PaymentInput("100", None), "date"),
        (PaymentInput("100", LATER + DAY), "date"),
        (PaymentInput("100", SIGNED_AT - DAY), "date"),
        (PaymentInput("100", LATER, 999999), "milestone_id"),
    ],
)
def test_bad_payments_are_refused(db: Session, data: PaymentInput, path: str) -> None:
    contract, owner, _user = signed_contract(db)
    with pytest.raises(ContractError) as err:
        record_payment(db, contract, owner, data, now=LATER)
    assert path in err.value.errors
    assert count(db, ContractPayment) == 0


def test_milestone_outside_the_period_is_refused(db: Session) -> None:
    contract, owner, _user = signed_contract(db)
    with pytest.raises(ContractError) as err:
        add_milestone(db, contract, owner, MilestoneInput("Entrega", PERIOD_END + DAY), now=LATER)
    assert "due_date" in err.value.errors


# --- the end ------------------------------------------------------------------------


def test_completion_publishes_termination_with_a_completion_certificate(db: Session) -> None:
    contract, owner, user = signed_contract(db)
    end_contract(db, contract, owner, "completed", "", now=LATER)
    assert contract.status == ContractStatus.TERMINATED and contract.outcome == "completed"
    assert contract.period_end == PERIOD_END
    release = last_release(db, contract.tender.ocid)
    assert release["tag"] == ["contractTermination"]
    [section] = release["contracts"]
    assert section["status"] == "terminated"
    assert section["implementation"]["documents"][0]["documentType"] == "completionCertificate"
    assert "termination" not in [d["id"] for d in section["documents"]]
    kinds = db.scalars(select(Message.kind).where(Message.user_id == user.id)).all()
    assert "contract.completed" in kinds


def test_early_termination_needs_a_reason_and_publishes_it(db: Session) -> None:
    contract, owner, user = signed_contract(db)
    before = count(db, OcdsRelease)
    with pytest.raises(ContractError) as err:
        end_contract(db, contract, owner, "terminated", "  ", now=LATER)
    assert "reason" in err.value.errors and count(db, OcdsRelease) == before
    db.refresh(contract)
    assert contract.status == ContractStatus.ACTIVE
    end_contract(db, contract, owner, "terminated", "Incumplimiento en las entregas", now=LATER)
    assert contract.period_end == LATER
    [section] = last_release(db, contract.tender.ocid)["contracts"]
    assert section["status"] == "terminated"
    doc = next(d for d in section["documents"] if d["id"] == "termination")
    assert doc["documentType"] == "cancellationDetails"
    assert doc["description"] == "Incumplimiento en las entregas"
    assert section["period"]["endDate"] == LATER.isoformat() + "Z"


def test_nothing_happens_on_an_ended_contract(db: Session) -> None:
    contract, owner, _user = signed_contract(db)
    end_contract(db, contract, owner, "completed", "", now=LATER)
    before = count(db, OcdsRelease)
    with pytest.raises(ContractError, match="active contract"):
        record_payment(db, contract, owner, PaymentInput("100", LATER), now=LATER)
    with pytest.raises(ContractError, match="active contract"):
        amend_contract(db, contract, owner, AmendmentInput("Ampliación del alcance", "1600000"),
                       now=LATER)  # fmt: skip
    with pytest.raises(ContractError, match="active contract"):
        end_contract(db, contract, owner, "terminated", "Otra razón suficiente", now=LATER)
    assert count(db, OcdsRelease) == before


def test_buyer_of_another_unit_cannot_pay_or_end(db: Session) -> None:
    contract, _owner, _user = signed_contract(db)
    stranger = buyer(db)
    with pytest.raises(NotYourProcess):
        record_payment(db, contract, stranger, PaymentInput("100", LATER), now=LATER)
    with pytest.raises(NotYourProcess):
        end_contract(db, contract, stranger, "completed", "", now=LATER)
    assert contract.status == ContractStatus.ACTIVE and count(db, ContractPayment) == 0


def test_every_release_of_the_life_validates(db: Session) -> None:
    contract, owner, _user = signed_contract(db)
    amend_contract(db, contract, owner, AmendmentInput("Prórroga por retraso justificado",
                   None, PERIOD_END + 10 * DAY), now=LATER)  # fmt: skip
    record_payment(db, contract, owner, PaymentInput("100000", LATER), now=LATER)
    end_contract(db, contract, owner, "completed", "Entregado y pagado", now=LATER + DAY)
    for release in releases(db, contract.tender.ocid):
        assert_valid(release)
        _check_references(release)
