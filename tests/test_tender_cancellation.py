"""Cancelling a process after awards exist: its pending and active awards (and unsigned
contracts) are cancelled with the reason in the one cancellation release; a process
with a signed contract is refused with nothing changed; the public page says so."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.audit.models import AuditEvent
from marketplace.awards.models import Award, AwardStatus
from marketplace.awards.services import apply_due_awards
from marketplace.contracts.models import Contract, ContractStatus
from marketplace.contracts.services import sign_contract
from marketplace.inbox.models import Message
from marketplace.publication.models import OcdsRecord, OcdsRelease
from marketplace.tenders.errors import TenderError
from marketplace.tenders.services import cancel_tender
from marketplace.tenders.states import TenderState
from tests.award_helpers import AFTER_STANDSTILL, AWARDED_AT, active_award, awarded_tender
from tests.contract_helpers import sign_input
from tests.factories import login_as, post_form
from tests.tender_helpers import NOW, assert_valid

HOUR = dt.timedelta(hours=1)
REASON = "La necesidad fue cubierta por un convenio marco."


def releases(db: Session, ocid: str) -> list[dict[str, Any]]:
    rows = db.scalars(
        select(OcdsRelease).where(OcdsRelease.ocid == ocid).order_by(OcdsRelease.sequence)
    ).all()
    return [r.data for r in rows]


def compiled(db: Session, ocid: str) -> dict[str, Any]:
    record = db.get(OcdsRecord, ocid)
    assert record is not None
    db.refresh(record)
    return record.compiled


def test_cancelling_in_standstill_cancels_the_pending_awards_in_one_release(db: Session) -> None:
    opened, awards = awarded_tender(db)
    before = len(releases(db, opened.tender.ocid))
    cancel_tender(db, opened.tender, opened.owner, REASON, now=AWARDED_AT + HOUR)

    published = releases(db, opened.tender.ocid)
    assert len(published) == before + 1  # one release for the process and its awards
    release = published[-1]
    assert_valid(release)
    assert release["tag"] == ["tenderCancellation", "awardCancellation"]
    assert release["tender"]["status"] == "cancelled"
    for entry in release["awards"]:
        assert entry["status"] == "cancelled"
        [doc] = [d for d in entry["documents"] if d["documentType"] == "cancellationDetails"]
        assert doc["description"] == f"Proceso cancelado: {REASON}"
    assert {a["status"] for a in compiled(db, opened.tender.ocid)["awards"]} == {"cancelled"}
    for award in awards:
        db.refresh(award)
        assert award.status == AwardStatus.CANCELLED
    # The winner is told; the log names each award with the release.
    winner = opened.users[0]
    assert db.scalar(select(func.count(Message.id)).where(
        Message.user_id == winner.id, Message.kind == "award.cancelled")) == 2  # fmt: skip
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "award.cancelled")).all()
    assert sorted(e.details["award"] for e in events) == ["award-1", "award-2"]
    assert {e.details["release"] for e in events} == {release["id"]}
    # The clock never brings them back.
    assert apply_due_awards(db, opened.tender, AFTER_STANDSTILL) == 0


def test_cancelling_after_the_standstill_cancels_the_active_awards(db: Session) -> None:
    opened, awards = active_award(db)
    assert {a.status for a in awards} == {AwardStatus.ACTIVE}
    cancel_tender(db, opened.tender, opened.owner, REASON, now=AFTER_STANDSTILL + HOUR)
    release = releases(db, opened.tender.ocid)[-1]
    assert_valid(release)
    assert release["tag"] == ["tenderCancellation", "awardCancellation"]
    assert [a["status"] for a in release["awards"]] == ["cancelled", "cancelled"]


def test_cancelling_without_awards_is_a_plain_tender_cancellation(db: Session) -> None:
    opened, _awards = awarded_tender(db, lots=())
    cancel_tender(db, opened.tender, opened.owner, REASON, now=AWARDED_AT)
    release = releases(db, opened.tender.ocid)[-1]
    assert release["tag"] == ["tenderCancellation"] and "awards" not in release


def test_an_unsigned_contract_is_cancelled_with_the_process(db: Session) -> None:
    opened, [award] = active_award(db, ("lot-1",))
    # No service drafts a contract before signing yet; one kept pending by hand.
    draft = Contract(tender_id=opened.tender.id, award_id=award.id, local_id="contract-1",
                     status=ContractStatus.PENDING, title="Borrador", currency="MXN")  # fmt: skip
    db.add(draft)
    db.flush()
    cancel_tender(db, opened.tender, opened.owner, REASON, now=AFTER_STANDSTILL + HOUR)
    release = releases(db, opened.tender.ocid)[-1]
    assert_valid(release)
    assert release["awards"][0]["status"] == "cancelled"
    assert "contracts" not in release  # unsigned contracts are never published
    db.refresh(draft)
    assert draft.status == ContractStatus.CANCELLED
    assert draft.status_reason == f"Proceso cancelado: {REASON}"


def test_a_process_with_a_signed_contract_cannot_be_cancelled(db: Session) -> None:
    opened, awards = active_award(db)  # lot 1 is signed below, lot 2 waits for its contract
    sign_contract(db, awards[0], opened.owner, sign_input(NOW, date_signed=AFTER_STANDSTILL + HOUR),
                  now=AFTER_STANDSTILL + HOUR)  # fmt: skip
    db.commit()
    assert opened.tender.state == TenderState.EVALUATION
    count = len(releases(db, opened.tender.ocid))
    with pytest.raises(TenderError, match="has been signed"):
        cancel_tender(db, opened.tender, opened.owner, REASON, now=AFTER_STANDSTILL + 2 * HOUR)
    db.rollback()
    assert len(releases(db, opened.tender.ocid)) == count
    db.refresh(opened.tender)
    assert opened.tender.state == TenderState.EVALUATION
    assert [db.get(Award, a.id).status for a in awards] == [AwardStatus.ACTIVE] * 2  # type: ignore[union-attr]


def recent_start() -> dt.datetime:
    """Published 25 days ago: the award's standstill is still running today."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0) - dt.timedelta(days=25)


def test_the_buyer_cancels_in_standstill_and_the_public_page_shows_it(
    client: FlaskClient, db: Session
) -> None:
    client.set_cookie("lang", "en")
    opened, [award] = awarded_tender(db, ("lot-1",), start=recent_start())
    db.commit()
    login_as(client, opened.owner)
    page = f"/buyer/tenders/{opened.tender.id}"
    warning = "Its pending and active awards are cancelled with it"
    assert warning in client.get(page).get_data(as_text=True)
    resp = post_form(client, f"{page}/cancel", {"reason": REASON}, form_url=page)
    assert resp.status_code == 302
    db.refresh(award)
    assert award.status == AwardStatus.CANCELLED
    html = client.get(f"/processes/{opened.tender.ocid}").get_data(as_text=True)
    start = html.index('<section id="awards"')
    awards_html = html[start : html.index("</section>", start)]
    assert "Cancelled" in awards_html and f"Proceso cancelado: {REASON}" in awards_html
    assert "Pending" not in awards_html
