"""Evaluation, award, standstill and complaints through the services: the ranking from
the weights, the walk from opened bids to an active award with the releases checked at
each step, and unsuccessful lots (the refusals are in test_awards_rules.py)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role
from marketplace.awards import services as award_services
from marketplace.awards.complaints import file_complaint, resolve_complaint
from marketplace.awards.errors import AwardError
from marketplace.awards.evaluation import lot_ranking, rank_lots, score_bid
from marketplace.awards.models import (
    Award,
    AwardStatus,
    ComplaintStatus,
    EvaluationScore,
)
from marketplace.awards.services import (
    apply_due_awards,
    cancel_award,
    decide_award,
    declare_unsuccessful,
    read_awards,
)
from marketplace.bids.models import BidStatus
from marketplace.bids.opening import disqualify_bid
from marketplace.tenders.states import TenderState
from marketplace.ticks import run_due
from tests.award_helpers import (
    AFTER_STANDSTILL,
    AWARDED_AT,
    DEFAULT_SCORES,
    OPENED_AT,
    active_award,
    assert_parties_resolve,
    award_entry,
    awarded_tender,
    inbox,
    last_release,
    opened_tender,
    score_all,
)
from tests.factories import make_user
from tests.published import compiled, release_count, releases

HOUR = dt.timedelta(hours=1)


# --- scores and ranking --------------------------------------------------------------


def test_ranking_follows_the_weights(db: Session) -> None:
    opened = opened_tender(db)
    score_all(db, opened, DEFAULT_SCORES)
    [lot1, lot2] = rank_lots(db, opened.tender)
    a, b, c = opened.bids
    assert [(r.bid.id, r.rank) for r in lot1.rows] == [(a.id, 1), (b.id, 2), (c.id, 3)]
    # Lowest price 1,200,000: A 80, B 100, C 75; total = 0.6 price + 0.2 quality + 0.2 technical.
    assert [r.price_score for r in lot1.rows] == [Decimal("80.00"), Decimal(100), Decimal(75)]
    assert [r.total for r in lot1.rows] == [Decimal("85.00"), Decimal("78.00"), Decimal("73.00")]
    assert [(r.bid.id, r.total) for r in lot2.rows] == [
        (a.id, Decimal("92.00")),
        (b.id, Decimal("76.50")),
    ]
    assert lot1.complete and lot1.best is not None and lot1.best.bid.id == a.id


def test_several_evaluators_are_averaged(db: Session) -> None:
    opened = opened_tender(db)
    score_all(db, opened, DEFAULT_SCORES)
    colleague = make_user(db, Role.BUYER, opened.owner.organisation)
    score_bid(
        db, opened.bids[0], colleague, "lot-1", quality=85, technical=70, now=OPENED_AT + HOUR
    )
    row = lot_ranking(db, opened.tender, "lot-1").rows[0]
    assert (row.quality, row.technical, row.evaluators) == (Decimal(90), Decimal(80), 2)
    assert row.total == Decimal("48.00") + Decimal("18.00") + Decimal("16.00")


def test_unscored_bids_leave_the_ranking_incomplete(db: Session) -> None:
    opened = opened_tender(db)
    score_all(db, opened, {(0, "lot-1"): (90, 90)})
    ranking = lot_ranking(db, opened.tender, "lot-1")
    assert not ranking.complete and ranking.to_score == 2 and ranking.best is None
    with pytest.raises(AwardError, match="Score every bid"):
        decide_award(db, opened.bids[0], "lot-1", opened.owner, now=AWARDED_AT)
    assert db.scalar(select(Award).where(Award.tender_id == opened.tender.id)) is None


def test_first_score_qualifies_the_bid_publicly_but_scores_stay_private(db: Session) -> None:
    opened = opened_tender(db)
    before = release_count(db, opened.tender.ocid)
    score_all(db, opened, {(0, "lot-1"): (91, 87)})
    assert opened.bids[0].status == BidStatus.VALID
    release = last_release(db, opened.tender.ocid)
    assert release_count(db, opened.tender.ocid) == before + 1
    assert release["tag"] == ["tenderUpdate"]
    statuses = {d["id"]: d["status"] for d in release["bids"]["details"]}
    assert statuses[opened.bids[0].public_id] == "valid"
    text = json.dumps(release)
    assert "evaluationReports" not in text and '"quality"' not in text and "awards" not in release
    # Changing one's score does not publish again.
    score_all(db, opened, {(0, "lot-1"): (92, 87)})
    assert release_count(db, opened.tender.ocid) == before + 1


@pytest.mark.parametrize(
    ("quality", "technical", "fields"),
    [(101, 50, {"quality"}), (-1, 50, {"quality"}), (50, "alto", {"technical"}),
     (None, 50, {"quality"}), ("7.5", 200, {"quality", "technical"})],
)  # fmt: skip
def test_scores_outside_the_scale_are_refused(
    db: Session, quality: object, technical: object, fields: set[str]
) -> None:
    opened = opened_tender(db)
    before = release_count(db, opened.tender.ocid)
    with pytest.raises(AwardError) as err:
        score_bid(db, opened.bids[0], opened.owner, "lot-1", quality=quality,  # type: ignore[arg-type]
                  technical=technical, now=OPENED_AT + HOUR)  # type: ignore[arg-type]  # fmt: skip
    assert set(err.value.errors) == fields
    assert db.scalar(select(EvaluationScore.id)) is None
    assert opened.bids[0].status == BidStatus.OPENED
    assert release_count(db, opened.tender.ocid) == before


def test_disqualified_bid_is_neither_scored_nor_ranked(db: Session) -> None:
    opened = opened_tender(db)
    disqualify_bid(db, opened.bids[1], opened.owner, "Garantía de seriedad no presentada.",
                   now=OPENED_AT + HOUR)  # fmt: skip
    with pytest.raises(AwardError, match="disqualified"):
        score_bid(db, opened.bids[1], opened.owner, "lot-1", quality=50, technical=50)
    ranking = lot_ranking(db, opened.tender, "lot-1")
    assert opened.bids[1] not in [r.bid for r in ranking.rows]
    assert ranking.disqualified == [opened.bids[1]]
    # The price score now compares with the lowest *eligible* price (A's 1,500,000).
    assert ranking.rows[0].price_score == Decimal(100)


def test_a_bid_is_scored_only_for_lots_it_priced(db: Session) -> None:
    opened = opened_tender(db)
    with pytest.raises(AwardError) as err:
        score_bid(db, opened.bids[2], opened.owner, "lot-2", quality=50, technical=50)
    assert "lot" in err.value.errors


# --- the walk ------------------------------------------------------------------------


def test_opened_bids_to_active_award_through_a_complaint(db: Session) -> None:
    opened = opened_tender(db)
    tender, owner = opened.tender, opened.owner
    a, b, c = opened.bids
    score_all(db, opened, DEFAULT_SCORES)
    assert lot_ranking(db, tender, "lot-1").best.bid.id == a.id  # type: ignore[union-attr]

    # Award: pending, standstill of 10 days, the evaluation published.
    award = decide_award(db, a, "lot-1", owner, now=AWARDED_AT, standstill_days=10)
    assert award.status == AwardStatus.PENDING and award.local_id == "award-1"
    assert award.standstill_end == AWARDED_AT + dt.timedelta(days=10)
    assert award.value_amount == Decimal("1500000.00")
    release = last_release(db, tender.ocid)
    assert release["tag"] == ["award"] and release["tender"]["status"] == "active"
    entry = award_entry(release, award)
    assert entry["status"] == "pending" and entry["relatedLots"] == ["lot-1"]
    assert entry["relatedBid"] == a.public_id
    assert entry["suppliers"] == [{"id": a.supplier.party_id, "name": a.supplier.legal_name}]
    assert entry["value"] == {"amount": 1500000, "currency": "MXN"}
    [party] = [p for p in release["parties"] if p["id"] == a.supplier.party_id]
    assert sorted(party["roles"]) == ["supplier", "tenderer"]
    [evaluation] = [d for d in entry["documents"] if d["documentType"] == "evaluationReports"]
    published = json.loads(evaluation["description"])
    assert [(r["bid"], r["total"], r["rank"]) for r in published["ranking"]] == [
        (a.public_id, 85, 1), (b.public_id, 78, 2), (c.public_id, 73, 3),
    ]  # fmt: skip
    assert release["tender"]["numberOfTenderers"] == 3
    # Every bidder of the lot is told; the loser may complain.
    assert len(inbox(db, opened.users[0].id, "award.won")) == 1
    assert len(inbox(db, opened.users[1].id, "award.decided")) == 1

    # A losing bidder complains during the standstill: public at once, pauses the award.
    complaint = file_complaint(
        db, award, opened.users[1], "El precio de la propuesta ganadora no es el más bajo.",
        now=AWARDED_AT + dt.timedelta(days=3),
    )  # fmt: skip
    assert complaint.local_id == "complaint-1" and complaint.status == ComplaintStatus.PENDING
    release = last_release(db, tender.ocid)
    assert release["tag"] == ["awardUpdate"]
    [doc] = [d for d in award_entry(release, award)["documents"] if d["id"] == "complaint-1"]
    assert doc["documentType"] == "complaints" and "no es el más bajo" in doc["description"]
    assert "pendiente" in doc["description"]
    assert len(inbox(db, owner.id, "complaint.filed")) == 1

    # The standstill ends, but the pending complaint pauses the award (tick and read).
    count = release_count(db, tender.ocid)
    assert apply_due_awards(db, tender, AFTER_STANDSTILL) == 0
    assert read_awards(db, tender, AFTER_STANDSTILL) is False
    assert award.status == AwardStatus.PENDING and release_count(db, tender.ocid) == count

    # Rejected with reasons: the award becomes active at once (standstill over).
    resolve_complaint(
        db, complaint, owner, upheld=False,
        resolution="La evaluación pondera calidad y aspectos técnicos, no solo el precio.",
        now=AFTER_STANDSTILL + HOUR,
    )  # fmt: skip
    assert complaint.status == ComplaintStatus.REJECTED
    assert award.status == AwardStatus.ACTIVE
    release = last_release(db, tender.ocid)
    assert release["tag"] == ["awardUpdate"]
    entry = award_entry(release, award)
    assert entry["status"] == "active"
    [doc] = [d for d in entry["documents"] if d["id"] == "complaint-1"]
    assert "improcedente" in doc["description"] and "no solo el precio" in doc["description"]
    assert len(inbox(db, opened.users[1].id, "complaint.resolved")) == 1
    assert len(inbox(db, opened.users[0].id, "award.active")) == 1
    record = compiled(db, tender.ocid)
    assert award_entry(record, award)["status"] == "active"
    assert_parties_resolve(record)


def test_standstill_end_activates_by_tick_and_by_read(db: Session) -> None:
    opened, [award1, award2] = awarded_tender(db)
    tender = opened.tender
    assert read_awards(db, tender, AFTER_STANDSTILL - 2 * dt.timedelta(seconds=1)) is False
    summary = run_due(db, AFTER_STANDSTILL)
    assert summary["marketplace.awards.ticks.end_standstill_periods"] == "2 awards made active"
    assert award1.status == award2.status == AwardStatus.ACTIVE
    release = last_release(db, tender.ocid)
    assert release["tag"] == ["awardUpdate"]
    assert {a["status"] for a in release["awards"]} == {"active"}
    # A second run finds nothing to do.
    assert run_due(db, AFTER_STANDSTILL)["marketplace.awards.ticks.end_standstill_periods"] == (
        "0 awards made active"
    )

    other, [award] = awarded_tender(db, ("lot-1",))
    assert read_awards(db, other.tender, AFTER_STANDSTILL) is True
    assert award.status == AwardStatus.ACTIVE


def test_upheld_complaint_cancels_and_the_lot_is_awarded_again(db: Session) -> None:
    opened, [award] = awarded_tender(db, ("lot-1",))
    complaint = file_complaint(db, award, opened.users[1],
                               "La ganadora no acreditó la experiencia requerida en las bases.",
                               now=AWARDED_AT + HOUR)  # fmt: skip
    resolve_complaint(db, complaint, opened.owner, upheld=True,
                      resolution="Procede: la constancia de experiencia no fue presentada.",
                      now=AWARDED_AT + 2 * HOUR)  # fmt: skip
    assert award.status == AwardStatus.CANCELLED and "constancia" in award.status_reason
    release = last_release(db, opened.tender.ocid)
    assert release["tag"] == ["awardCancellation"]
    entry = award_entry(release, award)
    assert entry["status"] == "cancelled"
    assert {d["documentType"] for d in entry["documents"]} == {"complaints", "cancellationDetails"}
    assert len(inbox(db, opened.users[0].id, "award.cancelled")) == 1
    # The winner is disqualified with a reason; the next-best bid wins the new award.
    disqualify_bid(db, opened.bids[0], opened.owner, "Sin constancia de experiencia.",
                   now=AWARDED_AT + 3 * HOUR)  # fmt: skip
    with pytest.raises(AwardError, match="disqualified"):
        decide_award(db, opened.bids[0], "lot-1", opened.owner, now=AWARDED_AT + 4 * HOUR)
    again = decide_award(db, opened.bids[1], "lot-1", opened.owner, now=AWARDED_AT + 4 * HOUR)
    assert again.local_id == "award-2" and again.supplier_id == opened.suppliers[1].id
    release = last_release(db, opened.tender.ocid)
    assert [a["status"] for a in release["awards"]] == ["cancelled", "pending"]


def test_buyer_cancels_an_award_with_a_reason(db: Session) -> None:
    opened, [award] = active_award(db, ("lot-2",))
    with pytest.raises(AwardError) as err:
        cancel_award(db, award, opened.owner, "corto", now=AFTER_STANDSTILL + HOUR)
    assert "reason" in err.value.errors and award.status == AwardStatus.ACTIVE
    cancel_award(db, award, opened.owner, "El presupuesto de la partida fue recortado.",
                 now=AFTER_STANDSTILL + HOUR)  # fmt: skip
    assert award.status == AwardStatus.CANCELLED
    assert last_release(db, opened.tender.ocid)["tag"] == ["awardCancellation"]
    with pytest.raises(AwardError, match="pending or active"):
        cancel_award(db, award, opened.owner, "Otra vez la misma razón.", now=AFTER_STANDSTILL)


def test_standstill_length_comes_from_the_configuration(app: Flask, db: Session) -> None:
    opened = opened_tender(db)
    score_all(db, opened, DEFAULT_SCORES)
    before = app.extensions[award_services.STANDSTILL_KEY]
    app.extensions[award_services.STANDSTILL_KEY] = award_services.standstill_from_config(3)
    try:
        award = decide_award(db, opened.bids[0], "lot-2", opened.owner, now=AWARDED_AT)
    finally:
        app.extensions[award_services.STANDSTILL_KEY] = before
    assert award.standstill_end == AWARDED_AT + dt.timedelta(days=3)
    # Outside an app, the default.
    assert award_services.current_standstill().days == 10
    with pytest.raises(ValueError, match="STANDSTILL_DAYS"):
        award_services.standstill_from_config(-1)


# --- unsuccessful ----------------------------------------------------------------------


def test_unsuccessful_lots_then_unsuccessful_tender(db: Session) -> None:
    opened = opened_tender(db, ({"lot-1": "900000"},))
    tender, owner = opened.tender, opened.owner
    with pytest.raises(AwardError, match="Valid bids remain"):
        declare_unsuccessful(db, tender, "lot-1", owner, "Ninguna propuesta conviene.",
                             now=OPENED_AT + HOUR)  # fmt: skip
    with pytest.raises(AwardError) as err:
        declare_unsuccessful(db, tender, "lot-2", owner, "no", now=OPENED_AT + HOUR)
    assert "reason" in err.value.errors
    lot2 = declare_unsuccessful(db, tender, "lot-2", owner, "No se recibieron propuestas.",
                                now=OPENED_AT + HOUR)  # fmt: skip
    assert lot2.status == AwardStatus.UNSUCCESSFUL and tender.state == TenderState.EVALUATION
    release = last_release(db, tender.ocid)
    assert release["tag"] == ["award"]
    assert award_entry(release, lot2)["status"] == "unsuccessful"
    assert "No se recibieron" in award_entry(release, lot2)["description"]
    assert {lot["id"]: lot["status"] for lot in release["tender"]["lots"]} == {
        "lot-1": "active", "lot-2": "unsuccessful",
    }  # fmt: skip
    with pytest.raises(AwardError, match="already has an award"):
        declare_unsuccessful(db, tender, "lot-2", owner, "Otra vez sin propuestas.")
    disqualify_bid(db, opened.bids[0], owner, "Precio fuera del presupuesto autorizado.",
                   now=OPENED_AT + 2 * HOUR)  # fmt: skip
    declare_unsuccessful(db, tender, "lot-1", owner, "La única propuesta fue descalificada.",
                         now=OPENED_AT + 3 * HOUR)  # fmt: skip
    assert tender.state == TenderState.UNSUCCESSFUL
    tags = [r["tag"] for r in releases(db, tender.ocid)[-2:]]
    assert tags == [["award"], ["tenderUpdate"]]
    release = last_release(db, tender.ocid)
    assert release["tender"]["status"] == "unsuccessful"
    assert [a["status"] for a in release["awards"]] == ["unsuccessful", "unsuccessful"]
