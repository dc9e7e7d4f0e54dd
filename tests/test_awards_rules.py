"""Award and complaint refusals: awarding before opening, the award rules, another unit's
buyer, the complaint rules, a bidder of another lot, and a cancelled tender's awards."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.awards.complaints import file_complaint, resolve_complaint
from marketplace.awards.errors import AwardError, NotYourBid, NotYourProcess
from marketplace.awards.evaluation import score_bid
from marketplace.awards.models import (
    Award,
    AwardStatus,
    Complaint,
    ComplaintStatus,
)
from marketplace.awards.services import (
    cancel_award,
    decide_award,
    declare_unsuccessful,
    read_awards,
)
from marketplace.bids.opening import disqualify_bid
from marketplace.tenders.services import cancel_tender
from marketplace.ticks import run_due
from tests.award_helpers import (
    AFTER_STANDSTILL,
    AWARDED_AT,
    DEFAULT_SCORES,
    awarded_tender,
    opened_tender,
    score_all,
)
from tests.bid_helpers import DEADLINE, bid_input, bidder, place_bid, tendering
from tests.published import release_count
from tests.tender_helpers import buyer

HOUR = dt.timedelta(hours=1)


# --- refusals ------------------------------------------------------------------------


def test_award_before_opening_is_refused(db: Session) -> None:
    tender, owner = tendering(db)
    _s, user = bidder(db)
    bid = place_bid(db, tender, user, bid_input())
    with pytest.raises(AwardError, match="opened first"):
        decide_award(db, bid, "lot-1", owner, now=DEADLINE + HOUR)
    with pytest.raises(AwardError, match="opened first"):
        score_bid(db, bid, owner, "lot-1", quality=50, technical=50, now=DEADLINE + HOUR)
    assert db.scalar(select(Award.id).where(Award.tender_id == tender.id)) is None


def test_award_rules(db: Session) -> None:
    opened = opened_tender(db)
    score_all(db, opened, DEFAULT_SCORES)
    owner = opened.owner
    count = release_count(db, opened.tender.ocid)
    with pytest.raises(AwardError, match="best-ranked"):
        decide_award(db, opened.bids[1], "lot-1", owner, now=AWARDED_AT)
    with pytest.raises(AwardError) as err:
        decide_award(db, opened.bids[2], "lot-2", owner, now=AWARDED_AT)
    assert "lot" in err.value.errors
    with pytest.raises(AwardError, match="no such lot"):
        decide_award(db, opened.bids[0], "lot-9", owner, now=AWARDED_AT)
    disqualify_bid(db, opened.bids[2], owner, "Documentación legal incompleta.", now=AWARDED_AT)
    count = release_count(db, opened.tender.ocid)
    with pytest.raises(AwardError, match="disqualified"):
        decide_award(db, opened.bids[2], "lot-1", owner, now=AWARDED_AT)
    assert release_count(db, opened.tender.ocid) == count
    decide_award(db, opened.bids[0], "lot-1", owner, now=AWARDED_AT)
    with pytest.raises(AwardError, match="already has an award"):
        decide_award(db, opened.bids[0], "lot-1", owner, now=AWARDED_AT + HOUR)
    with pytest.raises(AwardError, match="already decided"):
        score_bid(db, opened.bids[1], owner, "lot-1", quality=100, technical=100)
    assert db.scalar(select(func.count(Award.id)).where(Award.tender_id == opened.tender.id)) == 1


def test_a_buyer_of_another_unit_touches_nothing(db: Session) -> None:
    opened, [award] = awarded_tender(db, ("lot-1",))
    complaint = file_complaint(db, award, opened.users[2],
                               "La evaluación técnica no siguió los criterios publicados.",
                               now=AWARDED_AT + HOUR)  # fmt: skip
    stranger = buyer(db)
    count = release_count(db, opened.tender.ocid)
    with pytest.raises(NotYourProcess):
        score_bid(db, opened.bids[0], stranger, "lot-2", quality=10, technical=10)
    with pytest.raises(NotYourProcess):
        decide_award(db, opened.bids[0], "lot-2", stranger, now=AWARDED_AT)
    with pytest.raises(NotYourProcess):
        cancel_award(db, award, stranger, "Cancelación sin autoridad alguna.")
    with pytest.raises(NotYourProcess):
        resolve_complaint(db, complaint, stranger, upheld=True, resolution="Procede, sin más.")
    with pytest.raises(NotYourProcess):
        declare_unsuccessful(db, opened.tender, "lot-2", stranger, "Sin autoridad para esto.")
    # A supplier is no buyer either.
    with pytest.raises(NotYourProcess):
        decide_award(db, opened.bids[0], "lot-2", opened.users[0], now=AWARDED_AT)
    assert complaint.status == ComplaintStatus.PENDING and award.status == AwardStatus.PENDING
    assert release_count(db, opened.tender.ocid) == count


def test_complaint_rules(db: Session) -> None:
    opened, [award] = awarded_tender(db, ("lot-1",))
    during = AWARDED_AT + HOUR
    grounds = "La propuesta ganadora no cumple la garantía solicitada."
    _outsider_supplier, outsider = bidder(db)
    with pytest.raises(AwardError, match="Only bidders"):
        file_complaint(db, award, outsider, grounds, now=during)
    with pytest.raises(AwardError, match="Only bidders"):
        file_complaint(db, award, opened.owner, grounds, now=during)
    with pytest.raises(AwardError, match="own award"):
        file_complaint(db, award, opened.users[0], grounds, now=during)
    with pytest.raises(NotYourBid):  # on another supplier's behalf
        file_complaint(db, award, opened.users[1], grounds, bid=opened.bids[2], now=during)
    with pytest.raises(AwardError, match="standstill"):
        file_complaint(db, award, opened.users[1], grounds, now=award.standstill_end)
    with pytest.raises(AwardError) as err:
        file_complaint(db, award, opened.users[1], "Muy corta.", now=during)
    assert "grounds" in err.value.errors
    assert db.scalar(select(Complaint.id)) is None
    complaint = file_complaint(db, award, opened.users[1], grounds, now=during)
    with pytest.raises(AwardError, match="already has a pending"):
        file_complaint(db, award, opened.users[1], grounds, now=during)
    with pytest.raises(AwardError) as err:
        resolve_complaint(db, complaint, opened.owner, upheld=False, resolution="No.", now=during)
    assert "resolution" in err.value.errors and complaint.status == ComplaintStatus.PENDING
    answer = "La garantía fue presentada en tiempo y forma."
    resolve_complaint(db, complaint, opened.owner, upheld=False, resolution=answer, now=during)
    count = release_count(db, opened.tender.ocid)
    with pytest.raises(AwardError, match="already been resolved"):
        resolve_complaint(db, complaint, opened.owner, upheld=True,
                          resolution="Cambio de opinión del comprador.", now=during)  # fmt: skip
    assert complaint.status == ComplaintStatus.REJECTED
    assert release_count(db, opened.tender.ocid) == count
    # Rejected before the standstill ends: still pending until the clock says so.
    assert award.status == AwardStatus.PENDING


def test_a_bidder_of_another_lot_cannot_complain(db: Session) -> None:
    opened, [award] = awarded_tender(db, ("lot-2",))
    # Bidder C only bid for lot 1.
    with pytest.raises(AwardError, match="this lot"):
        file_complaint(db, award, opened.users[2], "No estoy de acuerdo con la adjudicación.",
                       now=AWARDED_AT + HOUR)  # fmt: skip


def test_a_cancelled_tenders_pending_award_is_cancelled_and_never_becomes_active(
    db: Session,
) -> None:
    opened, [award] = awarded_tender(db, ("lot-1",))
    cancel_tender(db, opened.tender, opened.owner, "La necesidad dejó de existir.",
                  now=AWARDED_AT + HOUR)  # fmt: skip
    with pytest.raises(AwardError, match="standstill"):
        file_complaint(db, award, opened.users[1], "La adjudicación no fue conforme a las bases.",
                       now=AWARDED_AT + 2 * HOUR)  # fmt: skip
    assert run_due(db, AFTER_STANDSTILL)["marketplace.awards.ticks.end_standstill_periods"] == (
        "0 awards made active"
    )
    assert read_awards(db, opened.tender, AFTER_STANDSTILL) is False
    db.refresh(award)
    assert award.status == AwardStatus.CANCELLED
