"""Supplier ratings and late-payment complaints: the rules, bad input refused with
nothing saved, the draft → reply → final flow, finalisation by the tick after 14 days,
and what the OCDS releases and aggregates show."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.contracts.errors import NotYourContract, NotYourProcess
from marketplace.contracts.services import end_contract
from marketplace.inbox.models import Message
from marketplace.performance.aggregates import (
    late_payment_count,
    recent_final_ratings,
    supplier_performance,
)
from marketplace.performance.models import LatePaymentComplaint, RatingStatus, SupplierRating
from marketplace.performance.services import (
    ComplaintInput,
    PerformanceError,
    RatingInput,
    file_late_payment,
    rate_supplier,
    reply_to_rating,
)
from marketplace.publication.models import OcdsRecord, OcdsRelease
from marketplace.ticks import run_due
from tests.contract_helpers import NOW, PERIOD_END, active_award, signed_contract
from tests.performance_helpers import met_milestone, rated, scores
from tests.supplier_helpers import make_supplier
from tests.tender_helpers import assert_valid
from tests.tender_helpers import buyer as other_unit_buyer


def _ratings(db: Session) -> int:
    return db.scalar(select(func.count(SupplierRating.id))) or 0


def _messages(db: Session, user_id: int, kind: str) -> int:
    query = select(func.count(Message.id)).where(Message.user_id == user_id, Message.kind == kind)
    return db.scalar(query) or 0


def _releases(db: Session, ocid: str | None) -> list[OcdsRelease]:
    return list(
        db.scalars(
            select(OcdsRelease).where(OcdsRelease.ocid == ocid).order_by(OcdsRelease.sequence)
        )
    )


def test_reply_makes_the_rating_final_and_published_with_the_reply(db: Session) -> None:
    rating, contract, buyer, supplier_user, at = rated(db)
    assert rating.status == RatingStatus.DRAFT
    assert rating.reply_due == at + dt.timedelta(days=14)
    # The draft is not public: no release carries it.
    assert all("performanceRatings" not in c
               for r in _releases(db, contract.tender.ocid)
               for c in r.data.get("contracts", []))  # fmt: skip
    # The supplier is told, with the reply deadline.
    told = db.scalars(select(Message).where(Message.user_id == supplier_user.id,
                                            Message.kind == "rating")).one()  # fmt: skip
    assert f"{rating.reply_due:%Y-%m-%d}" in told.body
    reply_at = at + dt.timedelta(days=3)
    reply_to_rating(db, rating, supplier_user, "El equipo se reemplazó en 24 h.", now=reply_at)
    assert rating.status == RatingStatus.FINAL and rating.final_at == reply_at
    last = _releases(db, contract.tender.ocid)[-1].data
    assert last["tag"] == ["implementation"]
    assert_valid(last)
    published = last["contracts"][0]["performanceRatings"][0]
    assert published["scores"]["quality"] == {"score": 4, "level": "exceptional"}
    assert published["scores"]["regulatoryCompliance"] == {"score": 1, "level": "marginal"}
    assert published["relatedMilestone"] == "milestone-1" and published["stage"] == "milestone"
    assert published["reply"] == {"date": reply_at.isoformat() + "Z",
                                  "text": "El equipo se reemplazó en 24 h."}  # fmt: skip
    # The organisation is named, never the person.
    assert published["ratedBy"]["name"] == contract.tender.buyer.name
    assert buyer.name not in str(published) and supplier_user.name not in str(published)
    # The compiled record carries it too, and the buyer is told of the reply.
    record = db.get(OcdsRecord, contract.tender.ocid)
    assert record is not None
    assert record.compiled["contracts"][0]["performanceRatings"][0]["id"] == "rating-1"
    assert _messages(db, buyer.id, "rating_reply") == 1


def test_without_a_reply_the_tick_makes_it_final_after_14_days(db: Session) -> None:
    rating, contract, _buyer, supplier_user, at = rated(db)
    run_due(db, at + dt.timedelta(days=13))
    assert rating.status == RatingStatus.DRAFT
    summary = run_due(db, at + dt.timedelta(days=14, seconds=1))
    assert summary["marketplace.performance.rating_ticks.ratings_final"].startswith("1 ")
    assert rating.status == RatingStatus.FINAL and rating.final_at == rating.reply_due
    last = _releases(db, contract.tender.ocid)[-1].data
    assert_valid(last)
    assert "reply" not in last["contracts"][0]["performanceRatings"][0]
    # A reply after the 14 days is refused, nothing changes.
    with pytest.raises(PerformanceError) as err:
        reply_to_rating(db, rating, supplier_user, "Tarde", now=at + dt.timedelta(days=15))
    assert "reply" in err.value.errors
    assert rating.reply == ""


def test_a_late_reply_is_refused_even_before_the_tick(db: Session) -> None:
    rating, _contract, _buyer, supplier_user, at = rated(db)
    with pytest.raises(PerformanceError) as err:
        reply_to_rating(db, rating, supplier_user, "Tarde", now=at + dt.timedelta(days=14, hours=1))
    assert "reply" in err.value.errors
    assert rating.status == RatingStatus.DRAFT and rating.reply == ""


def test_bad_ratings_are_refused_and_nothing_is_saved(db: Session) -> None:
    contract, buyer, _supplier_user = signed_contract(db)
    milestone, met_at = met_milestone(db, contract, buyer)
    pending, _ = met_milestone(db, contract, buyer, met=False)
    at = met_at + dt.timedelta(days=1)
    releases = len(_releases(db, contract.tender.ocid))
    cases = [
        (RatingInput(scores(quality=5), "x", milestone.id), "quality"),
        (RatingInput(scores(schedule=-1), "x", milestone.id), "schedule"),
        (RatingInput(scores(management="muy bien"), "x", milestone.id), "management"),
        (RatingInput(scores(), "   ", milestone.id), "narrative"),
        (RatingInput(scores(), "x", pending.id), "milestone_id"),  # milestone not met
        (RatingInput(scores(), "x", None), "milestone_id"),  # contract not ended
    ]
    for data, path in cases:
        with pytest.raises(PerformanceError) as err:
            rate_supplier(db, contract, buyer, data, now=at)
        assert path in err.value.errors, (data, err.value.errors)
    # A buyer of another unit, and the supplier itself, may not rate.
    with pytest.raises(NotYourProcess):
        rate_supplier(db, contract, other_unit_buyer(db),
                      RatingInput(scores(), "x", milestone.id), now=at)  # fmt: skip
    assert _ratings(db) == 0 and len(_releases(db, contract.tender.ocid)) == releases
    rate_supplier(db, contract, buyer, RatingInput(scores(), "Bien", milestone.id), now=at)
    with pytest.raises(PerformanceError) as err:  # a milestone is rated once
        rate_supplier(db, contract, buyer, RatingInput(scores(), "Otra", milestone.id), now=at)
    assert "milestone_id" in err.value.errors and _ratings(db) == 1


def test_a_contract_not_signed_cannot_be_rated(db: Session) -> None:
    contract, buyer, _ = signed_contract(db)
    award, other_buyer, _ = active_award(db)
    from marketplace.contracts.models import Contract, ContractStatus

    pending = Contract(tender_id=award.tender_id, award_id=award.id, local_id="contract-x",
                       status=ContractStatus.PENDING, currency="MXN")  # fmt: skip
    db.add(pending)
    db.flush()
    with pytest.raises(PerformanceError) as err:
        rate_supplier(db, pending, other_buyer, RatingInput(scores(), "x"), now=NOW)
    assert "" in err.value.errors and _ratings(db) == 0


def test_only_the_contracts_supplier_replies(db: Session) -> None:
    rating, _contract, buyer, _supplier_user, at = rated(db)
    _other, stranger = make_supplier(db, verified=True)
    for user in (stranger, buyer):
        with pytest.raises(NotYourContract):
            reply_to_rating(db, rating, user, "No es mío", now=at)
    with pytest.raises(PerformanceError) as err:
        reply_to_rating(db, rating, _supplier_user, "  ", now=at)
    assert "reply" in err.value.errors
    assert rating.status == RatingStatus.DRAFT and rating.reply == ""


def test_the_end_of_contract_rating_once_the_contract_has_ended(db: Session) -> None:
    contract, buyer, supplier_user = signed_contract(db)
    end_contract(db, contract, buyer, "completed", "", date=PERIOD_END, now=PERIOD_END)
    at = PERIOD_END + dt.timedelta(days=2)
    rating = rate_supplier(db, contract, buyer, RatingInput(scores(), "Cumplió"), now=at)
    assert rating.milestone_id is None
    with pytest.raises(PerformanceError) as err:
        rate_supplier(db, contract, buyer, RatingInput(scores(), "Otra vez"), now=at)
    assert "milestone_id" in err.value.errors
    reply_to_rating(db, rating, supplier_user, "Gracias", now=at)
    last = _releases(db, contract.tender.ocid)[-1].data
    assert_valid(last)
    assert last["contracts"][0]["performanceRatings"][0]["stage"] == "contractEnd"


def test_late_payment_complaints_are_counted_per_buyer_and_published(db: Session) -> None:
    contract, buyer, supplier_user = signed_contract(db)
    at = contract.period_start + dt.timedelta(days=60)  # type: ignore[operator]
    due = at - dt.timedelta(days=20)
    bad = [
        (ComplaintInput("", due), "description"),
        (ComplaintInput("Factura 12", None), "due_date"),
        (ComplaintInput("Factura 12", at + dt.timedelta(days=1)), "due_date"),
    ]
    for data, path in bad:
        with pytest.raises(PerformanceError) as err:
            file_late_payment(db, contract, supplier_user, data, now=at)
        assert path in err.value.errors
    _other, stranger = make_supplier(db, verified=True)
    for user in (stranger, buyer):  # not the contract's supplier
        with pytest.raises(NotYourContract):
            file_late_payment(db, contract, user, ComplaintInput("Factura 12", due), now=at)
    assert db.scalar(select(func.count(LatePaymentComplaint.id))) == 0
    file_late_payment(db, contract, supplier_user,
                      ComplaintInput("Factura 12 sin pagar a 20 días.", due), now=at)  # fmt: skip
    assert late_payment_count(db, contract.tender.buyer_org_id) == 1
    last = _releases(db, contract.tender.ocid)[-1].data
    assert_valid(last)
    complaint = last["contracts"][0]["latePaymentComplaints"][0]
    assert complaint["id"] == "late-payment-1" and complaint["description"].startswith("Factura")
    assert _messages(db, buyer.id, "late_payment") == 1


def test_aggregates_average_by_area_share_marginal_and_trend(db: Session) -> None:
    first, contract, buyer, supplier_user, at = rated(db)  # compliance 1: marginal
    reply_to_rating(db, first, supplier_user, "Ok", now=at)
    assert supplier_performance(db, 10**9) is None
    second_start = NOW + dt.timedelta(days=400)
    second, _c2, _b2, user2, at2 = rated(db, second_start, quality=2, compliance=4)
    # Another supplier's rating: rated() uses a new supplier each time; reuse the first.
    assert second.supplier_id != first.supplier_id
    perf = supplier_performance(db, first.supplier_id)
    assert perf is not None and perf.count == 1
    assert perf.by_area == {"quality": 4.0, "schedule": 3.0, "cost_control": 2.0,
                            "management": 3.0, "compliance": 1.0}  # fmt: skip
    assert perf.overall == 2.6 and perf.low_share == 1.0
    assert [y.year for y in perf.trend] == [at.year]
    # Drafts do not count until final.
    assert supplier_performance(db, second.supplier_id) is None
    run_due(db, at2 + dt.timedelta(days=15))
    perf2 = supplier_performance(db, second.supplier_id)
    assert perf2 is not None and perf2.low_share == 0.0 and perf2.by_area["quality"] == 2.0
    listed = recent_final_ratings(db, second.supplier_id)
    assert [r.rating.id for r in listed] == [second.id]
    assert listed[0].milestone_title == "Entrega 1"
    assert listed[0].buyer_name == second.contract.tender.buyer.name
