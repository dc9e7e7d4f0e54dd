"""Sealed bids: who may bid and when, withdraw/resubmit, re-confirmation after a material
amendment, the sealed release, the opening and its refusals."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.bids import crypto
from marketplace.bids.errors import BidError, NotYourProcess
from marketplace.bids.models import Bid, BidStatus
from marketplace.bids.opening import disclosure_matches, disqualify_bid, mark_valid, open_bids
from marketplace.bids.services import on_material_amendment, reconfirm_bid, withdraw_bid
from marketplace.publication.models import OcdsRecord, OcdsRelease
from marketplace.publication.services import configured_schema
from marketplace.tenders.rules import ItemInput
from marketplace.tenders.services import AmendmentInput, amend_tender, cancel_tender
from marketplace.tenders.states import TenderState
from marketplace.tenders.workflow import tick
from ocds.merge import compile_record
from tests.bid_helpers import DEADLINE, SECRET, bid_input, bidder, place_bid, tendering
from tests.tender_helpers import NOW, assert_valid, buyer

SECOND = dt.timedelta(seconds=1)


def last_release(db: Session, ocid: str) -> dict:
    row = db.scalars(
        select(OcdsRelease).where(OcdsRelease.ocid == ocid).order_by(OcdsRelease.sequence.desc())
    ).first()
    assert row is not None
    assert_valid(row.data)
    return row.data


def compiled(db: Session, ocid: str) -> dict:
    record = db.get(OcdsRecord, ocid)
    assert record is not None
    db.refresh(record)
    return record.compiled


def test_a_submission_release_carries_only_the_bids_it_changes(db: Session) -> None:
    tender, _owner = tendering(db)
    ocid = tender.ocid
    assert ocid is not None
    users = [bidder(db)[1] for _ in range(3)]
    bids = [place_bid(db, tender, u, now=NOW + (n + 1) * SECOND) for n, u in enumerate(users)]
    replacement = place_bid(db, tender, users[0], now=NOW + 5 * SECOND)
    release = last_release(db, ocid)
    assert set(release) == {"ocid", "id", "date", "tag", "initiationType", "tender", "bids"}
    assert release["tender"] == {"id": ocid}
    assert [d["id"] for d in release["bids"]["details"]] == [
        bids[0].public_id,
        replacement.public_id,
    ]
    withdraw_bid(db, bids[1], users[1], now=NOW + 6 * SECOND)
    [detail] = last_release(db, ocid)["bids"]["details"]
    assert detail["id"] == bids[1].public_id and detail["status"] == "withdrawn"
    # The record merges the partial releases onto the tender's snapshot: all four bids,
    # with their latest status, and the tender's other fields still there.
    stored = [
        row.data
        for row in db.scalars(
            select(OcdsRelease).where(OcdsRelease.ocid == ocid).order_by(OcdsRelease.sequence)
        )
    ]
    record = compiled(db, ocid)
    assert record == compile_record(stored, configured_schema())
    statuses = {d["id"]: d["status"] for d in record["bids"]["details"]}
    assert statuses == {
        bids[0].public_id: "withdrawn",
        bids[1].public_id: "withdrawn",
        bids[2].public_id: "pending",
        replacement.public_id: "pending",
    }
    assert record["tender"]["title"] == tender.title and record["buyer"]["name"]


# --- crypto -------------------------------------------------------------------------


def test_key_per_tender_and_associated_data() -> None:
    assert crypto.tender_key(SECRET, 1) != crypto.tender_key(SECRET, 2)
    assert crypto.tender_key(SECRET, 1) == crypto.tender_key(SECRET.encode(), 1)
    nonce, ct = crypto.encrypt(SECRET, 1, "abc", b"secret bid")
    assert crypto.decrypt(SECRET, 1, "abc", nonce, ct) == b"secret bid"
    for args in ((SECRET, 2, "abc"), (SECRET, 1, "abd"), ("other", 1, "abc")):
        with pytest.raises(InvalidTag):
            crypto.decrypt(*args, nonce, ct)  # type: ignore[arg-type]
    nonce2, ct2 = crypto.encrypt(SECRET, 1, "abc", b"secret bid")
    assert nonce2 != nonce and ct2 != ct


def test_canonical_json_and_commitment() -> None:
    text = crypto.canonical_bid({"b": 1, "a": "ñ"})
    assert text == '{"a":"ñ","b":1}'
    assert crypto.commitment(text) == hashlib.sha256(text.encode()).hexdigest()
    assert crypto.matches_commitment(text, crypto.commitment(text).upper())
    assert not crypto.matches_commitment(text + " ", crypto.commitment(text))


# --- submission ---------------------------------------------------------------------


def test_submission_publishes_only_the_commitment(db: Session) -> None:
    tender, _owner = tendering(db)
    supplier, user = bidder(db)
    bid = place_bid(db, tender, user)
    assert bid.status == BidStatus.SUBMITTED and len(bid.commitment) == 64
    assert bid.receipt_number.startswith(f"R{tender.id}-")
    assert b"1500000" not in bid.ciphertext and len(bid.documents) == 1
    release = last_release(db, tender.ocid)
    assert release["tag"] == ["tenderUpdate"]
    [detail] = release["bids"]["details"]
    assert detail["id"] == bid.public_id and detail["status"] == "pending"
    assert detail["documents"][0]["description"] == bid.commitment
    assert set(detail) == {"id", "date", "status", "documents"}
    text = json.dumps(release)
    assert "1500000" not in text and supplier.legal_name not in text
    assert supplier.party_id not in text and "statistics" not in release["bids"]
    assert "numberOfTenderers" not in release["tender"]


def test_one_second_before_the_deadline_is_accepted_and_at_or_after_refused(
    db: Session,
) -> None:
    tender, _owner = tendering(db)
    _s1, early = bidder(db)
    place_bid(db, tender, early, now=DEADLINE - SECOND)
    _s2, late = bidder(db)
    with pytest.raises(BidError, match="deadline|not receiving"):
        place_bid(db, tender, late, now=DEADLINE + SECOND)
    assert db.scalar(select(Bid).where(Bid.supplier_id == _s2.id)) is None


def test_bid_exactly_at_the_deadline_is_refused(db: Session) -> None:
    tender, _owner = tendering(db)
    _s, user = bidder(db)
    with pytest.raises(BidError):
        place_bid(db, tender, user, now=DEADLINE)


def test_unverified_supplier_is_refused(db: Session) -> None:
    tender, _owner = tendering(db)
    _s, user = bidder(db, verified=False)
    with pytest.raises(BidError, match="verified"):
        place_bid(db, tender, user)


def test_buyer_cannot_bid(db: Session) -> None:
    tender, owner = tendering(db)
    with pytest.raises(BidError, match="registered suppliers"):
        place_bid(db, tender, owner)


def test_cancelled_tender_is_refused(db: Session) -> None:
    tender, owner = tendering(db)
    cancel_tender(db, tender, owner, "Presupuesto retirado por la Secretaría.", now=NOW + SECOND)
    _s, user = bidder(db)
    with pytest.raises(BidError, match="cancelled"):
        place_bid(db, tender, user)


def test_tender_still_in_enquiries_is_refused(db: Session) -> None:
    tender, _owner = tendering(db, enquiry_end=NOW + dt.timedelta(days=5))
    assert tender.state == TenderState.ENQUIRIES
    _s, user = bidder(db)
    with pytest.raises(BidError, match="enquiry"):
        place_bid(db, tender, user)


def test_missing_unknown_and_bad_prices_are_refused(db: Session) -> None:
    tender, _owner = tendering(db)
    _s, user = bidder(db)
    with pytest.raises(BidError) as missing:
        place_bid(db, tender, user, bid_input({"lot-1": None, "lot-2": ""}))
    assert "prices-0" in missing.value.errors
    with pytest.raises(BidError) as unknown:
        place_bid(db, tender, user, bid_input({"lot-1": "10", "lot-9": "5"}))
    assert "prices-1" in unknown.value.errors
    with pytest.raises(BidError) as bad:
        place_bid(db, tender, user, bid_input({"lot-1": "-3", "lot-2": "1.234"}))
    assert set(bad.value.errors) == {"prices-0", "prices-1"}
    # Found by the fuzzer: beyond 28 digits, checking the decimals raised (a 500).
    with pytest.raises(BidError) as huge:
        place_bid(db, tender, user, bid_input({"lot-1": "9" * 32}))
    assert str(huge.value.errors["prices-0"].text) == "Use at most two decimals and sixteen digits."
    with pytest.raises(BidError) as undeclared:
        place_bid(db, tender, user, bid_input(declarations=False))
    assert "declarations" in undeclared.value.errors
    with pytest.raises(BidError) as wrong_file:
        place_bid(db, tender, user, bid_input(documents=[("x.exe", b"MZ\x90\x00")]))
    assert "documents" in wrong_file.value.errors
    assert db.scalar(select(Bid).where(Bid.tender_id == tender.id)) is None


def test_one_lot_is_enough(db: Session) -> None:
    tender, _owner = tendering(db)
    _s, user = bidder(db)
    bid = place_bid(db, tender, user, bid_input({"lot-2": "99.90"}))
    assert bid.status == BidStatus.SUBMITTED


def test_withdraw_and_resubmit(db: Session) -> None:
    tender, _owner = tendering(db)
    _s, user = bidder(db)
    first = place_bid(db, tender, user, now=NOW + SECOND)
    second = place_bid(db, tender, user, bid_input({"lot-1": "1400000"}), now=NOW + 2 * SECOND)
    assert first.status == BidStatus.WITHDRAWN and first.replaced_by_id == second.id
    details = {d["id"]: d for d in last_release(db, tender.ocid)["bids"]["details"]}
    assert details[first.public_id]["status"] == "withdrawn"
    assert details[first.public_id]["documents"][0]["description"] == first.commitment
    assert details[second.public_id]["status"] == "pending"
    withdraw_bid(db, second, user, now=NOW + 3 * SECOND)
    assert second.status == BidStatus.WITHDRAWN
    statuses = {d["id"]: d["status"] for d in compiled(db, tender.ocid)["bids"]["details"]}
    assert statuses == {first.public_id: "withdrawn", second.public_id: "withdrawn"}
    third = place_bid(db, tender, user, now=NOW + 4 * SECOND)
    assert third.status == BidStatus.SUBMITTED
    with pytest.raises(BidError):
        withdraw_bid(db, third, user, now=DEADLINE + SECOND)


def test_material_amendment_needs_reconfirmation(db: Session) -> None:
    tender, owner = tendering(db)
    _s, user = bidder(db)
    _s2, other = bidder(db)
    bid = place_bid(db, tender, user)
    kept = place_bid(db, tender, other)
    amend_tender(
        db, tender, owner,
        AmendmentInput(rationale="Cambio de especificación", material=True,
                       description="Portátiles de 15 pulgadas."),
        now=NOW + dt.timedelta(days=2),
    )  # fmt: skip
    assert on_material_amendment(db, tender) == 2
    assert bid.status == BidStatus.NEEDS_RECONFIRMATION
    reconfirm_bid(db, bid, user, now=NOW + dt.timedelta(days=3))
    assert bid.status == BidStatus.SUBMITTED
    opening = open_bids(db, tender, owner, secret=SECRET, now=DEADLINE + SECOND)
    assert opening.bid_count == 1
    assert bid.status == BidStatus.OPENED and kept.status == BidStatus.NEEDS_RECONFIRMATION
    assert kept.disclosed is None
    statuses = {d["id"]: d["status"] for d in last_release(db, tender.ocid)["bids"]["details"]}
    assert statuses == {bid.public_id: "pending", kept.public_id: "withdrawn"}


def test_material_amendment_applies_without_the_hook(db: Session) -> None:
    tender, owner = tendering(db)
    _s, user = bidder(db)
    bid = place_bid(db, tender, user)
    amend_tender(
        db, tender, owner,
        AmendmentInput(rationale="Cambio", material=True, description="Otra descripción."),
        now=NOW + dt.timedelta(days=2),
    )  # fmt: skip
    opening = open_bids(db, tender, owner, secret=SECRET, now=DEADLINE + SECOND)
    assert opening.bid_count == 0 and bid.status == BidStatus.NEEDS_RECONFIRMATION


# --- opening ------------------------------------------------------------------------


def test_opening_discloses_and_matches(db: Session) -> None:
    tender, owner = tendering(db)
    supplier, user = bidder(db)
    _s2, other = bidder(db)
    bid = place_bid(db, tender, user)
    cheap = place_bid(db, tender, other, bid_input({"lot-1": "1200000"}))
    with pytest.raises(BidError, match="after the deadline"):
        open_bids(db, tender, owner, secret=SECRET, now=DEADLINE - SECOND)
    open_bids(db, tender, owner, secret=SECRET, now=DEADLINE + SECOND)
    assert tender.state == TenderState.EVALUATION
    assert bid.total_amount == Decimal("1920000.50")
    release = last_release(db, tender.ocid)
    details = {d["id"]: d for d in release["bids"]["details"]}
    mine = details[bid.public_id]
    assert mine["value"] == {"amount": 1920000.5, "currency": "MXN"}
    assert mine["tenderers"] == [{"id": supplier.party_id, "name": supplier.legal_name}]
    assert mine["relatedLots"] == ["lot-1", "lot-2"]
    disclosed = next(d for d in mine["documents"] if d["id"] == "disclosure")["description"]
    assert hashlib.sha256(disclosed.encode()).hexdigest() == bid.commitment
    assert json.loads(disclosed)["prices"][0] == {
        "lot": "lot-1", "amount": "1500000.00", "currency": "MXN"
    }  # fmt: skip
    assert release["tender"]["numberOfTenderers"] == 2
    assert {p["id"] for p in release["parties"] if "tenderer" in p["roles"]} == {
        supplier.party_id, cheap.supplier.party_id
    }  # fmt: skip
    stats = {s["id"]: s for s in release["bids"]["statistics"]}
    assert stats["bids"]["value"] == 2 and stats["bids-lot-1"]["value"] == 2
    assert stats["bids-lot-2"]["value"] == 1
    assert disclosure_matches(db, bid) and disclosure_matches(db, cheap)

    disqualify_bid(db, bid, owner, "Falta la garantía de cumplimiento.", now=DEADLINE + 2 * SECOND)
    mark_valid(db, cheap, owner, now=DEADLINE + 3 * SECOND)
    release = last_release(db, tender.ocid)
    statuses = {d["id"]: d["status"] for d in release["bids"]["details"]}
    assert statuses == {bid.public_id: "disqualified", cheap.public_id: "valid"}
    stats = {s["id"]: s for s in release["bids"]["statistics"]}
    assert stats["lowestValidBidValue-lot-1"]["value"] == 1200000
    assert stats["validBids"]["value"] == 1 and stats["disqualifiedBidders"]["value"] == 1


def test_second_opening_is_refused(db: Session) -> None:
    tender, owner = tendering(db)
    _s, user = bidder(db)
    place_bid(db, tender, user)
    open_bids(db, tender, owner, secret=SECRET, now=DEADLINE + SECOND)
    count = len(db.scalars(select(OcdsRelease).where(OcdsRelease.ocid == tender.ocid)).all())
    with pytest.raises(BidError, match="already been opened"):
        open_bids(db, tender, owner, secret=SECRET, now=DEADLINE + 2 * SECOND)
    assert count == len(
        db.scalars(select(OcdsRelease).where(OcdsRelease.ocid == tender.ocid)).all()
    )


def test_another_units_buyer_cannot_open(db: Session) -> None:
    tender, _owner = tendering(db)
    _s, user = bidder(db)
    bid = place_bid(db, tender, user)
    stranger = buyer(db)
    with pytest.raises(NotYourProcess):
        open_bids(db, tender, stranger, secret=SECRET, now=DEADLINE + SECOND)
    assert bid.disclosed is None and bid.status == BidStatus.SUBMITTED


def test_wrong_secret_opens_nothing(db: Session) -> None:
    tender, owner = tendering(db)
    _s, user = bidder(db)
    place_bid(db, tender, user)
    with pytest.raises(BidError, match="decrypted"):
        open_bids(db, tender, owner, secret="not the secret", now=DEADLINE + SECOND)


def test_disqualification_needs_a_reason(db: Session) -> None:
    tender, owner = tendering(db)
    _s, user = bidder(db)
    bid = place_bid(db, tender, user)
    with pytest.raises(BidError, match="sealed|opened"):
        disqualify_bid(db, bid, owner, "Sin garantía de cumplimiento", now=NOW + 2 * SECOND)
    open_bids(db, tender, owner, secret=SECRET, now=DEADLINE + SECOND)
    with pytest.raises(BidError) as err:
        disqualify_bid(db, bid, owner, "  corta ", now=DEADLINE + 2 * SECOND)
    assert "reason" in err.value.errors
    assert bid.status == BidStatus.OPENED


def test_every_later_tender_release_carries_the_bids(db: Session) -> None:
    tender, owner = tendering(db)
    _s, user = bidder(db)
    bid = place_bid(db, tender, user)
    # The clock closes the tender period: that release still shows the sealed bid.
    open_bids_at = DEADLINE + SECOND
    assert tick(db, open_bids_at) == 1
    closing = last_release(db, tender.ocid)
    assert closing["bids"]["details"][0] == {
        "id": bid.public_id,
        "date": closing["bids"]["details"][0]["date"],
        "status": "pending",
        "documents": closing["bids"]["details"][0]["documents"],
    }
    open_bids(db, tender, owner, secret=SECRET, now=open_bids_at)
    cancel_tender(db, tender, owner, "Se declara desierta por falta de presupuesto.",
                  now=open_bids_at + SECOND)  # fmt: skip
    cancelled = last_release(db, tender.ocid)
    assert cancelled["tag"] == ["tenderCancellation"]
    assert cancelled["bids"]["details"][0]["value"]["amount"] == 1920000.5
    assert cancelled["tender"]["numberOfTenderers"] == 1


def test_tender_without_lots_takes_one_price(db: Session) -> None:
    tender, owner = tendering(
        db, lots=[], items=[ItemInput("Licencias de ofimática", "43231513", "", Decimal("50"),
                                      "licencia", "", None)],
    )  # fmt: skip
    _s, user = bidder(db)
    with pytest.raises(BidError):
        place_bid(db, tender, user, bid_input({"lot-1": "10"}))
    bid = place_bid(db, tender, user, bid_input({"": "75000"}))
    open_bids(db, tender, owner, secret=SECRET, now=DEADLINE + SECOND)
    [detail] = last_release(db, tender.ocid)["bids"]["details"]
    assert detail["value"] == {"amount": 75000, "currency": "MXN"}
    assert "relatedLots" not in detail and bid.total_amount == Decimal("75000.00")
