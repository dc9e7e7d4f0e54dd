"""The tender clock is registered with `tianguis tick`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from marketplace.tenders.services import publish_tender
from marketplace.tenders.states import TenderState
from marketplace.ticks import run_due
from tests.tender_helpers import NOW, buyer, drafted_tender


def test_tianguis_tick_runs_the_tender_clock(db: Session) -> None:
    user = buyer(db)
    tender = drafted_tender(db, user)
    publish_tender(db, tender, user, now=NOW)
    summary = run_due(db, NOW + dt.timedelta(days=8))
    assert summary["marketplace.tenders.ticks.close_due_periods"] == "1 tender transitions"
    assert tender.state == TenderState.TENDERING
