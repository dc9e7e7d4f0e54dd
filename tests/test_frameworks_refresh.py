"""Refresh windows: the framework reopens every N months; new suppliers are evaluated
like the first ones and join without disturbing running call-offs; each phase change
is published by the clock (``tianguis tick``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.frameworks.calloffs import contract_of, direct_calloff
from marketplace.frameworks.catalogue import ListingInput, add_listing
from marketplace.frameworks.services import apply_to_lot, decide_application
from marketplace.publication.models import OcdsRecord, OcdsRelease
from marketplace.ticks import run_due
from ocds.checks import check_dates
from tests.framework_helpers import NOW, RUNNING, admit, make_framework
from tests.supplier_helpers import make_supplier
from tests.tender_helpers import assert_valid
from tests.test_frameworks_calloffs import CEILING, _input

WINDOW_1 = dt.datetime(2030, 8, 1)


def test_the_clock_publishes_windows_and_expiry(db: Session) -> None:
    framework, _buyer = make_framework(db)
    assert framework.phase == "window-0" and framework.next_check_at == dt.datetime(2030, 2, 1)
    first = db.get(OcdsRecord, framework.ocid).compiled  # type: ignore[union-attr]
    assert first["tender"]["tenderPeriod"]["endDate"].startswith("2030-02-01")
    run_due(db, RUNNING)
    assert framework.phase == "running" and framework.next_check_at == WINDOW_1
    run_due(db, WINDOW_1 + dt.timedelta(hours=1))
    assert framework.phase == "window-1"
    compiled = db.get(OcdsRecord, framework.ocid).compiled  # type: ignore[union-attr]
    # The period runs from the first call's opening to the close of the open window, so
    # that suppliers admitted in the first call were admitted within it.
    assert compiled["tender"]["tenderPeriod"] == {
        "startDate": first["tender"]["tenderPeriod"]["startDate"],
        "endDate": "2030-08-31T00:00:00Z",
    }
    run_due(db, dt.datetime(2032, 3, 1))
    assert framework.phase == "expired" and framework.next_check_at is None
    rows = db.scalars(select(OcdsRelease).where(OcdsRelease.ocid == framework.ocid)).all()
    assert [r.tags[0] for r in rows] == ["tender", "tenderUpdate", "tenderUpdate", "tenderUpdate"]
    for row in rows:
        assert_valid(row.data)
    assert rows[-1].data["tender"]["status"] == "complete"
    # Nothing due: a second tick publishes nothing.
    run_due(db, dt.datetime(2032, 3, 2))
    assert db.get(OcdsRecord, framework.ocid).release_count == 4  # type: ignore[union-attr]


def test_a_new_entrant_joins_in_a_refresh_without_disturbing_running_calloffs(db: Session) -> None:
    framework, buyer = make_framework(db)
    admission, _s, user = admit(db, framework, buyer)
    listing = add_listing(
        db, user, admission, ListingInput("Soporte de nivel 2", "Soporte", "500", "hora"), NOW
    )
    calloff = direct_calloff(db, buyer, listing, _input("50"), ceiling=CEILING, now=RUNNING)
    contract = contract_of(db, calloff)
    assert contract is not None
    before = (contract.status, contract.value_amount, contract.period_end)

    _newcomer, new_user = make_supplier(db, verified=True)
    during = WINDOW_1 + dt.timedelta(days=3)
    application = apply_to_lot(
        db, new_user, framework.lots[0], "Mesa de ayuda bilingüe 24x7 desde 2012.", during
    )
    assert application.window == 1
    new_admission = decide_application(db, buyer, application, admit=True, reason="", now=during)
    assert new_admission is not None and new_admission.window == 1
    assert {a.supplier_id for a in framework.admissions} == {
        admission.supplier_id,
        new_admission.supplier_id,
    }
    db.refresh(contract)
    assert (contract.status, contract.value_amount, contract.period_end) == before
    compiled = db.get(OcdsRecord, framework.ocid).compiled  # type: ignore[union-attr]
    assert len(compiled["awards"]) == 2
    # Both admissions, from the first call and from the refresh, fall in the published
    # tender period: no "award before the tender period" warning.
    assert check_dates(compiled) == []
