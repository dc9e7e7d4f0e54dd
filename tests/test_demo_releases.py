"""`tianguis demo` with its sealed bids: processes in every state of the workflow, and
every release it publishes valid against OCDS 1.1.5 plus our declared extensions.

The demo is loaded once for the module (it is the slow part), inside a transaction that
is rolled back at the end, the way the per-test ``db`` fixture does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from jsonschema import Draft4Validator, FormatChecker
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.awards.models import Award, AwardStatus, Complaint, ComplaintStatus
from marketplace.bids.crypto import matches_commitment
from marketplace.bids.models import Bid, BidOpening
from marketplace.contracts.life_models import ContractAmendment, ContractPayment
from marketplace.contracts.models import Contract, ContractStatus
from marketplace.db import utcnow
from marketplace.demo import load_demo
from marketplace.publication.models import OcdsRelease
from marketplace.publication.services import configured_schema
from marketplace.tenders.models import Tender
from marketplace.tenders.states import TenderState
from ocds.validate import validate_release
from tests.conftest import rolled_back_session

SECRET = "demo-test-bid-secret"


@pytest.fixture(scope="module")
def demo(app: Flask) -> Iterator[tuple[Session, str]]:
    """A session on the loaded demo, and the summary ``load_demo`` printed."""
    with rolled_back_session(app) as session:
        with app.app_context():
            summary = load_demo(session, processes=8, seed=3, bid_secret=SECRET)
        yield session, summary


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def test_every_release_the_demo_publishes_validates(demo: tuple[Session, str]) -> None:
    session, _summary = demo
    schema = configured_schema()
    # Our validator (schema, codelists, our checks) and, independently, plain jsonschema
    # with the date-time and uri formats checked.
    plain = Draft4Validator(schema.release_schema, format_checker=FormatChecker())
    problems: list[str] = []
    releases = session.scalars(select(OcdsRelease).order_by(OcdsRelease.ocid, OcdsRelease.sequence))
    tags: set[str] = set()
    count = 0
    for row in releases:
        count += 1
        tags.update(row.data["tag"])
        result = validate_release(row.data, schema)
        problems += [f"{row.id} {e.path}: {e.message}" for e in result.errors]
        problems += [f"{row.id} {list(e.absolute_path)}: {e.message}"
                     for e in plain.iter_errors(row.data)]  # fmt: skip
    assert not problems, problems[:20]
    assert count > 150
    # Every stage of the process published something.
    assert {
        "planning", "planningUpdate", "tender", "tenderAmendment", "tenderUpdate",
        "tenderCancellation", "award", "awardUpdate", "contract", "contractAmendment",
        "implementation", "contractTermination",
    } <= tags  # fmt: skip


def test_the_demo_has_processes_in_every_state(demo: tuple[Session, str]) -> None:
    session, summary = demo
    now = utcnow()
    states = set(session.scalars(select(Tender.state).distinct()))
    assert set(TenderState) <= states, summary
    in_evaluation = select(Tender.id).where(Tender.state == TenderState.EVALUATION)
    opened = select(BidOpening.tender_id)
    awarded = select(Award.tender_id)
    # Evaluation with its bids still sealed, and with its bids opened but not yet awarded.
    sealed = select(Bid.tender_id).where(
        Bid.tender_id.in_(in_evaluation), Bid.tender_id.not_in(opened)
    )
    assert _count(session, sealed.distinct()) >= 1
    unawarded = opened.where(
        BidOpening.tender_id.in_(in_evaluation), BidOpening.tender_id.not_in(awarded)
    )
    assert _count(session, unawarded) >= 1
    # Sealed bids on tenders still receiving them.
    receiving = select(Tender.id).where(Tender.state == TenderState.TENDERING)
    assert _count(session, select(Bid.id).where(Bid.tender_id.in_(receiving))) >= 4
    # An award in its standstill, and one paused by a pending complaint.
    complained = select(Complaint.award_id).where(Complaint.status == ComplaintStatus.PENDING)
    standstill = select(Award.id).where(
        Award.status == AwardStatus.PENDING, Award.standstill_end > now, Award.id.not_in(complained)
    )
    assert _count(session, standstill) >= 1
    assert _count(session, complained) >= 1
    # Contracts: signed and running, amended, paid, completed, terminated early.
    assert _count(session, select(Contract.id).where(Contract.status == ContractStatus.ACTIVE)) >= 2
    assert _count(session, select(ContractAmendment.id)) >= 1
    assert _count(session, select(ContractPayment.id)) >= 3
    for outcome in ("completed", "terminated"):
        ended = select(Contract.id).where(
            Contract.status == ContractStatus.TERMINATED, Contract.outcome == outcome
        )
        assert _count(session, ended) >= 1, outcome
    # The unsuccessful process has a void award with its public reason.
    void = select(Award.id).where(
        Award.status == AwardStatus.UNSUCCESSFUL, Award.status_reason != ""
    )
    assert _count(session, void) >= 1


def test_opened_demo_bids_match_their_public_commitment(demo: tuple[Session, str]) -> None:
    session, _summary = demo
    disclosed = session.scalars(select(Bid).where(Bid.disclosed.is_not(None))).all()
    assert len(disclosed) >= 20
    for bid in disclosed:
        assert bid.disclosed is not None
        assert matches_commitment(bid.disclosed, bid.commitment)


def test_loading_the_demo_again_writes_nothing(app: Flask, demo: tuple[Session, str]) -> None:
    session, _summary = demo
    before = session.scalar(select(func.count(OcdsRelease.id)))
    bids = session.scalar(select(func.count(Bid.id)))
    with app.app_context():
        load_demo(session, processes=8, seed=3, bid_secret=SECRET)
    assert session.scalar(select(func.count(OcdsRelease.id))) == before
    assert session.scalar(select(func.count(Bid.id))) == bids
