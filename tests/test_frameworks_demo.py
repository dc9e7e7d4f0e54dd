"""The demo's framework step: a software framework with several lots, suppliers,
listings and call-offs of both kinds; every release validates and every call-off's
relatedProcesses resolves to the framework's record."""

from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role
from marketplace.demo import STEPS
from marketplace.demo import frameworks as demo
from marketplace.frameworks.calloff_models import CallOff, CallOffKind
from marketplace.frameworks.metrics import variety
from marketplace.frameworks.models import Framework, Listing
from marketplace.publication.models import OcdsRecord, OcdsRelease
from tests.bid_helpers import SECRET
from tests.factories import make_user
from tests.supplier_helpers import make_supplier
from tests.tender_helpers import assert_valid


def test_demo_step_loads_a_framework_with_both_kinds_of_calloff_once(db: Session) -> None:
    assert STEPS[-1] == "frameworks"
    make_user(db, Role.BUYER)
    make_user(db, Role.BUYER)
    for _ in range(len(demo.OFFERS) + 1):
        make_supplier(db, verified=True)
    summary = demo.load(db, random.Random(1), {"bid_secret": SECRET})
    assert "awarded and contracted" in summary
    framework = db.scalars(select(Framework)).one()
    assert len(framework.lots) == 3 and len(framework.admissions) == 10
    assert db.scalars(select(Listing)).all()
    kinds = [c.kind for c in db.scalars(select(CallOff))]
    assert kinds.count(CallOffKind.DIRECT) == 4 and kinds.count(CallOffKind.MINI) == 2
    for calloff in db.scalars(select(CallOff)):
        record = db.get(OcdsRecord, calloff.tender.ocid)
        assert record is not None
        target = record.compiled["relatedProcesses"][0]["identifier"]
        assert db.get(OcdsRecord, target) is not None and target == framework.ocid
    for row in db.scalars(select(OcdsRelease)):
        assert_valid(row.data)
    metrics = variety(db, framework)
    assert metrics.calloffs == 5 and metrics.new_entrants == {1: 1} and metrics.hhi
    assert demo.load(db, random.Random(1), {"bid_secret": SECRET}) == "already loaded"
